from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "mandature.relations"
    verbose_name = "Relations avec les élus"

    def ready(self):
        from django_tasks.signals import task_finished

        from .tasks import sync_abandoned

        task_finished.connect(sync_abandoned, dispatch_uid="mandature-relations-sync-abandoned")
