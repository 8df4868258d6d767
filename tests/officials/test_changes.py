"""Change detection between the real mayors files of January 2022 and April 2026."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from mandature.core.models import AuditLog
from mandature.officials.changes import compute_changes, snapshot_at
from mandature.officials.enums import ChangeType
from mandature.officials.models import IdentityDoubt


@pytest.fixture
def renewal(db):
    return compute_changes(
        snapshot_at("maires", date(2022, 3, 1)), snapshot_at("maires", date(2026, 5, 1))
    )


def test_renewal_counts_are_consistent(renewal):
    counts = renewal.counts()
    new, re_elected = counts[ChangeType.NEW_MAYOR], counts[ChangeType.RE_ELECTED]
    assert counts[ChangeType.FIRST_TIME_MAYOR] <= new
    assert new + re_elected == renewal.compared  # every reported commune: new or re-elected
    assert renewal.compared > 32_000 and renewal.not_yet_reported > 2_000  # Mayenne, Nièvre…
    # Every new mayor replaces someone; communes merged since 2022 lost one mayor more.
    assert new <= counts[ChangeType.DEPARTED] <= new + 200
    assert 10_000 < new < 18_000


def test_a_mayor_whose_name_is_spelled_differently_is_not_new(renewal):
    doubt = IdentityDoubt.objects.filter(merged=True, snapshot__data_date=date(2026, 4, 17)).first()
    assert doubt is not None
    seat = doubt.person.mandates.filter(start_date__year=2026).get()
    change = next(c for c in renewal.changes if c.seat.commune_id == seat.commune_id)
    assert change.type == ChangeType.RE_ELECTED


def test_changes_by_departement_and_region(renewal):
    by_region = {code: counter for code, _name, counter in renewal.counts_by("region")}
    assert (
        sum(c[ChangeType.NEW_MAYOR] for c in by_region.values())
        == renewal.counts()[ChangeType.NEW_MAYOR]
    )
    assert "53" not in {c.departement_code for c in renewal.changes}  # Mayenne not yet reported


def test_rne_changes_csv(db, capsysbinary):
    call_command(
        "rne_changes",
        kind="maires",
        date_from=date(2022, 3, 1),
        date_to=date(2026, 5, 1),
        change_type="first-time-mayor",
        departement="33",
    )
    data = capsysbinary.readouterr().out
    assert data.startswith("\ufeff".encode())  # the same file as the web's download
    out = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(out), delimiter=";"))
    assert rows and all(r["type"] == "first-time-mayor" and r["departement"] == "33" for r in rows)
    assert all(r["premier_mandat_de_maire"] == "oui" for r in rows)
    assert "naissance" not in out.splitlines()[0]
    assert rows[0]["tranche_age"].endswith("ans")
    assert AuditLog.objects.filter(action="export des changements RNE", channel="commande").exists()


def test_rne_changes_xlsx(db, tmp_path):
    output = tmp_path / "changes.xlsx"
    call_command(
        "rne_changes",
        kind="maires",
        date_from=date(2022, 3, 1),
        date_to=date(2026, 5, 1),
        change_type="departed",
        output_format="xlsx",
        output=output,
    )
    sheet = load_workbook(output).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "type" and sheet.max_row > 10_000


def test_rne_changes_refuses_a_single_snapshot(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="même instantané"):
        call_command(
            "rne_changes", kind="maires", date_from=date(2026, 4, 20), date_to=date(2026, 5, 1)
        )
