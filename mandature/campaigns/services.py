"""Preparing a campaign: its audience (the segment, evaluated in the user's scope), the merge
values of each recipient, the electoral-period check, and the launch."""

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from mandature.compliance.enums import Audience, Verdict
from mandature.compliance.rules import check as compliance_check
from mandature.compliance.territory import Territory
from mandature.core.models import audit
from mandature.events.models import Invitation, Registration
from mandature.events.services import invitation_link, invitations_for
from mandature.housing.services import latest_figures
from mandature.movement.access import role_of
from mandature.movement.enums import Role
from mandature.movement.scope import Scope, scope_of
from mandature.officials.enums import FUNCTIONS
from mandature.officials.models import SnapshotEntry, latest_snapshot
from mandature.publications.services import personal_link
from mandature.relations.models import Contact
from mandature.surveys.models import Respondent
from mandature.surveys.services import respondent_link, respondents_for

from .compose import check as check_template
from .compose import values_for
from .models import Campaign, Recipient
from .reach import Reacher, Split, attention, data_version, postal_block
from .segments import Member, SegmentResult, evaluate
from .tasks import build_letters, send_campaign


class LaunchError(ValueError):
    """Why a campaign cannot be launched, in French."""


@dataclass
class Summary:
    """What the campaign's page needs of its audience, kept a few minutes per process: paging
    through the preview of a national segment must not evaluate it again on each click."""

    entry_ids: list[int]
    statuses: list[str]
    objecting: int
    as_of: object
    check: object
    split: Split | None = None  # how each is reached (`reach`), the figures the launch checks
    unreached: list[tuple[int, str]] = field(default_factory=list)  # (entry id, why)

    @property
    def count(self) -> int:
        return len(self.entry_ids)


_SUMMARIES: "OrderedDict[tuple, tuple[float, Summary]]" = OrderedDict()
SUMMARY_SECONDS = 120


def audience_summary(campaign: Campaign, scope: Scope) -> Summary:
    if campaign.segment is None:
        raise LaunchError("La campagne n'a plus de segment : choisissez-en un.")
    filters = campaign.segment.filters
    snapshot = latest_snapshot(FUNCTIONS[filters["function"]][1])
    key = (
        campaign.segment_id,
        campaign.segment.updated_at,
        campaign.communication_kind,
        campaign.channel,
        campaign.complete_with_letters,
        campaign.event_id,
        campaign.event_audience,
        campaign.survey_id,
        campaign.survey_audience,
        repr(scope),
        snapshot.pk if snapshot else None,
        timezone.localdate(),
        data_version(),  # a contact card or the directory changed: the split changes
    )
    found = _SUMMARIES.get(key)
    if found and time.monotonic() - found[0] < SUMMARY_SECONDS:
        return found[1]
    result = audience(campaign, scope)
    split, unreached = reach_split(campaign, result.members)
    summary = Summary(
        [m.entry.pk for m in result.members],
        [m.status for m in result.members],
        result.objecting,
        result.as_of,
        compliance(campaign, result) if result.members else None,
        split,
        [(m.entry.pk, way.reason) for m, way in unreached],
    )
    _SUMMARIES[key] = (time.monotonic(), summary)
    while len(_SUMMARIES) > 8:
        _SUMMARIES.popitem(last=False)
    return summary


def reach_split(campaign: Campaign, members: list) -> tuple[Split, list]:
    """How many each way reaches, each person once (as `prepare` freezes them)."""
    seen, once = set(), []
    for member in members:
        if member.entry.person_id not in seen:
            seen.add(member.entry.person_id)
            once.append(member)
    return reacher_of(campaign, once).split(once)


def member_at(summary: Summary, index: int) -> Member:
    entry = SnapshotEntry.objects.select_related(
        "person", "commune__departement", "commune__epci", "mandate__epci"
    ).get(pk=summary.entry_ids[index])
    return Member(
        entry, Contact.objects.filter(person_id=entry.person_id).first(), summary.statuses[index]
    )


def audience(campaign: Campaign, scope: Scope) -> SegmentResult:
    if campaign.segment is None:
        raise LaunchError("La campagne n'a plus de segment : choisissez-en un.")
    result = evaluate(campaign.segment.filters, scope)
    if campaign.event_id and campaign.event_audience in ("present", "absent"):
        came = set(
            Registration.objects.filter(
                session__event_id=campaign.event_id,
                checked_in_at__isnull=False,
                invitation__person__isnull=False,
            ).values_list("invitation__person_id", flat=True)
        )
        if campaign.event_audience == "present":
            keep = came
        else:
            invited = set(
                Invitation.objects.filter(event_id=campaign.event_id)
                .exclude(person=None)
                .values_list("person_id", flat=True)
            )
            keep = invited - came
        result.members = [m for m in result.members if m.entry.person_id in keep]
    if campaign.survey_id and campaign.survey_audience == "pending":
        done = set(
            Respondent.objects.filter(survey_id=campaign.survey_id, submitted_at__isnull=False)
            .exclude(person=None)
            .values_list("person_id", flat=True)
        )
        result.members = [m for m in result.members if m.entry.person_id not in done]
    return result


