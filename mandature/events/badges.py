"""The badges of an event as a PDF (Typst): one per confirmed registration (the collaborator's
name when they come instead), with a QR code of the check-in code."""

import io
import json
from functools import lru_cache
from pathlib import Path

import segno
from django.db.models import Q
from django.utils import timezone

from mandature.core.typst_compiler import compiler

from .mail import when
from .models import Event, Invitation, Registration

TEMPLATE = Path(__file__).parent / "typst" / "badges.typ"


@lru_cache(maxsize=4096)  # a code's picture never changes; pages and badges ask again
def qr_svg(code: str) -> str:
    """A QR code (never a Micro QR, which phones do not read) of the check-in code."""
    buffer = io.BytesIO()
    segno.make_qr(code, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode("ascii")


def badges_data(event: Event, session_id: int | None = None, within: Q | None = None) -> dict:
    """The badges of the confirmed registrations `within` the viewer's scope."""
    rows = (
        Registration.objects.filter(session__event=event, status=Registration.Status.CONFIRMED)
        .filter(within or Q())
        .select_related("invitation", "session")
        .order_by("invitation__name", "session__starts_at")
    )
    if session_id:
        rows = rows.filter(session_id=session_id)
    badges = []
    for registration in rows:
        invitation, session = registration.invitation, registration.session
        instead = invitation.companion == Invitation.Companion.INSTEAD and invitation.companion_name
        moment = when(session)
        if registration.slot_start is not None:
            moment = f"{timezone.localtime(registration.slot_start):%d/%m à %H:%M}"
        badges.append(
            {
                "name": invitation.companion_name if instead else invitation.name,
                "companion_of": invitation.name if instead else None,
                "function": (invitation.companion_function if instead else invitation.function)[
                    :90
                ],
                "session": session.title,
                "when": moment,
                "code": registration.code,
                "qr": qr_svg(registration.code),
            }
        )
        if invitation.companion == Invitation.Companion.WITH and invitation.companion_name:
            badges.append(
                {
                    "name": invitation.companion_name,
                    "companion_of": invitation.name,
                    "function": invitation.companion_function[:90],
                    "session": session.title,
                    "when": moment,
                    "code": registration.code,
                    "qr": qr_svg(registration.code),
                }
            )
    organiser = event.organisation.name if event.organisation else "Mouvement Hlm"
    return {"title": event.title, "organiser": organiser, "badges": badges}


def render(event: Event, session_id: int | None = None, within: Q | None = None) -> bytes:
    data = badges_data(event, session_id, within)
    return compiler(TEMPLATE).compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
