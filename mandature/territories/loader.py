"""Load a millésime of territories: diff with what is stored, write it in one transaction.

Communes and EPCI that disappear from a newer millésime are kept (is_current=False) so that
other tables keep their links; a merged commune points to its successor.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from mandature.core.commands import DataError
from mandature.core.files import sha256_of
from mandature.core.ingest.engine import analyze
from mandature.core.models import ImportRun
from mandature.core.text import compact, fold

from .enums import SearchKind
from .models import Commune, CommuneAlias, Departement, Epci, PostalCode, Region, SearchEntry
from .sources.cog import FILES, Territories, read_territories

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
    """Load the territory files of data_dir. Skips when the same files were already loaded."""
    paths = data_paths(data_dir)
    for path in paths:
        if not path.exists():
            raise DataError(f"{path}: fichier introuvable")
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


def _sync(model, key: str, rows: dict, fields: list[str], retire: dict | None = None):
    """Create new rows, update changed ones; return (created, updated, retired) counts."""
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for pk, values in rows.items():
        obj = existing.get(pk)
        if obj is None:
            to_create.append(model(**{key: pk}, **values))
        elif any(getattr(obj, name) != values[name] for name in fields):
            for name in fields:
                setattr(obj, name, values[name])
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)
    retired = []
    if retire is not None:
        for pk, obj in existing.items():
            if pk not in rows and obj.is_current:
                for name, value in retire(obj).items():
                    setattr(obj, name, value)
                retired.append(obj)
        if retired:
            model.objects.bulk_update(retired, list(retire(retired[0]).keys()), batch_size=500)
    return len(to_create), len(to_update), len(retired)


def _write(t: Territories) -> dict[str, int]:
    _sync(
        Region,
        "code",
        {r.code: {"name": r.name, "zone": r.zone, "chef_lieu": r.chef_lieu} for r in t.regions},
        ["name", "zone", "chef_lieu"],
    )
    _sync(
        Departement,
        "code",
        {
            d.code: {
                "name": d.name,
                "region_id": d.region,
                "zone": d.zone,
                "chef_lieu": d.chef_lieu,
            }
            for d in t.departements
        },
        ["name", "region_id", "zone", "chef_lieu"],
    )
    epci_fields = ["name", "kind", "financing", "population", "population_municipale", "is_current"]
    _sync(
        Epci,
        "siren",
        {
            e.siren: {
                "name": e.name,
                "kind": e.kind,
                "financing": e.financing,
                "population": e.population,
                "population_municipale": e.population_municipale,
                "is_current": True,
            }
            for e in t.epcis
        },
        epci_fields,
        retire=lambda obj: {"is_current": False},
    )
    successor_of = {}
    for commune in t.communes:
        for former in commune.former_codes:
            successor_of[former] = commune.code
    for alias in t.aliases:
        if alias.kind in ("deleguee", "associee") and alias.code != alias.commune:
            successor_of.setdefault(alias.code, alias.commune)
    commune_fields = [
        "name",
        "departement_id",
        "region_id",
        "epci_id",
        "siren",
        "population",
        "postal_codes",
        "zone",
        "latitude",
        "longitude",
        "is_current",
        "successor_id",
    ]
    created, updated, retired = _sync(
        Commune,
        "code",
        {
            c.code: {
                "name": c.name,
                "departement_id": c.departement,
                "region_id": c.region,
                "epci_id": c.epci,
                "siren": c.siren,
                "population": c.population,
                "postal_codes": " ".join(c.postal_codes),
                "zone": c.zone,
                "latitude": c.latitude,
                "longitude": c.longitude,
                "is_current": True,
                "successor_id": None,
            }
            for c in t.communes
        },
        commune_fields,
        retire=lambda obj: {"is_current": False, "successor_id": successor_of.get(obj.code)},
    )
    _rebuild_derived(t)
    return {
        "regions": len(t.regions),
        "departements": len(t.departements),
        "communes": len(t.communes),
        "communes_created": created,
        "communes_updated": updated,
        "communes_retired": retired,
        "epci": len(t.epcis),
        "aliases": len(t.aliases),
    }


def _rebuild_derived(t: Territories) -> None:
    """Aliases, postal codes and search entries hold nothing typed by users: rebuild them."""
    CommuneAlias.objects.all().delete()
    PostalCode.objects.all().delete()
    SearchEntry.objects.all().delete()
    seen = set()
    aliases = []
    for a in t.aliases:
        key = (a.code, a.kind, a.commune)
        if key not in seen:
            seen.add(key)
            aliases.append(
                CommuneAlias(code=a.code, name=a.name, kind=a.kind, commune_id=a.commune)
            )
    CommuneAlias.objects.bulk_create(aliases, batch_size=2000)
    PostalCode.objects.bulk_create(
        [PostalCode(code=p, commune_id=c.code) for c in t.communes for p in c.postal_codes],
        batch_size=5000,
    )
    departements = {d.code: d.name for d in t.departements}
    communes = {c.code: c for c in t.communes}
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
    kind_labels = {
        "deleguee": "commune déléguée",
        "associee": "commune associée",
        "arrondissement": "arrondissement",
    }
    for a in aliases:
        commune = communes[a.commune_id]
        if a.name and fold(a.name) != fold(commune.name):
            detail = f"{kind_labels[a.kind]} de {commune.name} ({commune.departement})"
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
    covered = {(a.code, a.commune_id) for a in aliases}
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
    SearchEntry.objects.bulk_create(entries, batch_size=5000)


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
