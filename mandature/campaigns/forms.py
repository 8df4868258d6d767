from django import forms

from mandature.core.files import read_image
from mandature.core.forms import CleanText
from mandature.events.models import Event

from .compose import EMAIL_ONLY, FIELDS
from .compose import check as check_template
from .models import Campaign, Segment

EXAMPLE_BODY = """{formule_appel},

Au nom de {expediteur}, je vous adresse mes sincères félicitations pour votre élection.

Votre commune compte {logements_sociaux} logements sociaux, soit {taux_logements_sociaux} des \
logements. Vous trouverez sa fiche, avec les réponses aux questions que se posent les maires, \
à cette adresse : [fiche de {commune}]({lien_fiche}).

Je vous prie d'agréer, {formule_appel}, l'expression de ma haute considération.
"""


class CampaignForm(CleanText, forms.ModelForm):
    invitation_url = forms.URLField(
        label="Lien d'invitation",
        required=False,
        assume_scheme="https",
        help_text="Page d'inscription à l'événement, pour le champ {lien_invitation}.",
    )
    signature_file = forms.FileField(
        label="Image de la signature (courriers)",
        required=False,
        help_text="PNG ou JPEG, 500 Ko au plus ; sinon celle de votre organisation.",
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "channel",
            "segment",
            "communication_kind",
            "event",
            "event_audience",
            "publication",
            "subject",
            "body",
            "invitation_url",
            "complete_with_letters",
            "rate_per_minute",
            "letter_date",
            "signatory",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14, "class": "mono"}),
            "signatory": forms.Textarea(attrs={"rows": 2}),
            "letter_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "subject": "Objet du courriel ou du courrier ; les champs de fusion y sont permis.",
            "body": "Paragraphes séparés par une ligne vide ; **gras**, *italique*, listes "
            "« - », liens [texte](adresse). Champs de fusion entre accolades, ci-dessous.",
            "letter_date": "Courriers : date imprimée (par défaut le jour de la production).",
            "signatory": "Courriers : nom puis qualité, une ligne chacun (par défaut celui de "
            "votre organisation).",
        }

    def __init__(self, *args, segments=None, events=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["event"].queryset = events if events is not None else Event.objects
        self.fields["event"].empty_label = "— aucun —"
        self.fields["event"].help_text = (
            "Une invitation donne à chaque destinataire un lien personnel pour répondre "
            "({lien_invitation}) ; un suivi écrit aux présents ou aux absents."
        )
        self.fields["publication"].empty_label = "— aucune —"
        self.fields["segment"].queryset = segments if segments is not None else Segment.objects
        self.fields["segment"].required = True
        self.fields["segment"].empty_label = "— choisir un segment —"
        if not self.instance.pk and not self.initial.get("body"):
            self.initial.setdefault("body", EXAMPLE_BODY)

    def clean_signature_file(self):
        upload = self.cleaned_data.get("signature_file")
        return read_image(upload) if upload else None

    def clean_rate_per_minute(self):
        rate = self.cleaned_data["rate_per_minute"]
        if rate > 100_000:
            raise forms.ValidationError("100 000 messages par minute au plus.")
        return rate

    def clean(self):
        data = super().clean()
        if data.get("event_audience") and not data.get("event"):
            self.add_error("event", "Choisissez l'événement.")
        if data.get("event") and not data.get("event_audience"):
            data["event_audience"] = "invited"
        personal = data.get("event") and data.get("event_audience") == "invited"
        if "subject" in data and "body" in data:
            for problem in check_template(
                data["subject"],
                data["body"],
                email=data.get("channel") == Campaign.Channel.EMAIL,
                invitation_url=data.get("invitation_url", "") or ("personnel" if personal else ""),
                survey=bool(self.instance.survey_id),
                publication=bool(data.get("publication")),
            ):
                self.add_error("body", problem)
        return data

    def save(self, commit=True):
        campaign = super().save(commit=False)
        if self.cleaned_data.get("signature_file"):
            campaign.signature = self.cleaned_data["signature_file"]
        if commit:
            campaign.save()
        return campaign


def field_help(email: bool = True) -> list[tuple[str, str]]:
    return list((FIELDS | (EMAIL_ONLY if email else {})).items())
