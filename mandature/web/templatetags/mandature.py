from django import template

register = template.Library()


@register.filter
def get_count(counter, keys: str) -> int:
    """Sum of a Counter's values for comma-separated keys (keys may hold hyphens)."""
    return sum(counter.get(key, 0) for key in keys.split(","))


@register.filter
def fr_number(value) -> str:
    """« 1 207 489 » (narrow no-break spaces); « — » when unknown."""
    from mandature.core.french import number

    return number(value) if value is not None else "—"


@register.filter
def fr_percent(value) -> str:
    """« 21,0 % »; « — » when unknown."""
    from mandature.core.french import percent

    return percent(value) if value is not None else "—"
