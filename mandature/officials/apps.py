from django.apps import AppConfig


class OfficialsConfig(AppConfig):
    name = "mandature.officials"
    verbose_name = "Élus (RNE)"

    def ready(self):
        from django_tasks.signals import task_finished

        from .tasks import upload_abandoned

        task_finished.connect(upload_abandoned, dispatch_uid="mandature-officials-abandoned")
