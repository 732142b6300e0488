from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    """Priority items and their specifications, menu commitments and pooled demand (area
    ``priority_items``). Each area registers its own tenancy rules here."""

    name = "purchasing"

    def ready(self) -> None:
        from purchasing import access
        from purchasing.records import access as records_access
        from purchasing.records import import_kind as purchases_import
        from purchasing.records import job_kinds as records_jobs
        from purchasing.spend import access as spend_access

        access.register_rules()
        records_access.register_rules()
        purchases_import.register_kinds()
        records_jobs.register_job_kinds()
        spend_access.register_rules()
