"""Identities that hold across the ministry's birth-date typos (issue 25, item 3): the matching
rules, the doubts listed with both dates, merge and split with undo, the latest spelling."""

from datetime import date

import pytest

from mandature.officials.changes import compute_changes
from mandature.officials.enums import ChangeType
from mandature.officials.identity import (
    DAY_MONTH_SWAPPED,
    ONE_DIGIT,
    YEAR_OFF_BY_ONE,
    birth_typo,
    same_person_other_birth,
)
from mandature.officials.importer import import_rne
from mandature.officials.models import IdentityDoubt, Person, PersonAlias, date_distance
from mandature.officials.services import default_comparison
from tests.officials.files import HEADER

D = date.fromisoformat


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("1960-03-30", "1964-03-30", ONE_DIGIT),  # PHILIPON at Chouy
        ("1965-09-06", "1965-09-05", ONE_DIGIT),
        ("1982-01-27", "1982-10-27", None),  # two digits (a full name still matches)
        ("1968-10-07", "1968-07-10", DAY_MONTH_SWAPPED),
        ("1962-01-08", "1961-01-08", YEAR_OFF_BY_ONE),  # LE ROLLAND at Coatréven
        ("1969-12-31", "1970-12-31", YEAR_OFF_BY_ONE),
        ("1968-10-13", "1970-09-07", None),  # MANOS at Arandas: 23 months, no typo
        ("1960-03-30", "1964-03-31", None),  # two digits
        ("1960-03-30", "1960-03-30", None),
    ],
)
def test_birth_date_typo_kinds(a, b, kind):
    assert birth_typo(D(a), D(b)) == kind
    assert birth_typo(D(b), D(a)) == kind


@pytest.mark.parametrize(
    ("record", "other", "same"),
    [
        # The same full name: the same person whatever the dates (MANOS, 23 months apart).
        (("MANOS", "Lionel", "1970-09-07"), ("MANOS", "Lionel", "1968-10-13"), True),
        (("Le Rolland", "Yves", "1961-01-08"), ("LE ROLLAND", "Yves", "1962-01-08"), True),
        (("COLLET", "Régis", "1966-03-11"), ("COLLET", "Regis", "1965-03-11"), True),
        # A compatible first name with a typo of each kind.
        (("BEDIN", "Franck Guy", "1964-05-14"), ("BEDIN", "Franck", "1964-05-04"), True),
        # Same birth date: not this rule's (the spelling rules of the same date apply).
        (
            ("BEDIN", "Christophe", "1964-05-14"),
            ("BEDIN", "Christophe Gilbert", "1964-05-14"),
            False,
        ),
        (
            ("BEDIN", "Christophe", "1968-10-07"),
            ("BEDIN", "Christophe Gilbert", "1968-07-10"),
            True,
        ),
        (
            ("BEDIN", "Christophe", "1969-12-31"),
            ("BEDIN", "Christophe Gilbert", "1970-12-31"),
            True,
        ),
        # Negative: a compatible first name but no typo (father and son, « Paul » / « Paul
        # Raphaël », 39 years apart); another first name; another last name.
        (("PREVOST", "Paul Raphaël", "1988-09-01"), ("PREVOST", "Paul", "1949-05-16"), False),
        (("MANOS", "Lionel", "1970-09-07"), ("MANOS", "Léa", "1970-09-08"), False),
        (("MANOSSE", "Lionel", "1970-09-07"), ("MANOS", "Lionel", "1968-10-13"), False),
    ],
)
def test_same_person_with_another_birth_date(record, other, same):
    (last_a, first_a, birth_a), (last_b, first_b, birth_b) = record, other
    rule = same_person_other_birth(last_a, first_a, D(birth_a), last_b, first_b, D(birth_b))
    assert (rule is not None) == same, rule


def test_distance_between_the_two_dates_in_words():
    assert date_distance(D("1968-10-13"), D("1970-09-07")) == "1 an 10 mois"
    assert date_distance(D("1960-03-30"), D("1964-03-30")) == "4 ans"
    assert date_distance(D("1965-09-06"), D("1965-09-05")) == "1 jour"
    assert date_distance(D("1968-10-07"), D("1968-07-10")) == "2 mois"


