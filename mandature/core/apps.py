from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mandature.core"
    verbose_name = "Socle"

    def ready(self):
        from django_tasks.signals import task_finished, task_started

        from .logs import task_finished as log_finished
        from .logs import task_started as log_started

        task_started.connect(log_started, dispatch_uid="mandature-task-started")
        task_finished.connect(log_finished, dispatch_uid="mandature-task-finished")
