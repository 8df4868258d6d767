"""The RNE files bundled in data/rne, loaded by `mandature load-data` (and so by `make run`)."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class BundledFile:
    path: str  # relative to the data directory
    data_date: date | None = None  # None: the latest date in the file
    skip_unplaced: bool = False
    why: str = ""


BUNDLED_RNE = [
    # History exports: their extraction date is known; some of their rows are about communes
    # and EPCI that disappeared long ago (kept in each snapshot's report).
    BundledFile(
        "rne/history/K_Tous_Maires_extraction_2018-07-17.txt.gz",
        date(2018, 7, 17),
        True,
        "historique des maires jusqu'en 2018 (premiers mandats)",
    ),
    BundledFile(
        "rne/history/D_Tous_CM_OM_extraction_2018-07-17.txt.gz",
        date(2018, 7, 17),
        True,
        "historique des conseillers municipaux d'outre-mer",
    ),
    BundledFile(
        "rne/history/RNE_export_EPCI_20200211.txt.gz",
        date(2020, 2, 11),
        True,
        "conseillers communautaires en février 2020",
    ),
    # The national mayors files, in the order of their data dates.
    BundledFile("rne/9-rne-maires_2020-01-15.txt.gz"),
    BundledFile("rne/9-rne-maires_2020-09-04.txt.gz"),
    BundledFile("rne/9-rne-maires_2020-12-03.txt.gz"),
    BundledFile("rne/9-rne-maires_2022-03-27.csv.gz"),
    BundledFile("rne/rne-maires_2022-02.csv.gz"),
    BundledFile("rne/elus-conseillers-municipaux-cm_partial-dep32-dep44_2024-10.csv.gz"),
    BundledFile("rne/elus-maires-mai_2026-04.csv.gz"),
    # The other national files of April 2026 (two stale leftovers become historical snapshots).
    *[
        BundledFile(f"rne/2026-04/{name}.csv.gz")
        for name in (
            "elus-conseillers-departementaux-cd",
            "elus-conseillers-regionaux-cr",
            "elus-conseillers-darrondissements-ca",
            "elus-conseillers-arrondissements-ca",
            "elus-deputes-dep",
            "elus-senateurs-sen",
            "elus-representants-parlement-europeen-rpe",
            "elus-membres-dune-asseemblee-ma",
            "elus-membres-dune-assemblee-ma",
            "elus-conseillers-des-francais-de-letranger-cons",
            "elus-assemblee-des-francais-de-letranger-afe",
        )
    ],
]


def bundled_paths(data_dir: Path) -> list[tuple[Path, BundledFile]]:
    return [(data_dir / item.path, item) for item in BUNDLED_RNE]
