"""The one API router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import people as people_views
from accounts.api.views import MeView, TokenView
from agreements.api import views as agreement_views
from districts.api import views as district_views
from focus_lab.imports import api as import_views
from focus_lab.jobs.api import BackgroundJobViewSet
from partners.api import suppliers as supplier_views
from partners.api import views as partner_views
from purchasing.priority_items.api import views as purchasing_views
from purchasing.records import api as records_api
from purchasing.spend import api as spend_views
from usda_foods.corrections.api import DataCorrectionViewSet
from usda_foods.deliveries import api as deliveries_api
from usda_foods.deliveries.api import DeliveryViewSet, FeeScheduleViewSet
from usda_foods.entitlements.api.views import (
    EntitlementViewSet,
    LunchCountViewSet,
    PerMealValueViewSet,
    ReimbursementRateViewSet,
    Section4PaymentViewSet,
)
from usda_foods.ordering.api.catalog import CatalogItemViewSet
from usda_foods.ordering.api.orders import OrderViewSet, OrderWindowViewSet
from usda_foods.ordering.api.surveys import SurveyResponseViewSet, SurveyViewSet
from usda_foods.processing.api import (
    EndProductPurchaseViewSet,
    EndProductViewSet,
    InventoryTransferViewSet,
    InventoryViewSet,
    ProcessorViewSet,
)
from usda_foods.shipping.api import ShipmentPlanViewSet
from usda_foods.shipping.api_proposals import ProposalViewSet
from usda_foods.shipping.coordination.api import JointPlanViewSet, RemainderOfferViewSet

router = DefaultRouter()
router.register("districts", district_views.DistrictViewSet, basename="district")
router.register("sites", district_views.SiteViewSet, basename="site")
router.register("coops", district_views.CoopViewSet, basename="coop")
router.register("state-agencies", district_views.StateAgencyViewSet, basename="state-agency")
router.register("collaboratives", district_views.CollaborativeViewSet, basename="collaborative")
router.register("partners", partner_views.PartnerViewSet, basename="partner")
router.register("partnerships", partner_views.PartnershipViewSet, basename="partnership")
router.register("suppliers", supplier_views.SupplierViewSet, basename="supplier")
router.register("supplier-origins", supplier_views.OriginViewSet, basename="supplier-origin")
router.register("supplier-people", supplier_views.SupplierPersonViewSet, basename="supplier-person")
router.register("supplier-products", supplier_views.ProductViewSet, basename="supplier-product")
router.register("supplier-practices", supplier_views.ProductionPracticeViewSet, basename="supplier-practice")
router.register(
    "supplier-certifications", supplier_views.CertificationViewSet, basename="supplier-certification"
)
router.register("interactions", supplier_views.InteractionViewSet, basename="interaction")
router.register("follow-ups", supplier_views.FollowUpViewSet, basename="follow-up")
router.register("per-meal-values", PerMealValueViewSet, basename="per-meal-value")
router.register("reimbursement-rates", ReimbursementRateViewSet, basename="reimbursement-rate")
router.register("section4-payments", Section4PaymentViewSet, basename="section4-payment")
router.register("lunch-counts", LunchCountViewSet, basename="lunch-count")
router.register("entitlements", EntitlementViewSet, basename="entitlement")
router.register("corrections", DataCorrectionViewSet, basename="correction")
router.register("catalog-items", CatalogItemViewSet, basename="catalog-item")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
router.register("order-windows", OrderWindowViewSet, basename="order-window")
router.register("orders", OrderViewSet, basename="order")
router.register("shipment-plans", ShipmentPlanViewSet, basename="shipment-plan")
router.register("shipment-proposals", ProposalViewSet, basename="shipment-proposal")
router.register("remainder-offers", RemainderOfferViewSet, basename="remainder-offer")
router.register("joint-plans", JointPlanViewSet, basename="joint-plan")
router.register("processors", ProcessorViewSet, basename="processor")
router.register("end-products", EndProductViewSet, basename="end-product")
router.register("processor-inventory", InventoryViewSet, basename="processor-inventory")
router.register("end-product-purchases", EndProductPurchaseViewSet, basename="end-product-purchase")
router.register("inventory-transfers", InventoryTransferViewSet, basename="inventory-transfer")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("fee-schedules", FeeScheduleViewSet, basename="fee-schedule")
router.register("fee-statements", deliveries_api.FeeStatementViewSet, basename="fee-statement")
router.register("coop-storage", deliveries_api.CoopStorageViewSet, basename="coop-storage")
router.register("storage-pickups", deliveries_api.StoragePickupViewSet, basename="storage-pickup")
router.register("jobs", BackgroundJobViewSet, basename="job")
router.register("imports", import_views.ImportRunViewSet, basename="import")
router.register("letter-templates", agreement_views.LetterTemplateViewSet, basename="letter-template")
router.register("letters", agreement_views.LetterViewSet, basename="letter")
router.register("invitations", people_views.InvitationViewSet, basename="invitation")
router.register("memberships", people_views.MembershipViewSet, basename="membership")
router.register("priority-items", purchasing_views.PriorityItemViewSet, basename="priority-item")
router.register("spec-versions", purchasing_views.SpecVersionViewSet, basename="spec-version")
router.register("endorsements", purchasing_views.EndorsementViewSet, basename="endorsement")
router.register("menu-commitments", purchasing_views.MenuCommitmentViewSet, basename="menu-commitment")
router.register("purchase-records", records_api.PurchaseRecordViewSet, basename="purchase-record")
router.register("local-definitions", records_api.LocalDefinitionViewSet, basename="local-definition")
router.register("vendor-aliases", records_api.VendorAliasViewSet, basename="vendor-alias")
router.register("keyword-rules", records_api.KeywordRuleViewSet, basename="keyword-rule")
router.register("spend/districts", spend_views.SpendDistrictViewSet, basename="spend-district")
router.register("spend/labs", spend_views.SpendLabViewSet, basename="spend-lab")
router.register("goals", spend_views.GoalViewSet, basename="goal")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
