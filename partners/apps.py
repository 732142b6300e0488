from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Procurement partners"

    def ready(self) -> None:
        from partners import access, rights

        access.register_rules()
        rights.register()
