"""Forms of the relationship: contact card, note, interaction, follow-up. French messages."""

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model

from mandature.core.forms import CleanText
from mandature.movement.validation import normalise_phone

from .models import Contact, FollowUp, Interaction, Note, Tag

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Saisissez une date valide (jj/mm/aaaa)."}
EMAIL_ERRORS = {"invalid": "Saisissez une adresse électronique valide (nom@domaine.fr)."}


class ContactForm(CleanText, forms.ModelForm):
    tag_names = forms.CharField(
        label="Étiquettes",
        required=False,
        help_text="Séparées par des virgules : « logement des jeunes, ANRU »",
    )

    class Meta:
        model = Contact
        fields = [
            "salutation",
            "email",
            "phone",
            "office",
            "postal_address",
            "preferred_channel",
            "assistant_name",
            "assistant_email",
            "assistant_phone",
            "objects_to_contact",
            "objection_date",
            "referent",
        ]
        widgets = {"objection_date": DATE, "postal_address": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "email": EMAIL_ERRORS,
            "assistant_email": EMAIL_ERRORS,
            "objection_date": DATE_ERRORS,
        }

    def __init__(self, *args, referents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents or get_user_model().objects.none()
        self.fields["referent"].label_from_instance = lambda u: u.get_full_name() or u.email
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean_assistant_phone(self):
        return _phone(self.cleaned_data["assistant_phone"])

    def clean_objection_date(self):
        value = self.cleaned_data["objection_date"]
        if value and value > date.today():
            raise forms.ValidationError("La date de l'opposition ne peut pas être dans le futur.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("objects_to_contact") and not data.get("objection_date"):
            data["objection_date"] = date.today()
        if not data.get("objects_to_contact"):
            data["objection_date"] = None
        return data

    def save(self, commit=True):
        contact = super().save(commit=commit)
        if not commit:
            return contact
        names = [n.strip() for n in self.cleaned_data.get("tag_names", "").split(",") if n.strip()]
        tags = [Tag.objects.get_or_create(name=name[:60])[0] for name in names]
        contact.tags.set(tags)
        return contact


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except forms.ValidationError as error:
        raise forms.ValidationError(
            f"{error.messages[0].capitalize()} : saisissez par exemple 01 40 50 60 70 "
            "ou +33 1 40 50 60 70."
        ) from None


class NoteForm(CleanText, forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"text": {"required": "La note est vide."}}


class InteractionForm(CleanText, forms.ModelForm):
    follow_up_title = forms.CharField(label="Suivi à programmer", required=False, max_length=300)
    follow_up_due = forms.DateField(
        label="Échéance du suivi", required=False, widget=DATE, error_messages=DATE_ERRORS
    )

    class Meta:
        model = Interaction
        fields = ["kind", "date", "participants", "summary", "follow_up"]
        widgets = {
            "date": DATE,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "participants": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "date": DATE_ERRORS | {"required": "Indiquez la date de l'échange."},
            "summary": {"required": "Résumez l'échange en quelques mots."},
            "kind": {"required": "Choisissez le type d'échange."},
        }

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > date.today() + timedelta(days=1):
            raise forms.ValidationError(
                "Un échange ne peut pas être daté dans le futur : programmez plutôt un suivi."
            )
        if value.year < 2000:
            raise forms.ValidationError("Date trop ancienne : vérifiez l'année.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("follow_up_title") and not data.get("follow_up_due"):
            self.add_error("follow_up_due", "Indiquez l'échéance du suivi.")
        return data


class FollowUpForm(CleanText, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["title", "due_date", "assignee"]
        widgets = {"due_date": DATE}
        error_messages = {
            "due_date": DATE_ERRORS | {"required": "Indiquez une échéance."},
            "title": {"required": "Décrivez ce qu'il y a à faire."},
        }

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees or get_user_model().objects.none()
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.email


class ContactsUploadForm(CleanText, forms.Form):
    """A file of contact details to preview (CSV or XLSX, 5 Mo at most)."""

    file = forms.FileField(
        label="Fichier de coordonnées (CSV ou XLSX)",
        help_text="Modèles téléchargeables ci-dessus ; 5 Mo au plus.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(
                "Type de fichier refusé : un fichier .csv ou .xlsx est attendu."
            )
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Fichier trop gros (5 Mo au plus).")
        return upload
