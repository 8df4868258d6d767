"""Surveys: the example and its copy, the builder and its frozen versions, distribution by a
campaign with personal links, answering page by page (conditions, save and resume, refused
values), results where small groups are hidden, exports and the PDF report."""

import csv
import io
import re
import subprocess

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mandature.campaigns.models import Campaign, Segment
from mandature.campaigns.services import launch
from mandature.core.models import AuditLog
from mandature.movement.scope import scope_of
from mandature.relations.models import Interaction
from mandature.surveys import services
from mandature.surveys.models import Question, Respondent, Survey
from tests.campaigns.test_campaigns import give_emails
from tests.conftest import login

NEW_MAYORS_62 = {"function": "maire", "status": "nouveau", "territory": "departement:62"}
LINK = re.compile(r"http://testserver(/enquete/[^/\s)\]]+/)")


def example() -> Survey:
    return Survey.objects.get(is_example=True)


def open_copy(user, **fields) -> Survey:
    survey = services.copy_survey(example(), user)
    Survey.objects.filter(pk=survey.pk).update(status="open", **fields)
    survey.refresh_from_db()
    return survey


def page1(**extra) -> dict:
    return {"page": "1", "action": "next", "q1": "1", "q2": "8", "q3": "1", "q4": "120"} | extra


def test_the_example_is_copied_then_frozen_once_open(personas, anonymous):
    client = login(anonymous, personas.regional)
    assert example().questions.count() == 15
    listing = client.get(reverse("web:surveys")).content.decode()
    assert "Les maires et le logement social (modèle)" in listing
    response = client.post(reverse("web:survey-copy", args=[example().pk]))
    survey = Survey.objects.exclude(is_example=True).get()
    assert response.url == survey.get_absolute_url()
    assert survey.questions.count() == 15 and survey.status == "draft"
    assert survey.organisation == personas.regional.profile.organisation
    # The builder: a new question, a condition on an earlier one, a wrong condition refused.
    url = reverse("web:question-new", args=[survey.pk])
    bad = client.post(
        url,
        {
            "page": "4",
            "position": "20",
            "kind": "single",
            "label": "Et ?",
            "choices_text": "A\nB",
            "condition_key": "q1",
            "condition_text": "Peut-être",
        },
    ).content.decode()
    assert "« Peut-être » n&#x27;est pas une réponse possible" in bad
    client.post(
        url,
        {
            "page": "4",
            "position": "20",
            "kind": "single",
            "label": "Pourquoi ?",
            "choices_text": "A\nB",
            "condition_key": "q1",
            "condition_text": "Oui",
        },
    )
    added = survey.questions.get(key="q16")
    assert added.condition_key == "q1" and added.condition_values == ["Oui"]
    client.post(reverse("web:survey-status", args=[survey.pk, "ouvrir"]))
    survey.refresh_from_db()
    assert survey.status == "open" and survey.opened_at
    # Open: the questions are frozen; a new version is a draft copy.
    page = client.get(reverse("web:question-edit", args=[survey.pk, added.pk]), follow=True)
    assert "ne se modifie plus" in page.content.decode()
    client.post(reverse("web:question-delete", args=[survey.pk, added.pk]))
    assert survey.questions.filter(pk=added.pk).exists()
    client.post(reverse("web:survey-copy", args=[survey.pk]))
    version = Survey.objects.get(previous=survey)
    assert version.version == 2 and version.status == "draft" and version.questions.count() == 16


