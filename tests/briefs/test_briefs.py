"""The commune brief: web page, PDF (text and rendering), content versions, batches."""

import shutil
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from mandature.briefs.models import BriefBatch, BriefContent, BriefQuestion
from mandature.briefs.services import build_brief
from mandature.core.french import merge, typography
from mandature.territories.models import Commune

pytestmark = pytest.mark.django_db

SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def plain(text: str) -> str:
    return " ".join(text.translate(SPACES).split())


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fiche.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return plain(done.stdout.decode())


def test_brief_page_shows_the_commune_its_mayor_and_its_figures(client):
    response = client.get("/communes/93066/fiche")
    assert response.status_code == 200
    text = plain(response.content.decode())
    assert "Bally BAGAYOKO" in text and "nouveau maire" in text
    assert "25 123" in text and "44,2 %" in text  # Saint-Denis with Pierrefitte, 2022
    assert "Logements sociaux et taux estimé, 2022" in text  # a year, not « 2 022 »
    assert "Les 12 questions que se posent les maires" in text
    assert text.count("Base légale") == 12
    assert "CCH L.302-5" in text and "CGCT L.2252-5" in text and "CCH L.255-1" in text
    assert "contenu version 1" in text
    assert "<svg" in response.content.decode()  # charts are vector


def test_a_commune_without_data_says_what_is_missing(client):
    response = client.get("/communes/97801/fiche")  # Saint-Martin: no DGCL data, no mayor file
    text = plain(response.content.decode())
    assert response.status_code == 200
    assert "Aucune donnée logement de la DGCL pour cette commune" in text
    assert "Donnée indisponible pour cette commune : logements sociaux" in text
    assert "0,0 %" not in text and " 0 logements" not in text


def test_merged_commune_code_redirects_to_today_s_brief(client):
    response = client.get("/communes/93059/fiche")  # Pierrefitte-sur-Seine, merged in 2025
    assert response.status_code == 301 and response["Location"].endswith("/communes/93066/fiche")


def test_pdf_has_the_same_figures_and_is_a4_with_2_to_4_pages(client, tmp_path):
    response = client.get("/communes/93066/fiche.pdf?telecharger=1")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="fiche-93066.pdf"'
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "Saint-Denis",
        "Bally BAGAYOKO",
        "25 123",
        "44,2 %",
        "56 832",
        "contenu v1",
        "Les étapes d’un projet Hlm",
        "2,87 millions",
        "page 1 sur",
    ):
        assert expected.replace("’", "'") in text.replace("’", "'"), expected
    info = subprocess.run(
        ["pdfinfo", "-"], input=response.content, capture_output=True
    ).stdout.decode()
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert 2 <= pages <= 4
    assert "595.276 x 841.89 pts" in info or "595.28 x 841.89 pts (A4)" in info or "(A4)" in info


def test_pdf_page_renders_to_a_picture_that_is_not_blank(client, tmp_path):
    pdf = tmp_path / "fiche.pdf"
    pdf.write_bytes(client.get("/communes/01001/fiche.pdf").content)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (image,) = tmp_path.glob("page*.pgm")
    raw = image.read_bytes()
    # PGM: « P5 width height 255 » then one byte a pixel
    header = raw.split(maxsplit=4)
    width, height = int(header[1]), int(header[2])
    pixels = raw[-width * height :]
    dark = sum(1 for value in pixels if value < 128)
    assert width > 200 and height > 300
    assert 0.01 < dark / len(pixels) < 0.5  # text and charts, not an empty page


def test_french_typography_and_safe_merge_fields():
    assert (
        typography("Taux : 25 % ; « oui » ?")
        == "Taux\u00a0: 25\u00a0%\u202f; «\u00a0oui\u00a0»\u202f?"
    )
    text, unknown = merge("{commune} {inconnu} {commune.__class__} {0}", {"commune": "Laval"})
    assert text.startswith("Laval {inconnu}") and unknown == ["inconnu", "commune.__class__", "0"]
    assert merge("une { seule", {})[1]  # a lone brace is reported, not an exception


def test_a_new_content_version_is_printed_and_changes_the_fingerprint(db, client):
    commune = Commune.objects.select_related("departement", "region", "epci").get(code="01001")
    before = build_brief(commune)
    content = BriefContent.current().copy_as_new_version("test")
    question = content.questions.get(number=1)
    question.answer = "À {commune}, {logements_sociaux} logements sociaux. Champ {faux}."
    question.save()
    after = build_brief(commune)
    assert after.data["content_version"] == 2 and after.digest != before.digest
    assert (
        after.data["questions"][0]["answer"]
        == "À L'Abergement-Clémenciat, 22 logements sociaux. Champ {faux}."
    )
    assert after.unknown_fields == ["faux"]
    assert "contenu version 2" in plain(client.get("/communes/01001/fiche").content.decode())
    assert BriefQuestion.objects.filter(content__version=1).count() == 12


def test_batch_of_an_epci_writes_a_zip_and_skips_unchanged_briefs(db, tmp_path, capsys):
    out = tmp_path / "fiches"
    call_command("briefs", epci="200018653", out=out)  # CA CAP Excellence: 3 communes
    summary = capsys.readouterr().out
    assert "3 fiche(s) pour CA CAP Excellence : 3 produite(s), 0 inchangée(s)" in summary
    archive = out / "fiches-epci-200018653.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = sorted(zipped.namelist())
        assert len(names) == 3 and all(n.startswith("971/971") for n in names)
        assert all(zipped.read(n).startswith(b"%PDF") for n in names)
    call_command("briefs", epci="200018653", out=out)
    assert "0 produite(s), 3 inchangée(s)" in capsys.readouterr().out
    (out / names[0]).unlink()  # an interrupted or damaged run: the missing brief is made again
    call_command("briefs", epci="200018653", out=out)
    assert "1 produite(s), 2 inchangée(s)" in capsys.readouterr().out


