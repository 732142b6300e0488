from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    """Priority items and their specifications, menu commitments and pooled demand (area
    ``priority_items``). Each area registers its own tenancy rules here."""

    name = "purchasing"

    def ready(self) -> None:
        from purchasing import access
        from purchasing.records import access as records_access
        from purchasing.spend import access as spend_access

        access.register_rules()
        records_access.register_rules()
        spend_access.register_rules()
