"""The communes' shapes for the web map: TopoJSON built by data/geo/build_map.py, kept gzipped
in memory and served as is (a browser that does not accept gzip gets it decompressed)."""

import hashlib
import json
from functools import lru_cache

from django.conf import settings

from mandature.core.files import gunzip

FILE = "geo/communes-carte.topojson.gz"


@lru_cache(maxsize=1)
def compressed() -> bytes:
    return (settings.DATA_DIR / FILE).read_bytes()


def inflated() -> bytes:
    """The TopoJSON itself, for a browser that does not accept gzip."""
    return gunzip(FILE, compressed())


@lru_cache(maxsize=1)
def etag() -> str:
    """The same in every process (Python's hash() of bytes is not)."""
    return '"' + hashlib.sha256(compressed()).hexdigest()[:16] + '"'


@lru_cache(maxsize=1)
def codes() -> tuple[str, ...]:
    """The communes' codes in the order of the file's shapes: the order of every indicator's
    values (one character per commune)."""
    topology = json.loads(inflated())
    return tuple(g["properties"]["code"] for g in topology["objects"]["communes"]["geometries"])
