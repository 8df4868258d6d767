"""Fetch the latest RNE files from data.gouv.fr and import those not yet imported."""

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from mandature.core.ingest import FileProblems, source

from .importer import ImportResult, import_rne
from .models import RneResource

DATASET_API = "https://www.data.gouv.fr/api/1/datasets/repertoire-national-des-elus-1/"
DATA_SUFFIXES = (".csv", ".txt", ".zip", ".gz")
TIMEOUT = 60


@dataclass
class SyncOutcome:
    title: str
    status: str  # "importé", "déjà importé", "ignoré", "refusé"
    detail: str = ""
    result: ImportResult | None = None


def fetch_json(url: str) -> dict:
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "Mandature"}
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # https, or a test server
        return json.load(response)


def download(url: str, target: Path) -> Path:
    """The resource kept under VAR_DIR/rne: read through core.ingest (size cap, a truncated
    answer refused)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.download(url, TIMEOUT))
    return target


def sync_rne(api_url: str = DATASET_API, skip_unplaced: bool = False) -> list[SyncOutcome]:
    dataset = fetch_json(api_url)
    outcomes = []
    folder = Path(settings.VAR_DIR) / "rne"
    for resource in dataset.get("resources", []):
        title = resource.get("title") or resource.get("url", "")
        url = resource.get("url", "")
        checksum = (resource.get("checksum") or {}).get("value", "") or resource.get(
            "last_modified", ""
        )
        name = url.rsplit("/", 1)[-1].split("?")[0]
        if not name.lower().endswith(DATA_SUFFIXES):
            outcomes.append(SyncOutcome(title, "ignoré", "pas un fichier de données"))
            continue
        resource_id = resource.get("id") or url
        if RneResource.objects.filter(resource_id=resource_id, checksum=checksum).exists():
            outcomes.append(SyncOutcome(title, "déjà importé", "même somme de contrôle"))
            continue
        try:
            path = download(url, folder / f"{resource_id}-{name}")
            results = import_rne(path, skip_unplaced=skip_unplaced)
        except FileProblems as error:
            outcomes.append(SyncOutcome(title, "refusé", str(error).splitlines()[0]))
            continue
        for result in results:
            RneResource.objects.create(
                resource_id=resource_id,
                title=title[:300],
                url=url,
                checksum=checksum,
                snapshot=result.snapshot,
            )
            status = "déjà importé" if result.already else "importé"
            outcomes.append(SyncOutcome(title, status, result.summary(), result))
    return outcomes
