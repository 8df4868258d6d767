"""When two records of the RNE with different birth dates are the same person.

The ministry's birth dates carry typos that change between files (MANOS at Arandas: 1968-10-13
in 2022, 1970-09-07 in April 2026). On the same seat territory and with the same sex:

- the same normalised full name (last and first names) is the same person, whatever the two
  dates;
- the same last name with a compatible first name (« Christophe » / « Christophe Gilbert ») is
  the same person when the dates differ by a typo: one digit, the day and month swapped, or the
  year one off.

Every such match is recorded as an identity doubt, listed on /elus/identites/.
"""

from datetime import date

from mandature.core.text import compact

ONE_DIGIT = "un chiffre"
DAY_MONTH_SWAPPED = "jour et mois inversés"
YEAR_OFF_BY_ONE = "année à un an près"


def birth_typo(a: date, b: date) -> str | None:
    """The kind of typo that turns one birth date into the other, or None."""
    if a == b:
        return None
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return YEAR_OFF_BY_ONE
    if (a.day, a.month) == (b.month, b.day) and a.year == b.year:
        return DAY_MONTH_SWAPPED
    differing = sum(x != y for x, y in zip(a.isoformat(), b.isoformat(), strict=True))
    if differing == 1:
        return ONE_DIGIT
    return None


def compatible_first_names(a: str, b: str) -> bool:
    """« Christophe » and « Christophe Gilbert Robert »: one is the other with given names
    added (accents, hyphens, spaces and case ignored)."""
    ca, cb = compact(a), compact(b)
    return bool(ca and cb) and (ca.startswith(cb) or cb.startswith(ca))


def same_person_other_birth(
    last_a: str, first_a: str, birth_a: date, last_b: str, first_b: str, birth_b: date
) -> str | None:
    """The rule by which two records of one seat territory and sex, whose birth dates differ,
    are the same person; None when they are not."""
    if birth_a == birth_b or compact(last_a) != compact(last_b):
        return None
    if compact(first_a) == compact(first_b):
        return "même nom et prénoms, autre date de naissance"
    typo = birth_typo(birth_a, birth_b)
    if typo and compatible_first_names(first_a, first_b):
        return f"même nom, prénom compatible, date de naissance à une faute près ({typo})"
    return None
