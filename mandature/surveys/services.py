"""Surveys: the answer pages (display conditions, validation, save and resume, submission),
the invitations made by a campaign, the results with cross-tabulations where no group of fewer
than `min_cell` respondents is shown, response rates, versions and the seeded example."""

import re
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from mandature.core.text import fold, strip_controls
from mandature.movement.access import organisation_of
from mandature.officials.enums import FUNCTIONS
from mandature.relations.enums import InteractionKind, Source
from mandature.relations.models import Interaction
from mandature.surveys.charts import bars
from mandature.territories.enums import BANDS
from mandature.territories.models import Departement, Region

from .models import Question, QuestionKind, Respondent, Survey

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
SCALE_KINDS = (QuestionKind.SCALE5, QuestionKind.SCALE10)
MAX_TEXT = 5000


# --- links ------------------------------------------------------------------------------------
def respondent_link(respondent: Respondent) -> str:
    return settings.SITE_URL + reverse("web:survey-answer", args=[respondent.key])


def public_link(survey: Survey) -> str:
    return settings.SITE_URL + reverse("web:survey-public", args=[survey.public_key])


RENEWAL = {
    "new-mayor": "nouveau",
    "first-time-mayor": "nouveau",
    "new-president": "nouveau",
    "re-elected": "reelu",
}


def band_of(population) -> str:
    if population is None:
        return ""
    for key, (_label, low, high) in BANDS.items():
        if population >= low and (high is None or population <= high):
            return key
    return ""


def respondents_for(campaign, recipients, members_by_person: dict) -> dict[int, Respondent]:
    """The respondents of a survey campaign's recipients (person → respondent), made once: a
    reminder reuses them, and an official who already answered keeps their answer."""
    survey = campaign.survey
    persons = [r.person_id for r in recipients if r.person_id]
    found = {r.person_id: r for r in Respondent.objects.filter(survey=survey, person__in=persons)}
    segment = campaign.segment.name if campaign.segment else ""
    function = campaign.segment.filters.get("function", "") if campaign.segment else ""
    new = []
    for recipient in recipients:
        if not recipient.person_id or recipient.person_id in found:
            continue
        member = members_by_person.get(recipient.person_id)
        commune = member.entry.commune if member else None
        epci = member.entry.mandate.epci if member and member.entry.mandate.epci_id else None
        population = epci.population if epci else (commune.population if commune else None)
        new.append(
            Respondent(
                survey=survey,
                person_id=recipient.person_id,
                campaign=campaign,
                departement=commune.departement_id if commune else "",
                region=commune.region_id if commune else "",
                population_band=band_of(population),
                renewal=RENEWAL.get(member.status, "") if member else "",
                function=function,
                segment_name=segment[:200],
            )
        )
    Respondent.objects.bulk_create(new, batch_size=2000)
    if new:
        found.update(
            (r.person_id, r) for r in Respondent.objects.filter(survey=survey, person__in=persons)
        )
    return found


# --- pages, conditions, validation -------------------------------------------------------------
def pages(questions: list[Question]) -> list[int]:
    return sorted({q.page for q in questions})


def visible(question: Question, answers: dict) -> bool:
    """Shown when it has no condition, or when the answer to the question it depends on is one
    of the values given (any of them, for a multiple choice)."""
    if not question.condition_key:
        return True
    given = answers.get(question.condition_key)
    if given is None or given == "" or given == []:
        return False
    given = given if isinstance(given, list) else [given]
    wanted = {str(v) for v in question.condition_values}
    return any(str(value) in wanted for value in given)


@dataclass
class PageResult:
    answers: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # field name → message


