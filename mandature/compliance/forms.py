from django import forms

from mandature.core.forms import CleanText

from .enums import Audience, CommunicationKind
from .territory import SYNTAX, TerritoryError, parse_territory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {
    "invalid": "Saisissez une date valide (jj/mm/aaaa).",
    "required": "Indiquez la date.",
}


class CheckForm(CleanText, forms.Form):
    kind = forms.ChoiceField(label="Communication", choices=CommunicationKind.choices)
    date = forms.DateField(
        label="Date (ou début de la période)", widget=DATE, error_messages=DATE_ERRORS
    )
    until = forms.DateField(
        label="Fin de la période (facultatif)",
        required=False,
        widget=DATE,
        error_messages=DATE_ERRORS,
    )
    territory = forms.CharField(
        label="Territoire", initial="france", help_text=f"{SYNTAX} ; par exemple « commune:59350 »"
    )
    audience = forms.ChoiceField(
        label="Public", required=False, choices=[("", "non précisé"), *Audience.choices]
    )

    def clean_territory(self):
        try:
            return parse_territory(self.cleaned_data["territory"])
        except TerritoryError as error:
            raise forms.ValidationError(str(error).capitalize() + ".") from None

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("until") and data["until"] < data["date"]:
            self.add_error("until", "La période se termine avant de commencer.")
        return data
