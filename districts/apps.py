from django.apps import AppConfig


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = "Districts"

    def ready(self) -> None:
        from districts import access, rights

        access.register_rules()
        rights.register()