def test_batch_refuses_an_unknown_territory(db, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("briefs", departement="00", out=tmp_path)
    assert error.value.returncode == 2 and "département « 00 »" in str(error.value)


def test_staff_page_runs_a_batch_with_progress_and_a_zip(client, personas, tmp_path, settings):
    from tests.conftest import login

    settings.VAR_DIR = tmp_path
    assert login(Client(), personas.organism).get("/fiches/").status_code == 403
    regional = login(Client(), personas.regional)
    refused = regional.post("/fiches/", {"kind": "departement", "code": "13"})
    assert "hors du vôtre" in plain(refused.content.decode())
    page = client.get("/fiches/")
    assert "Produire des fiches communales" in page.content.decode()
    refused = client.post("/fiches/", {"kind": "departement", "code": "00"})
    assert "Département « 00 » inconnu(e)." in plain(refused.content.decode())
    response = client.post("/fiches/", {"kind": "epci", "code": "200018653"})
    batch = BriefBatch.objects.get()
    assert response["Location"] == f"/fiches/{batch.pk}/"
    status = plain(client.get(response["Location"]).content.decode())
    assert "Terminé : 3 fiches sur 3" in status and "Télécharger l'archive zip" in status
    archive = client.get(f"/fiches/{batch.pk}/archive.zip")
    assert archive["Content-Disposition"].startswith("attachment")
    assert b"".join(archive.streaming_content)[:2] == b"PK"


def test_a_batch_that_fails_says_why_in_french(client, tmp_path, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("typst")

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr("mandature.briefs.tasks.run_batch", broken)
    response = client.post("/fiches/", {"kind": "epci", "code": "200018653"})
    assert BriefBatch.objects.get().status == BriefBatch.Status.FAILED
    status = plain(client.get(response["Location"]).content.decode())
    assert "La production a échoué : erreur inattendue (KeyError)" in status
    assert "'typst'" not in status


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils")
def test_pdf_of_a_commune_without_data_does_not_crash(client, tmp_path):
    text = pdf_text(client.get("/communes/97801/fiche.pdf").content, tmp_path)
    assert "Aucune donnée logement de la DGCL" in text


def test_briefs_made_one_after_another_each_show_their_own_commune(client, tmp_path):
    """Typst reads a brief's data from files it may cache: each PDF must still say its own
    commune, edition date and figures, even after the process's folder was swept away."""
    from mandature.briefs import pdf

    expected = {
        "93066": ("Saint-Denis", "44,2 %"),
        "01001": ("L'Abergement-Clémenciat", None),
        "33063": ("Bordeaux", None),
    }
    for round_ in range(2):
        for code, (name, figure) in expected.items():
            text = pdf_text(client.get(f"/communes/{code}/fiche.pdf").content, tmp_path)
            assert f"{name} ({code}) · éditée le" in text.replace("’", "'"), (round_, code)
            others = [n for c, (n, _) in expected.items() if c != code]
            assert not any(f"{other} (" in text for other in others), (round_, code)
            if figure:
                assert figure in text
        shutil.rmtree(pdf._workspace[1])  # a cleaner of /tmp passed by


def test_batch_with_worker_processes_makes_every_brief_and_ends(tmp_path):
    """Two worker processes, as in production, started while a SIGTERM handler like the task
    worker's is installed (it only logs a first SIGTERM). An alarm turns a hang into a
    failure."""
    import signal

    from mandature.briefs.batch import run_batch, select

    def too_long(signum, frame):
        raise TimeoutError("the batch did not end")

    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    previous_alarm = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(120)
    try:
        result = run_batch(select("departement", "2A"), tmp_path / "fiches", workers=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGALRM, previous_alarm)
    assert result.built == len(result.selection.codes) > 100
    assert len(zipfile.ZipFile(result.zip_path).namelist()) == result.built


def test_the_regional_association_is_the_contact_once_it_has_a_phone_or_email(db):
    from mandature.movement.models import Organisation

    commune = Commune.objects.get(code="59350")
    assert build_brief(commune).data["contact"]["name"] == "L'Union sociale pour l'habitat"
    Organisation.objects.filter(kind="association", regions="32").update(
        name="L'Union sociale pour l'habitat des Hauts-de-France", phone="03 20 00 00 00"
    )
    contact = build_brief(commune).data["contact"]
    assert contact["name"] == "L'Union sociale pour l'habitat des Hauts-de-France"
    assert contact["phone"] == "03 20 00 00 00" and contact["regional"]


def test_a_commune_not_yet_reported_says_so_on_its_brief(client, tmp_path):
    """Laval is not in the April 2026 mayors file: its last known mayor, said as such."""
    text = plain(client.get("/communes/53130/fiche").content.decode())
    assert "Maire non encore renseigné dans le fichier des maires au 17 avril 2026" in text
    assert "réélu" not in text.split("Maire non encore renseigné")[1].split(".")[1]
    pdf = tmp_path / "laval.pdf"
    pdf.write_bytes(client.get("/communes/53130/fiche.pdf").content)
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Maire non encore renseigné" in " ".join(out.split())
