"""Templates: merge fields in a sandbox, unknown fields refused with their name, HTML and a
generated plain-text part, sentences without a figure left out."""

import re
from email import message_from_bytes, policy, quoprimime
from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mandature.campaigns.compose import (
    check,
    compile_template,
    letter_blocks,
    markdown_blocks,
    markdown_text,
    salutation,
)
from mandature.core.mail import Identity, Skeleton, _quoted_line, compose, html_document

VALUES = {
    "formule_appel": "Madame la Maire",
    "commune": "Lille",
    "expediteur": "AR Hlm",
    "logements_sociaux": "62 000",
    "taux_logements_sociaux": "26,7\u00a0%",
    "lien_fiche": "https://mandature.test/partage/fiche/59350:abc/",
    "prenom": "Élise",
    "nom": "Dupont <script>",
    "lien_desinscription": "https://mandature.test/d/1:x/",
    "fonction": "maire de Lille",
}


def test_unknown_or_misspelled_fields_are_named_before_sending():
    problems = check("Bonjour {formule_apel}", "Madame {comune}, {nom.__class__} {x!r}", email=True)
    assert (
        "Champ de fusion inconnu dans l'objet : {formule_apel} ; vouliez-vous dire {formule_appel} ?"
        in problems
    )
    assert any("{comune} ; vouliez-vous dire {commune} ?" in p for p in problems)
    assert any("{nom.__class__}" in p for p in problems)  # no attribute access
    assert any("{x!r}" in p for p in problems)
    assert check("Bonjour", "Texte { seul", email=True) == [
        "Accolade sans paire dans le texte : écrire {{ ou }} pour une accolade seule."
    ]
    assert check("{formule_appel}", "{lien_desinscription}", email=False)  # email only
    assert check("Invitation", "{lien_invitation}", email=True) != []


def test_a_template_that_would_still_show_braces_cannot_be_sent():
    problems = check("La fiche de {{commune}}", "Bonjour {formule_appel}, {{ x }}", email=True)
    assert problems == [
        "Après fusion, l'objet contiendrait encore « {commune} » : un élu le lirait tel quel. "
        "Retirer les accolades, ou utiliser un champ de la liste.",
        "Après fusion, le texte contiendrait encore « { x } » : un élu le lirait tel quel. "
        "Retirer les accolades, ou utiliser un champ de la liste.",
    ]
    assert check("Un {{ seul", "et une accolade }} seule", email=True) == []
    assert (
        check("Invitation", "{lien_invitation}", email=True, invitation_url="https://congres.test/")
        == []
    )


def test_html_is_escaped_and_the_text_part_is_generated():
    body = (
        "{formule_appel},\n\nVotre commune, **{commune}**, compte {logements_sociaux} "
        "logements sociaux.\n\n- un\n- deux\n\nVoir [la fiche]({lien_fiche}). <b>x</b>"
    )
    message = compile_template("Félicitations, {formule_appel}", body, email=True).render(VALUES)
    assert message.subject == "Félicitations, Madame la Maire"
    assert "<strong>Lille</strong>" in message.html
    assert '<a href="https://mandature.test/partage/fiche/59350:abc/">la fiche</a>' in message.html
    assert "&lt;b&gt;x&lt;/b&gt;" in message.html  # the author's HTML is text, not markup
    assert "**" not in message.text and "Voir la fiche (" in message.text
    assert "Votre commune, Lille, compte 62 000 logements sociaux." in message.text
    assert "– un\n– deux" in message.text
    assert "Voir la fiche (https://mandature.test/partage/fiche/59350:abc/)." in message.text
    assert "https://mandature.test/d/1:x/" in message.text  # the footer's unsubscribe link
    values = VALUES | {"commune": "<img src=x onerror=alert(1)>"}
    assert "<img" not in compile_template("x", "{commune}", email=True).render(values).html


def test_a_sentence_lacking_a_figure_is_left_out():
    body = "Bonjour {formule_appel}. Votre commune compte {logements_sociaux} logements sociaux. À bientôt."
    message = compile_template("x", body, email=False).render(VALUES | {"logements_sociaux": None})
    assert message.text.strip() == "Bonjour Madame la Maire. À bientôt."
    blocks = letter_blocks(body, markdown_blocks(body), VALUES | {"logements_sociaux": None})
    assert "".join(r["text"] for r in blocks[0]["runs"]) == "Bonjour Madame la Maire. À bientôt."


def test_markdown_text_keeps_lists_and_links():
    assert (
        markdown_text("1. a\n2. b\n\nfin [x](https://y.test)")
        == "1. a\n2. b\n\nfin x (https://y.test)\n"
    )


