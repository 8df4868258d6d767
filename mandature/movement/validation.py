"""Checks shared by forms and imports, with French messages."""

import phonenumbers
from django.core.exceptions import ValidationError


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
