"""The purchasing pages, one list per area, under one namespace ("purchasing:...")."""

from purchasing.priority_items.urls import urlpatterns as priority_item_urls
from purchasing.records.urls import urlpatterns as record_urls
from purchasing.spend.urls import urlpatterns as spend_urls

app_name = "purchasing"

urlpatterns = [*priority_item_urls, *record_urls, *spend_urls]
