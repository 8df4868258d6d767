"""Structured logs of requests and tasks (JSON, with durations, without personal data) and the
administrators' page of the tasks that failed."""

import json
import logging
import uuid

import pytest
from django.utils import timezone
from django_tasks import task

from mandature.core.logs import JsonFormatter
from tests.conftest import login

pytestmark = pytest.mark.django_db


@task()
def sample_task(value: int) -> int:
    return value * 2


def test_each_request_is_one_json_line_without_the_query(client, personas, caplog):
    caplog.set_level(logging.INFO, logger="mandature.requests")
    client.get("/elus/recherche/?q=dupont")
    record = next(r for r in caplog.records if r.name == "mandature.requests")
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/elus/recherche/" and "dupont" not in json.dumps(line)
    assert line["status"] == 200 and line["method"] == "GET" and line["duration_ms"] > 0
    assert line["user"] == personas.national.pk and "@" not in json.dumps(line)


def test_each_task_is_logged_with_its_duration(caplog):
    caplog.set_level(logging.INFO, logger="mandature.tasks")
    sample_task.enqueue(21)  # the test settings run tasks at once
    finished = [
        json.loads(JsonFormatter().format(r))
        for r in caplog.records
        if r.name == "mandature.tasks" and r.state != "RUNNING"
    ]
    assert finished[-1]["task"].endswith("sample_task") and finished[-1]["state"] == "SUCCESSFUL"
    assert finished[-1]["duration_ms"] is not None


def test_administrators_see_the_failed_tasks(client, personas):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status="FAILED",
        args_kwargs={"args": [7], "kwargs": {}},
        task_path="mandature.officials.tasks.import_upload",
        backend_name="default",
        run_after=timezone.now(),
        finished_at=timezone.now(),
        exception_class_path="mandature.officials.importer.RneFileError",
        traceback="Traceback…\nRneFileError: fichier.csv:12: colonne « Date de naissance »",
    )
    login(client, personas.admin)
    page = client.get("/journal/taches/").content.decode()
    assert "import d&#x27;un fichier RNE" in page and "RneFileError" in page
    login(client, personas.national)
    assert client.get("/journal/taches/").status_code == 403