# --- through imports --------------------------------------------------------------------------
def _mayors_file(tmp_path, name, rows):
    lines = [
        f"01;Ain;;;{code};Commune;{last};{first};M;{birth};38;Ingénieur;15/03/2026;23/03/2026"
        for code, last, first, birth in rows
    ]
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _another_mayor_born_the_same_day(tmp_path) -> None:
    """Abergement-Clémenciat's mayor in June, another name born the same day in July: a doubt
    staff may settle by a merge."""
    import_rne(
        _mayors_file(tmp_path, "a.csv", [("01001", "DUPONTEL", "Lionel", "13/10/1968")]),
        data_date=date(2026, 6, 1),
    )
    import_rne(
        _mayors_file(tmp_path, "b.csv", [("01001", "MARTINEAU", "Paul", "13/10/1968")]),
        data_date=date(2026, 7, 1),
    )


TYPO_CASES = [
    # kind, first file's record, later file's record, same person
    (
        "même nom complet, 23 mois",
        ("01001", "DUPONTEL", "Lionel", "13/10/1968"),
        ("01001", "DUPONTEL", "Lionel", "07/09/1970"),
        True,
    ),
    (
        "un chiffre",
        ("01001", "DUPONTEL", "Christophe", "30/03/1960"),
        ("01001", "DUPONTEL", "Christophe Gilbert", "30/03/1964"),
        True,
    ),
    (
        "jour et mois",
        ("01001", "DUPONTEL", "Christophe Gilbert", "07/10/1968"),
        ("01001", "DUPONTEL", "Christophe", "10/07/1968"),
        True,
    ),
    (
        "année ±1",
        ("01001", "DUPONTEL", "Christophe", "08/01/1962"),
        ("01001", "DUPONTEL", "Christophe Gilbert", "08/01/1961"),
        True,
    ),
    (
        "autre commune",
        ("01001", "DUPONTEL", "Lionel", "13/10/1968"),
        ("01002", "DUPONTEL", "Lionel", "07/09/1970"),
        False,
    ),
    (
        "autre prénom",
        ("01001", "DUPONTEL", "Lionel", "13/10/1968"),
        ("01001", "DUPONTEL", "Marc", "13/10/1969"),
        False,
    ),
    (
        "prénom compatible sans faute",
        ("01001", "DUPONTEL", "Christophe", "30/03/1960"),
        ("01001", "DUPONTEL", "Christophe Gilbert", "30/03/1975"),
        False,
    ),
]


@pytest.mark.parametrize(
    ("kind", "first", "later", "same"), TYPO_CASES, ids=[c[0] for c in TYPO_CASES]
)
def test_a_birth_date_typo_between_two_files(db, tmp_path, kind, first, later, same):
    import_rne(_mayors_file(tmp_path, "a.csv", [first]), data_date=date(2026, 6, 1))
    import_rne(_mayors_file(tmp_path, "b.csv", [later]), data_date=date(2026, 7, 1))
    persons = Person.objects.filter(last_name="DUPONTEL")
    assert persons.count() == (1 if same else 2)
    doubts = IdentityDoubt.objects.filter(file_last_name="DUPONTEL", merged=True)
    if same:
        doubt = doubts.get()
        assert doubt.file_birth_date == D("-".join(reversed(later[3].split("/"))))
        assert doubt.known_birth_date == D("-".join(reversed(first[3].split("/"))))
        assert doubt.date_distance
        # The later record's spelling and date are kept: the next file matches them at once.
        assert PersonAlias.objects.filter(person=persons.get()).exists()
    else:
        assert not doubts.exists()


