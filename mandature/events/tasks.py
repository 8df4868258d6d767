from django_tasks import task

from . import mail


@task()
def send_event_mail(registration_id: int, kind: str) -> bool:
    """One email of an event (confirmation, waiting list, promotion, cancellation, reminder)."""
    return mail.send(registration_id, kind)
