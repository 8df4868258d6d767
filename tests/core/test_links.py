"""Addresses of list pages built without reverse(): the same as reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from mandature.core.links import page_url


@pytest.mark.parametrize("prefix", ["/", "/mandature/"])
def test_page_url_is_what_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        for name, arg in [
            ("web:commune", "2A004"),
            ("web:commune", "01001"),
            ("web:person", 123456),
            ("web:epci", "200054781"),
        ]:
            assert page_url(name, arg) == reverse(name, args=[arg])
        assert page_url("web:commune", "75056").startswith(prefix)
    finally:
        set_script_prefix("/")
