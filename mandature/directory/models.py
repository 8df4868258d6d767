"""The mairie directory: each mairie's contact as the Annuaire de l'administration publishes it,
and, kept apart, the corrections colleagues typed (« le standard a changé »). A sync rewrites
the first, never the second; pages show which value comes from where (`services.mairie_card`)."""

from django.conf import settings
from django.db import models

from mandature.territories.models import Commune

from .enums import CONTACT_FIELDS, DirectorySource, MairieKind


class MairieContact(models.Model):
    """One mairie: a commune's, or a mairie déléguée's or an arrondissement's, with its
    current commune. Values are the directory's; `source` and `source_date` say whose and
    from when; `in_directory` is false once the directory stopped listing it."""

    code = models.CharField("code INSEE", max_length=5)
    kind = models.CharField("nature", max_length=15, choices=MairieKind.choices)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="mairies")
    name = models.CharField("nom", max_length=200)
    address = models.TextField("adresse postale", blank=True)  # one line per line, with Cedex
    email = models.CharField("courriel", max_length=254, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.CharField("site internet", max_length=500, blank=True)
    opening_hours = models.TextField("horaires d'ouverture", blank=True)
    accessibility = models.CharField("accessibilité", max_length=200, blank=True)
    source = models.CharField("source", max_length=20, choices=DirectorySource.choices)
    source_date = models.DateField("date de la source")
    in_directory = models.BooleanField("dans l'annuaire", default=True)

    class Meta:
        verbose_name = "mairie"
        ordering = ["commune_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["code", "kind"], name="unique_mairie")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} ({self.code})"


class MairieCorrection(models.Model):
    """A value a colleague corrected, who and when. The latest one not withdrawn is the one
    shown; a new correction of the same field withdraws the previous one (history kept)."""

    contact = models.ForeignKey(MairieContact, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField("champ", max_length=20, choices=list(CONTACT_FIELDS.items()))
    value = models.TextField("valeur", blank=True)  # "" : the colleague says there is none
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    author_name = models.CharField("auteur", max_length=200)  # kept if the account goes
    created_at = models.DateTimeField("le", auto_now_add=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)

    class Meta:
        verbose_name = "correction d'un contact de mairie"
        verbose_name_plural = "corrections des contacts de mairie"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contact", "field", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.contact} : {self.get_field_display()}"
