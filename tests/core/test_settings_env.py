"""Settings read from the environment: a value that cannot be read stops the start with a
message naming the variable and what it accepts (issue 23: `env_bool("MAYBE")` was False)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from mandature.settings.env import email_settings, env_bool, env_int, env_list


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("oui", True),
        (" TRUE ", True),
        ("on", True),
        ("0", False),
        ("non", False),
        ("Off", False),
        ("", True),
    ],
)
def test_booleans_in_english_or_french(monkeypatch, value, expected):
    monkeypatch.setenv("HTTPS", value)
    assert env_bool("HTTPS", True) is expected


def test_an_unreadable_boolean_names_the_variable_and_the_accepted_values(monkeypatch):
    monkeypatch.setenv("HTTPS", "MAYBE")
    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("HTTPS")
    message = str(error.value)
    assert message.startswith("HTTPS : valeur « MAYBE » illisible")
    assert "1, true, yes, on, oui" in message and "0, false, no, off, non" in message


def test_integers(monkeypatch):
    monkeypatch.delenv("SESSION_HOURS", raising=False)
    assert env_int("SESSION_HOURS", 12) == 12
    monkeypatch.setenv("SESSION_HOURS", " 8 ")
    assert env_int("SESSION_HOURS", 12) == 8
    monkeypatch.setenv("RNE_UPLOAD_MAX_BYTES", "200_000_000")
    assert env_int("RNE_UPLOAD_MAX_BYTES", 1) == 200_000_000
    monkeypatch.setenv("SESSION_HOURS", "12h")
    with pytest.raises(
        ImproperlyConfigured,
        match="SESSION_HOURS : valeur « 12h » illisible ; un nombre entier est attendu",
    ):
        env_int("SESSION_HOURS", 12)


def test_lists(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "exemple.fr, www.exemple.fr,")
    assert env_list("ALLOWED_HOSTS", []) == ["exemple.fr", "www.exemple.fr"]


def test_the_mail_url_refuses_what_it_cannot_read():
    assert email_settings("smtp://relais:25?tls=oui")["EMAIL_USE_TLS"] is True
    assert email_settings("smtp://relais:25?timeout=5")["EMAIL_TIMEOUT"] == 5
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL : schéma « imap » inconnu"):
        email_settings("imap://relais")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL : option tls=peut-être illisible"):
        email_settings("smtp://relais?tls=peut-être")
    with pytest.raises(ImproperlyConfigured, match="option timeout=5s illisible"):
        email_settings("smtp://relais?timeout=5s")
