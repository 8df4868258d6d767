"""The bulk import of contact details (issue 24, item 4): files per official and per commune,
malformed files, all or nothing, re-imports, homonyms, the command line."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.core.ingest import FileProblems
from mandature.core.models import AuditLog
from mandature.core.spreadsheet import xlsx_bytes
from mandature.directory.loader import load_bundled
from mandature.directory.models import MairieCorrection
from mandature.directory.services import mairie_card
from mandature.officials.enums import FunctionCode, MandateKind, SnapshotKind
from mandature.officials.models import (
    Mandate,
    Person,
    Snapshot,
    SnapshotEntry,
    latest_snapshot,
)
from mandature.relations.contacts_import import apply, plan
from mandature.relations.models import Contact
from tests.directory.conftest import SAMPLE, compressed

pytestmark = pytest.mark.django_db


def mayor_of(code: str) -> Person:
    entry = SnapshotEntry.objects.get(
        snapshot=latest_snapshot(SnapshotKind.MAIRES),
        commune_id=code,
        function_code=FunctionCode.MAIRE,
    )
    return entry.person


def council(code: str, *names: tuple[str, str]) -> list[Person]:
    """A municipal councillors file holding these officials of the commune."""
    snapshot = Snapshot.objects.create(
        kind=SnapshotKind.CM,
        data_date=date(2026, 4, 1),
        date_source="option",
        file_name="cm.csv",
        sha256="c" * 64,
        layout="test",
        encoding="utf-8",
    )
    persons = []
    for line, (first, last) in enumerate(names, start=2):
        person = Person.objects.create(
            last_name=last, first_name=first, sex="F", birth_date=date(1970, 1, line)
        )
        mandate = Mandate.objects.create(
            person=person,
            kind=MandateKind.MUNICIPAL,
            territory_key=f"commune:{code}",
            commune_id=code,
            start_date=date(2026, 3, 22),
        )
        SnapshotEntry.objects.create(
            snapshot=snapshot, mandate=mandate, person=person, commune_id=code, line=line
        )
        persons.append(person)
    return persons


def write(tmp_path, text: str, name: str = "coordonnees.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(path) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        plan(str(path), path.read_bytes())
    return caught.value.lines


# --- per official -----------------------------------------------------------------------------


def test_a_file_per_official_fills_the_contact_card(tmp_path):
    mayor = mayor_of("33063")
    path = write(
        tmp_path,
        "Code commune;Nom;Prénom;Courriel;Téléphone;Adresse;Civilité\n"
        f"33063;{mayor.last_name.lower()};{mayor.first_name};maire@bordeaux.fr;0556102030;"
        "Hôtel de ville, Place Pey-Berland, 33000 Bordeaux;Monsieur le Maire\n",
    )
    result = plan(str(path), path.read_bytes())
    assert result.kind == "official" and result.updated == 1
    assert [(c.label, c.old, c.new) for c in result.updates[0].changes] == [
        ("courriel", "", "maire@bordeaux.fr"),
        ("téléphone", "", "05 56 10 20 30"),
        ("adresse postale", "", "Hôtel de ville\nPlace Pey-Berland\n33000 Bordeaux"),
        ("formule d'appel", "", "Monsieur le Maire"),
    ]
    assert apply(result) == 1
    contact = Contact.objects.get(person=mayor)
    assert contact.email == "maire@bordeaux.fr" and contact.phone == "05 56 10 20 30"
    assert contact.salutation == "Monsieur le Maire"


def test_windows_1252_comma_separated_with_accented_headers(tmp_path):
    mayor = mayor_of("33063")
    text = f"CODE_INSEE,NOM,PRENOM,E-mail\n33063,{mayor.last_name},{mayor.first_name},a@b.fr\n"
    path = write(tmp_path, text, encoding="cp1252")
    assert plan(str(path), path.read_bytes()).updated == 1


def test_an_xlsx_file_is_read_like_a_csv_one(tmp_path):
    mayor = mayor_of("01130") if _has_mayor("01130") else mayor_of("33063")
    code = "01130" if _has_mayor("01130") else "33063"
    raw = xlsx_bytes(
        ["code INSEE", "nom", "prénom", "téléphone"],
        [[int(code) if code.isdigit() else code, mayor.last_name, mayor.first_name, 474308030]],
    )
    result = plan("coordonnees.xlsx", raw)
    assert result.updated == 1
    assert result.updates[0].changes[0].new == "04 74 30 80 30"  # the 0 Excel ate, put back


def _has_mayor(code: str) -> bool:
    return SnapshotEntry.objects.filter(
        snapshot=latest_snapshot(SnapshotKind.MAIRES), commune_id=code
    ).exists()


def test_an_empty_cell_keeps_the_stored_value_and_a_second_import_changes_nothing(tmp_path):
    mayor = mayor_of("33063")
    Contact.objects.create(person=mayor, email="tape@main.fr", phone="05 00 00 00 00")
    path = write(
        tmp_path,
        f"code INSEE;nom;courriel;téléphone\n33063;{mayor.last_name};;05 56 10 20 30\n",
    )
    first = plan(str(path), path.read_bytes())
    apply(first)
    contact = Contact.objects.get(person=mayor)
    assert contact.email == "tape@main.fr"  # the empty cell erased nothing
    assert contact.phone == "05 56 10 20 30"
    again = plan(str(path), path.read_bytes())
    assert again.updated == 0 and again.unchanged == 1
    assert again.summary() == (
        f"{path} : aucune fiche à mettre à jour, 1\u00a0inchangée "
        "(le fichier ne change rien : déjà importé ?)"
    )


def test_homonyms_are_told_apart_by_their_first_name_and_unmatched_lines_are_listed(tmp_path):
    anne, paul = council("59350", ("Anne", "Lefèvre-Roy"), ("Paul", "LEFEVRE ROY"))
    path = write(
        tmp_path,
        "code INSEE;nom;prénom;courriel\n"
        "59350;lefevre-roy;Paul;paul@lille.fr\n"
        "59350;Lefèvre Roy;;inconnu@lille.fr\n"
        "59350;Lefevre-Roy;Zoé;zoe@lille.fr\n"
        "59350;Personne;;x@lille.fr\n"
        "59350;LEFÈVRE-ROY;anne;anne@lille.fr\n",
    )
    result = plan(str(path), path.read_bytes())
    assert [(u.line, u.target) for u in result.updates] == [(2, paul.pk), (6, anne.pk)]
    assert [(u.line, u.reason) for u in result.unmatched] == [
        (
            3,
            "2 élus nommés « Lefèvre Roy » dans la commune de Lille "
            "(Anne LEFÈVRE-ROY, Paul LEFEVRE ROY) : indiquez le prénom",
        ),
        (
            4,
            "aucun élu « Zoé Lefevre-Roy » dans la commune de Lille "
            "(en fonction : Anne LEFÈVRE-ROY, Paul LEFEVRE ROY)",
        ),
        (5, "aucun élu en fonction nommé « Personne » dans la commune de Lille"),
    ]
    assert result.summary() == (
        f"{path} : 2\u00a0fiches mises à jour, 0\u00a0inchangée, 3\u00a0lignes non "
        "rapprochées : lignes 3, 4 et 5"
    )
    apply(result)
    assert Contact.objects.get(person=paul).email == "paul@lille.fr"
    assert not Contact.objects.filter(email__in=["inconnu@lille.fr", "zoe@lille.fr"]).exists()


def test_the_same_official_twice_is_refused(tmp_path):
    mayor = mayor_of("33063")
    path = write(
        tmp_path,
        f"code INSEE;nom;courriel\n33063;{mayor.last_name};a@b.fr\n"
        f"33063;{mayor.last_name};c@d.fr\n",
    )
    assert refused(path) == [
        f"{path}:3: column « nom »: {mayor.first_name} {mayor.last_name.upper()} déjà à la "
        "ligne 2 (une ligne par élu)"
    ]


# --- malformed files: nothing written -----------------------------------------------------------


def test_a_missing_required_column_names_what_was_found(tmp_path):
    path = write(tmp_path, "commune;nom;courriel\nBordeaux;X;a@b.fr\n")
    (line,) = refused(path)
    assert line.startswith(f"{path}:1: column « code INSEE »: colonne manquante")
    assert "trouvées : « commune », « nom », « courriel »" in line


def test_a_file_without_any_contact_column_is_refused(tmp_path):
    path = write(tmp_path, "code INSEE;nom;prénom\n33063;X;Y\n")
    (line,) = refused(path)
    assert "aucune colonne de coordonnées" in line


def test_bad_cells_are_named_by_line_and_column_and_nothing_is_written(tmp_path):
    mayor = mayor_of("33063")
    path = write(
        tmp_path,
        "code INSEE;nom;Courriel;Tél.\n"
        f"33063;{mayor.last_name};bon@bordeaux.fr;05 56 10 20 30\n"
        f"33063;{mayor.last_name};pas-une-adresse;05 56 10 20 30\n"
        "99999;Dupont;a@b.fr;\n"
        "33063;Dupont;;appelez-moi\n",
    )
    assert refused(path) == [
        f"{path}:3: column « Courriel »: adresse « pas-une-adresse » invalide",
        f"{path}:4: column « code INSEE »: commune « 99999 » inconnue",
        f"{path}:5: column « Tél. »: numéro « appelez-moi » illisible",
    ]
    assert not Contact.objects.filter(person=mayor).exists()


def test_an_html_page_and_an_empty_file_are_refused(tmp_path):
    assert refused(write(tmp_path, "<html><body>Erreur</body></html>", "a.csv")) == [
        f"{tmp_path / 'a.csv'}:1: column « - »: ceci est une page HTML, pas un fichier "
        "de coordonnées"
    ]
    assert refused(write(tmp_path, "code INSEE;nom;courriel\n", "b.csv")) == [
        f"{tmp_path / 'b.csv'}:2: column « - »: aucune ligne de données"
    ]


def test_a_broken_workbook_is_refused():
    with pytest.raises(FileProblems) as caught:
        plan("coordonnees.xlsx", b"PK\x03\x04 not really a workbook")
    assert caught.value.lines == [
        "coordonnees.xlsx:0: column « - »: classeur XLSX illisible (fichier abîmé ou d'un "
        "autre format)"
    ]


# --- per commune: the mairie's contact, as a colleague's correction ---------------------------


def test_a_file_per_commune_corrects_the_mairie_and_survives_a_directory_sync(tmp_path):
    load_bundled(compressed())
    path = write(
        tmp_path,
        "Code INSEE;Commune;Courriel de la mairie;Téléphone;Site\n"
        "33063;Bordeaux;contact@mairie-bordeaux.fr;05 56 10 20 99;\n"
        "59350;Lille;;03 20 49 50 00;\n"  # the directory's own values: nothing to change
        "75056;Paris;paris@paris.fr;;\n",  # not in the sample's directory
    )
    result = plan(str(path), path.read_bytes())
    assert result.kind == "commune"
    assert [(u.label, [(c.label, c.old, c.new) for c in u.changes]) for u in result.updates] == [
        (
            "Mairie de Bordeaux",
            [
                ("courriel", "", "contact@mairie-bordeaux.fr"),
                ("téléphone", "05 56 10 20 30", "05 56 10 20 99"),
            ],
        )
    ]
    assert result.unchanged == 1
    assert [u.line for u in result.unmatched] == [4]
    apply(result)
    assert MairieCorrection.objects.filter(withdrawn_at=None).count() == 2
    # the directory changes Bordeaux's phone: the colleague's value stays the one shown
    changed = [dict(r) for r in SAMPLE]
    changed[0]["mairie_telephone"] = "05 56 10 20 31"
    load_bundled(compressed(changed))
    card = mairie_card("33063")
    assert card.phone == "05 56 10 20 99" and card.values["phone"].from_colleague
    assert card.email == "contact@mairie-bordeaux.fr"
    assert plan(str(path), path.read_bytes()).updated == 0  # idempotent


def test_the_same_commune_twice_is_refused(tmp_path):
    path = write(tmp_path, "code INSEE;téléphone\n33063;0556102030\n33063;0556102031\n")
    assert refused(path) == [
        f"{path}:3: column « code INSEE »: commune « 33063 » déjà à la ligne 2"
    ]


# --- the command line ---------------------------------------------------------------------------


def test_the_command_prints_a_french_summary_and_audits(tmp_path, capsys):
    mayor = mayor_of("33063")
    path = write(
        tmp_path,
        f"code INSEE;nom;courriel\n33063;{mayor.last_name};maire@bordeaux.fr\n"
        "33063;Personne;x@y.fr\n",
    )
    call_command("import_contacts", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert f"{path}:3: « Personne » (Bordeaux, 33063) : aucun élu en fonction nommé" in out
    assert "courriel « vide » → « maire@bordeaux.fr »" in out
    assert "Essai à blanc, rien n'a été écrit." in out
    assert not Contact.objects.filter(person=mayor).exists()
    call_command("import_contacts", str(path))
    out = capsys.readouterr().out
    assert (
        f"{path} : 1\u00a0fiche mise à jour, 0\u00a0inchangée, 1\u00a0ligne non rapprochée : "
        "ligne 3 ("
    ) in out
    assert Contact.objects.get(person=mayor).email == "maire@bordeaux.fr"
    entry = AuditLog.objects.get(action="import de coordonnées")
    assert entry.channel == "commande" and entry.detail["updated"] == 1


def test_a_bad_file_exits_with_status_2_and_the_problems_on_stderr(tmp_path, capsys):
    path = write(tmp_path, "code INSEE;nom;courriel\n33063;Dupont;faux\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_contacts", str(path))
    assert caught.value.returncode == 2
    assert str(caught.value) == f"{path} : import refusé, la base n'a pas changé"
    err = capsys.readouterr().err
    assert f"{path}:2: column « courriel »: adresse « faux » invalide" in err


def test_a_missing_file_and_a_workbook_on_the_command_line(tmp_path, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("import_contacts", str(tmp_path / "absent.csv"))
    assert caught.value.returncode == 2
    assert (
        f"{tmp_path / 'absent.csv'}:0: column « - »: fichier introuvable" in capsys.readouterr().err
    )
    mayor = mayor_of("33063")
    path = tmp_path / "elus.xlsx"
    path.write_bytes(
        xlsx_bytes(["code INSEE", "nom", "courriel"], [["33063", mayor.last_name, "m@b.fr"]])
    )
    call_command("import_contacts", str(path))
    assert "1\u00a0fiche mise à jour" in capsys.readouterr().out
    assert Contact.objects.get(person=mayor).email == "m@b.fr"


def test_a_row_is_named_by_its_first_line_after_an_address_on_several_lines(tmp_path):
    mayor = mayor_of("33063")
    path = write(
        tmp_path,
        "code INSEE;nom;courriel;adresse\n"
        f'33063;{mayor.last_name};;"Hôtel de ville\nPlace Pey-Berland\n33000 Bordeaux"\n'
        "33063;Dupont;faux;\n",
    )
    assert refused(path) == [f"{path}:5: column « courriel »: adresse « faux » invalide"]
    path = write(tmp_path, 'code INSEE;nom;adresse\n33063;Dupont;"1 rue Haute\nBordeaux"\n')
    assert refused(path) == [
        f"{path}:2: column « adresse »: dernière ligne « Bordeaux » sans code postal à cinq "
        "chiffres"
    ]


def test_the_directorys_own_value_again_withdraws_the_correction(tmp_path):
    load_bundled(compressed())
    apply(plan("a.csv", b"code INSEE;telephone\n33063;05 56 10 20 99\n"))
    assert mairie_card("33063").values["phone"].from_colleague
    back = plan("b.csv", b"code INSEE;telephone\n33063;0556102030\n")
    assert [(c.old, c.new) for c in back.updates[0].changes] == [
        ("05 56 10 20 99", "05 56 10 20 30")
    ]
    apply(back)
    value = mairie_card("33063").values["phone"]
    assert value.text == "05 56 10 20 30" and not value.from_colleague
    assert MairieCorrection.objects.filter(withdrawn_at=None).count() == 0


def test_a_commune_name_in_the_name_column_says_what_to_do(tmp_path):
    result = plan("c.csv", b"code INSEE;Nom;courriel\n33063;Bordeaux;m@b.fr\n")
    assert result.unmatched[0].reason == (
        "« Bordeaux » est le nom de la commune : pour le contact de la mairie, le fichier ne "
        "doit pas avoir de colonne « nom »"
    )
