from datetime import datetime

from django import template
from django.utils import timezone

from mandature.core.french import (
    function_title,
    long_date,
    number,
    ordinal,
    percent,
    typography,
    with_preposition,
)
from mandature.core.links import page_url

register = template.Library()


@register.filter
def get_count(counter, keys: str) -> int:
    """Sum of a Counter's values for comma-separated keys (keys may hold hyphens)."""
    return sum(counter.get(key, 0) for key in keys.split(","))


@register.filter
def fr_number(value) -> str:
    """« 1 207 489 » (narrow no-break spaces); « — » when unknown."""
    return number(value) if value is not None else "—"


@register.filter
def fr_percent(value) -> str:
    """« 21,0 % »; « — » when unknown."""
    return percent(value) if value is not None else "—"


@register.filter
def fr_date(value) -> str:
    """« 1er octobre 2026 », « 23 novembre 2026 » (a datetime in Paris time); « » when empty."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return long_date(value)


def _named(value):
    named = getattr(value, "named", None)
    return named if named is not None else str(getattr(value, "name", value))


@register.filter
def de(value) -> str:
    """« de » before a name, elided and contracted: « d'Abzac », « du Havre », « de l'Union
    sociale pour l'habitat » (a territory's official article when it has one)."""
    return with_preposition("de", _named(value)) if value else ""


@register.filter(name="a")
def to(value) -> str:
    """« à » before a name: « au Havre », « aux Abymes », « à Lille »."""
    return with_preposition("à", _named(value)) if value else ""


@register.filter
def fonction(label, sex: str = "") -> str:
    """A function as a person reads it, in the feminine for a woman: « 1re adjointe au
    maire », « Vice-présidente du conseil départemental »."""
    return function_title(str(label or ""), sex == "F")


@register.filter
def adjoint_title(entry) -> str:
    """« 1re adjointe au maire », « 12e adjoint au maire » from the rank in the RNE, else the
    file's own label."""
    feminine = entry.person.sex == "F"
    if not entry.function_rank:
        return entry.function
    return f"{ordinal(entry.function_rank, feminine)} adjoint{'e' if feminine else ''} au maire"


@register.filter
def fr_plural(value, suffix: str = "s") -> str:
    """French plural mark: « 0 inscrit », « 1 inscrit », « 2 inscrits »."""
    try:
        return suffix if abs(int(value)) >= 2 else ""
    except (TypeError, ValueError):
        return ""


@register.filter
def fr_text(value) -> str:
    """French typography for text typed by users: non-breaking spaces before « : ; ! ? » and
    inside « guillemets » (the text stays escaped by the template)."""
    return typography(str(value)) if value else ""


@register.filter
def commune_url(code) -> str:
    """`{% url 'web:commune' code %}` for long lists (core.links)."""
    return page_url("web:commune", code)


@register.filter
def block_of(blocks, email) -> object:
    """The state of an address for campaigns (`campaigns.addresses.Block`) among `blocks`
    (by lowercased address), or None."""
    return (blocks or {}).get((email or "").strip().lower())


@register.filter
def question(split, email: bool) -> str:
    """A campaign's launch confirmation: « Envoyer 230 courriels et préparer 6 courriers ? »."""
    return split.question(bool(email)) if split is not None else ""
