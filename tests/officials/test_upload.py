"""Staff upload an RNE file from the browser; it is imported by the task queue."""

from django.core.files.uploadedfile import SimpleUploadedFile

from mandature.officials.models import RneUpload, Snapshot
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