def test_the_same_name_twice_in_one_file_stays_two_persons(db, tmp_path):
    """Father and son of the same name on one council: never merged with each other."""
    import_rne(
        _mayors_file(tmp_path, "a.csv", [("01001", "DUPONTEL", "Jean", "13/10/1950")]),
        data_date=date(2026, 6, 1),
    )
    both = [
        ("01001", "DUPONTEL", "Jean", "13/10/1950"),
        ("01001", "DUPONTEL", "Jean", "13/10/1980"),
    ]
    import_rne(_mayors_file(tmp_path, "b.csv", both), data_date=date(2026, 7, 1))
    assert Person.objects.filter(last_name="DUPONTEL").count() == 2


@pytest.mark.parametrize(
    ("code", "name"), [("01013", "MANOS"), ("02192", "PHILIPON"), ("22042", "LE ROLLAND")]
)
def test_re_elected_mayors_of_the_issue_are_no_longer_new(db, code, name):
    before, after = default_comparison()
    changes = [c for c in compute_changes(before, after).changes if c.territory_key == code]
    assert [c.type for c in changes if c.type != ChangeType.DEPARTED] == [ChangeType.RE_ELECTED]
    doubt = IdentityDoubt.objects.get(file_last_name=name, snapshot=after, merged=True)
    assert doubt.known_birth_date != doubt.file_birth_date


def test_the_latest_official_spelling_is_shown_and_the_former_one_searchable(db, tmp_path):
    from mandature.movement.scope import Scope
    from mandature.relations.services import search_officials

    import_rne(
        _mayors_file(tmp_path, "a.csv", [("01001", "GREGOIRE", "Emmanuel", "24/12/1977")]),
        data_date=date(2026, 6, 1),
    )
    import_rne(
        _mayors_file(tmp_path, "b.csv", [("01001", "GRÉGOIRE", "Emmanuel", "24/12/1977")]),
        data_date=date(2026, 7, 1),
    )
    person = Person.objects.get(match_key__startswith="gregoire|emmanuel|")
    assert person.display_name == "Emmanuel GRÉGOIRE"
    # A file without the accent does not take it away.
    import_rne(
        _mayors_file(tmp_path, "c.csv", [("01001", "GREGOIRE", "Emmanuel", "24/12/1977")]),
        data_date=date(2026, 8, 1),
    )
    person.refresh_from_db()
    assert person.display_name == "Emmanuel GRÉGOIRE"
    # Another spelling in a later file becomes the name; the former one is still found.
    import_rne(
        _mayors_file(tmp_path, "d.csv", [("01001", "GRÉGOIRE-DUVAL", "Emmanuel", "24/12/1977")]),
        data_date=date(2026, 9, 1),
    )
    person.refresh_from_db()
    assert person.display_name == "Emmanuel GRÉGOIRE-DUVAL"
    found = [f.person.pk for f in search_officials(Scope(national=True), "gregoire emmanuel")]
    assert person.pk in found


# --- merge, split, undo -----------------------------------------------------------------------
def _state(*pks):
    """Every row of these persons and pointing to them, as the database holds them."""
    from mandature.officials.merging import _serialised, rows_of

    rows = [*Person.objects.filter(pk__in=pks), *rows_of(list(pks))]
    return sorted(_serialised(rows), key=lambda r: (r["model"], r["pk"]))


