"""Email reminders of follow-ups: one message per person and per day, listing what is overdue or
due tomorrow."""

from datetime import date
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from mandature.movement.scope import scope_of

from .services import due_reminders


def send_reminders(today: date | None = None) -> tuple[int, int]:
    today = today or date.today()
    people = items = 0
    for assignee, group in groupby(due_reminders(today), key=lambda f: f.assignee):
        if not assignee.email or not assignee.is_active:
            continue
        # a colleague with a wider territory may have given a task about an official outside
        # the assignee's: the message names no one the assignee may not see
        scope = scope_of(assignee)
        follow_ups = [f for f in group if f.person is None or scope.has_person(f.person)]
        if not follow_ups:
            continue
        body = render_to_string(
            "web/relations/reminder_email.txt",
            {
                "user": assignee,
                "follow_ups": follow_ups,
                "today": today,
                "link": settings.SITE_URL + reverse("web:follow-ups"),
            },
        )
        overdue = sum(f.due_date < today for f in follow_ups)
        subject = f"Mandature : {len(follow_ups)} suivi(s) à faire"
        if overdue:
            subject += f", dont {overdue} en retard"
        send_mail(subject, body, None, [assignee.email])
        for follow_up in follow_ups:
            follow_up.reminded_on = today
            follow_up.save(update_fields=["reminded_on"])
        people += 1
        items += len(follow_ups)
    return people, items
