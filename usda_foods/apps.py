from django.apps import AppConfig


class UsdaFoodsConfig(AppConfig):
    name = "usda_foods"
    verbose_name = "USDA Foods"

    def ready(self) -> None:
        from usda_foods import access, jobs

        access.register_rules()
        jobs.register_job_kinds()