def invites(campaign: Campaign) -> bool:
    """An event's invitation: each recipient gets a personal link."""
    return bool(campaign.event_id) and campaign.event_audience == "invited"


def member_values(campaign: Campaign, members: list, on: date | None = None) -> list[dict]:
    """The merge values of these members (figures read for all their communes at once)."""
    communes = list(
        {m.entry.commune_id: m.entry.commune for m in members if m.entry.commune_id}.values()
    )
    figures, sru = latest_figures(communes) if communes else ({}, {})
    organisation = campaign.organisation
    name = organisation.name if organisation else "le Mouvement Hlm"
    on = on or campaign.letter_date or timezone.localdate()
    return [
        values_for(
            m,
            figures=figures,
            sru=sru,
            organisation_name=name,
            invitation_url=(
                settings.SITE_URL + "/invitation-evenement/…/"
                if invites(campaign)
                else campaign.invitation_url
            ),
            on=on,
        )
        | ({"lien_enquete": settings.SITE_URL + "/enquete/…/"} if campaign.survey_id else {})
        | (
            {"lien_publication": settings.SITE_URL + "/publication/…/"}
            if campaign.publication_id
            else {}
        )
        for m in members
    ]


def territory_of(result: SegmentResult) -> Territory:
    """The territory the campaign reaches, for the electoral-period check: the recipients'
    communes (the départements of those without one)."""
    regions, departements, communes, whole = set(), set(), set(), False
    for member in result.members:
        entry = member.entry
        if entry.commune_id:
            commune = entry.commune
            regions.add(commune.region_id)
            departements.add(commune.departement_id)
            communes.add(commune.code)
        elif entry.mandate.departement_id:
            departements.add(entry.mandate.departement_id)
            whole = True
        elif entry.mandate.region_id:
            regions.add(entry.mandate.region_id)
            whole = True
        elif entry.mandate.epci_id:
            for code, dep, reg in entry.mandate.epci.communes.values_list(
                "code", "departement_id", "region_id"
            ):
                communes.add(code)
                departements.add(dep)
                regions.add(reg)
        else:  # deputies, senators of French abroad…: treat as national
            return Territory("france", "", "France entière")
    label = f"{len(communes)} communes" if communes else "les destinataires"
    return Territory(
        "campagne",
        "",
        label,
        frozenset(regions),
        frozenset(departements),
        None if whole else frozenset(communes),
    )


def compliance(campaign: Campaign, result: SegmentResult, on: date | None = None):
    on = on or timezone.localdate()
    return compliance_check(
        campaign.communication_kind, on, on, territory_of(result), Audience.ELECTED
    )


def template_problems(campaign: Campaign) -> list[str]:
    return check_template(
        campaign.subject,
        campaign.body,
        email=campaign.is_email,
        invitation_url=campaign.invitation_url or ("personnel" if invites(campaign) else ""),
        survey=bool(campaign.survey_id),
        publication=bool(campaign.publication_id),
    )


