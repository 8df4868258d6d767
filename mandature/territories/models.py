"""French territories: régions, départements, communes and EPCI (COG, millésime in data/)."""

import math

from django.db import models
from django.urls import reverse

from mandature.core.french import Named
from mandature.core.links import page_url

from .enums import AliasKind, EpciKind, SearchKind, Zone


class Region(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)
    liaison = models.PositiveSmallIntegerField(
        "article (type de nom du COG)", default=0
    )  # 2 « le », 3 « la », 4 « les », 5 « l' »…: core.french.with_preposition
    chef_lieu = models.CharField("chef-lieu (code INSEE)", max_length=5, blank=True)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:region", args=[self.code])

    @property
    def named(self) -> Named:
        """The name with its article, for « de » and « à »: « du Havre », « de la Gironde »."""
        return Named(self.name, self.liaison)


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)
    liaison = models.PositiveSmallIntegerField(
        "article (type de nom du COG)", default=0
    )  # 2 « le », 3 « la », 4 « les », 5 « l' »…: core.french.with_preposition
    chef_lieu = models.CharField("chef-lieu (code INSEE)", max_length=5, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("web:departement", args=[self.code])

    @property
    def named(self) -> Named:
        """The name with its article, for « de » and « à »: « du Havre », « de la Gironde »."""
        return Named(self.name, self.liaison)


class Epci(models.Model):
    """EPCI à fiscalité propre, identified by its SIREN."""

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=5, choices=EpciKind.choices)
    financing = models.CharField("régime fiscal", max_length=10, blank=True)
    population = models.PositiveIntegerField("population totale", null=True)
    population_municipale = models.PositiveIntegerField("population municipale", null=True)
    is_current = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:epci", args=[self.siren])


class CommuneQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def today(self, code: str) -> "Commune | None":
        """Today's commune for a code: itself, the commune it merged into, or the commune of
        a former code (commune déléguée, associée, old code)."""
        commune = self.filter(code=code).select_related("successor").first()
        if commune is not None and commune.is_current:
            return commune
        target = commune.successor if commune else None
        if target is None:
            alias = CommuneAlias.objects.filter(code=code).select_related("commune").first()
            target = alias.commune if alias else None
        return target if target is not None and target.is_current else None


class Commune(models.Model):
    """A commune of the millésime; one that disappeared stays, pointing to its successor."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=200)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        Epci, null=True, blank=True, on_delete=models.SET_NULL, related_name="communes"
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    population = models.PositiveIntegerField("population", null=True)
    postal_codes = models.CharField("codes postaux", max_length=400, blank=True)
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)
    liaison = models.PositiveSmallIntegerField(
        "article (type de nom du COG)", default=0
    )  # 2 « le », 3 « la », 4 « les », 5 « l' »…: core.french.with_preposition
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    is_current = models.BooleanField("en vigueur", default=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        verbose_name="fusionnée dans",
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return page_url("web:commune", self.code)

    @property
    def named(self) -> Named:
        """The name with its article, for « de » and « à »: « du Havre », « de la Gironde »."""
        return Named(self.name, self.liaison)

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    def neighbours(self, radius_km: float = 10.0) -> list[tuple["Commune", float]]:
        """Current communes whose centroid lies within radius_km, nearest first."""
        if self.latitude is None or self.longitude is None:
            return []
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * max(math.cos(math.radians(self.latitude)), 0.01))
        candidates = (
            Commune.objects.current()
            .filter(
                latitude__range=(self.latitude - dlat, self.latitude + dlat),
                longitude__range=(self.longitude - dlon, self.longitude + dlon),
            )
            .exclude(code=self.code)
            .select_related("departement")
        )
        found = []
        for other in candidates:
            distance = haversine_km(self.latitude, self.longitude, other.latitude, other.longitude)
            if distance <= radius_km:
                found.append((other, distance))
        return sorted(found, key=lambda pair: pair[1])


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


class CommuneAlias(models.Model):
    """A former commune (déléguée, associée), an arrondissement municipal or a former code."""

    code = models.CharField("code INSEE", max_length=5, db_index=True)
    name = models.CharField("nom", max_length=200, blank=True)
    kind = models.CharField("nature", max_length=15, choices=AliasKind.choices)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = "ancienne commune ou code"
        verbose_name_plural = "anciennes communes et codes"
        constraints = [
            models.UniqueConstraint(fields=["code", "kind", "commune"], name="unique_alias")
        ]

    def __str__(self) -> str:
        return f"{self.name or self.code} → {self.commune.name}"


class PostalCode(models.Model):
    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_code_set")

    class Meta:
        verbose_name = "code postal"
        constraints = [
            models.UniqueConstraint(fields=["code", "commune"], name="unique_postal_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.commune_id}"


class SearchEntry(models.Model):
    """One searchable name, folded for accent-, case- and punctuation-blind matching."""

    kind = models.CharField(max_length=10, choices=SearchKind.choices)
    label = models.CharField(max_length=300)
    detail = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=300)  # folded words: « l hay les roses »
    compact_key = models.CharField(max_length=300)  # no spaces: « lhaylesroses »
    code = models.CharField(max_length=9)
    population = models.PositiveIntegerField(null=True)
    commune = models.ForeignKey(Commune, null=True, on_delete=models.CASCADE)
    epci = models.ForeignKey(Epci, null=True, on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["key"]), models.Index(fields=["compact_key"])]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        if self.kind == SearchKind.EPCI:
            return page_url("web:epci", self.epci_id)
        return page_url("web:commune", self.commune_id)
