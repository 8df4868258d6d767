import csv
import io
import lzma

import pytest

HEADER = [
    "id",
    "code",
    "type",
    "nom",
    "type_nom",
    "population_municipale",
    "population_cap",
    "departement_id",
    "commune_parent_id",
    "epci_id",
    "geometry",
    "mairie_adresse",
    "mairie_accessibilite",
    "mairie_accessibilite_details",
    "mairie_localisation",
    "mairie_horaires",
    "mairie_email",
    "mairie_telephone",
    "mairie_site",
]
WEEK = '[["lundi","vendredi",[["09:00:00","17:00:00"]]]]'


def row(id_, code, kind, name, parent="\\N", address="", email="", phone="", site="", hours=WEEK):
    values = dict.fromkeys(HEADER, "")
    values.update(
        id=id_,
        code=code,
        type=kind,
        nom=name,
        commune_parent_id=parent,
        mairie_adresse=address,
        mairie_accessibilite="NAC",
        mairie_horaires=hours,
        mairie_email=email,
        mairie_telephone=phone,
        mairie_site=site,
        geometry="0106000000",
    )
    return values


SAMPLE = [
    row(
        "1",
        "33063",
        "COM",
        "Bordeaux",
        address="Place Pey-Berland\n33000 Bordeaux",
        phone="05 56 10 20 30",
        site="https://www.bordeaux.fr",
    ),
    row(
        "2",
        "59350",
        "COM",
        "Lille",
        address="Place Augustin-Laurent\n59000 Lille",
        phone="03 20 49 50 00",
    ),
    row(
        "3",
        "2A004",
        "COM",
        "Ajaccio",
        address="Avenue Antoine-Serafini\n20304 Ajaccio Cedex 1",
        email="mairie@ajaccio.fr",
        phone="04 95 51 52 53",
    ),
    row(
        "4",
        "13055",
        "COM",
        "Marseille",
        address="Quai du Port\n13233 Marseille Cedex 20",
        phone="30 13",
    ),
    row(
        "5",
        "13201",
        "ARM",
        "Marseille 1er Arrondissement",
        parent="4",
        address="61 la Canebière\n13001 Marseille",
        email="contact1-7@marseille.fr",
        phone="04 91 14 54 10",
    ),
    row(
        "6",
        "13055SR01",
        "SRM",
        "Marseille — 1er secteur",
        parent="4",
        address="61 la Canebière\n13001 Marseille",
    ),
    row(
        "7",
        "01130",
        "COM",
        "Bresse Vallons",
        address="1 place de la Mairie\n01340 Bresse Vallons",
        email="milizac-guipronvel@bzh",
        phone="04 74 30 80 30",
    ),
    row(
        "8",
        "01154",
        "COMD",
        "Étrez",
        parent="7",
        address="Place de la Mairie\n01340 Étrez",
        phone="04 74 30 82 39",
        hours='[["mardi","",[["14:00:00","18:00:00"]]]]',
    ),
    row("9", "01155", "COMA", "Sans mairie", parent="7", hours=""),
    row("10", "99999", "COM", "Commune inconnue", address="1 rue\n99000 Nulle-Part"),
]


def compressed(rows=SAMPLE, header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return lzma.compress(text.getvalue().encode())


@pytest.fixture
def sample() -> bytes:
    return compressed()
