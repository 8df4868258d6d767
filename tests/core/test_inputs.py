"""Bounded inputs: compressed files inflate within their caps, control characters never get
into what is stored, whichever form or import they come through."""

import gzip
import importlib
import io
import pkgutil
import re
import zipfile

import pytest
from django import forms

import mandature
from mandature.core.files import MEGABYTE, read_members
from mandature.core.forms import CleanText
from mandature.core.ingest import FileProblems
from mandature.core.ingest.source import read_one
from mandature.core.text import strip_controls
from mandature.officials.services import commune_team
from mandature.relations.models import Contact, Note
from mandature.territories.models import Commune
from tests.bombs import gzip_bomb, zip_bomb
from tests.conftest import login


def test_a_gzip_bomb_is_refused_by_its_ratio_without_being_inflated(tmp_path):
    path = gzip_bomb(tmp_path / "bombe.csv.gz")  # 1 Gio of zeros in about 1 Mo
    with pytest.raises(FileProblems) as error:
        read_one(path)
    assert str(error.value) == (
        f"{path}:0: column « - »: fichier décompressé trop grand (plus de 99 Mo) : plus de 100 fois sa taille "
        "compressée"
    )


def test_a_zip_of_three_big_members_is_refused_on_their_total(tmp_path):
    path = zip_bomb(tmp_path / "bombe.zip", members=3, size=400 * MEGABYTE)
    with pytest.raises(
        FileProblems, match=r"bombe.zip:0: column « - »: fichier décompressé trop grand \(plus de"
    ):
        read_one(path)


def test_the_size_cap_holds_whatever_the_ratio(tmp_path, settings):
    settings.INFLATED_MAX_RATIO = 1_000_000
    settings.INFLATED_MAX_BYTES = 32 * MEGABYTE
    path = gzip_bomb(tmp_path / "gros.csv.gz", size=48 * MEGABYTE)
    with pytest.raises(
        FileProblems,
        match=r"gros.csv.gz:0: column « - »: fichier décompressé trop grand \(plus de "
        r"32 Mo\)$",
    ):
        read_one(path)


def test_small_files_are_never_refused_for_their_ratio(tmp_path):
    path = tmp_path / "zeros.csv.gz"
    path.write_bytes(gzip.compress(bytes(5 * MEGABYTE)))  # a ratio of 1,000, but 5 Mo only
    assert len(read_one(path).raw) == 5 * MEGABYTE


