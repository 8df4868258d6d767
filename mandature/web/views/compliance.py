"""Electoral-period rules: the calendar with the windows of a territory, the checker, the note."""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from mandature.compliance.forms import CheckForm
from mandature.compliance.models import Election
from mandature.compliance.note import note_pdf
from mandature.compliance.rules import RULES, check, windows_for
from mandature.compliance.territory import TerritoryError, parse_territory
from mandature.web.listing import export_list


def _elections():
    return list(Election.objects.prefetch_related("regions", "departements", "communes"))


def calendar_page(request):
    today = date.today()
    spec = request.GET.get("territoire", "france")
    error = ""
    try:
        territory = parse_territory(spec)
    except TerritoryError as problem:
        error, territory = str(problem).capitalize() + ".", parse_territory("france")
    elections = _elections()
    rows = windows_for(territory, elections, today)
    exported = export_list(
        request,
        "calendrier-electoral",
        ["élection", "libellé", "premier tour", "second tour", "date provisoire", "décret"],
        [
            [
                e.get_kind_display(),
                e.label,
                e.first_round,
                e.second_round or "",
                "oui" if e.provisional else "non",
                e.decree,
            ]
            for e in elections
        ],
    )
    if exported:
        return exported
    context = {
        "today": today,
        "territory": territory,
        "spec": spec,
        "error": error,
        "elections": elections,
        "in_force": [r for r in rows if r[2] <= today <= r[3]],
        "coming": [r for r in rows if r[2] > today][:40],
        "rules": RULES,
    }
    return render(request, "web/compliance/calendar.html", context)


def check_page(request):
    """The checker; opened from a territory's page or calendar (« ?territoire=commune:33063 »
    alone), the territory is filled in and nothing is judged yet."""
    if "kind" in request.GET:
        form = CheckForm(request.GET)
    else:
        form = CheckForm(initial={"territory": request.GET.get("territoire") or "france"})
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = check(
            data["kind"], data["date"], data["until"], data["territory"], data["audience"] or None
        )
    return render(request, "web/compliance/check.html", {"form": form, "result": result})


def note(request):
    response = HttpResponse(note_pdf(_elections(), date.today()), content_type="application/pdf")
    response["Content-Disposition"] = (
        'inline; filename="regles-communication-periode-electorale.pdf"'
    )
    return response
