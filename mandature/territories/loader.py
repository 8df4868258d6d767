"""Load a millésime of territories: diff with what is stored, write it in one transaction.

Communes and EPCI that disappear from a newer millésime are kept (is_current=False) so that
other tables keep their links; a merged commune points to its successor.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from mandature.core.files import sha256_of
from mandature.core.ingest import FileProblems
from mandature.core.ingest.engine import analyze
from mandature.core.ingest.sync import Diff, Stored, create, diff, write
from mandature.core.models import ImportRun
from mandature.core.text import compact, fold

from .enums import SearchKind
from .models import Commune, CommuneAlias, Departement, Epci, PostalCode, Region, SearchEntry
from .sources.cog import FILES, CommuneRecord, EpciRecord, Territories, read_territories

SOURCE = "territoires"


@dataclass
class LoadResult:
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    run: ImportRun | None = None

    def summary(self) -> str:
        c = self.counts
        if self.skipped:
            return (
                f"Territoires déjà chargés : {c.get('communes', 0)} communes, "
                f"{c.get('epci', 0)} EPCI, rien à faire"
            )
        return (
            f"Territoires chargés : {c['regions']} régions, {c['departements']} départements, "
            f"{c['communes']} communes ({c['communes_created']} créées, "
            f"{c['communes_updated']} modifiées, {c['communes_retired']} retirées), "
            f"{c['epci']} EPCI, {c['aliases']} anciennes communes et codes"
        )


def data_paths(data_dir: Path) -> list[Path]:
    return [data_dir / name for name in FILES.values()]


def load_territories(data_dir: Path, force: bool = False, user=None) -> LoadResult:
    """Load the territory files of data_dir. Skips when the same files were already loaded.
    Raises FileProblems (nothing written) when a file is missing or refused."""
    paths = data_paths(data_dir)
    for path in paths:
        if not path.exists():
            raise FileProblems([f"{path}: fichier introuvable"])
    digest = sha256_of(*paths)
    already = ImportRun.objects.filter(
        source=SOURCE, sha256=digest, status=ImportRun.Status.SUCCESS
    ).exists()
    if already and not force and Commune.objects.exists():
        return LoadResult(
            skipped=True,
            counts={
                "communes": Commune.objects.current().count(),
                "epci": Epci.objects.filter(is_current=True).count(),
            },
        )
    territories = read_territories(data_dir)  # validates everything before any write
    with transaction.atomic():
        counts = _write(territories)
        run = ImportRun.objects.create(
            source=SOURCE,
            file_name=", ".join(p.name for p in paths),
            sha256=digest,
            status=ImportRun.Status.SUCCESS,
            counts=counts,
            user=user,
        )
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    analyze(
        "territories_region",
        "territories_departement",
        "territories_epci",
        "territories_commune",
        "territories_communealias",
        "territories_postalcode",
        "territories_searchentry",
    )
    return LoadResult(counts=counts, run=run)


def _stored(model, key: str, fields: list[str]) -> dict:
    """The stored rows as the diff sees them: nothing here is edited by a person."""
    rows = model.objects.values_list(key, *fields)
    return {row[0]: Stored(row[0], dict(zip(fields, row[1:], strict=True))) for row in rows}


def _sync(model, key: str, incoming: dict, retire=None) -> Diff:
    """Diff then write one table. Rows gone from the file are retired (`retire(key)`: the
    values that say so), never deleted, and only once: a retired row stays as it was."""
    fields = list(next(iter(incoming.values()), {}))
    stored = _stored(model, key, fields)
    result = diff(stored, incoming, remove=retire is not None)
    result.removed = [(k, pk) for k, pk in result.removed if stored[k].values["is_current"]]
    write(model, result, [key], retire=retire)
    return result


def _write(t: Territories) -> dict[str, int]:
    regions = {
        r.code: {"name": r.name, "zone": r.zone, "chef_lieu": r.chef_lieu, "liaison": r.liaison}
        for r in t.regions
    }
    _sync(Region, "code", regions)
    departements = {
        d.code: {
            "name": d.name,
            "region_id": d.region,
            "zone": d.zone,
            "chef_lieu": d.chef_lieu,
            "liaison": d.liaison,
        }
        for d in t.departements
    }
    _sync(Departement, "code", departements)
    _sync(Epci, "siren", {e.siren: _epci_values(e) for e in t.epcis}, retire={"is_current": False})
    successor_of = _successors(t)
    communes = _sync(
        Commune,
        "code",
        {c.code: _commune_values(c) for c in t.communes},
        retire=lambda code: {"is_current": False, "successor_id": successor_of.get(code)},
    )
    _rebuild_derived(t)
    return {
        "regions": len(t.regions),
        "departements": len(t.departements),
        "communes": len(t.communes),
        "communes_created": len(communes.created),
        "communes_updated": len(communes.changed),
        "communes_retired": len(communes.removed),
        "epci": len(t.epcis),
        "aliases": len(t.aliases),
    }


def _epci_values(e: EpciRecord) -> dict:
    return {
        "name": e.name,
        "kind": e.kind,
        "financing": e.financing,
        "population": e.population,
        "population_municipale": e.population_municipale,
        "is_current": True,
    }


def _commune_values(c: CommuneRecord) -> dict:
    return {
        "name": c.name,
        "departement_id": c.departement,
        "region_id": c.region,
        "epci_id": c.epci,
        "siren": c.siren,
        "population": c.population,
        "postal_codes": " ".join(c.postal_codes),
        "zone": c.zone,
        "liaison": c.liaison,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "is_current": True,
        "successor_id": None,
    }


def _successors(t: Territories) -> dict[str, str]:
    """Former code → the current commune it became (a former code, a commune déléguée or
    associée other than the chef-lieu itself)."""
    successor_of = {}
    for commune in t.communes:
        for former in commune.former_codes:
            successor_of[former] = commune.code
    for alias in t.aliases:
        if alias.kind in ("deleguee", "associee") and alias.code != alias.commune:
            successor_of.setdefault(alias.code, alias.commune)
    return successor_of


ALIAS_LABELS = {
    "deleguee": "commune déléguée",
    "associee": "commune associée",
    "arrondissement": "arrondissement",
}


def _rebuild_derived(t: Territories) -> None:
    """Aliases, postal codes and search entries hold nothing typed by users: rebuild them."""
    CommuneAlias.objects.all().delete()
    PostalCode.objects.all().delete()
    SearchEntry.objects.all().delete()
    aliases = _aliases(t)
    create(CommuneAlias, aliases)
    create(
        PostalCode,
        [PostalCode(code=p, commune_id=c.code) for c in t.communes for p in c.postal_codes],
    )
    departements = {d.code: d.name for d in t.departements}
    entries = [
        _entry(
            SearchKind.COMMUNE,
            c.name,
            f"{departements[c.departement]} ({c.departement})",
            c.code,
            c.population,
            commune_id=c.code,
        )
        for c in t.communes
    ]
    entries += _alias_entries(aliases, {c.code: c for c in t.communes})
    entries += _retired_entries({(a.code, a.commune_id) for a in aliases})
    entries += [
        _entry(
            SearchKind.EPCI,
            e.name,
            f"{e.kind} · {len(e.members)} communes",
            e.siren,
            e.population,
            epci_id=e.siren,
        )
        for e in t.epcis
    ]
    create(SearchEntry, entries)


def _aliases(t: Territories) -> list[CommuneAlias]:
    seen, aliases = set(), []
    for a in t.aliases:
        key = (a.code, a.kind, a.commune)
        if key not in seen:
            seen.add(key)
            aliases.append(
                CommuneAlias(code=a.code, name=a.name, kind=a.kind, commune_id=a.commune)
            )
    return aliases


def _alias_entries(aliases: list[CommuneAlias], communes: dict[str, CommuneRecord]) -> list:
    """Former communes and arrondissements under their own name, when it differs."""
    entries = []
    for a in aliases:
        commune = communes[a.commune_id]
        if a.name and fold(a.name) != fold(commune.name):
            detail = f"{ALIAS_LABELS[a.kind]} de {commune.name} ({commune.departement})"
            entries.append(
                _entry(
                    SearchKind.ALIAS,
                    a.name,
                    detail,
                    a.code,
                    commune.population,
                    commune_id=commune.code,
                )
            )
    return entries


def _retired_entries(covered: set[tuple[str, str]]) -> list:
    """Communes merged since an older millésime, found under their old name."""
    entries = []
    retired = Commune.objects.filter(is_current=False, successor__isnull=False)
    for old in retired.select_related("successor"):
        if (old.code, old.successor_id) in covered or fold(old.name) == fold(old.successor.name):
            continue
        detail = f"ancienne commune, fusionnée dans {old.successor.name}"
        entries.append(
            _entry(
                SearchKind.ALIAS,
                old.name,
                detail,
                old.code,
                old.successor.population,
                commune_id=old.successor_id,
            )
        )
    return entries


def _entry(kind: str, label: str, detail: str, code: str, population, **target) -> SearchEntry:
    """A searchable name, folded for accent-, case- and punctuation-blind matching."""
    return SearchEntry(
        kind=kind,
        label=label,
        detail=detail,
        key=fold(label),
        compact_key=compact(label),
        code=code,
        population=population,
        **target,
    )
