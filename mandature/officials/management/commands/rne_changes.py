import shutil
import sys
import tempfile
from pathlib import Path

from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand
from mandature.core.models import audit
from mandature.officials.changes import compute_changes, snapshot_at
from mandature.officials.enums import ChangeType, SnapshotKind
from mandature.officials.exports import write_export
from mandature.officials.management.commands.import_rne import iso_date


class Command(MandatureCommand):
    help = (
        "Liste les changements entre deux instantanés RNE d'un type : nouveaux maires, premiers "
        "mandats de maire, maires réélus, départs, changements de fonction, nouveaux présidents "
        "d'EPCI. --from et --to sont des dates : chacune choisit le dernier instantané du type "
        "à cette date ou avant. Sortie CSV (une ligne par changement, avec en-tête) ou XLSX."
    )
    example = (
        "mandature rne-changes --kind maires --from 2022-03-01 --to 2026-04-30 "
        "--type first-time-mayor --departement 33 --format csv"
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=SnapshotKind.values)
        parser.add_argument("--from", dest="date_from", required=True, type=iso_date)
        parser.add_argument("--to", dest="date_to", required=True, type=iso_date)
        parser.add_argument("--type", dest="change_type", choices=ChangeType.values)
        parser.add_argument("--departement", help="code du département (33, 2A, 971…)")
        parser.add_argument(
            "--format", dest="output_format", choices=["csv", "xlsx"], default="csv"
        )
        parser.add_argument("--output", type=Path, help="fichier de sortie (défaut : la sortie)")

    def handle(
        self,
        *args,
        kind,
        date_from,
        date_to,
        change_type,
        departement,
        output_format,
        output,
        **options,
    ):
        if date_from >= date_to:
            raise CommandError("--from doit précéder --to", returncode=2)
        before, after = snapshot_at(kind, date_from), snapshot_at(kind, date_to)
        if before is None or after is None:
            missing = date_from if before is None else date_to
            raise CommandError(
                f"aucun instantané RNE « {kind} » au {missing:%d/%m/%Y} ou avant", returncode=2
            )
        if before.pk == after.pk:
            raise CommandError(
                f"--from et --to désignent le même instantané (au {after.data_date:%d/%m/%Y})",
                returncode=2,
            )
        changes = compute_changes(before, after)
        selected = changes.of_type(change_type) if change_type else changes.changes
        if departement:
            code = departement.upper().zfill(2) if departement.isdigit() else departement.upper()
            selected = [c for c in selected if c.departement_code == code]
        audit(
            "export des changements RNE",
            "commande",
            kind=kind,
            type=change_type or "",
            departement=departement or "",
            rows=len(selected),
        )
        if output:
            with open(output, "wb") as file:
                write_export(file, changes, selected, output_format)
        else:
            # A zip (XLSX) is written with seeks: through a temporary file, not to a pipe.
            with tempfile.TemporaryFile() as file:
                write_export(file, changes, selected, output_format)
                file.seek(0)
                shutil.copyfileobj(file, sys.stdout.buffer)
            sys.stdout.flush()
        message = (
            f"{len(selected)} changement(s) entre le RNE {kind} au {before.data_date:%d/%m/%Y} "
            f"et celui au {after.data_date:%d/%m/%Y}"
        )
        self.stderr.write(f"{message} ({self.elapsed()})")
