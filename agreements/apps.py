from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Letters of agreement"

    def ready(self) -> None:
        from agreements.access import register_rules
        from agreements.jobs import register_kinds

        register_rules()
        register_kinds()
