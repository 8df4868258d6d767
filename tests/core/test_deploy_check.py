"""`mandature check`: Django's deployment checks and Mandature's, each named, exit status 1 with
the list of what is wrong."""

import secrets

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mandature.core.models import WorkerBeat

pytestmark = pytest.mark.django_db


def run(capsys) -> tuple[int, str]:
    try:
        call_command("deploy_check")
    except CommandError as error:
        return error.returncode, capsys.readouterr().out + str(error)
    return 0, capsys.readouterr().out


def test_a_development_setup_is_not_ready_and_says_why(capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    status, out = run(capsys)
    assert status == 1
    assert "✗   Django security.W004" in out  # no HSTS
    assert "✗   aucun travailleur vivant" in out
    assert "✗   courriel non configuré (EMAIL_URL : envoi « console »)" in out
    assert "✗   SITE_URL (http://testserver)" in out
    assert "ok  base à jour (migrations appliquées)" in out
    assert "ok  données nationales chargées" in out


def test_a_production_setup_passes(capsys, settings, monkeypatch, tmp_path):
    key = secrets.token_urlsafe(60)
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set for the browser tests
    settings.SECRET_KEY = key
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["mandature.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SILENCED_SYSTEM_CHECKS = ["security.W021"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Mandature <mandature@union-habitat.org>"
    settings.SITE_URL = "https://mandature.example.org"
    settings.STATIC_ROOT = str(tmp_path)
    (tmp_path / "staticfiles.json").write_text("{}")
    WorkerBeat.objects.create(name="serveur:4242", seen_at=timezone.now())
    status, out = run(capsys)
    assert status == 0, out
    assert "Prêt pour la production" in out and "✗" not in out


def test_the_environment_file_reads_in_a_shell_as_in_systemd():
    """The guide has the administrator read /etc/mandature/mandature.env in a shell
    (`set -a; . file`): every line must be valid there, as systemd reads it."""
    import subprocess
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "deploy" / "mandature.env.example"
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'set -e; set -a; . "{example}"; set +a; '
            'printf "%s|%s|%s" "$DEFAULT_FROM_EMAIL" "$HTTPS" "$DATABASE_URL"',
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    sender, https, database = done.stdout.split("|")
    assert sender == "Mandature <mandature@example.org>" and https == "1"
    assert database.startswith("postgres://")


def test_the_web_server_timeout_is_set_and_documented():
    """gunicorn's timeout is written in the unit (not its default), below nginx's, and the
    guide says it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    unit = (root / "deploy" / "systemd" / "mandature-web.service").read_text()
    timeout = int(re.search(r"--timeout (\d+)", unit).group(1))
    nginx = (root / "deploy" / "nginx-mandature.conf").read_text()
    proxy = int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1))
    assert 30 <= timeout < proxy
    guide = (root / "docs" / "deployment.md").read_text()
    assert f"--timeout {timeout}" in guide and "### Limites" in guide
