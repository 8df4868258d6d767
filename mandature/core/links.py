"""Addresses of pages: those taking one argument (a commune, an official), for long lists;
the page to go on to after a form (`safe_next`).

Django's `reverse()` matches the pattern anew on each call: a page listing a hundred communes
and their mayors spent a noticeable part of its time on it. `page_url()` reverses each pattern
once, with a marker in place of the argument, and then only inserts the argument.
"""

from functools import lru_cache
from urllib.parse import quote

from django.shortcuts import resolve_url
from django.urls import get_script_prefix, reverse
from django.utils.http import url_has_allowed_host_and_scheme

_MARKER = "90817263544536271809"  # digits: matches the int converter as well as str and slug
_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted (RFC 3986 sub-delimiters and more)


@lru_cache(maxsize=64)
def _parts(name: str, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_MARKER]).partition(_MARKER)
    return before, after


def page_url(name: str, arg: object) -> str:
    """`reverse(name, args=[arg])` for a pattern with one argument of the str or int converter."""
    before, after = _parts(name, get_script_prefix())
    return f"{before}{quote(str(arg), safe=_SAFE)}{after}"


def safe_next(request, default: str) -> str:
    """The page to go on to: the `next` asked for (form, then query string) when it is a page
    of this site, else `default` (a URL name or a path). Never another site (`https://…`,
    `//…`, `/\\…`), another scheme (`javascript:`) or plain http from an https page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return resolve_url(default)
