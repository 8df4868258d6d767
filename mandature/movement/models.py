"""The organisations of the Hlm movement and the people who use Mandature for them."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from mandature.territories.models import Commune, Departement, Region

from .enums import Family, OrganisationKind, Role


class Organisation(models.Model):
    """The national union, a federation, a regional association or an Hlm organism."""

    kind = models.CharField("nature", max_length=12, choices=OrganisationKind.choices)
    name = models.CharField("nom", max_length=250)
    short_name = models.CharField("sigle", max_length=60, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    family = models.CharField("famille", max_length=8, choices=Family.choices, blank=True)
    federation = models.ForeignKey(
        "self",
        verbose_name="fédération",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        limit_choices_to={"kind": OrganisationKind.FEDERATION},
    )
    head_office = models.ForeignKey(
        Commune,
        verbose_name="siège (commune)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The territory: a regional association's région(s) or départements; an organism's
    # départements or communes where it has homes. Empty for the union and the federations
    # (all of France).
    regions = models.ManyToManyField(Region, verbose_name="régions", blank=True, related_name="+")
    departements = models.ManyToManyField(
        Departement, verbose_name="départements", blank=True, related_name="+"
    )
    communes = models.ManyToManyField(
        Commune, verbose_name="communes", blank=True, related_name="+"
    )
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    address = models.TextField("adresse postale", blank=True)
    website = models.URLField("site internet", blank=True)
    active = models.BooleanField("active", default=True)
    # Sender identity of its campaigns (emails and letters).
    sender_name = models.CharField(
        "nom de l'expéditeur",
        max_length=120,
        blank=True,
        help_text="Tel qu'il s'affiche chez les élus ; par défaut le nom de l'organisation.",
    )
    sender_email = models.EmailField(
        "adresse d'expédition",
        blank=True,
        help_text="Une adresse d'un domaine autorisé à envoyer par le serveur SMTP de Mandature "
        "(SPF, DKIM) ; par défaut l'adresse d'expédition de la plateforme.",
    )
    reply_to = models.EmailField(
        "adresse de réponse", blank=True, help_text="Où arrivent les réponses des élus."
    )
    signatory = models.TextField(
        "signataire des courriers",
        blank=True,
        help_text="Nom puis qualité, une ligne chacun : « Marianne Louis », « Directrice ».",
    )
    signature = models.BinaryField("signature (image PNG ou JPEG)", null=True, blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siren"], condition=~models.Q(siren=""), name="organisation_siren_unique"
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("web:organisation", args=[self.pk])

    @property
    def is_national(self) -> bool:
        return self.kind in (OrganisationKind.UNION, OrganisationKind.FEDERATION)


class Profile(models.Model):
    """What Mandature knows of a user besides the login: organisation, role, territory."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("rôle", max_length=10, choices=Role.choices)
    # A narrower territory than the organisation's (empty: the organisation's).
    regions = models.ManyToManyField(Region, verbose_name="régions", blank=True, related_name="+")
    departements = models.ManyToManyField(
        Departement, verbose_name="départements", blank=True, related_name="+"
    )
    communes = models.ManyToManyField(
        Commune, verbose_name="communes", blank=True, related_name="+"
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_at = models.DateTimeField("invité le", null=True, blank=True)
    # Failures from every address since the last success, and the lock they led to: it refuses
    # only the addresses the account has not logged in from lately (mandature.movement.auth).
    failed_logins = models.PositiveSmallIntegerField("échecs de connexion", default=0)
    locked_until = models.DateTimeField("bloqué jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "profil"
        verbose_name_plural = "profils"

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.email} ({self.get_role_display()})"


class LoginAddress(models.Model):
    """An address an account is used from: its failed attempts in a row, the lock they led to,
    its last success. Locks are per account *and* address, so that failures typed elsewhere do
    not lock the account's owner out (see mandature.movement.auth)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_addresses"
    )
    address = models.CharField("adresse", max_length=45)  # IPv6 at most; "" when unknown
    failures = models.PositiveSmallIntegerField("essais infructueux", default=0)
    locked_until = models.DateTimeField("suspendue jusqu'au", null=True, blank=True)
    last_success_at = models.DateTimeField("dernière connexion réussie", null=True, blank=True)

    class Meta:
        verbose_name = "adresse de connexion"
        verbose_name_plural = "adresses de connexion"
        constraints = [
            models.UniqueConstraint(fields=["user", "address"], name="one_login_address")
        ]

    def __str__(self) -> str:
        return f"{self.user} depuis {self.address or 'une adresse inconnue'}"
