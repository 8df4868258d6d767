from django import template

register = template.Library()


@register.filter
def get_count(counter, keys: str) -> int:
    """Sum of a Counter's values for comma-separated keys (keys may hold hyphens)."""
    return sum(counter.get(key, 0) for key in keys.split(","))
