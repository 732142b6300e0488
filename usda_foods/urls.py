"""The USDA Foods pages, one list per area, under one namespace ("usda_foods:...")."""

from usda_foods.corrections.urls import urlpatterns as correction_urls
from usda_foods.deliveries.urls import urlpatterns as delivery_urls
from usda_foods.entitlements.urls import urlpatterns as entitlement_urls
from usda_foods.ordering.urls import urlpatterns as ordering_urls
from usda_foods.processing.urls import urlpatterns as processing_urls
from usda_foods.shipping.coordination.urls import urlpatterns as coordination_urls
from usda_foods.shipping.urls import urlpatterns as shipping_urls

app_name = "usda_foods"

urlpatterns = [
    *entitlement_urls,
    *ordering_urls,
    *shipping_urls,
    *correction_urls,
    *processing_urls,
    *delivery_urls,
    *coordination_urls,
]