@pytest.mark.parametrize(
    ("sex", "role", "expected"),
    [
        ("F", "maire", "Madame la Maire"),
        ("M", "maire", "Monsieur le Maire"),
        ("F", "président", "Madame la Présidente"),
        ("M", "", "Monsieur"),
    ],
)
def test_salutations(sex, role, expected):
    assert salutation(sex, role) == expected


IDENTITY = Identity("ar@hlm.test", "contact@hlm.test", "AR Hlm Hauts-de-France")
SUBJECT = "Félicitations pour votre élection à la tête de Villeneuve-d'Ascq, « Madame la Maire »"
TEXT = "Madame la Maire,\n\n.Une ligne qui commence par un point, des accents : é à ç = \n" * 30
ONE = {
    "subject": SUBJECT,
    "text": TEXT,
    "html": html_document("<p>é</p>"),
    "message_id": "<c-1-2@hlm.test>",
    "unsubscribe": "https://m.test/desinscription/2:x/",
}


def test_the_message_reads_back_with_the_standard_parser():
    data = Skeleton(IDENTITY, unsubscribe=True).fill(to=("Élise Dupont", "e@lille.test"), **ONE)
    message = message_from_bytes(data, policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "AR Hlm Hauts-de-France"
    assert message["To"].addresses[0].display_name == "Élise Dupont"
    assert message["List-Unsubscribe"] == "<https://m.test/desinscription/2:x/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Reply-To"] == "contact@hlm.test"
    assert message["Message-ID"] == "<c-1-2@hlm.test>" and message["Date"].datetime
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == TEXT
    assert "<p>é</p>" in message.get_body(("html",)).get_content()
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"Content-Transfer-Encoding: quoted-printable" in data and data.isascii()


@pytest.mark.parametrize(
    "name",
    [
        "Élise Dupont",
        "Jean Dupont",
        "Dupont, Jean",
        "Dupont, Jean (dit « Jeannot »)",
        "Marie-Ève " * 12,
        "",
    ],
)
def test_a_campaign_message_is_the_one_the_standard_library_writes(name):
    """The skeleton filled for a recipient is, byte for byte, what `compose` writes (the
    boundary aside), but for the « To » line, encoded by `formataddr` into the same name."""
    data = Skeleton(IDENTITY, unsubscribe=True).fill(to=(name, "e@lille.test"), **ONE)
    date = message_from_bytes(data, policy=policy.default)["Date"]
    written = compose(identity=IDENTITY, to=[(name, "e@lille.test")], date=date, **ONE)

    def parts(data: bytes) -> tuple[bytes, str]:
        data = re.sub(rb"={15}\d+==", b"BOUNDARY", data)
        to = re.search(rb"\r\nTo: (.*?)\r\n(?! )", data, re.S)
        display, address = parseaddr(to.group(1).decode().replace("\r\n ", " "))
        assert address == "e@lille.test"
        # decode_header, not the parser of policy.default: that one (Python 3.11) puts a space
        # between the adjacent encoded words of a long name, which RFC 2047 says to drop.
        return data.replace(to.group(0), b"\r\n"), str(make_header(decode_header(display)))

    assert parts(data) == parts(written.as_bytes())
    assert parts(data)[1] == " ".join(name.split())


_LINE_ALPHABET = "aZ09 .=\t_-:,;!?«»éèàçœÉ€\u00a0\u2019\x01" + "x" * 10


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_LINE_ALPHABET, max_size=120))
def test_each_body_line_is_encoded_as_the_standard_library_encodes_it(line):
    """The bodies' lines go through `binascii.b2a_qp` when it writes them as the email package
    does: any line, short or long, dotted, with trailing blanks or signs, gives the same bytes."""
    data = line.encode("utf-8")
    expected = quoprimime.body_encode(data.decode("latin-1"), 78, "\r\n").encode("ascii")
    assert _quoted_line(data) == expected


@pytest.mark.parametrize(
    "line", [".", "..", ". ", "x" * 76, "x" * 77, "é" * 26, "a " * 38, "a=" * 30]
)
def test_the_lines_the_two_encoders_would_write_differently(line):
    data = line.encode("utf-8")
    expected = quoprimime.body_encode(data.decode("latin-1"), 78, "\r\n").encode("ascii")
    assert _quoted_line(data) == expected


def test_the_html_part_keeps_the_lines_of_a_signature():
    compiled = compile_template("Objet", "Bien à vous,\nMarianne Louis\nPrésidente", email=False)
    message = compiled.render({})
    assert "Bien à vous,<br>\nMarianne Louis<br>\nPrésidente" in message.html
    assert "Bien à vous,\nMarianne Louis\nPrésidente" in message.text
