from django.apps import AppConfig


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = "Districts"

    def ready(self) -> None:
        from districts import rights

        rights.register()
