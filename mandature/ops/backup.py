"""Backups: the database (PostgreSQL with pg_dump, SQLite with its online backup API) and the
uploaded files, in one .tar archive with a manifest (date, engine, each table's row count, a
checksum of the officials, the contact cards and the interactions). A restore checks the
restored database against that manifest.

    mandature backup [--out FILE]
    mandature restore FILE [--database URL] [--yes]
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dj_database_url
import psycopg
from django.conf import settings
from django.db import connections

FORMAT = 1
# What must come back exactly: id and the columns a person reads, ordered by id.
CHECKSUMS = {
    "officials_person": "id, last_name, first_name, sex, birth_date",
    "relations_contact": "id, person_id, email, phone, postal_address, salutation, updated_at",
    "relations_interaction": "id, kind, date, commune_id, summary, follow_up, created_at",
}


class BackupError(Exception):
    """Something that stops a backup or a restore, in French."""


@dataclass
class Database:
    """A database given by its URL (the configured one by default)."""

    url: str

    @classmethod
    def configured(cls) -> "Database":
        engine = connections["default"].settings_dict
        if "sqlite" in engine["ENGINE"]:
            return cls(f"sqlite:///{engine['NAME']}")
        user, password = engine.get("USER") or "", engine.get("PASSWORD") or ""
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = engine.get("HOST") or "127.0.0.1"
        port = engine.get("PORT") or 5432
        return cls(f"postgres://{auth}{host}:{port}/{engine['NAME']}")

    @property
    def engine(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def sqlite_path(self) -> str:
        return dj_database_url.parse(self.url)["NAME"]

    def connect(self):
        if self.engine == "sqlite":
            return sqlite3.connect(self.sqlite_path)
        return psycopg.connect(self.url, autocommit=True)

    def tables(self, conn) -> list[str]:
        if self.engine == "sqlite":
            sql = (
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        return [row[0] for row in conn.execute(sql).fetchall()]

    def inventory(self) -> dict:
        """Each table's row count and the checksums of the tables that matter most."""
        conn = self.connect()
        try:
            tables = self.tables(conn)
            counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
            sums = {}
            for table, columns in CHECKSUMS.items():
                if table not in counts:
                    continue
                digest = hashlib.sha256()
                cursor = conn.execute(f"SELECT {columns} FROM {table} ORDER BY id")
                for row in cursor:
                    digest.update(repr([_plain(v) for v in row]).encode())
                sums[table] = digest.hexdigest()
            return {"counts": counts, "checksums": sums}
        finally:
            conn.close()


def _plain(value):
    """The same text for a value read from SQLite (strings) and from PostgreSQL (objects)."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.replace("T", " ").replace("+00:00", "")
    return str(value)


def _pg_env(url: str) -> dict:
    env = dict(os.environ)
    parsed = dj_database_url.parse(url)
    if parsed.get("PASSWORD"):
        env["PGPASSWORD"] = parsed["PASSWORD"]
    return env


def _pg_args(url: str) -> list[str]:
    parsed = dj_database_url.parse(url)
    args = [
        "--host",
        str(parsed.get("HOST") or "127.0.0.1"),
        "--port",
        str(parsed.get("PORT") or 5432),
        "--dbname",
        parsed["NAME"],
    ]
    if parsed.get("USER"):
        args += ["--username", parsed["USER"]]
    return args


def _run(command: list[str], url: str) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(url), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} est introuvable : installez les outils clients de "
            "PostgreSQL (paquet postgresql-client)."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {done.stderr.strip()[-2000:]}")


def backup(out: Path, database: Database | None = None) -> dict:
    """Write the archive; return its manifest."""
    database = database or Database.configured()
    manifest = {
        "format": FORMAT,
        "made_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "engine": database.engine,
        **database.inventory(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("database.sqlite3" if database.engine == "sqlite" else "database.dump")
        if database.engine == "sqlite":
            source = sqlite3.connect(database.sqlite_path)
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)  # consistent even while the site writes
            source.close()
            target.close()
        else:
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(dump),
                    *_pg_args(database.url),
                ],
                database.url,
            )
        partial = out.with_suffix(out.suffix + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, arcname="media")
        partial.replace(out)  # never a half-written archive under the final name
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        # "r:": a backup is an uncompressed tar (written "w"); no compressed file is inflated
        # here, outside the capped reader of mandature.core.files
        with tarfile.open(path, "r:") as archive:
            return json.load(archive.extractfile("manifest.json"))
    except (tarfile.TarError, KeyError, OSError, ValueError) as error:
        raise BackupError(f"{path} : ce n'est pas une sauvegarde de Mandature ({error}).") from None


def restore(path: Path, database: Database | None = None, replace: bool = False) -> list[str]:
    """Restore the archive into the database (empty, unless `replace`); return the
    differences with the manifest (empty: everything came back)."""
    database = database or Database.configured()
    manifest = read_manifest(path)
    if manifest.get("engine") != database.engine:
        raise BackupError(
            f"Sauvegarde d'une base {manifest.get('engine')} : elle se restaure dans une base "
            f"{manifest.get('engine')}, pas {database.engine}."
        )
    conn = database.connect()
    try:
        existing = [t for t in database.tables(conn) if t != "django_migrations"]
        filled = [t for t in existing if conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()]
    finally:
        conn.close()
    if filled and not replace:
        raise BackupError(
            f"La base de destination n'est pas vide ({len(filled)} tables ont des lignes) : "
            "restaurez dans une base vide, ou confirmez le remplacement avec --yes."
        )
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path, "r:") as archive:
        archive.extractall(tmp, filter="data")
        if database.engine == "sqlite":
            source = sqlite3.connect(Path(tmp) / "database.sqlite3")
            target = sqlite3.connect(database.sqlite_path)
            with target:
                source.backup(target)  # replaces every page of the target
            source.close()
            target.close()
        else:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    *_pg_args(database.url),
                    str(Path(tmp) / "database.dump"),
                ],
                database.url,
            )
        media = Path(tmp) / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return compare(manifest, database.inventory())


def compare(manifest: dict, found: dict) -> list[str]:
    differences = []
    for table, count in manifest["counts"].items():
        if found["counts"].get(table) != count:
            differences.append(
                f"table {table} : {count} lignes sauvegardées, {found['counts'].get(table)} "
                "restaurées"
            )
    for table, digest in manifest["checksums"].items():
        if found["checksums"].get(table) != digest:
            differences.append(f"table {table} : contenu différent (empreinte)")
    return differences
