"""sync-rne against a local HTTP server that serves recorded data.gouv.fr responses."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.management import call_command

from mandature.officials.models import RneResource, Snapshot

RPE = (
    settings.DATA_DIR / "rne/2026-04/elus-representants-parlement-europeen-rpe.csv.gz"
).read_bytes()


@pytest.fixture
def data_gouv(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    files: dict[str, tuple[bytes, str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # the stdlib's name
            body, content_type = files.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    # A recorded answer of the dataset API, trimmed to two resources, pointing to this server.
    dataset = {
        "id": "5c34c4d1634f4173183a64f1",
        "slug": "repertoire-national-des-elus-1",
        "resources": [
            {
                "id": "e8a2b4f5-rpe",
                "title": "elus-representants-parlement-europeen-rpe.csv",
                "url": f"{base}/files/elus-representants-parlement-europeen-rpe.csv.gz",
                "checksum": {"type": "sha1", "value": "e6e77d81"},
                "format": "csv",
            },
            {
                "id": "doc-pdf",
                "title": "Notice du RNE",
                "url": f"{base}/files/notice.pdf",
                "checksum": {"type": "sha1", "value": "0000"},
                "format": "pdf",
            },
        ],
    }
    files["/api/1/datasets/repertoire-national-des-elus-1/"] = (
        json.dumps(dataset).encode(),
        "application/json",
    )
    files["/files/elus-representants-parlement-europeen-rpe.csv.gz"] = (RPE, "application/gzip")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{base}/api/1/datasets/repertoire-national-des-elus-1/"
    server.shutdown()


def test_sync_downloads_and_imports_new_resources_once(db, data_gouv, capsys):
    call_command("sync_rne", api_url=data_gouv)
    out = capsys.readouterr().out
    assert "importé : elus-representants-parlement-europeen-rpe.csv" in out
    assert "ignoré : Notice du RNE" in out
    assert Snapshot.objects.filter(kind="rpe").count() == 1
    assert RneResource.objects.count() == 1
    call_command("sync_rne", api_url=data_gouv)
    out = capsys.readouterr().out
    assert "déjà importé : elus-representants-parlement-europeen-rpe.csv" in out
    assert Snapshot.objects.filter(kind="rpe").count() == 1


def test_default_address_is_data_gouv():
    from mandature.officials.sync import DATASET_API

    assert DATASET_API == "https://www.data.gouv.fr/api/1/datasets/repertoire-national-des-elus-1/"
