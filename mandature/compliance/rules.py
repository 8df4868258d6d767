"""The rules of communication in electoral periods, as a table, and the checker.

Each rule says which elections it follows, how its window is computed from an election's dates,
and what verdict it gives to each kind of communication (and audience). `check()` is what the
page, the command and, before sending, campaigns, events, surveys and publications call.
Dates are computed, never remembered: the calendar (models.Election) is the only input.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from .enums import SEVERITY, Audience, CommunicationKind, ElectionKind, Verdict
from .models import Election
from .territory import Territory

K = CommunicationKind
ALL_KINDS = frozenset(K.values)
NOT_SENATORIAL = frozenset(ElectionKind.values) - {ElectionKind.SENATORIALES}
EVERY_ELECTION = frozenset(ElectionKind.values)


def six_months_before(election) -> date:
    """The first day of the sixth month before the month of the (first round of the) election:
    municipales of 15 March 2026 → 1 September 2025."""
    month = election.first_round.month - 6
    year = election.first_round.year
    if month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def campaign_window(election) -> tuple[date, date]:
    return six_months_before(election), election.decisive_round


def eve_windows(election) -> list[tuple[date, date]]:
    """From midnight on the eve of each round to the end of the vote (L.49)."""
    return [(day - timedelta(days=1), day) for day in election.rounds]


def late_campaign(election) -> tuple[date, date]:
    """The last ten days before the first round, to the decisive round (L.48-2)."""
    return election.first_round - timedelta(days=10), election.decisive_round


def reserve_window(election) -> tuple[date, date]:
    """Three weeks before the first round to the decisive round: the period a Prime Minister's
    circular usually covers (its exact dates come with each election)."""
    return election.first_round - timedelta(days=21), election.decisive_round


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    basis: str  # the legal text
    url: str
    summary: str  # plain French
    window_text: str  # how the window is computed
    instead: str  # what to do instead
    verdicts: dict  # communication kind → verdict (or a function (kind, audience, election))
    windows: Callable | None = None  # election → [(start, end)]; None: at any time
    elections: frozenset = EVERY_ELECTION
    general_only: bool = False
    why: dict = field(default_factory=dict)  # kind → why (default: summary)

    def verdict_for(self, kind: str, audience: str | None, election) -> str | None:
        verdict = self.verdicts.get(kind)
        if callable(verdict):
            return verdict(audience, election)
        return verdict

    def windows_of(self, election) -> list[tuple[date, date]]:
        if self.windows is None:
            return []
        result = self.windows(election)
        return result if isinstance(result, list) else [result]


def _promotion_52_1(audience, election):
    if election.kind == ElectionKind.PRESIDENTIELLE:
        return Verdict.CAUTION  # loi 62-1292 art. 3-II: actions linked to that election only
    return Verdict.FORBIDDEN


def _advantage(audience, election):
    if audience == Audience.CANDIDATES:
        return Verdict.FORBIDDEN
    if audience == Audience.ELECTED:
        return Verdict.FORBIDDEN if election is not None else Verdict.CAUTION
    return None


def _invitation_52_8(audience, election):
    if audience in (Audience.CANDIDATES, Audience.ELECTED):
        return Verdict.CAUTION
    return None


def _publication_52_8(audience, election):
    return Verdict.FORBIDDEN if audience == Audience.CANDIDATES else None


RULES: list[Rule] = [
    Rule(
        key="L.52-1 al. 1",
        title="Publicité commerciale à des fins de propagande électorale",
        basis="Code électoral, article L.52-1, alinéa 1",
        url="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000033402016",
        summary=(
            "Pendant les six mois qui précèdent le mois de l'élection et jusqu'au tour décisif, "
            "aucune publicité commerciale dans la presse ou par tout moyen audiovisuel ne peut "
            "servir la propagande d'un candidat."
        ),
        window_text="du 1er jour du 6e mois précédant le mois de l'élection au tour décisif",
        instead=(
            "Pas d'achat d'espace mettant en avant un élu ou une collectivité ; une information "
            "pratique (travaux, relogement) reste possible, sans visage ni réalisation d'élu."
        ),
        verdicts={
            K.PROMOTION: _promotion_52_1,
            K.PUBLICATION: Verdict.CAUTION,
            K.PRESS_RELEASE: Verdict.CAUTION,
        },
        windows=campaign_window,
        elections=NOT_SENATORIAL,
    ),
    Rule(
        key="L.52-1 al. 2",
        title="Campagne de promotion des réalisations ou de la gestion d'une collectivité",
        basis=(
            "Code électoral, article L.52-1, alinéa 2 (et, pour l'élection présidentielle, "
            "loi n° 62-1292 du 6 novembre 1962, article 3-II)"
        ),
        url="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000033402016",
        summary=(
            "À partir du 1er jour du 6e mois précédant le mois d'une élection générale, aucune "
            "campagne de promotion publicitaire des réalisations ou de la gestion d'une "
            "collectivité ne peut être organisée sur son territoire (communes, EPCI et syndicats "
            "compris ; pour les départementales et les régionales, aussi les communes et EPCI "
            "dont la majorité présente des candidats). La communication d'un OPH, rattaché à une "
            "collectivité, est traitée comme un risque. Amende jusqu'à 75 000 € (L.90-1) ; "
            "l'élection peut être annulée."
        ),
        window_text=(
            "du 1er jour du 6e mois précédant le mois de l'élection au tour décisif, sur les "
            "territoires concernés"
        ),
        instead=(
            "Garder la communication habituelle (même rythme, même ton, même support), "
            "purement informative, sans bilan ni photo d'élu ; reporter les inaugurations et "
            "les campagnes de valorisation après le scrutin."
        ),
        verdicts={
            K.PROMOTION: _promotion_52_1,
            K.PUBLICATION: Verdict.CAUTION,
            K.PRESS_RELEASE: Verdict.CAUTION,
            K.INFORMATION: Verdict.CAUTION,
            K.INVITATION: Verdict.CAUTION,
            K.POSTER: Verdict.CAUTION,
        },
        windows=campaign_window,
        elections=NOT_SENATORIAL,
        general_only=True,
    ),
    Rule(
        key="L.52-8",
        title="Aucun don ni avantage à un candidat",
        basis="Code électoral, article L.52-8",
        url="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000033402045",
        summary=(
            "Une personne morale autre qu'un parti ne peut, à aucun moment, consentir à un "
            "candidat un don ou un avantage de quelque nature que ce soit : argent, salle, "
            "repas, service, publication gratuite ou à prix inférieur au prix habituel."
        ),
        window_text=(
            "à tout moment (un élu en place peut être candidat pendant une période électorale)"
        ),
        instead=(
            "Facturer au prix habituel ; inviter tous les candidats ou aucun ; pas de repas ni "
            "de service réservé à un candidat ; pas de tribune gratuite dans une publication."
        ),
        verdicts={
            K.ADVANTAGE: _advantage,
            K.INVITATION: _invitation_52_8,
            K.PUBLICATION: _publication_52_8,
        },
        windows=None,
    ),
    Rule(
        key="L.49",
        title="Veille et jour du scrutin",
        basis="Code électoral, article L.49",
        url="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031010866",
        summary=(
            "À partir de la veille du scrutin à zéro heure : aucune distribution de documents, "
            "aucune communication électronique à caractère de propagande, aucun démarchage "
            "téléphonique, aucune réunion."
        ),
        window_text="la veille de chaque tour à zéro heure et le jour du vote",
        instead="Reporter l'envoi, la parution ou la réunion après la clôture du scrutin.",
        verdicts={
            K.PROMOTION: Verdict.FORBIDDEN,
            K.PUBLICATION: Verdict.FORBIDDEN,
            K.PRESS_RELEASE: Verdict.FORBIDDEN,
            K.POSTER: Verdict.FORBIDDEN,
            K.INVITATION: Verdict.FORBIDDEN,
            K.SURVEY: Verdict.FORBIDDEN,
            K.INFORMATION: Verdict.CAUTION,
        },
        windows=eve_windows,
    ),
    Rule(
        key="L.51",
        title="Affichage",
        basis="Code électoral, article L.51",
        url="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000021628498",
        summary=(
            "Pendant les six mois qui précèdent le mois de l'élection, tout affichage relatif "
            "à l'élection hors des emplacements officiels est interdit."
        ),
        window_text="du 1er jour du 6e mois précédant le mois de l'élection au tour décisif",
        instead=(
            "Une affiche institutionnelle reste sans lien avec "
            "l'élection, ses enjeux et ses candidats."
        ),
        verdicts={K.POSTER: Verdict.CAUTION},
        windows=campaign_window,
    ),
    Rule(
        key="R.27",
        title="Pas de combinaison bleu-blanc-rouge",
        basis="Code électoral, article R.27",
        url="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000024497829",
        summary=(
            "Les affiches et circulaires ayant un but ou un caractère électoral ne peuvent "
            "comporter la combinaison des trois couleurs bleu, blanc et rouge."
        ),
        window_text="du 1er jour du 6e mois précédant le mois de l'élection au tour décisif",
        instead="Charte graphique habituelle de l'organisme, sans drapeau tricolore.",
        verdicts={K.POSTER: Verdict.CAUTION, K.PUBLICATION: Verdict.CAUTION},
        windows=campaign_window,
    ),
    Rule(
        key="L.48-2",
        title="Pas d'élément nouveau de polémique en fin de campagne",
        basis="Code électoral, article L.48-2",
        url="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000027449596",
        summary=(
            "Il est interdit de porter à la connaissance du public un élément nouveau de "
            "polémique électorale à un moment tel que les adversaires ne puissent plus y "
            "répondre utilement."
        ),
        window_text="les dix jours précédant le premier tour et jusqu'au tour décisif",
        instead=(
            "Publier ce qui peut faire débat (chiffres d'un "
            "territoire, critiques) après le scrutin."
        ),
        verdicts={
            K.PRESS_RELEASE: Verdict.CAUTION,
            K.PUBLICATION: Verdict.CAUTION,
            K.PROMOTION: Verdict.CAUTION,
        },
        windows=late_campaign,
        elections=NOT_SENATORIAL,
    ),
    Rule(
        key="Période de réserve",
        title="Période de réserve des organismes publics",
        basis=(
            "Circulaire du Premier ministre publiée avant chaque scrutin (pas une loi : "
            "vérifier ses dates)"
        ),
        url="https://www.legifrance.gouv.fr/circulaire",
        summary=(
            "Avant chaque scrutin, une circulaire demande aux administrations et organismes "
            "publics neutralité et réserve : pas d'initiative nouvelle de communication, pas "
            "d'annonce, pas de participation à des événements de campagne."
        ),
        window_text=(
            "en pratique, les trois semaines qui précèdent le premier tour et jusqu'au tour décisif"
        ),
        instead=(
            "S'en tenir aux communications courantes ; reporter annonces, lancements et "
            "événements avec des élus après le scrutin."
        ),
        verdicts=dict.fromkeys(ALL_KINDS - {K.ADVANTAGE}, Verdict.CAUTION),
        windows=reserve_window,
    ),
]


@dataclass
class Finding:
    rule: Rule
    verdict: str
    why: str
    election: object | None
    window_start: date | None
    window_end: date | None

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.key,
            "verdict": str(self.verdict),
            "why": self.why,
            "basis": self.rule.basis,
            "election": str(self.election) if self.election else None,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "window_end": self.window_end.isoformat() if self.window_end else None,
        }


@dataclass
class Check:
    kind: str
    start: date
    end: date
    territory: Territory
    audience: str | None
    findings: list[Finding]

    @property
    def verdict(self) -> str:
        if not self.findings:
            return Verdict.ALLOWED
        return max((f.verdict for f in self.findings), key=lambda v: SEVERITY[v])

    def as_dict(self) -> dict:
        return {"verdict": str(self.verdict), "rules": [f.as_dict() for f in self.findings]}


class CheckError(ValueError):
    """Bad input to the checker, in French."""


def check(
    kind: str,
    start: date,
    end: date | None,
    territory: Territory,
    audience: str | None = None,
    elections=None,
) -> Check:
    """Every rule that applies to this communication, with its verdict and why."""
    if kind not in ALL_KINDS:
        raise CheckError(
            f"type de communication « {kind} » inconnu (attendu : {', '.join(K.values)})"
        )
    if audience is not None and audience not in Audience.values:
        raise CheckError(f"public « {audience} » inconnu (attendu : {', '.join(Audience.values)})")
    end = end or start
    if end < start:
        raise CheckError(
            f"la période se termine ({end:%d/%m/%Y}) avant de commencer ({start:%d/%m/%Y})"
        )
    if elections is None:
        elections = Election.objects.prefetch_related("regions", "departements", "communes")
    concerned = [e for e in elections if territory.overlaps(e)]
    findings: list[Finding] = []
    for rule in RULES:
        if rule.windows is None:
            running = [e for e in concerned if _overlap(start, end, *campaign_window(e))]
            election = running[0] if running else None
            verdict = rule.verdict_for(kind, audience, election)
            if verdict:
                findings.append(
                    Finding(rule, verdict, _why(rule, kind, election), election, None, None)
                )
            continue
        for election in concerned:
            if election.kind not in rule.elections or (
                rule.general_only and not election.is_general
            ):
                continue
            for window in rule.windows_of(election):
                if not _overlap(start, end, *window):
                    continue
                verdict = rule.verdict_for(kind, audience, election)
                if verdict:
                    findings.append(
                        Finding(rule, verdict, _why(rule, kind, election), election, *window)
                    )
    findings.sort(key=lambda f: (-SEVERITY[f.verdict], f.window_start or date.min))
    return Check(kind, start, end, territory, audience, findings)


def _overlap(start: date, end: date, window_start: date, window_end: date) -> bool:
    return start <= window_end and end >= window_start


def _why(rule: Rule, kind: str, election) -> str:
    about = f" ({election}, {election.first_round:%d/%m/%Y})" if election else ""
    return f"{K(kind).label.capitalize()} : {rule.title.lower()}{about}. {rule.instead}"


def windows_for(territory: Territory, elections, after: date) -> list[tuple]:
    """(election, rule, start, end) of every window on the territory ending on or after `after`."""
    rows = []
    for election in elections:
        if not territory.overlaps(election):
            continue
        for rule in RULES:
            if rule.windows is None or election.kind not in rule.elections:
                continue
            if rule.general_only and not election.is_general:
                continue
            for start, end in rule.windows_of(election):
                if end >= after:
                    rows.append((election, rule, start, end))
    rows.sort(key=lambda r: (r[2], r[3], r[1].key))
    return rows
