"""The election calendar: elections, their rounds and the territories they concern."""

from datetime import date

from django.db import models

from mandature.territories.models import Commune, Departement, Region

from .enums import ElectionKind

GENERAL = {
    ElectionKind.MUNICIPALES,
    ElectionKind.DEPARTEMENTALES,
    ElectionKind.REGIONALES,
    ElectionKind.LEGISLATIVES,
    ElectionKind.SENATORIALES,
    ElectionKind.PRESIDENTIELLE,
    ElectionKind.EUROPEENNES,
}


class Election(models.Model):
    kind = models.CharField("élection", max_length=16, choices=ElectionKind.choices)
    label = models.CharField("libellé", max_length=200)
    first_round = models.DateField("premier tour")
    second_round = models.DateField("second tour", null=True, blank=True)
    provisional = models.BooleanField(
        "date provisoire", default=True, help_text="Tant qu'un décret n'a pas fixé la date."
    )
    decree = models.CharField(
        "texte de convocation",
        max_length=200,
        blank=True,
        help_text="Par exemple « décret n° 2025-848 »",
    )
    national = models.BooleanField("toute la France", default=True)
    regions = models.ManyToManyField(Region, verbose_name="régions", blank=True, related_name="+")
    departements = models.ManyToManyField(
        Departement, verbose_name="départements", blank=True, related_name="+"
    )
    communes = models.ManyToManyField(
        Commune, verbose_name="communes", blank=True, related_name="+"
    )
    notes = models.TextField("remarques", blank=True)

    class Meta:
        verbose_name = "élection"
        verbose_name_plural = "calendrier électoral"
        ordering = ["first_round", "kind"]

    def __str__(self) -> str:
        return self.label

    @property
    def rounds(self) -> list[date]:
        return [d for d in (self.first_round, self.second_round) if d]

    @property
    def decisive_round(self) -> date:
        """The last round planned: the window of most rules closes with it."""
        return self.second_round or self.first_round

    @property
    def is_general(self) -> bool:
        return self.kind in GENERAL
