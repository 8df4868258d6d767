"""The follow-up of the renewal: of the new mayors of a territory, how many the movement has
contacted, invited, welcomed at an event, heard in a survey, sent their commune's brief, week by
week since the first round and by département."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from mandature.campaigns.models import Campaign, Recipient
from mandature.events.models import Invitation, Registration
from mandature.movement.scope import Scope
from mandature.officials.enums import ChangeType
from mandature.officials.services import cached_changes, default_comparison
from mandature.relations.models import Interaction
from mandature.relations.services import changes_in_scope
from mandature.surveys.models import Respondent
from mandature.territories.models import Departement

from .indicators import renewal_start

METRICS = [
    ("contacted", "contactés (un échange)"),
    ("invited", "invités à un événement"),
    ("present", "venus à un événement"),
    ("surveyed", "ont répondu à une enquête"),
    ("brief", "ont reçu la fiche de leur commune"),
]
COLOURS = ["#b3261e", "#6f97c4", "#1d3f73", "#2e7d32", "#f08c4a"]


@dataclass
class Row:
    code: str
    name: str
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def share(self, metric: str) -> float | None:
        return 100 * self.counts[metric] / self.total if self.total else None

    @property
    def cells(self) -> list[tuple[int, float | None]]:
        return [(self.counts[key], self.share(key)) for key, _ in METRICS]


@dataclass
class Dashboard:
    title: str
    start: date
    comparison: tuple | None
    total: Row
    departements: list[Row]
    weeks: list[date]
    series: dict[str, list[int]]  # metric → cumulative count at the end of each week

    @property
    def metrics(self):
        return [
            (key, label, self.total.counts[key], self.total.share(key)) for key, label in METRICS
        ]


def _day(value) -> date:
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def first_dates(person_ids: set[int], start: date) -> dict[str, dict[int, date]]:
    """For each metric, person → the first day it happened (since `start`)."""
    found: dict[str, dict[int, date]] = {key: {} for key, _ in METRICS}

    def keep(metric: str, rows) -> None:
        target = found[metric]
        for person_id, when in rows:
            if person_id in person_ids and when is not None:
                day = _day(when)
                if day >= start and (person_id not in target or day < target[person_id]):
                    target[person_id] = day

    through = Interaction.persons.through.objects.filter(interaction__date__gte=start)
    keep("contacted", through.values_list("person_id", "interaction__date"))
    keep("invited", Invitation.objects.exclude(person=None).values_list("person_id", "created_at"))
    present = Registration.objects.exclude(checked_in_at=None).exclude(invitation__person=None)
    keep("present", present.values_list("invitation__person_id", "checked_in_at"))
    answered = Respondent.objects.exclude(submitted_at=None).exclude(person=None)
    keep("surveyed", answered.values_list("person_id", "submitted_at"))
    with_brief = Campaign.objects.filter(body__contains="{lien_fiche}")
    sent = Recipient.objects.filter(campaign__in=with_brief, status=Recipient.Status.SENT)
    keep("brief", sent.values_list("person_id", "sent_at"))
    return found


def dashboard(scope: Scope, region=None, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    start = renewal_start()
    title = f"Région {region.name}" if region else "France entière"
    pair = default_comparison()
    newcomers = []
    if pair is not None:
        changes = changes_in_scope(scope, cached_changes(*pair)).of_type(ChangeType.NEW_MAYOR)
        newcomers = [
            c for c in changes if c.person and (region is None or c.region_code == region.code)
        ]
    names = dict(Departement.objects.values_list("code", "name"))
    dates = first_dates({c.person.pk for c in newcomers}, start)
    total = Row("", title)
    by_departement: dict[str, Row] = {}
    for change in newcomers:
        code = change.departement_code or "?"
        row = by_departement.setdefault(code, Row(code, names.get(code, "inconnu")))
        for target in (total, row):
            target.total += 1
            for key, _ in METRICS:
                if change.person.pk in dates[key]:
                    target.counts[key] += 1
    weeks, day = [], start + timedelta(days=6 - start.weekday())  # Sundays
    while day < today:
        weeks.append(day)
        day += timedelta(days=7)
    weeks.append(today)
    series = {}
    for key, _ in METRICS:
        ordered = sorted(dates[key].values())
        counts, position = [], 0
        for week_end in weeks:
            while position < len(ordered) and ordered[position] <= week_end:
                position += 1
            counts.append(position)
        series[key] = counts
    departements = sorted(by_departement.values(), key=lambda r: r.code)
    return Dashboard(title, start, pair, total, departements, weeks, series)
