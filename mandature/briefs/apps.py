from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "mandature.briefs"
    verbose_name = "Fiches communales"

    def ready(self):
        # imported here: models and tasks can only be read once every app is loaded
        from django_tasks.signals import task_finished

        from .tasks import batch_abandoned

        task_finished.connect(batch_abandoned, dispatch_uid="mandature-briefs-abandoned")