def test_a_gzipped_zip_gives_its_members(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", "a\n1\n")
        archive.writestr("dossier/", "")
        archive.writestr("b.csv", "b\n2\n")
    path = tmp_path / "deux.zip.gz"
    path.write_bytes(gzip.compress(buffer.getvalue()))
    assert read_members(path) == [(f"{path}!a.csv", b"a\n1\n"), (f"{path}!b.csv", b"b\n2\n")]
    with pytest.raises(FileProblems, match="archive zip de 2 fichiers, un seul attendu"):
        read_one(path)


@pytest.mark.parametrize(
    ("text", "multiline", "expected"),
    [
        ("Du\x00pont", False, "Dupont"),
        ("Jean\tMarie\r\nDupont", False, "Jean Marie Dupont"),
        ("ligne 1\r\n\tligne 2\x0b", True, "ligne 1\r\n\tligne 2"),
        ("\x1f\x7f\x85é", True, "é"),
        ("« Lille » — 59 000 €", False, "« Lille » — 59 000 €"),
    ],
)
def test_control_characters_are_dropped(text, multiline, expected):
    assert strip_controls(text, multiline=multiline) == expected


def _project_forms():
    for module in pkgutil.walk_packages(mandature.__path__, "mandature."):
        if ".migrations" not in module.name and not module.name.endswith(("wsgi", "asgi")):
            importlib.import_module(module.name)
    pending, found = [forms.BaseForm], set()
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("mandature."):
                found.add(subclass)
    return found


def test_every_form_of_the_project_drops_control_characters(db):
    found = _project_forms()
    assert len(found) >= 20  # the walk did find the forms
    missing = sorted(
        f"{f.__module__}.{f.__qualname__}" for f in found if not issubclass(f, CleanText)
    )
    assert not missing, f"mix CleanText (mandature/core/forms.py) into: {missing}"


def test_names_and_notes_typed_with_control_characters_are_stored_without_them(client, personas):
    mayor = commune_team(Commune.objects.get(code="59350")).mayor.person
    login(client, personas.regional)
    # a NUL is refused before any form reads it (NulRefusedMiddleware): nothing stored
    refused = client.post(f"/elus/{mayor.pk}/contact/", {"salutation": "Monsieur\x00 le Maire"})
    assert refused.status_code == 400 and not Contact.objects.filter(person=mayor).exists()
    # the other control characters are dropped by the form
    client.post(
        f"/elus/{mayor.pk}/contact/",
        {
            "salutation": "Monsieur le\x01 Maire",
            "preferred_channel": "email",
            "postal_address": "Place Augustin-Laurent\x0b\r\n59000\x1b Lille",
        },
    )
    contact = Contact.objects.get(person=mayor)
    assert contact.salutation == "Monsieur le Maire"
    assert contact.postal_address == "Place Augustin-Laurent\r\n59000 Lille"
    client.post(f"/elus/{mayor.pk}/notes/", {"text": "Appel\x08 du cabinet\n\tà rappeler\x07"})
    assert Note.objects.get(person=mayor).text == "Appel du cabinet\n\tà rappeler"


def test_a_survey_text_answer_is_stored_without_control_characters(db):
    from mandature.surveys.models import QuestionKind, Survey
    from mandature.surveys.services import read_page

    question = Survey.objects.get(is_example=True).questions.filter(kind=QuestionKind.TEXT)[0]
    result = read_page([question], {question.key: "Plus\x00 de\x1b logements"}, {}, require=True)
    assert result.answers == {question.key: "Plus de logements"}


def web_routes() -> list[str]:
    """Every route of the web UI and the API, its parameters filled (« 1 » for numbers, « x »
    for text), so that no route is forgotten."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)

    walk(get_resolver().url_patterns, "/")
    paths = set()
    for route in found:
        route = route.lstrip("^").rstrip("$").replace("\\Z", "")
        for converter, value in (("int", "1"), ("str", "x"), ("path", "x"), ("slug", "x")):
            route = re.sub(rf"<{converter}:\w+>", value, route)
        route = re.sub(r"<\w+>", "x", route)
        if "(" not in route and "<" not in route:  # a few regular expressions of admin/static
            paths.add(route)
    return sorted(paths)


def test_every_route_refuses_a_nul_character_with_a_french_400(client, personas):
    """A NUL in the address, the query string, a form or a JSON body: 400 and a French page
    before any view runs (PostgreSQL refuses NUL in text: a 500 on every view that compared it
    with a column — check-in codes, organisations, the audit log, codes in the path…)."""
    routes = web_routes()
    assert len(routes) > 100
    for route in routes:
        response = client.get(f"{route}?q=a%00b")
        if route.startswith("/api/"):  # the API refuses it by its schema: 422, never a 500
            assert response.status_code in (200, 401, 404, 405, 422), route
            continue
        assert response.status_code == 400, route
        assert "caractère nul" in response.content.decode(), route
    for path in ("/communes/59%00350/", "/departements/5%009/", "/tableau-de-bord/3%002/"):
        assert client.get(path).status_code == 400, path
    assert client.post("/organisations/", {"q": "a\x00b"}).status_code == 400
    answer = client.post(
        "/evenements/1/accueil/pointer/",
        data='{"code": "a\\u0000b"}',
        content_type="application/json",
    )
    assert answer.status_code == 400
    # without NUL, the same searches answer
    for url in ("/recherche?q=lille", "/elus/recherche/?q=dupont", "/organisations/?q=habitat"):
        assert client.get(url).status_code == 200, url
