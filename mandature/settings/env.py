"""Tiny typed helpers to read settings from the environment.

A value that cannot be read is an error that names the variable and what it accepts: a typo
(`HTTPS=ture`, `SESSION_HOURS=12h`) must stop the server at start, not silently turn a
safeguard off or fall back to a default nobody chose."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE = ("1", "true", "yes", "on", "oui")
FALSE = ("0", "false", "no", "off", "non")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} : valeur « {value} » illisible ; valeurs acceptées : {', '.join(TRUE)} "
        f"(oui) ou {', '.join(FALSE)} (non)."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value.strip().replace("_", ""))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} : valeur « {value} » illisible ; un nombre entier est attendu (par "
            f"exemple {default})."
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def development_secret_key(var_dir: Path) -> str:
    """A random key generated once and kept under var/, for development only."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def email_settings(url: str) -> dict:
    """Django email settings from one URL: smtp://user:password@host:port (STARTTLS with
    ?tls=1, or smtps:// for implicit TLS), console:// (print the messages, the default in
    development), file:///path (one file per message), locmem:// (tests)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "submission": "django.core.mail.backends.smtp.EmailBackend",
    }
    if scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL : schéma « {scheme} » inconnu ; schémas acceptés : {', '.join(backends)}."
        )
    result = {"EMAIL_BACKEND": backends[scheme]}
    if scheme == "file":
        result["EMAIL_FILE_PATH"] = unquote(parts.path)
    if scheme in ("smtp", "smtps", "submission"):
        query = parse_qs(parts.query)
        default_port = {"smtp": 25, "smtps": 465, "submission": 587}[scheme]
        result.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or default_port,
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_USE_TLS=scheme == "submission"
            or _url_bool("EMAIL_URL", "tls", query.get("tls", ["0"])[0]),
            EMAIL_TIMEOUT=_url_int("EMAIL_URL", "timeout", query.get("timeout", ["20"])[0]),
        )
    return result


def _url_bool(name: str, option: str, value: str) -> bool:
    if value.strip().lower() in TRUE:
        return True
    if value.strip().lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} : option {option}={value} illisible ; valeurs acceptées : 1 ou 0."
    )


def _url_int(name: str, option: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} : option {option}={value} illisible ; un nombre entier de secondes est "
            "attendu."
        ) from None
