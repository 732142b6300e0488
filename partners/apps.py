from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Procurement partners"

    def ready(self) -> None:
        from partners import access, rights
        from partners.suppliers import import_kind

        access.register_rules()
        rights.register()
        import_kind.register_kinds()  # suppliers in the shared import pipeline
