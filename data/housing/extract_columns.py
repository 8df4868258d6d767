"""How the bundled DGCL files were made: the full criteria files (about 200 columns, 10 MB
each, see SOURCES.md) reduced to the columns Mandature reads, headers and values unchanged.

    python data/housing/extract_columns.py ../shared/data/housing/dgcl_criteres_*.csv.gz
"""

import csv
import gzip
import io
import sys
from pathlib import Path

KEEP = (
    "Code INSEE de la commune",
    "Nom de la commune",
    "Code SIREN de l'EPCI",
    "Population INSEE de l'année N",
    "Nombre de logements TH de la commune",
    "Nombre de logements sociaux de la commune",
    "Nombre de bénéficiaires des aides au logement de la commune",
    "Population QPV",
)


def reduce(source: Path, target: Path) -> None:
    rows = csv.reader(io.StringIO(gzip.decompress(source.read_bytes()).decode("utf-8-sig")))
    header = next(rows)
    keep = [i for i, h in enumerate(header) if h.rsplit(" - ", 1)[-1].strip() in KEEP]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header[i] for i in keep])
    for row in rows:
        writer.writerow([row[i] for i in keep])
    target.write_bytes(gzip.compress(out.getvalue().encode(), mtime=0))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        reduce(Path(name), Path(__file__).parent / Path(name).name)
