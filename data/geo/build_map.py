"""Build the map's commune geometries (`communes-carte.topojson.gz`) from the 2018 IGN/INSEE
geometries: each 2018 commune is given the code of the 2026 commune it belongs to today (merged
communes are dissolved into their commune nouvelle), then mapshaper simplifies the shapes
(keeping every commune, topology preserved) and writes quantised TopoJSON with two objects:
`communes` (properties code, nom) and `departements` (their outlines, property dep).

    make map-data    (reads ../shared/data/geo/france-geojson-2018/communes-2018.geojson.gz)

Needs the npm dev dependencies (`npm ci`, mapshaper). The result is committed: the product only
reads it.
"""

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIMPLIFY = "5%"  # share of the removable vertices kept (Visvalingam, weighted)


def current_codes(cog: list[dict]) -> dict[str, dict]:
    """Any code a commune had (current, former, delegated) → today's commune."""
    current = {c["code"]: c for c in cog if c["type"] == "commune-actuelle"}
    mapping = dict(current)
    for c in current.values():
        for old in c.get("anciensCodes") or []:
            mapping.setdefault(old, c)
    for c in cog:
        parent = c.get("commune")
        if c["type"] in ("commune-deleguee", "commune-associee") and parent in current:
            mapping.setdefault(c["code"], current[parent])
    return mapping


def main(source: Path, target: Path) -> None:
    cog = json.loads(gzip.decompress((HERE / "communes.json.gz").read_bytes()))
    mapping = current_codes(cog)
    collection = json.loads(gzip.decompress(source.read_bytes()))
    kept, unplaced = [], []
    for feature in collection["features"]:
        code = feature["properties"]["code"]
        if code not in mapping:
            unplaced.append(code)
            continue
        today = mapping[code]
        feature["properties"] = {
            "code": today["code"],
            "nom": today["nom"],
            "dep": today["departement"],
        }
        kept.append(feature)
    placed = {f["properties"]["code"] for f in kept}
    missing = sorted(
        c["code"]
        for c in cog
        if c["type"] == "commune-actuelle" and c["code"] not in placed and c["zone"] != "com"
    )
    with tempfile.TemporaryDirectory() as tmp:
        geojson = Path(tmp) / "communes.json"
        geojson.write_text(json.dumps({"type": "FeatureCollection", "features": kept}))
        out = Path(tmp) / "communes.topojson"
        subprocess.run(
            [
                str(HERE.parent.parent / "node_modules/.bin/mapshaper"),
                "-i",
                str(geojson),
                "name=communes",
                "-dissolve",
                "code",
                "copy-fields=nom,dep",
                "-simplify",
                SIMPLIFY,
                "weighted",
                "keep-shapes",
                "-dissolve",
                "dep",
                "+",
                "name=departements",
                "-each",
                "delete dep",
                "target=communes",
                "-o",
                str(out),
                "format=topojson",
                "quantization=100000",
                "target=*",
            ],
            check=True,
        )
        target.write_bytes(gzip.compress(out.read_bytes(), 9, mtime=0))
    print(
        f"{len(placed)} communes de 2026 dessinées ({len(kept)} formes de 2018) ; "
        f"codes de 2018 non placés : {len(unplaced)} {unplaced[:10]} ; "
        f"communes sans forme (hors COM) : {len(missing)} {missing[:10]} ; "
        f"{target.name} : {target.stat().st_size / 1e6:.2f} Mo compressé"
    )


if __name__ == "__main__":
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "communes-carte.topojson.gz"
    main(Path(sys.argv[1]), target)