def test_sent_to_a_segment_answered_page_by_page_through_the_personal_link(
    personas, anonymous, smtp_sink, django_capture_on_commit_callbacks
):
    from mandature.campaigns.segments import evaluate
    from mandature.campaigns.sending import run

    regional = personas.regional
    segment = Segment.objects.create(
        name="Nouveaux maires du 62",
        filters=NEW_MAYORS_62,
        organisation=regional.profile.organisation,
    )
    survey = open_copy(regional, segment_id=segment.pk)
    members = evaluate(NEW_MAYORS_62, scope_of(regional)).members
    by_address = give_emails(members[:3])
    client = login(anonymous, regional)
    client.post(reverse("web:survey-campaign", args=[survey.pk, "invited"]))
    campaign = Campaign.objects.get(survey=survey)
    assert "{lien_enquete}" in campaign.body and campaign.communication_kind == "survey"
    with django_capture_on_commit_callbacks(execute=True):
        launch(campaign, regional, scope_of(regional))
    run(campaign.pk)
    assert len(smtp_sink.messages) == 3
    message = smtp_sink.messages[0]
    link = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    person = by_address[message["To"].addresses[0].addr_spec].entry.person
    respondent = Respondent.objects.get(survey=survey, person=person)
    assert (respondent.departement, respondent.region, respondent.renewal) == (
        "62",
        "32",
        "nouveau",
    )
    page = client.get(reverse("web:survey", args=[survey.pk])).content.decode()
    assert "0</strong> réponse sur <strong>3</strong>" in page

    anonymous.logout()
    assert "Page 1 sur 4" in anonymous.get(link).content.decode()
    refused = anonymous.post(link, page1(q1="7", q2="11", q4="beaucoup", q3="")).content.decode()
    assert "Ce choix ne fait pas partie de la question" in refused
    assert "Choisissez une valeur de 1 à 10" in refused
    assert "« beaucoup » n&#x27;est pas un nombre" in refused
    assert "Réponse obligatoire" in refused
    assert "Page 1 sur 4" in refused
    page = anonymous.post(link, page1()).content.decode()
    assert "Page 2 sur 4" in page
    # Save and resume: page 2 half done, come back later with the same link.
    page = anonymous.post(link, {"page": "2", "action": "later", "q7": "0"}).content.decode()
    assert "Vos réponses sont enregistrées" in page
    again = anonymous.get(link).content.decode()
    assert "Page 2 sur 4" in again and 'value="0" checked' in again
    matrix = {f"q6_{i}": "4" for i in range(5)}
    page = anonymous.post(
        link, {"page": "2", "action": "next", "q7": "0", "q8": "0", **matrix}
    ).content.decode()
    # q8 = « Oui »: page 3 asks what holds the projects back, not why there is none.
    assert 'id="question-q9"' in page and 'id="question-q10"' in page
    assert re.search(r'id="question-q10"[^>]*hidden', page)
    assert not re.search(r'id="question-q9"[^>]*hidden', page)
    anonymous.post(link, {"page": "3", "action": "next", "q9": ["0", "3"], "q10": "1", "q12": "0"})
    respondent.refresh_from_db()
    assert respondent.answers["q9"] == ["Le prix du foncier", "Le financement"]
    assert "q10" not in respondent.answers  # hidden by its condition: not kept
    done = anonymous.post(
        link,
        {"page": "4", "action": "submit", "q14": "0", "q15": "Plus de logements pour les jeunes"},
    )
    assert "Merci pour vos réponses" in done.content.decode()
    respondent.refresh_from_db()
    assert respondent.submitted_at is not None and respondent.answers["q2"] == 8
    assert "Vos réponses ont déjà été envoyées" in anonymous.get(link).content.decode()
    (interaction,) = Interaction.objects.filter(persons=person, kind="survey")
    assert survey.title in interaction.summary
    # The reminder goes to the two who have not answered.
    reminder = Campaign(segment=segment, survey=survey, survey_audience="pending")
    from mandature.campaigns.services import audience

    others = {m.entry.person_id for m in audience(reminder, scope_of(regional)).members}
    assert person.pk not in others and len(others) == len(members) - 1


def test_closed_survey_and_unknown_link_get_clear_pages(personas, anonymous):
    survey = open_copy(personas.regional)
    respondent = Respondent.objects.create(survey=survey)
    url = reverse("web:survey-answer", args=[respondent.key])
    assert anonymous.get(url).status_code == 200
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now())
    response = anonymous.get(url)
    assert response.status_code == 410 and "Cette enquête est close" in response.content.decode()
    response = anonymous.get(reverse("web:survey-answer", args=["pas-une-cle"]))
    assert response.status_code == 404
    assert "Ce lien d'enquête n'est pas valide" in response.content.decode()


def test_the_public_link_gives_each_visit_its_own_anonymous_answer(personas, anonymous):
    survey = open_copy(personas.regional, public_link=True, anonymous=True)
    url = reverse("web:survey-public", args=[survey.public_key])
    assert "Commencer" in anonymous.get(url).content.decode()
    first = anonymous.post(url)
    second = anonymous.post(url)
    assert first.url != second.url and Respondent.objects.filter(source="public").count() == 2
    assert "Page 1 sur 4" in anonymous.get(first.url).content.decode()
    closed = open_copy(personas.regional)  # no public link
    assert anonymous.get(reverse("web:survey-public", args=[closed.public_key])).status_code == 404


def make_answers(survey, region: str, count: int, q7: str, **profile) -> None:
    for n in range(count):
        Respondent.objects.create(
            survey=survey,
            region=region,
            submitted_at=timezone.now(),
            answers={
                "q1": "Oui",
                "q2": 5 + n % 5,
                "q7": q7,
                "q6": {"0": 3, "1": 4},
                "q15": f"Réponse libre {region} {n}",
            },
            **profile,
        )


