"""The one API router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import people as people_views
from accounts.api.views import MeView, TokenView
from agreements.api import views as agreement_views
from districts.api import views as district_views
from focus_lab.jobs.api import BackgroundJobViewSet
from partners.api import views as partner_views
from usda_foods.api import corrections as correction_views
from usda_foods.api import ordering as ordering_views
from usda_foods.api import shipping as shipping_views
from usda_foods.api import views as usda_views

router = DefaultRouter()
router.register("districts", district_views.DistrictViewSet, basename="district")
router.register("sites", district_views.SiteViewSet, basename="site")
router.register("coops", district_views.CoopViewSet, basename="coop")
router.register("state-agencies", district_views.StateAgencyViewSet, basename="state-agency")
router.register("collaboratives", district_views.CollaborativeViewSet, basename="collaborative")
router.register("partners", partner_views.PartnerViewSet, basename="partner")
router.register("partnerships", partner_views.PartnershipViewSet, basename="partnership")
router.register("per-meal-values", usda_views.PerMealValueViewSet, basename="per-meal-value")
router.register("reimbursement-rates", usda_views.ReimbursementRateViewSet, basename="reimbursement-rate")
router.register("section4-payments", usda_views.Section4PaymentViewSet, basename="section4-payment")
router.register("lunch-counts", usda_views.LunchCountViewSet, basename="lunch-count")
router.register("entitlements", usda_views.EntitlementViewSet, basename="entitlement")
router.register("corrections", correction_views.DataCorrectionViewSet, basename="correction")
router.register("catalog-items", ordering_views.CatalogItemViewSet, basename="catalog-item")
router.register("surveys", ordering_views.SurveyViewSet, basename="survey")
router.register("survey-responses", ordering_views.SurveyResponseViewSet, basename="survey-response")
router.register("order-windows", ordering_views.OrderWindowViewSet, basename="order-window")
router.register("orders", ordering_views.OrderViewSet, basename="order")
router.register("shipment-plans", shipping_views.ShipmentPlanViewSet, basename="shipment-plan")
router.register("jobs", BackgroundJobViewSet, basename="job")
router.register("letter-templates", agreement_views.LetterTemplateViewSet, basename="letter-template")
router.register("letters", agreement_views.LetterViewSet, basename="letter")
router.register("invitations", people_views.InvitationViewSet, basename="invitation")
router.register("memberships", people_views.MembershipViewSet, basename="membership")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