def launch(
    campaign: Campaign,
    user,
    scope: Scope,
    *,
    override_reason: str = "",
    expected: dict[str, int] | None = None,
) -> None:
    """Check the campaign (template, audience, electoral period) and start it: the task queue
    freezes the recipients (prepare) then sends the emails, or builds the letters. Quick enough
    for a web request even for all the mayors of France."""
    if campaign.status != Campaign.Status.DRAFT:
        raise LaunchError("Cette campagne a déjà été lancée.")
    problems = template_problems(campaign)
    if problems:
        raise LaunchError(" ".join(problems))
    result = audience(campaign, scope)
    if not result.members:
        raise LaunchError("Le segment ne compte aucun élu : rien à envoyer.")
    split, _ = reach_split(campaign, result.members)
    if expected is not None and expected != split.as_dict():
        raise LaunchError(
            "Les chiffres ont changé depuis l'affichage de la page (une fiche ou l'annuaire a "
            f"été modifié) : {split.text(campaign.is_email)}. Vérifiez-les, puis confirmez."
        )
    verdict = compliance(campaign, result)
    reason = override_reason.strip()
    if verdict.verdict == Verdict.FORBIDDEN:
        if role_of(user) != Role.ADMIN:
            raise LaunchError(
                "La vérification de la période électorale conclut « interdit » : seul un "
                "administrateur national peut passer outre, avec un motif écrit."
            )
        if len(reason) < 10:
            raise LaunchError(
                "Passer outre un « interdit » demande un motif écrit (10 caractères au moins)."
            )
    fields = {
        "status": Campaign.Status.SENDING,
        "launched_at": timezone.now(),
        "launched_by": user,
        "compliance_verdict": str(verdict.verdict),
        "enqueued_at": timezone.now(),
    }
    if verdict.verdict == Verdict.FORBIDDEN:
        fields |= {"override_reason": reason, "override_by": user}
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
            **fields
        ):
            raise LaunchError("Cette campagne a déjà été lancée.")
        for name, value in fields.items():
            setattr(campaign, name, value)
        audit(
            "campagne lancée",
            "web",
            user,
            campaign=campaign.pk,
            medium=campaign.channel,
            audience=result.count,
            reach=split.as_dict(),
            verdict=str(verdict.verdict),
            **({"override_reason": reason} if verdict.verdict == Verdict.FORBIDDEN else {}),
        )
        task = send_campaign if campaign.is_email else build_letters
        transaction.on_commit(lambda: task.enqueue(campaign.pk))


def reacher_of(campaign: Campaign, members: list) -> Reacher:
    return Reacher(
        members,
        email=campaign.is_email,
        letters=campaign.is_email and campaign.complete_with_letters,
    )


def prepare(campaign: Campaign) -> int:
    """Freeze the recipients of a launched campaign: the segment as it is now, in the scope of
    the user who launched it, each person once, with their merge values and, for letters, their
    address block. Done once (in one transaction); returns the number of recipients."""
    if campaign.prepared_at is not None:
        return campaign.recipients.count()
    result = audience(campaign, scope_of(campaign.launched_by))
    values = member_values(campaign, result.members)
    reacher = reacher_of(campaign, result.members)
    rows, seen = [], set()
    for member, merge_values in zip(result.members, values, strict=True):
        person = member.entry.person
        if person.pk in seen:
            continue
        seen.add(person.pk)
        recipient = Recipient(
            campaign=campaign,
            person=person,
            commune_id=member.entry.commune_id,
            epci_id=member.entry.mandate.epci_id
            or (member.entry.commune.epci_id if member.entry.commune_id else None),
            name=merge_values["nom_complet"],
            values=merge_values,
        )
        way = reacher.way(member)
        recipient.route, recipient.email = way.route, way.email
        if way.route == Recipient.Route.NONE:
            recipient.status = Recipient.Status.FAILED if way.failed else Recipient.Status.SKIPPED
            recipient.reason = way.reason
        elif way.route == Recipient.Route.MAIRIE:
            mayor = member.entry.function_code == "maire"
            merge_values["_attention"] = attention(merge_values, mayor)
            merge_values["_to"] = way.mairie.title
        elif way.route == Recipient.Route.LETTER:
            recipient.address = "\n".join(postal_block(member, merge_values, way))
        rows.append(recipient)
    with transaction.atomic():
        if Campaign.objects.filter(pk=campaign.pk, prepared_at__isnull=False).exists():
            return campaign.recipients.count()  # another task was first
        reached = [r for r in rows if r.status == Recipient.Status.QUEUED]
        if invites(campaign):  # each recipient's personal link to the event
            found = invitations_for(campaign, reached)
            for recipient in reached:
                recipient.values["lien_invitation"] = invitation_link(found[recipient.person_id])
        if campaign.survey_id:  # each recipient's link to the survey (the same in a reminder)
            by_person = {m.entry.person_id: m for m in result.members}
            found = respondents_for(campaign, reached, by_person)
            for recipient in reached:
                recipient.values["lien_enquete"] = respondent_link(found[recipient.person_id])
        if campaign.publication_id:  # each recipient's download link
            for recipient in reached:
                recipient.values["lien_publication"] = personal_link(
                    campaign.publication, recipient.person_id, campaign.organisation_id
                )
        Recipient.objects.bulk_create(rows, batch_size=2000)
        campaign.prepared_at = timezone.now()
        Campaign.objects.filter(pk=campaign.pk).update(prepared_at=campaign.prepared_at)
    return len(rows)


def status_counts(campaign: Campaign) -> dict[str, int]:
    counts = dict.fromkeys(Recipient.Status.values, 0)
    for row in campaign.recipients.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
