"""Staff upload an RNE file from the browser; it is imported by the task queue."""

from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile

from mandature.officials.models import Person, RneUpload, Snapshot
from tests.bombs import gzip_bomb
from tests.conftest import login

HEADER = (
    "Nom de l'élu;Prénom de l'élu;Code sexe;Date de naissance;Code de la catégorie "
    "socio-professionnelle;Libellé de la catégorie socio-professionnelle;Date de début du mandat"
)


def staff_client(client, personas):
    return login(client, personas.admin)


def test_only_national_administrators_upload(anonymous, client, personas):
    assert anonymous.get("/elus/import/").status_code == 302  # to /connexion/
    assert client.get("/elus/import/").status_code == 403  # a national chargé de mission
    assert login(client, personas.regional).get("/elus/import/").status_code == 403


def test_upload_imports_in_the_background_and_shows_the_result(client, personas):
    staff_client(client, personas)
    content = f"{HEADER}\nDUPONT;Marie;F;01/02/1970;33;Cadre;16/07/2024\n".encode()
    response = client.post(
        "/elus/import/", {"file": SimpleUploadedFile("elus-rpe.csv", content)}, follow=True
    )
    html = response.content.decode()
    upload = RneUpload.objects.get()
    assert upload.status == RneUpload.Status.DONE  # the test queue runs tasks at once
    assert "représentants au Parlement européen au 16/07/2024" in html
    assert 'value="100"' in html
    assert Snapshot.objects.filter(kind="rpe").exists()


def test_refused_file_shows_the_errors(client, personas):
    staff_client(client, personas)
    bad = f"{HEADER}\nDUPONT;Marie;X;31/02/1970;33;Cadre;16/07/2024\n".encode()
    html = client.post(
        "/elus/import/", {"file": SimpleUploadedFile("rpe.csv", bad)}, follow=True
    ).content.decode()
    assert "Import refusé, la base n'a pas changé" in html
    assert "rpe.csv:2: column « Code sexe »" in html


def test_wrong_file_type_is_refused_before_upload(client, personas):
    staff_client(client, personas)
    html = client.post(
        "/elus/import/", {"file": SimpleUploadedFile("photo.png", b"\x89PNG....")}
    ).content.decode()
    assert "Type de fichier refusé" in html
    assert not RneUpload.objects.exists()


def _snapshots_and_people():
    return Snapshot.objects.count(), Person.objects.count()


def test_a_compressed_bomb_ends_refused_with_the_reason(client, personas, tmp_path):
    staff_client(client, personas)
    bomb = gzip_bomb(tmp_path / "bombe.csv.gz").read_bytes()  # 1 Mo, 1 Gio inflated
    before = _snapshots_and_people()
    html = unescape(
        client.post(
            "/elus/import/", {"file": SimpleUploadedFile("bombe.csv.gz", bomb)}, follow=True
        ).content.decode()
    )
    upload = RneUpload.objects.get()
    assert upload.status == RneUpload.Status.FAILED
    assert "Refusé" in html and "Import refusé, la base n'a pas changé" in html
    assert "bombe.csv.gz:0: column « - »: fichier décompressé trop grand (plus de 99 Mo)" in html
    assert _snapshots_and_people() == before


def test_an_unexpected_error_ends_the_upload_with_a_french_reason(client, personas, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("mandature.officials.tasks.import_rne", broken)
    staff_client(client, personas)
    content = f"{HEADER}\nDUPONT;Marie;F;01/02/1970;33;Cadre;16/07/2024\n".encode()
    html = unescape(
        client.post(
            "/elus/import/", {"file": SimpleUploadedFile("rpe.csv", content)}, follow=True
        ).content.decode()
    )
    assert RneUpload.objects.get().status == RneUpload.Status.FAILED
    assert "rpe.csv : import interrompu, erreur inattendue (ZeroDivisionError)" in html
    assert "division by zero" not in html and "En cours" not in html


def test_bytes_neither_utf8_nor_windows_1252_are_named_by_line(client, personas):
    staff_client(client, personas)
    content = f"{HEADER}\nDUPONT;Marie;F;01/02/1970;33;Cadre;16/07/2024\n".encode("cp1252")
    content += b"MA\x9dRTIN;Paul;M;01/02/1970;33;Cadre;16/07/2024\n"
    html = unescape(
        client.post(
            "/elus/import/", {"file": SimpleUploadedFile("rpe.csv", content)}, follow=True
        ).content.decode()
    )
    assert "rpe.csv:3: column « - »: octet 0x9D illisible" in html
