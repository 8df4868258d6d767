from django.apps import AppConfig

from mandature.core.memo import track_national


class OfficialsConfig(AppConfig):
    name = "mandature.officials"
    verbose_name = "Élus (RNE)"

    def ready(self):
        # imported here: models and tasks can only be read once every app is loaded
        from django_tasks.signals import task_finished

        from .models import IdentityOperation, Snapshot
        from .tasks import upload_abandoned

        task_finished.connect(upload_abandoned, dispatch_uid="mandature-officials-abandoned")
        track_national(Snapshot, "imported_at")  # a new RNE file changes the national data
        # so does a merge, a split or their undoing: who is « nouveau » changes with them
        track_national(IdentityOperation, "done_at")
        track_national(IdentityOperation, "undone_at")
