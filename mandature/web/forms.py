from django import forms
from django.conf import settings

from mandature.briefs.batch import SelectionError, select
from mandature.core.forms import CleanText
from mandature.territories.models import Commune

ALLOWED_SUFFIXES = (".csv", ".txt", ".gz", ".zip")


class RneUploadForm(CleanText, forms.Form):
    file = forms.FileField(
        label="Fichier du RNE",
        help_text="Fichier publié sur data.gouv.fr : .csv, .txt, .gz ou .zip.",
    )
    data_date = forms.DateField(
        label="Date des données (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Par défaut, la dernière date de début de mandat ou de fonction du fichier.",
    )
    skip_unplaced = forms.BooleanField(
        label="Écarter les lignes dont la commune ou le territoire est inconnu",
        required=False,
        help_text="Elles restent visibles dans le rapport de l'import.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(
                "Type de fichier refusé : un fichier .csv, .txt, .gz ou .zip est attendu."
            )
        if upload.size > settings.RNE_UPLOAD_MAX_BYTES:
            limit = settings.RNE_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"Fichier trop gros : {limit} Mo au plus.")
        if upload.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        return upload


class BriefBatchForm(CleanText, forms.Form):
    """Which communes: a territory chosen by its kind and code."""

    KINDS = [
        ("departement", "Un département (code, ex. 33)"),
        ("region", "Une région (code, ex. 75)"),
        ("epci", "Un EPCI (SIREN)"),
        ("commune", "Une commune (code INSEE)"),
        ("france", "Toute la France"),
    ]
    kind = forms.ChoiceField(label="Communes", choices=KINDS, initial="departement")
    code = forms.CharField(
        label="Code du territoire",
        max_length=9,
        required=False,
        help_text="Laisser vide pour toute la France.",
    )

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean(self):
        data = super().clean()
        kind, code = data.get("kind"), (data.get("code") or "").strip()
        if kind and kind != "france" and not code:
            self.add_error("code", "Indiquez le code du territoire.")
            return data
        if kind:
            try:
                data["selection"] = select(kind, code)
            except SelectionError as error:
                self.add_error("code", str(error).capitalize() + ".")
                return data
            if self.scope is not None and not self.scope.national:
                codes = data["selection"].codes
                inside = self.scope.filter_communes(Commune.objects.filter(code__in=codes)).count()
                if inside < len(codes):
                    self.add_error(
                        "code",
                        f"{len(codes) - inside} commune(s) de ce territoire sont hors du vôtre : "
                        "choisissez un territoire inclus dans le vôtre.",
                    )
        return data
