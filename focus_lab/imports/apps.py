from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "focus_lab.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from focus_lab.imports import access, jobs

        access.register_rules()
        jobs.register_job_kinds()