def read_page(questions: list[Question], data, answers: dict, *, require: bool) -> PageResult:
    """The answers of one page from a POST, checked: a choice not offered, a value out of the
    scale, a number that is not one, a required question left empty are refused on their
    field. Questions hidden by their condition are dropped."""
    result = PageResult()
    merged = dict(answers)
    for question in questions:
        key = question.key
        try:
            value = _value(question, data)
        except ValueError as error:
            result.errors[key] = str(error)
            continue
        merged[key] = value
        result.answers[key] = value
    for question in questions:  # conditions may depend on answers of this very page
        if not visible(question, merged):
            result.answers.pop(question.key, None)
            result.errors.pop(question.key, None)
            continue
        value = result.answers.get(question.key)
        if (
            require
            and question.required
            and question.key not in result.errors
            and _empty(question, value)
        ):
            result.errors[question.key] = "Réponse obligatoire."
    return result


def _empty(question: Question, value) -> bool:
    if question.kind == QuestionKind.MATRIX:
        return not value or len(value) < len(question.items)
    return value is None or value == "" or value == []


def _value(question: Question, data):
    key, kind = question.key, question.kind
    if kind == QuestionKind.SINGLE:
        raw = data.get(key, "")
        if raw == "":
            return None
        return question.choices[_index(raw, len(question.choices))]
    if kind == QuestionKind.MULTIPLE:
        raws = data.getlist(key) if hasattr(data, "getlist") else data.get(key, [])
        return [question.choices[_index(raw, len(question.choices))] for raw in raws] or None
    if kind in SCALE_KINDS:
        raw = data.get(key, "")
        if raw == "":
            return None
        return _scale(raw, question.scale)
    if kind == QuestionKind.NUMBER:
        raw = (data.get(key) or "").strip().replace("\u202f", "").replace(" ", "")
        if raw == "":
            return None
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"« {raw[:20]} » n'est pas un nombre.") from None
        if not value.is_finite() or abs(value) > 10**12:
            raise ValueError("Nombre hors limites.")
        return int(value) if value == value.to_integral_value() else float(value)
    if kind == QuestionKind.TEXT:
        text = strip_controls(data.get(key) or "").strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"{MAX_TEXT} caractères au plus.")
        return text or None
    # matrix: one answer on the 1–5 scale per item
    values = {}
    for index, _item in enumerate(question.items):
        raw = data.get(f"{key}_{index}", "")
        if raw != "":
            values[str(index)] = _scale(raw, question.scale)
    return values or None


def _index(raw, size: int) -> int:
    if not str(raw).isdigit() or int(raw) >= size:
        raise ValueError("Ce choix ne fait pas partie de la question.")
    return int(raw)


def _scale(raw, scale: list[int]) -> int:
    if not str(raw).isdigit() or int(raw) not in scale:
        raise ValueError(f"Choisissez une valeur de {scale[0]} à {scale[-1]}.")
    return int(raw)


class Closed(ValueError):
    """The survey takes no answer: closed, past its closing date, or already answered."""


def closed_reason(survey: Survey, respondent: Respondent | None = None) -> str:
    if respondent is not None and respondent.submitted_at is not None:
        return "already"
    if survey.status == Survey.Status.DRAFT:
        return "draft"
    if survey.status == Survey.Status.CLOSED or (
        survey.closes_at is not None and survey.closes_at <= timezone.now()
    ):
        return "closed"
    return ""


