"""Social housing per commune and year, the SRU inventory, and the sector's key figures."""

from django.db import models

from mandature.territories.models import Commune


class HousingYear(models.Model):
    """One commune, one year of the DGCL dotation criteria (the DGF exercise), at today's
    geography: communes that merged since are added up into their successor."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="housing_years")
    year = models.PositiveSmallIntegerField("année (exercice DGF)")
    population = models.PositiveIntegerField("population INSEE", null=True)
    housing_units = models.PositiveIntegerField("logements TH", null=True)
    social_units = models.PositiveIntegerField("logements sociaux", null=True)
    benefit_recipients = models.PositiveIntegerField(
        "personnes couvertes par les aides au logement", null=True
    )
    qpv_population = models.PositiveIntegerField("population en QPV", null=True)
    merged_codes = models.CharField("codes additionnés", max_length=200, blank=True)
    source = models.CharField("fichier source", max_length=200)

    class Meta:
        verbose_name = "données logement d'une année"
        verbose_name_plural = "données logement par année"
        constraints = [
            models.UniqueConstraint(fields=["commune", "year"], name="unique_housing_year")
        ]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.year}"


class SruInventory(models.Model):
    """The official SRU inventory of a commune (« transparence SRU »), when a user imported it:
    it replaces the estimates."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="sru_inventories")
    year = models.PositiveSmallIntegerField("année de l'inventaire (au 1er janvier)")
    main_residences = models.PositiveIntegerField("résidences principales", null=True)
    social_units = models.PositiveIntegerField("logements sociaux décomptés", null=True)
    rate = models.DecimalField(
        "taux de logements sociaux (%)", max_digits=5, decimal_places=2, null=True
    )
    target_rate = models.PositiveSmallIntegerField("taux légal (%)", null=True)
    subject = models.BooleanField("soumise à l'article 55", null=True)
    exempt = models.BooleanField("exemptée", default=False)
    carence = models.BooleanField("carencée", default=False)
    deficit = models.PositiveIntegerField("logements manquants", null=True)
    source = models.CharField("fichier source", max_length=200)

    class Meta:
        verbose_name = "inventaire SRU"
        verbose_name_plural = "inventaires SRU"
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="unique_sru_year")]

    def __str__(self) -> str:
        return f"SRU {self.commune_id} {self.year}"


class KeyFigure(models.Model):
    """A national figure of the Hlm sector, with its date and source (edited by staff)."""

    label = models.CharField("libellé", max_length=200)
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    unit = models.CharField("unité", max_length=50, blank=True)
    year = models.PositiveSmallIntegerField("année")
    as_of = models.CharField("date de la donnée", max_length=60, help_text="« fin 2022 »")
    source = models.CharField("source", max_length=300)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    on_brief = models.BooleanField("sur la fiche commune", default=True)

    class Meta:
        verbose_name = "chiffre clé du secteur"
        verbose_name_plural = "chiffres clés du secteur"
        ordering = ["-year", "order"]

    def __str__(self) -> str:
        return f"{self.label} ({self.as_of})"
