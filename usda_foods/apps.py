from django.apps import AppConfig


class UsdaFoodsConfig(AppConfig):
    """One app (label ``usda_foods``, one migration history) in areas: entitlements, ordering,
    shipping, corrections. Each area registers its own tenancy rules and kinds of job here."""

    name = "usda_foods"
    verbose_name = "USDA Foods"

    def ready(self) -> None:
        from usda_foods import job_kinds
        from usda_foods.corrections import access as corrections_access
        from usda_foods.deliveries import access as deliveries_access
        from usda_foods.entitlements import access as entitlements_access
        from usda_foods.entitlements import imports as entitlements_imports
        from usda_foods.ordering import access as ordering_access
        from usda_foods.ordering import imports as ordering_imports
        from usda_foods.processing import access as processing_access
        from usda_foods.processing import imports as processing_imports
        from usda_foods.shipping import access as shipping_access

        for area in (
            entitlements_access,
            ordering_access,
            shipping_access,
            corrections_access,
            processing_access,
            deliveries_access,
        ):
            area.register_rules()
        job_kinds.register_job_kinds()
        from usda_foods.shipping.coordination import placement as coordination_placement

        coordination_placement.register()  # the ``another_state`` alternative, after the warehouse
        from usda_foods.deliveries import selectors as deliveries_selectors
        from usda_foods.ordering import selectors as ordering_selectors

        ordering_selectors.register_fee_estimator(deliveries_selectors.order_fee_estimate)
        for kinds in (
            entitlements_imports,
            ordering_imports,
            processing_imports,
        ):  # the shared import pipeline's kinds
            kinds.register_import_kinds()
