from django.apps import AppConfig

from . import memo


class CoreConfig(AppConfig):
    name = "mandature.core"
    verbose_name = "Socle"

    def ready(self):
        # imported here: models and signals can only be read once every app is loaded
        from django_tasks.signals import task_finished, task_started

        from .logs import task_finished as log_finished
        from .logs import task_started as log_started
        from .models import ImportRun

        task_started.connect(log_started, dispatch_uid="mandature-task-started")
        task_finished.connect(log_finished, dispatch_uid="mandature-task-finished")
        memo.track_national(ImportRun, "started_at")
