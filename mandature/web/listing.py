"""Every list page can be downloaded as it is shown (same filters, same scope): `?format=csv`
or `?format=xlsx`. Each download is written in the audit log; lists holding personal data need
the « export » right."""

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied

from mandature.core.models import audit
from mandature.core.spreadsheet import export_response
from mandature.movement.access import can

FORMATS = ("csv", "xlsx")


def wants_export(request) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def export_list(
    request,
    name: str,
    header: list[str],
    rows: Iterable[list] | Callable,
    personal: bool = False,
    title: str = "Données",
):
    """The download of a list, or None when the request does not ask for one."""
    fmt = wants_export(request)
    if fmt is None:
        return None
    if personal and not can(request.user, "export"):
        raise PermissionDenied("Votre rôle ne permet pas d'exporter des données personnelles.")
    rows = list(rows() if callable(rows) else rows)
    audit(
        f"export {name}",
        "web",
        request.user,
        format=fmt,
        rows=len(rows),
        query=request.GET.urlencode()[:500],
    )
    return export_response(header, rows, fmt, name, sheet=title)
