from django.apps import AppConfig

from mandature.core.memo import track_national


class OfficialsConfig(AppConfig):
    name = "mandature.officials"
    verbose_name = "Élus (RNE)"

    def ready(self):
        # imported here: models and tasks can only be read once every app is loaded
        from django_tasks.signals import task_finished

        from .models import Snapshot
        from .tasks import upload_abandoned

        task_finished.connect(upload_abandoned, dispatch_uid="mandature-officials-abandoned")
        track_national(Snapshot, "imported_at")  # a new RNE file changes the national data
