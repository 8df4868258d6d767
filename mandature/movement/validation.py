"""Checks shared by forms and imports, with French messages."""

import phonenumbers
from django.core.exceptions import ValidationError
from stdnum.fr import siren


def normalise_phone(value: str) -> str:
    """A French (or international, « +… ») phone number in its usual written form:
    « 01 40 50 60 70 », « +44 20 7946 0958 »."""
    text = value.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        raise ValidationError("numéro de téléphone illisible") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("numéro de téléphone invalide") from None
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def siren_is_valid(value: str) -> bool:
    """Nine digits whose last one is the Luhn key (python-stdnum's check of the INSEE rule).
    The value is stored as it is checked: callers remove the spaces people type, and nothing
    else (python-stdnum would also accept dots)."""
    return value.isascii() and value.isdigit() and siren.is_valid(value)
