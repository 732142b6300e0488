from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Letters of agreement"

    def ready(self) -> None:
        from agreements.access import register_rules

        register_rules()
