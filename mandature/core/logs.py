"""Structured logs: one JSON object a line (LOG_FORMAT=json, the default in production), for
every request and every task, with its duration. No personal data: a request is logged by its
path without the query string (a search holds names), the user by their id only."""

import json
import logging
import time
from datetime import UTC, datetime

requests_log = logging.getLogger("mandature.requests")
tasks_log = logging.getLogger("mandature.tasks")
FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "user",
    "bytes",
    "task",
    "task_id",
    "state",
    "queue",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestLogMiddleware:
    """One line a request: method, path, status, duration, user id, size."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if requests_log.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            duration = round((time.perf_counter() - started) * 1000, 1)
            size = len(response.content) if not response.streaming else None
            requests_log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration,
                    "user": user.pk if user is not None and user.is_authenticated else None,
                    "bytes": size,
                },
            )
        return response


def task_started(sender, task_result, **kwargs) -> None:
    tasks_log.info(
        "tâche %s démarrée",
        task_result.task.module_path,
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "state": "RUNNING",
            "queue": task_result.task.queue_name,
        },
    )


def task_finished(sender, task_result, **kwargs) -> None:
    started, finished = task_result.started_at, task_result.finished_at
    duration = (
        round((finished - started).total_seconds() * 1000, 1) if started and finished else None
    )
    status = str(task_result.status).rsplit(".", 1)[-1]
    level = logging.ERROR if status == "FAILED" else logging.INFO
    tasks_log.log(
        level,
        "tâche %s : %s",
        task_result.task.module_path,
        status,
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "state": status,
            "duration_ms": duration,
            "queue": task_result.task.queue_name,
        },
    )
