"""Hlm organisms from a CSV file: a documented template, errors by line and column, all or
nothing, idempotent, and what users typed survives a re-import."""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.movement.models import Organisation
from tests.conftest import login

HEADER = "siren;nom;sigle;famille;federation;siege_code_insee;departements;communes;courriel;telephone;adresse;site_internet"
GOOD = (
    f"{HEADER}\n"
    "552046484;Habitat du Nord (test);HDN;OPH;;59350;59 62;;contact@hdn.test;03 20 00 00 00;;https://hdn.test\n"
    "775663438;Logis de Gironde (test);;ESH;Fédération des ESH;33063;33;33281 33522;;;;\n"
)


def write(tmp_path, text, name="organismes.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_import_creates_then_updates_and_is_idempotent(db, tmp_path, capsys):
    call_command("import_organisms", write(tmp_path, GOOD))
    assert "2 créé(s)" in capsys.readouterr().out
    nord = Organisation.objects.get(siren="552046484")
    assert nord.family == "OPH" and nord.federation.short_name == "FOPH"
    assert set(nord.departements.values_list("pk", flat=True)) == {"59", "62"}
    assert nord.head_office_id == "59350" and nord.phone == "03 20 00 00 00"
    gironde = Organisation.objects.get(siren="775663438")
    assert gironde.federation.short_name == "Fédération des ESH"
    assert gironde.communes.count() == 2
    call_command("import_organisms", write(tmp_path, GOOD))
    assert "2 inchangé(s)" in capsys.readouterr().out
    assert Organisation.objects.filter(kind="organisme").count() == 2


def test_an_empty_cell_keeps_what_a_user_typed(db, tmp_path):
    call_command("import_organisms", write(tmp_path, GOOD))
    Organisation.objects.filter(siren="775663438").update(email="accueil@logis.test")
    call_command(
        "import_organisms",
        write(tmp_path, GOOD.replace("Logis de Gironde (test)", "Logis de Gironde")),
    )
    gironde = Organisation.objects.get(siren="775663438")
    assert gironde.name == "Logis de Gironde" and gironde.email == "accueil@logis.test"


def test_windows_1252_with_commas(db, tmp_path):
    text = GOOD.replace(";", ",").replace("Fédération des ESH", "ESH")
    call_command("import_organisms", write(tmp_path, text, encoding="cp1252"))
    assert Organisation.objects.filter(kind="organisme").count() == 2


def test_bad_lines_are_reported_by_line_and_column_and_nothing_is_imported(db, tmp_path, capsys):
    bad = (
        f"{HEADER}\n"
        "552046484;Habitat du Nord;;OPH;;59350;59;;;;;\n"
        "552046485;Mauvaise clé;;ESH;;;;;;;;\n"
        "775663438;;;HLM;;99999;123;;pas-une-adresse;12;;\n"
    )
    with pytest.raises(CommandError) as error:
        call_command("import_organisms", write(tmp_path, bad))
    assert error.value.returncode == 2
    err = capsys.readouterr().err
    assert "organismes.csv:3: column « siren »: « 552046485 » n'est pas un SIREN valide" in err
    assert "organismes.csv:4: column « nom »: valeur obligatoire" in err
    assert "organismes.csv:4: column « famille »: « HLM » inconnue" in err
    assert "organismes.csv:4: column « siege_code_insee »: commune « 99999 » inconnue" in err
    assert "organismes.csv:4: column « departements »: département « 123 » inconnu" in err
    assert "organismes.csv:4: column « courriel »" in err
    assert "organismes.csv:4: column « telephone »" in err
    assert not Organisation.objects.filter(kind="organisme").exists()


def test_missing_columns_are_named(db, tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_organisms", write(tmp_path, "nom;ville\nX;Y\n"))
    err = capsys.readouterr().err
    assert "organismes.csv:1: column « siren »: colonne obligatoire absente" in err
    assert "trouvées : nom, ville" in err


def test_import_page_for_national_administrators(client, personas):
    assert client.get("/organisations/import/").status_code == 403
    login(client, personas.admin)
    template = client.get("/organisations/modele.csv")
    data = b"".join(template.streaming_content)
    assert data.startswith("\ufeffsiren;nom;sigle;famille".encode())
    refused = client.post(
        "/organisations/import/",
        {"file": SimpleUploadedFile("org.csv", f"{HEADER}\n123;X;;OPH;;;;;;;;\n".encode())},
    )
    html = unescape(refused.content.decode())
    assert "Import refusé, rien n'a été modifié" in html and "org.csv:2: column « siren »" in html
    done = client.post(
        "/organisations/import/", {"file": SimpleUploadedFile("org.csv", GOOD.encode())}
    )
    # 552046484 is the organism of the organism persona: updated, not created
    assert "1 créé(s), 1 mis à jour" in unescape(done.content.decode())


def test_a_regional_chargé_de_mission_edits_organisms_of_the_region_only(client, personas):
    login(client, personas.regional)
    outside = client.post(
        "/organisations/nouvel-organisme/",
        {"name": "Hors région", "family": "ESH", "departement_codes": "33"},
    )
    assert "dans votre territoire" in unescape(outside.content.decode())
    inside = client.post(
        "/organisations/nouvel-organisme/",
        {
            "name": "Habitat Flandre (test)",
            "family": "ESH",
            "departement_codes": "59",
            "phone": "0320000000",
            "siren": "",
        },
    )
    organism = Organisation.objects.get(name="Habitat Flandre (test)")
    assert inside["Location"] == organism.get_absolute_url()
    assert organism.phone == "03 20 00 00 00"
    assert client.get(f"/organisations/{personas.organism_org.pk}/").status_code == 404
    login(client, personas.organism)
    assert client.get(f"/organisations/{organism.pk}/").status_code == 404


def test_other_usual_column_names_and_family_words(db, tmp_path):
    text = (
        "N° SIREN;Raison sociale;Type;Code INSEE du siège;Département;E-mail\n"
        "552046484;Habitat du Nord;SA d'HLM;59350;59;contact@hdn.test\n"
        "775663438;Logis Coop;SCIC Hlm;;33;\n"
    )
    call_command("import_organisms", write(tmp_path, text))
    assert Organisation.objects.get(siren="552046484").family == "ESH"
    assert Organisation.objects.get(siren="552046484").email == "contact@hdn.test"
    assert Organisation.objects.get(siren="775663438").family == "COOP"


def test_one_regional_association_per_region_of_the_hlm_law(db):
    from mandature.movement.seed import seed_organisations

    assert seed_organisations() == 0  # idempotent (the session seeded them)
    associations = Organisation.objects.filter(kind="association")
    assert associations.count() == 18
    assert not associations.filter(regions__zone="com").exists()
    assert Organisation.objects.filter(kind="federation").count() == 5


def test_bytes_neither_utf8_nor_windows_1252_exit_2_naming_the_line(db, tmp_path, capsys):
    raw = GOOD.encode("cp1252").replace(b"Habitat du Nord", b"Habitat du \x9dNord")
    raw = raw.replace(b"Logis de Gironde", b"Logis \x81de Gironde")
    path = tmp_path / "organismes.csv"
    path.write_bytes(raw)
    with pytest.raises(CommandError) as error:
        call_command("import_organisms", path)
    assert error.value.returncode == 2
    err = capsys.readouterr().err
    assert "organismes.csv:2: column « - »: octet 0x9D illisible" in err
    assert "organismes.csv:3: column « - »: octet 0x81 illisible" in err
    assert not Organisation.objects.filter(kind="organisme").exists()


def test_the_import_page_shows_undecodable_bytes_and_overlong_fields(client, personas):
    login(client, personas.admin)
    raw = GOOD.encode("cp1252").replace(b"Habitat du Nord", b"Habitat du \x9dNord")
    response = client.post("/organisations/import/", {"file": SimpleUploadedFile("org.csv", raw)})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Import refusé, rien n'a été modifié" in html
    assert "org.csv:2: column « - »: octet 0x9D illisible" in html
    endless = f'{HEADER}\n552046484;"Habitat du Nord\n' + "x;" * 70_000 + "\n"
    html = unescape(
        client.post(
            "/organisations/import/", {"file": SimpleUploadedFile("org.csv", endless.encode())}
        ).content.decode()
    )
    assert "org.csv:2: column « - »: champ de plus de 131\u202f072 caractères" in html
    assert not Organisation.objects.filter(siren="775663438").exists()


def test_control_characters_are_dropped_from_imported_names(db, tmp_path):
    text = GOOD.replace("Habitat du Nord (test)", "Habitat\x00 du\x1b Nord (test)")
    call_command("import_organisms", write(tmp_path, text))
    assert Organisation.objects.get(siren="552046484").name == "Habitat du Nord (test)"


def test_the_siren_check_is_python_stdnums_luhn_key():
    from mandature.movement.validation import siren_is_valid

    assert siren_is_valid("552046484") and siren_is_valid("775663438")
    assert not siren_is_valid("552046485")  # wrong key
    assert not siren_is_valid("55204648")  # eight digits
    assert not siren_is_valid("552.046.484")  # stored as typed: digits only
