from django.apps import AppConfig


class UsdaFoodsConfig(AppConfig):
    name = "usda_foods"