def save_page(
    respondent: Respondent, questions: list[Question], page: int, data, *, action: str
) -> tuple[PageResult, int | None]:
    """Record one page: « later » saves what is valid and stops, « back » goes to the previous
    page, « next » and « submit » need the page complete. Returns the result and the page to
    show next (None: submitted)."""
    survey_pages = pages(questions)
    on_page = [q for q in questions if q.page == page]
    result = read_page(on_page, data, respondent.answers, require=action in ("next", "submit"))
    with transaction.atomic():
        locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
        if closed_reason(respondent.survey, locked):
            raise Closed(closed_reason(respondent.survey, locked))
        answers = dict(locked.answers)
        for question in on_page:
            answers.pop(question.key, None)
        answers.update(
            {
                k: v
                for k, v in result.answers.items()
                if k not in result.errors and v not in (None, "", [])
            }
        )
        # answers of questions no longer shown (an earlier answer changed) are dropped
        answers = {
            k: v
            for k, v in answers.items()
            if any(q.key == k and visible(q, answers) for q in questions)
        }
        locked.answers = answers
        locked.started_at = locked.started_at or timezone.now()
        following = [p for p in survey_pages if p > page and _page_shown(questions, p, answers)]
        earlier = [p for p in survey_pages if p < page and _page_shown(questions, p, answers)]
        target = page
        if not result.errors or action in ("later", "back"):
            if action == "back" and earlier:
                target = earlier[-1]
            elif action == "next" and following:
                target = following[0]
            elif action in ("submit", "next") and not following:
                missing = _first_incomplete(questions, answers)
                if missing is not None:
                    target = missing
                    if missing == page:
                        result.errors.update(read_page(on_page, data, answers, require=True).errors)
                else:
                    locked.submitted_at = timezone.now()
                    target = None
        locked.page = target or page
        locked.save(update_fields=["answers", "started_at", "page", "submitted_at", "updated_at"])
        respondent.answers, respondent.page = locked.answers, locked.page
        respondent.submitted_at = locked.submitted_at
        if target is None:
            _record_interaction(locked)
    return result, target


def _page_shown(questions, page, answers) -> bool:
    return any(q.page == page and visible(q, answers) for q in questions)


def _first_incomplete(questions, answers) -> int | None:
    for question in questions:
        if (
            question.required
            and visible(question, answers)
            and _empty(question, answers.get(question.key))
        ):
            return question.page
    return None


def _record_interaction(respondent: Respondent) -> None:
    """A named survey's answer goes on the official's timeline (never an anonymous one)."""
    survey = respondent.survey
    if survey.anonymous or respondent.person_id is None:
        return

    interaction = Interaction.objects.create(
        kind=InteractionKind.SURVEY,
        date=timezone.localdate(respondent.submitted_at),
        organisation_id=survey.organisation_id,
        summary=f"Réponse à l'enquête « {survey} »",
        source=Source.SURVEY,
    )
    interaction.persons.add(respondent.person_id)
    Respondent.objects.filter(pk=respondent.pk).update(interaction=interaction)


# --- versions, example --------------------------------------------------------------------------
def copy_survey(survey: Survey, user, *, as_version: bool = False) -> Survey:
    """A draft copy with the same questions: a new version of an open survey, or a survey made
    from the example."""
    with transaction.atomic():
        title = survey.title.removesuffix(" (modèle)") if survey.is_example else survey.title
        new = Survey.objects.create(
            title=title,
            intro=survey.intro,
            anonymous=survey.anonymous,
            public_link=survey.public_link,
            min_cell=survey.min_cell,
            segment=survey.segment if as_version else None,
            organisation=organisation_of(user) or survey.organisation,
            created_by=user,
            version=survey.version + 1 if as_version else 1,
            previous=survey if as_version else None,
        )
        Question.objects.bulk_create(
            [
                Question(
                    survey=new,
                    key=q.key,
                    page=q.page,
                    position=q.position,
                    kind=q.kind,
                    label=q.label,
                    help_text=q.help_text,
                    required=q.required,
                    choices=q.choices,
                    items=q.items,
                    condition_key=q.condition_key,
                    condition_values=q.condition_values,
                )
                for q in survey.questions.all()
            ]
        )
    return new


def next_key(survey: Survey) -> str:
    used = {
        int(m.group(1))
        for k in survey.questions.values_list("key", flat=True)
        if (m := re.fullmatch(r"q(\d+)", k))
    }
    return f"q{max(used, default=0) + 1}"


# --- results ------------------------------------------------------------------------------------
DIMENSIONS = {
    "population_band": "population de la commune",
    "region": "région",
    "renewal": "nouveau ou réélu",
    "function": "mandat",
}


