"""Sortable tables: `?tri=population&ordre=desc`, with aria-sort on the column headers."""

from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass
class Column:
    key: str
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "none"
    numeric: bool = False


def sort_table(request, columns: dict[str, tuple[str, str]], default: str, numeric=()):
    """columns maps a URL key to (label, ORM field). Returns (ordering, [Column])."""
    key = request.GET.get("tri", default)
    if key not in columns:
        key = default
    descending = request.GET.get("ordre") == "desc"
    field = columns[key][1]
    ordering = [f"-{field}" if descending else field]
    headers = []
    for name, (label, _field) in columns.items():
        active = name == key
        next_order = "asc" if active and descending else ("desc" if active else "asc")
        if not active and name in numeric:
            next_order = "desc"  # big numbers first is what people want first
        query = urlencode({"tri": name, "ordre": next_order})
        state = ("descending" if descending else "ascending") if active else "none"
        headers.append(Column(name, label, f"?{query}", state, name in numeric))
    return ordering, headers