def test_results_hide_every_group_and_cell_of_fewer_than_five(personas, anonymous, tmp_path):
    survey = open_copy(personas.regional)
    make_answers(survey, "32", 6, "Tout à fait d'accord")
    make_answers(survey, "32", 2, "Plutôt d'accord")
    make_answers(survey, "11", 3, "Tout à fait d'accord")
    data = services.results(survey, dimension="region")
    assert data["count"] == 11
    q7 = next(i for i in data["questions"] if i["question"].key == "q7")
    rows = {r["label"]: r for r in q7["rows"]}
    assert (
        rows["Tout à fait d'accord"]["count"] == 9
        and not rows["Tout à fait d'accord"]["cell"].hidden
    )
    assert rows["Plutôt d'accord"]["cell"].hidden  # 2 people: not shown
    columns = {label: (n, small) for _v, label, n, small in data["columns"]}
    assert columns["Hauts-de-France"] == (8, False) and columns["Île-de-France"] == (3, True)
    cells = {row["label"]: row["cells"] for row in q7["crosstab"]}
    labels = [label for _v, label, *_ in data["columns"]]
    hdf, idf = labels.index("Hauts-de-France"), labels.index("Île-de-France")
    assert cells["Tout à fait d'accord"][hdf].text == "75 %"
    assert cells["Tout à fait d'accord"][idf].hidden  # a group of 3
    assert cells["Plutôt d'accord"][hdf].hidden  # 2 of 8
    q3 = next(i for i in data["questions"] if i["question"].key == "q3")
    assert q3["hidden"] and q3["n"] == 0
    client = login(anonymous, personas.regional)
    page = client.get(
        reverse("web:survey-results", args=[survey.pk]), {"croisement": "region", "texte": "ile de"}
    ).content.decode()
    assert "75 %" in page and "moins de 5" in page and "<svg" in page
    assert "Réponse libre 11 0" not in page  # the search is « ile de »: no free text matches
    page = client.get(
        reverse("web:survey-results", args=[survey.pk]), {"texte": "libre 11"}
    ).content.decode()
    assert page.count("« Réponse libre 11") == 3 and "Réponse libre 32" not in page
    response = client.get(reverse("web:survey-report", args=[survey.pk]), {"croisement": "region"})
    path = tmp_path / "rapport.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Les maires et le logement social" in text and "75 %" in text and "—" in text


def test_exports_name_respondents_only_for_named_surveys_and_allowed_users(personas, anonymous):
    from mandature.officials.models import Person

    survey = open_copy(personas.regional)
    person = Person.objects.filter(entries__commune__departement_id="62").first()
    Respondent.objects.create(
        survey=survey,
        person=person,
        departement="62",
        region="32",
        submitted_at=timezone.now(),
        answers={"q1": "Oui", "q5": ["Les jeunes", "Les familles"], "q6": {"0": 2}, "q15": "=1+1"},
    )
    client = login(anonymous, personas.regional)
    text = client.get(reverse("web:survey-export", args=[survey.pk, "csv"])).getvalue().decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["numero", "prenom", "nom"]
    assert rows[1][1:3] == [person.first_name, person.last_name]
    assert "Les jeunes | Les familles" in rows[1] and "'=1+1" in rows[1]
    Survey.objects.filter(pk=survey.pk).update(anonymous=True)
    text = client.get(reverse("web:survey-export", args=[survey.pk, "xlsx"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(text.getvalue())).active
    header = [c.value for c in sheet[1]]
    assert "nom" not in header and "departement" not in header and header[0] == "numero"
    assert person.last_name not in [c.value for c in sheet[2]]
    assert AuditLog.objects.filter(action="export des réponses d'une enquête").count() == 2
    login(anonymous, personas.reader)
    assert anonymous.get(reverse("web:survey-export", args=[survey.pk, "csv"])).status_code == 403


def test_questions_are_checked_when_built(personas):
    from mandature.surveys.forms import QuestionForm

    survey = services.copy_survey(example(), personas.regional)
    form = QuestionForm(
        {"page": "1", "position": "1", "kind": "single", "label": "?", "choices_text": "Seul"},
        survey=survey,
    )
    assert not form.is_valid() and "Deux choix au moins." in form.errors["choices_text"]
    form = QuestionForm(
        {
            "page": "1",
            "position": "1",
            "kind": "single",
            "label": "?",
            "choices_text": "A\nB",
            "condition_key": "q14",
            "condition_text": "Oui, rapidement",
        },
        survey=survey,
    )
    assert not form.is_valid() and "placée avant" in str(form.errors["condition_key"])
    assert Question.objects.filter(survey=survey).count() == 15
    assert mail.outbox == []


def test_results_follow_new_and_erased_answers(personas):
    survey = open_copy(personas.regional)
    make_answers(survey, "32", 5, "Plutôt d'accord")
    first = services.results(survey)["count"]
    make_answers(survey, "32", 1, "Plutôt d'accord")
    assert (first, services.results(survey)["count"]) == (5, 6)
    survey.respondents.filter(pk=survey.respondents.first().pk).delete()  # an erasure
    data = services.results(survey)
    q7 = next(i for i in data["questions"] if i["question"].key == "q7")
    assert data["count"] == 5 and q7["rows"][1]["count"] == 5


def test_a_question_left_empty_is_not_counted_as_answered(personas, anonymous):
    survey = open_copy(personas.regional)
    respondent = Respondent.objects.create(survey=survey)
    url = reverse("web:survey-answer", args=[respondent.key])
    anonymous.post(url, page1(q4=""))  # the number is optional
    respondent.refresh_from_db()
    assert "q4" not in respondent.answers and respondent.answers["q1"] == "Non"
    Respondent.objects.create(
        survey=survey, submitted_at=timezone.now(), answers={"q1": "Oui", "q4": None, "q15": ""}
    )
    data = services.results(survey)
    counts = {i["question"].key: i["n"] for i in data["questions"]}
    assert counts["q4"] == 0 and counts["q15"] == 0 and counts["q1"] == 1
