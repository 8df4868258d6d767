"""Surveys: the builder (settings, questions, preview, open, new version), the distribution
through campaigns, the live response rates, the results with cross-tabulations, the exports and
the PDF report; the respondent's pages without an account (personal or public link)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from mandature.campaigns.models import Campaign, Segment
from mandature.compliance.enums import CommunicationKind
from mandature.core.models import audit
from mandature.core.ratelimit import rate_limited
from mandature.core.spreadsheet import export_response
from mandature.movement.access import can, of_organisation, organisation_of, require
from mandature.movement.scope import outside_text, scope_of, visible
from mandature.surveys import services
from mandature.surveys.forms import QuestionForm, SurveyForm
from mandature.surveys.models import Question, Respondent, Survey
from mandature.surveys.report import render_report
from mandature.web.listing import export_list


def _surveys(request):
    surveys = Survey.objects.select_related("organisation", "segment")
    return of_organisation(request.user, surveys) | surveys.filter(is_example=True)


def _segments(request):
    return of_organisation(request.user, Segment.objects.all())


@require("surveys")
def survey_list(request):
    surveys = list(_surveys(request).order_by("-is_example", "-created_at")[:200])
    rates = {}
    for survey in surveys:
        if not survey.is_example:
            rates[survey.pk] = services.response_rates(survey)["totals"]
        survey.totals = rates.get(survey.pk)
    exported = export_list(
        request,
        "enquetes",
        ["titre", "état", "anonyme", "clôture", "invités", "réponses"],
        [
            [
                s.title,
                s.get_status_display(),
                "oui" if s.anonymous else "non",
                timezone.localtime(s.closes_at).strftime("%d/%m/%Y") if s.closes_at else "",
                (s.totals or {}).get("invited", ""),
                (s.totals or {}).get("submitted", ""),
            ]
            for s in surveys
        ],
    )
    if exported:
        return exported
    return render(request, "web/surveys/surveys.html", {"surveys": surveys})


@require("surveys")
def survey_edit(request, pk: int | None = None):
    survey = get_object_or_404(_surveys(request), pk=pk, is_example=False) if pk else None
    survey = survey or Survey(organisation=organisation_of(request.user), created_by=request.user)
    form = SurveyForm(request.POST or None, instance=survey, segments=_segments(request))
    if request.method == "POST" and form.is_valid():
        survey = form.save()
        messages.success(request, f"Enquête « {survey.title} » enregistrée.")
        return redirect(survey)
    return render(request, "web/surveys/survey_form.html", {"form": form, "survey": survey})


@require("surveys")
@require_POST
def survey_copy(request, pk: int):
    survey = get_object_or_404(_surveys(request), pk=pk)
    as_version = not survey.is_example
    new = services.copy_survey(survey, request.user, as_version=as_version)
    text = (
        f"Version {new.version} créée : modifiez-la puis ouvrez-la."
        if as_version
        else "Copie du modèle créée : adaptez-la."
    )
    messages.success(request, text)
    return redirect(new)


@require("surveys")
def survey_detail(request, pk: int):
    survey = get_object_or_404(_surveys(request), pk=pk)
    rates = services.response_rates(survey) if not survey.is_example else None
    context = {"survey": survey, "rates": rates}
    if request.headers.get("HX-Request"):
        return render(request, "web/surveys/partials/rates.html", context)
    context.update(
        questions=list(survey.questions.all()),
        form=QuestionForm(survey=survey) if survey.editable else None,
        campaigns=Campaign.objects.filter(survey=survey).order_by("-created_at"),
        public_url=services.public_link(survey) if survey.public_link else "",
    )
    return render(request, "web/surveys/survey.html", context)


@require("surveys")
def question_edit(request, pk: int, question_id: int | None = None):
    survey = get_object_or_404(_surveys(request), pk=pk)
    if not survey.editable:
        messages.error(
            request, "Une enquête ouverte ne se modifie plus : créez une nouvelle version."
        )
        return redirect(survey)
    question = get_object_or_404(survey.questions, pk=question_id) if question_id else None
    if question is None:
        last = survey.questions.order_by("-page", "-position").first()
        question = Question(
            survey=survey,
            page=last.page if last else 1,
            position=(last.position + 1) if last else 1,
        )
    form = QuestionForm(request.POST or None, instance=question, survey=survey)
    if request.method == "POST" and form.is_valid():
        question = form.save()
        messages.success(request, f"Question {question.key} enregistrée.")
        return redirect(f"{survey.get_absolute_url()}#questions")
    return render(
        request,
        "web/surveys/question_form.html",
        {"form": form, "survey": survey, "question": question},
    )


@require("surveys")
@require_POST
def question_delete(request, pk: int, question_id: int):
    survey = get_object_or_404(_surveys(request), pk=pk)
    question = get_object_or_404(survey.questions, pk=question_id)
    if survey.editable:
        if survey.questions.filter(condition_key=question.key).exists():
            messages.error(
                request,
                f"D'autres questions dépendent de {question.key} : changez d'abord leur condition.",
            )
        else:
            question.delete()
            messages.success(request, f"Question {question.key} supprimée.")
    return redirect(f"{survey.get_absolute_url()}#questions")


@require("surveys")
@require_POST
def survey_status(request, pk: int, action: str):
    survey = get_object_or_404(_surveys(request), pk=pk, is_example=False)
    if action == "ouvrir" and survey.status == Survey.Status.DRAFT:
        if not survey.questions.exists():
            messages.error(request, "Ajoutez au moins une question avant d'ouvrir l'enquête.")
            return redirect(survey)
        Survey.objects.filter(pk=pk).update(status=Survey.Status.OPEN, opened_at=timezone.now())
        audit("enquête ouverte", "web", request.user, survey=pk)
        messages.success(request, "Enquête ouverte : ses questions sont désormais figées.")
    elif action == "fermer" and survey.status == Survey.Status.OPEN:
        Survey.objects.filter(pk=pk).update(status=Survey.Status.CLOSED)
        audit("enquête close", "web", request.user, survey=pk)
        messages.success(request, "Enquête close : plus aucune réponse n'est acceptée.")
    return redirect(survey)


SURVEY_BODY = """{{formule_appel}},