def test_staff_merge_two_persons_and_undo_it(client, personas, tmp_path):
    from mandature.core.models import AuditLog
    from mandature.officials.models import IdentityOperation
    from mandature.relations.models import Contact, Interaction, Note
    from tests.conftest import login

    _another_mayor_born_the_same_day(tmp_path)
    doubt = IdentityDoubt.objects.get(file_last_name="MARTINEAU", merged=False)
    keep, gone = doubt.other, doubt.person
    Contact.objects.create(person=keep, email="maire@exemple.fr")
    Contact.objects.create(person=gone, email="autre@exemple.fr")
    Note.objects.create(person=gone, text="Rencontré au congrès", author=personas.admin)
    exchange = Interaction.objects.create(kind="meeting", date=date(2026, 7, 2), summary="Visite")
    exchange.persons.add(gone)
    before = _state(keep.pk, gone.pk)

    login(client, personas.admin)
    html = client.get("/elus/identites/?fusion=non").content.decode()
    link = f"?garder={keep.pk}&amp;fusionner={gone.pk}"
    assert link in html
    page = client.get(f"/elus/identites/fusion/?garder={keep.pk}&fusionner={gone.pk}")
    text = page.content.decode()
    assert "Paul MARTINEAU" in text
    assert "1 note" in text and "1 échange" in text  # what moves, counted before merging
    response = client.post(
        "/elus/identites/fusion/", {"garder": keep.pk, "fusionner": gone.pk}, follow=True
    )
    assert "Fusion faite" in response.content.decode()
    assert not Person.objects.filter(pk=gone.pk).exists()
    assert Note.objects.get(text="Rencontré au congrès").person == keep
    assert list(exchange.persons.all()) == [keep]
    assert Contact.objects.get(person=keep).email == "maire@exemple.fr"
    assert keep.mandates.count() == 1  # the same seat and start: one mandate
    assert AuditLog.objects.filter(action="identity-merge").exists()
    # Found under the merged person's name too.
    assert PersonAlias.objects.filter(person=keep, last_name="MARTINEAU").exists()

    operation = IdentityOperation.objects.get()
    response = client.post(f"/elus/identites/operations/{operation.pk}/annuler/", follow=True)
    assert "Annulé" in response.content.decode()
    assert _state(keep.pk, gone.pk) == before
    operation.refresh_from_db()
    assert operation.undone_at is not None
    assert AuditLog.objects.filter(action="identity-undo").exists()


def test_staff_split_a_wrong_match_and_undo_it(client, personas):
    from mandature.officials.models import IdentityOperation
    from tests.conftest import login

    doubt = IdentityDoubt.objects.get(file_last_name="MANOS", merged=True)
    person = doubt.person
    before = _state(person.pk)
    login(client, personas.admin)
    listing = client.get("/elus/identites/?dates=oui").content.decode()
    assert "Lionel MANOS" in listing and "écart de 1 an 10 mois" in listing
    assert f"/elus/identites/{doubt.pk}/separer/" in listing
    page = client.get(f"/elus/identites/{doubt.pk}/separer/").content.decode()
    assert "07/09/1970" not in page and "13/10/1968" not in page  # never the dates
    assert "1 an 10 mois" in page
    client.post(f"/elus/identites/{doubt.pk}/separer/")
    manos = Person.objects.filter(last_name="MANOS", mandates__commune_id="01013").distinct()
    assert manos.count() == 2
    new = manos.exclude(pk=person.pk).get()
    assert new.birth_date == date(1970, 9, 7)
    assert new.mandates.get().start_date.year == 2026
    assert not person.mandates.filter(start_date__year=2026).exists()
    operation = IdentityOperation.objects.get()
    client.post(f"/elus/identites/operations/{operation.pk}/annuler/")
    assert not Person.objects.filter(pk=new.pk).exists()
    assert _state(person.pk) == before


def test_identity_actions_are_for_administrators_only(client, personas):
    doubt = IdentityDoubt.objects.filter(merged=True).first()
    assert client.post(f"/elus/identites/{doubt.pk}/separer/").status_code == 403


def test_a_merge_changes_the_counts_at_once(db, tmp_path):
    """The comparisons kept in memory and the renewal's counts follow a merge and its undoing."""
    from mandature.officials.merging import merge, undo
    from mandature.officials.models import Snapshot
    from mandature.officials.services import cached_changes

    _another_mayor_born_the_same_day(tmp_path)
    before, after = Snapshot.objects.filter(file_name__in=("a.csv", "b.csv")).order_by("data_date")

    def new_in_01001():
        changes = cached_changes(before, after).of_type(ChangeType.NEW_MAYOR)
        return [c for c in changes if c.seat.commune_id == "01001"]

    assert len(new_in_01001()) == 1
    doubt = IdentityDoubt.objects.get(file_last_name="MARTINEAU", merged=False)
    operation = merge(doubt.other, doubt.person)
    assert new_in_01001() == []  # one person: nobody new in Abergement-Clémenciat
    undo(operation)
    assert len(new_in_01001()) == 1
