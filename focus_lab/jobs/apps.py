from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs and their progress, shared by every area that runs long work in Celery."""

    name = "focus_lab.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from focus_lab.jobs import access

        access.register_rules()