{{expediteur}} mène une enquête auprès des élus sur le logement social : « {title} ». Votre \
regard nous est précieux ; le questionnaire prend une dizaine de minutes et peut être repris \
plus tard avec le même lien.

[Répondre à l'enquête]({{lien_enquete}})

Je vous prie d'agréer, {{formule_appel}}, l'expression de ma haute considération.
"""

REMINDER_BODY = """{{formule_appel}},

Vous n'avez pas encore répondu à l'enquête « {title} » : il est encore temps. Vos réponses déjà \
saisies sont conservées.

[Reprendre l'enquête]({{lien_enquete}})

Je vous prie d'agréer, {{formule_appel}}, l'expression de ma haute considération.
"""


@require("campaigns")
@require_POST
def survey_campaign(request, pk: int, audience: str):
    """A campaign prepared for the survey: the invitation to answer, or a reminder to those who
    have not answered yet."""
    survey = get_object_or_404(_surveys(request), pk=pk, is_example=False)
    if audience not in ("invited", "pending"):
        raise Http404("destinataires inconnus")
    if survey.segment is None:
        messages.error(request, "Choisissez d'abord le segment des élus interrogés.")
        return redirect(survey)
    if survey.status != Survey.Status.OPEN:
        messages.error(request, "Ouvrez l'enquête avant d'envoyer les liens.")
        return redirect(survey)
    invited = audience == "invited"
    campaign = Campaign.objects.create(
        name=f"{survey} — {'invitation' if invited else 'relance'}",
        channel=Campaign.Channel.EMAIL,
        organisation=survey.organisation or organisation_of(request.user),
        segment=survey.segment,
        communication_kind=CommunicationKind.SURVEY,
        survey=survey,
        survey_audience=audience,
        subject=(f"Enquête : {survey.title}" if invited else f"Relance : {survey.title}"),
        body=(SURVEY_BODY if invited else REMINDER_BODY).format(title=survey.title),
        created_by=request.user,
    )
    messages.success(request, "Campagne préparée : relisez le texte et l'aperçu, puis envoyez.")
    return redirect(reverse("web:campaign-edit", args=[campaign.pk]))


def _chosen_dimension(request) -> str:
    value = request.GET.get("croisement", "")
    return value if value in services.DIMENSIONS else ""


@require("surveys")
def survey_results(request, pk: int):
    survey = get_object_or_404(_surveys(request), pk=pk, is_example=False)
    search = request.GET.get("texte", "").strip()[:100]
    within = scope_of(request.user).shared_q()
    data = services.results(
        survey,
        dimension=_chosen_dimension(request),
        search=search,
        show_names=can(request.user, "export"),
        names_within=within,
    )
    _named, outside = visible(survey.respondents.filter(submitted_at__isnull=False), within)
    for item in data["questions"]:
        if item.get("chart"):
            item["chart"] = mark_safe(item["chart"])  # our SVG, texts escaped
    audit("résultats d'enquête consultés", "web", request.user, survey=pk)
    return render(
        request,
        "web/surveys/results.html",
        {
            "survey": survey,
            "data": data,
            "dimensions": services.DIMENSIONS.items(),
            "search": search,
            "can_export": can(request.user, "export"),
            "outside": outside_text(outside),
        },
    )


@require("export")
def survey_export(request, pk: int, fmt: str):
    survey = get_object_or_404(_surveys(request), pk=pk, is_example=False)
    if fmt not in ("csv", "xlsx"):
        raise Http404("format inconnu")
    header, rows = services.export_rows(survey, within=scope_of(request.user).shared_q())
    audit(
        "export des réponses d'une enquête",
        "web",
        request.user,
        survey=pk,
        rows=len(rows),
        named=not survey.anonymous,
        format=fmt,
    )
    return export_response(header, rows, fmt, f"enquete-{survey.pk}-reponses", "Réponses")


@require("surveys")
def survey_report(request, pk: int):
    survey = get_object_or_404(_surveys(request), pk=pk, is_example=False)
    pdf = render_report(survey, _chosen_dimension(request))
    audit("rapport d'enquête", "web", request.user, survey=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="enquete-{survey.pk}-resultats.pdf"'
    return response


# --- the respondent's pages -------------------------------------------------------------------
def _options(question, value) -> dict:
    """What the answer page shows of a question: its options, ticked as answered."""
    kind = question.kind
    if kind in ("single", "multiple"):
        chosen = value if isinstance(value, list) else [value]
        return {"options": [(str(i), c, c in chosen) for i, c in enumerate(question.choices)]}
    if kind in ("scale5", "scale10"):
        return {"options": [(str(n), str(n), n == value) for n in question.scale]}
    if kind == "matrix":
        value = value or {}
        return {
            "rows": [
                (
                    f"{question.key}_{i}",
                    item,
                    [(str(n), n == value.get(str(i))) for n in question.scale],
                )
                for i, item in enumerate(question.items)
            ]
        }
    return {"text": "" if value is None else str(value)}


def _page_context(survey, questions, respondent_answers, page, errors=None):
    shown = [q for q in questions if q.page == page]
    survey_pages = services.pages(questions)
    return {
        "survey": survey,
        "page": page,
        "pages": survey_pages,
        "page_number": survey_pages.index(page) + 1 if page in survey_pages else 1,
        "questions": [
            {
                "q": q,
                "shown": services.visible(q, respondent_answers),
                "error": (errors or {}).get(q.key),
                "conditions": ";".join(str(v) for v in q.condition_values),
                **_options(q, respondent_answers.get(q.key)),
            }
            for q in shown
        ],
        "last": not [p for p in survey_pages if p > page],
        "first": not [p for p in survey_pages if p < page],
    }


def _answer(request, respondent: Respondent):
    survey = respondent.survey
    reason = services.closed_reason(survey, respondent)
    if reason:
        return render(
            request,
            "web/surveys/closed.html",
            {"survey": survey, "reason": reason},
            status=200 if reason == "already" else 410,
        )
    questions = list(survey.questions.all())
    page = (
        respondent.page
        if respondent.page in services.pages(questions)
        else (services.pages(questions)[0] if questions else 1)
    )
    errors, notice = {}, ""
    if request.method == "POST":
        action = request.POST.get("action", "next")
        action = action if action in ("next", "back", "later", "submit") else "next"
        posted = request.POST.get("page", "")
        page = int(posted) if posted.isdigit() else page
        try:
            result, target = services.save_page(
                respondent, questions, page, request.POST, action=action
            )
        except services.Closed as closed:
            return render(
                request,
                "web/surveys/closed.html",
                {"survey": survey, "reason": str(closed)},
                status=410,
            )
        if target is None:
            return render(request, "web/surveys/thanks.html", {"survey": survey})
        errors = result.errors
        if action == "later" and not errors:
            notice = (
                "Vos réponses sont enregistrées. Revenez quand vous voulez avec le même "
                "lien pour terminer."
            )
        page = target if not errors or action in ("later", "back") else page
    context = _page_context(survey, questions, respondent.answers, page, errors)
    context.update(respondent=respondent, errors=errors, notice=notice, preview=False)
    return render(request, "web/surveys/answer.html", context, status=200)


@login_not_required
@rate_limited("public")
def survey_answer(request, key: str):
    respondent = Respondent.objects.select_related("survey").filter(key=key).first()
    if respondent is None:
        return render(request, "web/surveys/closed.html", {"reason": "invalid"}, status=404)
    return _answer(request, respondent)


@login_not_required
@rate_limited("public", methods=("GET", "POST"))
def survey_public(request, key: str):
    survey = Survey.objects.filter(public_key=key, public_link=True).first()
    if survey is None:
        return render(request, "web/surveys/closed.html", {"reason": "invalid"}, status=404)
    reason = services.closed_reason(survey)
    if reason:
        return render(
            request, "web/surveys/closed.html", {"survey": survey, "reason": reason}, status=410
        )
    if request.method == "POST":  # a new anonymous visit, resumed with its own address
        respondent = Respondent.objects.create(survey=survey, source=Respondent.Source.PUBLIC)
        return redirect(reverse("web:survey-answer", args=[respondent.key]))
    return render(request, "web/surveys/public.html", {"survey": survey})


@require("surveys")
def survey_preview(request, pk: int):
    survey = get_object_or_404(_surveys(request), pk=pk)
    questions = list(survey.questions.all())
    survey_pages = services.pages(questions) or [1]
    try:
        page = int(request.GET.get("page", survey_pages[0]))
    except ValueError:
        page = survey_pages[0]
    page = page if page in survey_pages else survey_pages[0]
    context = _page_context(survey, questions, {}, page)
    context.update(
        preview=True,
        previous=[p for p in survey_pages if p < page][-1:],
        following=[p for p in survey_pages if p > page][:1],
    )
    return render(request, "web/surveys/answer.html", context)
