"""The purchasing pages, one list per area, under one namespace ("purchasing:...")."""

from purchasing.priority_items.urls import urlpatterns as priority_item_urls

app_name = "purchasing"

urlpatterns = [*priority_item_urls]
