import json
from datetime import date

from mandature.compliance.enums import Audience, CommunicationKind
from mandature.compliance.rules import CheckError, check
from mandature.compliance.territory import TerritoryError, parse_territory
from mandature.core.commands import DataError, MandatureCommand
from mandature.core.french import long_date


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{option} : « {text} » n'est pas une date AAAA-MM-JJ") from None


class Command(MandatureCommand):
    help = (
        "Vérifie une communication au regard des règles de la période électorale (Code "
        "électoral L.52-1, L.52-8, L.49, L.51, R.27, L.48-2, période de réserve) et du "
        "calendrier des élections : verdict autorisé, précautions ou interdit, règle par règle."
    )
    example = (
        "mandature check-communication --kind promotion --date 2026-02-01 "
        "--territory commune:59350 --json"
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, help=", ".join(CommunicationKind.values))
        parser.add_argument("--date", required=True, help="AAAA-MM-JJ (début de la période)")
        parser.add_argument("--until", help="AAAA-MM-JJ (fin de la période, par défaut --date)")
        parser.add_argument(
            "--territory",
            required=True,
            help="france | region:CODE | departement:CODE | commune:CODE | epci:SIREN",
        )
        parser.add_argument("--audience", help=" | ".join(Audience.values))
        parser.add_argument("--json", action="store_true", help="résultat en JSON")

    def handle(self, *args, kind, date, until, territory, audience, json: bool, **options):
        start, end = _date("--date", date), _date("--until", until)
        try:
            place = parse_territory(territory)
            result = check(kind, start, end, place, audience)
        except (TerritoryError, CheckError) as error:
            raise DataError(str(error)) from None
        if json:
            self.stdout.write(_json(result.as_dict()))
            return
        period = long_date(result.start)
        if result.end != result.start:
            period = f"du {long_date(result.start)} au {long_date(result.end)}"
        else:
            period = f"le {period}"
        self.stdout.write(
            f"{CommunicationKind(kind).label.capitalize()}, {period}, {place.label} : "
            f"{str(result.verdict).upper()}"
        )
        if not result.findings:
            self.stdout.write("  Aucune règle de période électorale ne s'applique.")
        for finding in result.findings:
            window = ""
            if finding.window_start:
                window = f" [{finding.window_start:%d/%m/%Y} → {finding.window_end:%d/%m/%Y}]"
            self.stdout.write(
                f"  {finding.verdict:<11} {finding.rule.key}{window} : {finding.why} "
                f"({finding.rule.basis})"
            )


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