def dimension_labels(dimension: str) -> dict[str, str]:
    if dimension == "population_band":
        return {k: v[0] for k, v in BANDS.items()}
    if dimension == "region":
        return dict(Region.objects.values_list("code", "name"))
    if dimension == "renewal":
        return {"nouveau": "nouveaux élus", "reelu": "réélus"}
    return {k: v[0] for k, v in FUNCTIONS.items()}


@dataclass
class Cell:
    count: int
    share: float | None  # of the group
    hidden: bool

    @property
    def text(self) -> str:
        if self.hidden:
            return "—"
        return f"{self.share:.0f} %".replace(".", ",") if self.share is not None else "—"


def _categories(question: Question) -> list[str]:
    if question.kind in CHOICE_KINDS:
        return list(question.choices)
    if question.kind in SCALE_KINDS:
        return [str(v) for v in question.scale]
    return []


def results(
    survey: Survey,
    *,
    dimension: str = "",
    search: str = "",
    show_names: bool = False,
    names_within: Q | None = None,
) -> dict:
    """Every question's figures over the submitted answers, and the cross-tabulation by one
    dimension. No figure is shown for a group of fewer than `min_cell` respondents, nor for a
    cell (an answer within a group) counting fewer than `min_cell` people but at least one.
    One pass over the answers (5,000 × 15 in about a tenth of a second).

    The figures count every answer (they name no one, and the small-group rule holds over the
    whole survey); a free text carries its author's name only for the respondents
    `names_within` the viewer's scope (`Scope.shared_q()`), the others' texts are shown
    without a name, as in an anonymous survey."""
    questions = list(survey.questions.all())
    rows = submitted_rows(survey)
    named = show_names and not survey.anonymous
    nameable = None  # respondents whose name may be shown (None: all)
    if named and names_within:
        nameable = set(survey.respondents.filter(names_within).values_list("pk", flat=True))
    minimum = survey.min_cell
    labels = dimension_labels(dimension) if dimension in DIMENSIONS else {}
    position = 1 + list(DIMENSIONS).index(dimension) if labels else 0
    answered = Counter()  # question → respondents
    answered_by_group = defaultdict(Counter)  # question → group → respondents
    counts = defaultdict(Counter)  # question → value → people
    by_group = defaultdict(lambda: defaultdict(Counter))  # question → group → value → people
    numbers = defaultdict(list)
    grids = defaultdict(lambda: defaultdict(list))  # matrix question → item → scores
    texts = defaultdict(list)
    groups = Counter()
    needle = fold(search) if search else ""
    # kind of each question: 0 one value counted, 1 several, 2 number, 3 grid, 4 text
    kind_of = {
        q.key: {
            QuestionKind.MULTIPLE: 1,
            QuestionKind.NUMBER: 2,
            QuestionKind.MATRIX: 3,
            QuestionKind.TEXT: 4,
        }.get(q.kind, 0)
        for q in questions
    }
    for row in rows:
        answers = row[0]
        if labels:
            group = row[position]
            groups[group] += 1
        for key, value in answers.items():
            kind = kind_of.get(key)
            if kind is None or value is None or value == "" or value == []:
                continue  # a question left empty is not an answer
            answered[key] += 1
            if kind == 0:
                value = value if value.__class__ is str else str(value)
                counts[key][value] += 1
                if labels:
                    answered_by_group[key][group] += 1
                    by_group[key][group][value] += 1
            elif kind == 1:
                counts[key].update(value)
                if labels:
                    answered_by_group[key][group] += 1
                    by_group[key][group].update(value)
            elif kind == 2:
                numbers[key].append(float(value))
            elif kind == 3:
                grid = grids[key]
                for item, score in value.items():
                    grid[item].append(score)
            elif not needle or needle in fold(value):
                name = row[-2] if named and (nameable is None or row[-1] in nameable) else ""
                texts[key].append({"text": value, "name": name})
    order = sorted(groups, key=lambda v: (v == "", labels.get(v, v or "")))
    columns = [
        (value, labels.get(value, "non renseigné"), groups[value], groups[value] < minimum)
        for value in order
    ]
    out = []
    for question in questions:
        key = question.key
        n = answered[key]
        item = {"question": question, "n": n, "hidden": n < minimum}
        categories = _categories(question)
        if categories:
            item["rows"] = [
                {"label": c, "count": counts[key][c], "cell": _cell(counts[key][c], n, minimum)}
                for c in categories
            ]
            if question.kind in SCALE_KINDS and n and not item["hidden"]:
                total = sum(int(v) * k for v, k in counts[key].items())
                item["mean"] = total / sum(counts[key].values())
            if not item["hidden"]:
                item["chart"] = bars(
                    f"q-{key}",
                    question.label,
                    [
                        (r["label"], None if r["cell"].hidden else r["cell"].share)
                        for r in item["rows"]
                    ],
                )
            if labels:
                sizes = answered_by_group[key]
                item["crosstab"] = [
                    {
                        "label": c,
                        "cells": [
                            _cell(
                                by_group[key][value][c],
                                sizes[value],
                                minimum,
                                group_hidden=sizes[value] < minimum,
                            )
                            for value, _label, _n, _small in columns
                        ],
                    }
                    for c in categories
                ]
                item["group_n"] = [sizes[value] for value, *_ in columns]
        elif question.kind == QuestionKind.NUMBER and n and not item["hidden"]:
            values = sorted(numbers[key])
            item["mean"] = sum(values) / len(values)
            item["median"] = values[len(values) // 2]
        elif question.kind == QuestionKind.MATRIX and not item["hidden"]:
            item["grid"] = []
            for index, label in enumerate(question.items):
                scores = grids[key][str(index)]
                hidden = len(scores) < minimum
                mean = None if hidden else sum(scores) / len(scores)
                item["grid"].append(
                    {"label": label, "n": len(scores), "hidden": hidden, "mean": mean}
                )
        elif question.kind == QuestionKind.TEXT:
            item["texts_count"] = len(texts[key])
            item["texts"] = texts[key][:TEXTS_SHOWN]
        out.append(item)
    return {
        "questions": out,
        "count": len(rows),
        "columns": columns,
        "dimension": dimension,
        "min_cell": minimum,
        "texts_shown": TEXTS_SHOWN,
    }


TEXTS_SHOWN = 100  # free texts listed on the page (the search narrows them; exports hold all)

# The submitted answers of the surveys looked at lately, per process. A submitted answer never
# changes, so each look fetches only the answers submitted since the last one (and everything
# again when the count says some were erased).
_ROWS: "OrderedDict[tuple, dict]" = OrderedDict()
_ROWS_LOCK = threading.Lock()


def _row(values: tuple) -> tuple[int, tuple]:
    pk, _at, answers, *profile, first, last = values
    return pk, (answers, *profile, f"{first or ''} {last or ''}".strip(), pk)


def submitted_rows(survey: Survey) -> list[tuple]:
    """(answers, population_band, region, renewal, function, name, respondent id) of each
    submitted answer."""
    fields = [
        "pk",
        "submitted_at",
        "answers",
        *DIMENSIONS,
        "person__first_name",
        "person__last_name",
    ]
    submitted = survey.respondents.filter(submitted_at__isnull=False)
    state = submitted.aggregate(n=Count("pk"), last=Max("submitted_at"))
    key = (survey.pk, survey.created_at)
    with _ROWS_LOCK:
        cached = _ROWS.get(key) or {"rows": {}, "last": None}
    if (len(cached["rows"]), cached["last"]) != (state["n"], state["last"]):
        rows = dict(cached["rows"])
        query = (
            submitted
            if cached["last"] is None
            else submitted.filter(submitted_at__gte=cached["last"])
        )
        rows.update(_row(values) for values in query.values_list(*fields))
        if len(rows) != state["n"]:  # answers erased meanwhile: read them all again
            rows = dict(_row(values) for values in submitted.values_list(*fields))
        cached = {"rows": rows, "last": state["last"]}
    with _ROWS_LOCK:
        _ROWS[key] = cached
        _ROWS.move_to_end(key)
        while len(_ROWS) > 8:
            _ROWS.popitem(last=False)
    return list(cached["rows"].values())


def _cell(count: int, base: int, minimum: int, group_hidden: bool = False) -> Cell:
    share = 100 * count / base if base else None
    return Cell(count, share, group_hidden or base < minimum or 0 < count < minimum)


def response_rates(survey: Survey) -> dict[str, list[dict]]:
    """Invited, started and submitted, by segment, département and région."""
    names = {
        "departement": dict(Departement.objects.values_list("code", "name")),
        "region": dict(Region.objects.values_list("code", "name")),
        "segment_name": {},
    }
    rates = {}
    base = survey.respondents.filter(source=Respondent.Source.INVITATION)
    for name in ("segment_name", "region", "departement"):
        rows = []
        for row in (
            base.values(name)
            .annotate(
                invited=Count("pk"),
                started=Count("pk", filter=Q(started_at__isnull=False)),
                submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            )
            .order_by(name)
        ):
            value = row[name]
            rows.append(
                {
                    "label": (
                        f"{names[name].get(value, value)} ({value})"
                        if value and name != "segment_name"
                        else value or "non renseigné"
                    ),
                    "invited": row["invited"],
                    "started": row["started"],
                    "submitted": row["submitted"],
                    "rate": 100 * row["submitted"] / row["invited"] if row["invited"] else 0,
                }
            )
        rates[name] = rows
    totals = base.aggregate(
        invited=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
    )
    public = survey.respondents.filter(
        source=Respondent.Source.PUBLIC, submitted_at__isnull=False
    ).count()
    rates["totals"] = totals | {
        "public": public,
        "rate": (100 * totals["submitted"] / totals["invited"] if totals["invited"] else 0),
    }
    return rates


# --- exports ------------------------------------------------------------------------------------
def export_rows(survey: Survey, within: Q | None = None) -> tuple[list[str], list[list]]:
    """One row per submitted answer of the respondents `within` the viewer's scope
    (`Scope.shared_q()`; the others are counted on the survey's pages, never exported). A named
    survey gives who answered and their profile; an anonymous one gives only a number and the
    answers (a profile on one row could name a person: the cross-tabulations, with their
    minimum group size, are the place for it)."""
    questions = list(survey.questions.all())
    named = not survey.anonymous
    header = ["numero"]
    if named:
        header += [
            "prenom",
            "nom",
            "departement",
            "region",
            "population",
            "renouvellement",
            "mandat",
        ]
    header.append("envoye_le")
    for question in questions:
        if question.kind == QuestionKind.MATRIX:
            header += [f"{question.key} {question.label} — {item}" for item in question.items]
        else:
            header.append(f"{question.key} {question.label}")
    rows = []
    respondents = survey.respondents.filter(submitted_at__isnull=False).filter(within or Q())
    respondents = respondents.select_related("person")
    for number_, respondent in enumerate(respondents.order_by("submitted_at", "pk"), start=1):
        row: list = [number_]
        if named:
            person = respondent.person
            row += [
                person.first_name if person else "",
                person.last_name if person else "",
                respondent.departement,
                respondent.region,
                respondent.population_band,
                respondent.renewal,
                respondent.function,
            ]
        when = timezone.localtime(respondent.submitted_at)
        row.append(when.strftime("%d/%m/%Y %H:%M") if named else when.strftime("%d/%m/%Y"))
        for question in questions:
            value = respondent.answers.get(question.key)
            if question.kind == QuestionKind.MATRIX:
                value = value or {}
                row += [value.get(str(i), "") for i in range(len(question.items))]
            elif isinstance(value, list):
                row.append(" | ".join(value))
            else:
                row.append("" if value is None else value)
        rows.append(row)
    return header, rows
