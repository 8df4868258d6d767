"""Forms of the accounts and organisations, with French messages."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from mandature.core.files import read_image
from mandature.core.forms import CleanText
from mandature.territories.models import Commune, Departement, Region

from .enums import OrganisationKind, Role
from .models import Organisation
from .scope import Scope, narrowing_fits, organisation_scope
from .validation import normalise_phone, siren_is_valid

EMAIL_ERRORS = {
    "invalid": "Saisissez une adresse électronique valide (nom@domaine.fr).",
    "required": "Saisissez votre adresse électronique.",
}
CODES_HELP = (
    "Codes séparés par des espaces ; laisser vide pour tout le territoire de l'organisation."
)


class LoginForm(CleanText, forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe."},
    )


class CodeForm(CleanText, forms.Form):
    code = forms.RegexField(
        label="Code à 6 chiffres de votre application d'authentification",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": "Le code compte 6 chiffres.", "required": "Saisissez le code."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").strip()


class SetPasswordForm(CleanText, forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 8 caractères, pas seulement des chiffres, pas un mot de passe courant.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"], self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.replace(",", " ").split() if c.strip()]


def _known(model, codes: list[str]) -> tuple[set[str], str]:
    """The codes that exist, and the error message for those that do not ("" when none)."""
    known = set(model.objects.filter(pk__in=codes).values_list("pk", flat=True))
    unknown = [c for c in codes if c not in known]
    return known, f"Code(s) inconnu(s) : {', '.join(unknown)}." if unknown else ""


class MembershipForm(CleanText, forms.Form):
    """Organisation, role and territory of a user (invitation and later changes)."""

    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.filter(active=True)
    )
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)
    regions = forms.CharField(
        label="Restreindre à des régions", required=False, help_text=CODES_HELP
    )
    departements = forms.CharField(
        label="Restreindre à des départements", required=False, help_text=CODES_HELP
    )
    communes = forms.CharField(
        label="Restreindre à des communes (codes INSEE)", required=False, help_text=CODES_HELP
    )

    def __init__(self, *args, inviter_role: str, inviter_organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inviter_role != Role.ADMIN:
            # A chargé de mission invites into their own organisation, below the national role.
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk=getattr(inviter_organisation, "pk", None)
            )
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation")
        role = data.get("role")
        if organisation is None or role is None:
            return data
        if role == Role.ADMIN and organisation.kind != OrganisationKind.UNION:
            self.add_error("role", "Un administrateur national appartient à l'Union.")
        narrowed = {}
        for name, model in (
            ("regions", Region),
            ("departements", Departement),
            ("communes", Commune),
        ):
            known, problem = _known(model, _codes(data.get(name, "")))
            if problem:
                self.add_error(name, problem)
            narrowed[name] = frozenset(known)
        scope = Scope(False, narrowed["regions"], narrowed["departements"], narrowed["communes"])
        if not scope.empty:
            outside = narrowing_fits(organisation_scope(organisation), scope)
            if outside:
                self.add_error(
                    None,
                    "Hors du territoire de l'organisation : " + ", ".join(outside) + ".",
                )
        data["narrowed"] = narrowed
        return data


class InviteForm(MembershipForm):
    email = forms.EmailField(label="Adresse électronique", error_messages=EMAIL_ERRORS)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    field_order = ["email", "first_name", "last_name"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse.")
        return email


class UserEditForm(MembershipForm):
    active = forms.BooleanField(
        label="Compte actif",
        required=False,
        help_text="Décocher quand la personne quitte l'organisation : plus de connexion possible.",
    )
    unlock = forms.BooleanField(label="Débloquer le compte", required=False)
    field_order = ["organisation", "role", "regions", "departements", "communes", "active"]

    @staticmethod
    def initial_of(profile) -> dict:
        return {
            "organisation": profile.organisation_id,
            "role": profile.role,
            "regions": " ".join(profile.regions.order_by("pk").values_list("pk", flat=True)),
            "departements": " ".join(
                profile.departements.order_by("pk").values_list("pk", flat=True)
            ),
            "communes": " ".join(profile.communes.order_by("pk").values_list("pk", flat=True)),
            "active": profile.user.is_active,
        }


class OrganisationForm(CleanText, forms.ModelForm):
    departement_codes = forms.CharField(
        label="Départements (codes)",
        required=False,
        help_text="Où l'organisme a des logements, ou que couvre l'association : « 59 62 ».",
    )
    commune_codes = forms.CharField(
        label="Communes (codes INSEE)",
        required=False,
        help_text="Communes où l'organisme a des logements, séparées par des espaces.",
    )
    head_office_code = forms.CharField(label="Siège : code INSEE de la commune", required=False)
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https")
    signature_file = forms.FileField(
        label="Image de la signature",
        required=False,
        help_text="PNG ou JPEG, 500 Ko au plus, fond blanc ou transparent (courriers).",
    )
    remove_signature = forms.BooleanField(label="Retirer l'image de signature", required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "siren",
            "family",
            "federation",
            "email",
            "phone",
            "address",
            "website",
            "active",
            "sender_name",
            "sender_email",
            "reply_to",
            "signatory",
        ]
        error_messages = {
            name: {"invalid": EMAIL_ERRORS["invalid"]}
            for name in ("email", "sender_email", "reply_to")
        }
        widgets = {"signatory": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["departement_codes"].initial = " ".join(
                self.instance.departements.order_by("code").values_list("code", flat=True)
            )
            self.fields["commune_codes"].initial = " ".join(
                self.instance.communes.order_by("code").values_list("code", flat=True)
            )
            self.fields["head_office_code"].initial = self.instance.head_office_id or ""

    def clean_siren(self):
        siren = self.cleaned_data["siren"].replace(" ", "")
        if siren and not siren_is_valid(siren):
            raise forms.ValidationError("SIREN invalide : 9 chiffres avec une clé de contrôle.")
        others = Organisation.objects.filter(siren=siren).exclude(pk=self.instance.pk)
        if siren and others.exists():
            raise forms.ValidationError("Une autre organisation a déjà ce SIREN.")
        return siren

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except forms.ValidationError as error:
            raise forms.ValidationError(f"{error.messages[0].capitalize()}.") from None

    def _codes_of(self, field: str, model) -> list[str]:
        codes = _codes(self.cleaned_data.get(field, ""))
        _found, problem = _known(model, codes)
        if problem:
            raise forms.ValidationError(problem)
        return codes

    def clean_departement_codes(self):
        return self._codes_of("departement_codes", Departement)

    def clean_commune_codes(self):
        return self._codes_of("commune_codes", Commune)

    def clean_head_office_code(self):
        code = self.cleaned_data["head_office_code"].strip().upper()
        if code and not Commune.objects.filter(pk=code).exists():
            raise forms.ValidationError(f"Commune « {code} » inconnue.")
        return code

    def clean_signature_file(self):
        upload = self.cleaned_data.get("signature_file")
        return read_image(upload) if upload else None

    def save(self, commit=True):
        organisation = super().save(commit=False)
        if self.cleaned_data.get("signature_file"):
            organisation.signature = self.cleaned_data["signature_file"]
        elif self.cleaned_data.get("remove_signature"):
            organisation.signature = None
        organisation.head_office_id = self.cleaned_data.get("head_office_code") or None
        organisation.save()
        organisation.departements.set(self.cleaned_data.get("departement_codes", []))
        organisation.communes.set(self.cleaned_data.get("commune_codes", []))
        return organisation


class OrganismUploadForm(CleanText, forms.Form):
    file = forms.FileField(
        label="Fichier CSV des organismes", help_text="Modèle téléchargeable ci-dessus."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Type de fichier refusé : un fichier .csv est attendu.")
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Fichier trop gros (5 Mo au plus).")
        return upload
