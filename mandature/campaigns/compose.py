"""The text of a campaign: a light Markdown (paragraphs, **gras**, *italique*, lists, links)
with merge fields in braces, « {formule_appel} ». Rendered in a sandbox: the Markdown parser
takes no HTML, the fields are plain names filled by core.french.merge (no attribute, index or
code), every value is escaped, and an unknown field is refused before anything is sent.

The template is compiled once per campaign (HTML and plain text with the fields still in
braces); each recipient then only costs a string fill. A sentence that needs a figure the
commune does not have is left out rather than printed with a hole (merge_available)."""

import difflib
import html
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from django.conf import settings
from django.core import signing
from django.urls import reverse
from markdown_it import MarkdownIt

from mandature.core.french import (
    Named,
    _parse,
    function_title,
    long_date,
    merge,
    merge_available,
    number,
    percent,
    typography,
    with_preposition,
)

# name → what it holds (shown to the editor, in this order)
FIELDS = {
    "formule_appel": "« Madame la Maire », « Monsieur le Président »… (ou celle de la fiche)",
    "civilite": "« Madame » ou « Monsieur »",
    "prenom": "prénom de l'élu(e)",
    "nom": "nom de l'élu(e)",
    "nom_complet": "prénom et nom",
    "fonction": "« maire de Lille », « présidente de la Métropole européenne de Lille »…",
    "commune": "nom de la commune",
    "code_insee": "code INSEE de la commune",
    "departement": "nom du département",
    "epci": "nom de l'intercommunalité",
    "population": "population de la commune (ou de l'EPCI)",
    "logements_sociaux": "nombre de logements sociaux de la commune (DGCL)",
    "taux_logements_sociaux": "part des logements sociaux, « 23,4 % »",
    "situation_sru": "la situation de la commune au regard de la loi SRU, en une phrase",
    "logements_manquants_sru": "logements sociaux manquants au titre de la loi SRU",
    "lien_fiche": "adresse de la fiche de la commune (page et PDF, sans identifiant)",
    "lien_invitation": "le lien d'invitation : le lien personnel de chaque destinataire pour "
    "répondre (campagne d'invitation à un événement), sinon celui de la campagne",
    "lien_enquete": "le lien personnel de chaque destinataire pour répondre à l'enquête de la "
    "campagne (une réponse par lien)",
    "lien_publication": "le lien personnel de chaque destinataire pour télécharger la "
    "publication de la campagne (chaque téléchargement est noté)",
    "expediteur": "nom de l'organisation qui écrit",
    "date": "date du jour ou du courrier, « 23 novembre 2026 »",
}
EMAIL_ONLY = {"lien_desinscription": "lien de désinscription (ajouté de toute façon en bas)"}

_MARKDOWN = MarkdownIt(  # a line break typed inside a paragraph (a signature) stays one
    "js-default", {"html": False, "linkify": False, "typographer": False, "breaks": True}
)
_ENCODED_FIELD = re.compile(r"%7B([A-Za-z_][A-Za-z0-9_]*)%7D")


class TemplateError(ValueError):
    """A template that cannot be sent, in French, naming the field."""


def check(
    subject: str,
    body: str,
    *,
    email: bool,
    invitation_url: str = "",
    survey: bool = False,
    publication: bool = False,
) -> list[str]:
    """The problems of a template, in French; empty when it can be sent."""
    known = FIELDS | (EMAIL_ONLY if email else {})
    problems = []
    for where, text in (("l'objet", subject), ("le texte", body)):
        already = len(problems)
        parts = _parse(text)
        if parts is None:
            problems.append(
                f"Accolade sans paire dans {where} : écrire {{{{ ou }}}} pour une accolade seule."
            )
            continue
        for _literal, name, spec, conversion in parts:
            if name is None:
                continue
            if name in known and not spec and not conversion:
                if name == "lien_invitation" and not invitation_url:
                    problems.append(
                        f"Le champ {{lien_invitation}} est utilisé dans {where} mais la campagne "
                        "n'a pas de lien d'invitation (ni d'événement dont elle est l'invitation)."
                    )
                if name == "lien_publication" and not publication:
                    problems.append(
                        f"Le champ {{lien_publication}} est utilisé dans {where} mais la "
                        "campagne n'a pas de publication."
                    )
                if name == "lien_enquete" and not survey:
                    problems.append(
                        f"Le champ {{lien_enquete}} est utilisé dans {where} mais la campagne "
                        "n'envoie pas d'enquête."
                    )
                continue
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" ; vouliez-vous dire {{{close[0]}}} ?" if close else "."
            problems.append(f"Champ de fusion inconnu dans {where} : {shown}{hint}")
        if parts is not None and len(problems) == already:  # else: a field is named already
            rendered = merge(text, dict.fromkeys(known, "x"))[0]
            left = _LEFT_BRACES.search(rendered)
            if left:
                problems.append(
                    f"Après fusion, {where} contiendrait encore « {left.group(0)} » : un élu le "
                    "lirait tel quel. Retirer les accolades, ou utiliser un champ de la liste."
                )
    return list(dict.fromkeys(problems))


_LEFT_BRACES = re.compile(r"\{[^{}\n]{0,40}\}")


def markdown_html(text: str) -> str:
    """Markdown → HTML with the {fields} kept as they are (also inside links)."""
    return _ENCODED_FIELD.sub(r"{\1}", _MARKDOWN.render(text))


def markdown_text(text: str) -> str:
    """Markdown → plain text (the text/plain part): no markup, links as « texte (adresse) »."""
    out: list[str] = []
    prefix: list[str] = []  # list markers of the items being written
    for token in _MARKDOWN.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            prefix.append("–" if token.type == "bullet_list_open" else "1.")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            prefix.pop()
            out.append("\n")
        elif token.type == "list_item_open":
            marker = prefix[-1] if prefix[-1] == "–" else f"{token.info or 1}."
            out.append("  " * (len(prefix) - 1) + marker + " ")
        elif token.type == "inline":
            out.append(_inline_text(token.children or []))
        elif token.type == "paragraph_close":
            out.append("\n" if prefix else "\n\n")
        elif token.type == "heading_close":
            out.append("\n\n")
        elif token.type in ("fence", "code_block"):
            out.append(token.content + "\n")
        elif token.type == "hr":
            out.append("—\n\n")
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip() + "\n"


def _inline_text(children) -> str:
    out, links = [], []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "link_open":
            links.append((child.attrs.get("href", ""), len(out)))
        elif child.type == "link_close" and links:
            href, start = links.pop()
            href = _ENCODED_FIELD.sub(r"{\1}", href)
            label = "".join(out[start:])
            if href and href != label:
                out.append(f" ({href})")
    return "".join(out)


def markdown_blocks(text: str) -> list[dict]:
    """Markdown → paragraphs and list items made of runs (text, bold, italic, link): what the
    letter's Typst template lays out, with no markup language in between."""
    blocks: list[dict] = []
    depth = 0
    for token in _MARKDOWN.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "inline":
            blocks.append(
                {
                    "kind": "item" if depth else "paragraph",
                    "depth": depth,
                    "runs": _runs(token.children or []),
                }
            )
    return blocks


def _runs(children) -> list[dict]:
    runs, bold, italic, href = [], 0, 0, None
    for child in children:
        if child.type in ("text", "code_inline"):
            runs.append(
                {"text": child.content, "bold": bold > 0, "italic": italic > 0, "href": href}
            )
        elif child.type in ("softbreak", "hardbreak"):
            runs.append({"text": "\n", "bold": False, "italic": False, "href": None})
        elif child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic -= 1
        elif child.type == "link_open":
            href = _ENCODED_FIELD.sub(r"{\1}", child.attrs.get("href", ""))
        elif child.type == "link_close":
            href = None
    return runs


def fill_blocks(blocks: list[dict], values: dict) -> list[dict]:
    clean = {k: v for k, v in values.items() if v is not None}
    return [
        {
            **block,
            "runs": [
                {
                    **run,
                    "text": merge(run["text"], clean)[0],
                    "href": merge(run["href"], clean)[0] if run["href"] else None,
                }
                for run in block["runs"]
            ],
        }
        for block in blocks
    ]


def with_articles(values: dict) -> dict:
    """The values as stored on a recipient (JSON), their names given back their official
    article (« _liaisons »: {"commune": 2}) so that « de {commune} » reads « du Havre »."""
    liaisons = values.get("_liaisons") or {}
    if not liaisons:
        return values
    return {
        k: Named(v, liaisons[k]) if k in liaisons and isinstance(v, str) else v
        for k, v in values.items()
        if k != "_liaisons"
    }


def subject_for(subject: str, values: dict) -> str:
    """The subject one recipient read, from the campaign's template and the recipient's stored
    values: what the unsubscribe page, the official's timeline and exports show."""
    text, _unknown = merge(
        typography(subject), {k: v or "" for k, v in with_articles(values).items()}
    )
    return text.replace("\n", " ").strip()


def letter_blocks(body: str, blocks: list[dict], values: dict) -> list[dict]:
    """The letter's blocks for one recipient (sentences lacking a figure left out)."""
    values = with_articles(values)
    if any(values.get(name) is None for name in _fields_of(body) if name in values):
        text, _unknown, _missing = merge_available(body, values)
        return fill_blocks(markdown_blocks(_escape_braces(text)), {})
    return fill_blocks(blocks, values)


def _fields_of(text: str) -> set[str]:
    return {f for _, f, _, _ in _parse(text) or () if f}


@dataclass
class Message:
    subject: str
    html: str
    text: str


@dataclass
class Compiled:
    """A campaign's template, compiled once."""

    subject: str
    body: str
    html: str
    text: str
    footer_html: str = ""
    footer_text: str = ""

    def render(self, values: dict) -> Message:
        values = with_articles(values)
        present = {k: v for k, v in values.items() if v is not None}
        subject, _ = merge(self.subject, {k: v or "" for k, v in values.items()})
        if any(values.get(name, "") is None for name in self.fields):
            # rare: re-render the body without the sentences lacking a figure
            body, _unknown, _missing = merge_available(self.body, values)
            html_body = merge(markdown_html(_escape_braces(body)), {})[0]
            text_body = merge(markdown_text(_escape_braces(body)), {})[0]
        else:
            html_body = merge(self.html, present, escape=html.escape)[0]
            text_body = merge(self.text, present)[0]
        attention = values.get("_attention")
        if attention:  # a message to a mairie's address, for one of its officials
            text_body = f"{attention}\n\n{text_body}"
            html_body = f"<p><strong>{html.escape(attention)}</strong></p>\n{html_body}"
        if self.footer_text:
            html_body += merge(self.footer_html, present, escape=html.escape)[0]
            text_body += "\n-- \n" + merge(self.footer_text, present)[0]
        return Message(subject.replace("\n", " ").strip(), html_body, text_body)

    @cached_property
    def fields(self) -> set[str]:
        return _fields_of(self.subject) | _fields_of(self.body)


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


FOOTER = (
    "Vous recevez ce message en tant que {fonction}, de la part de {expediteur}, qui utilise "
    "Mandature, l'outil du Mouvement Hlm pour ses relations avec les élus. Pour ne plus recevoir "
    "aucun message envoyé par Mandature : {lien_desinscription}"
)


def compile_template(subject: str, body: str, *, email: bool) -> Compiled:
    """The template as typed, with French typography's non-breaking spaces (« : », « ; »,
    « ! », « ? », inside « guillemets », before « € » or « % »), compiled once."""
    subject, body = typography(subject), typography(body)
    compiled = Compiled(subject, body, markdown_html(body), markdown_text(body))
    if email:
        compiled.footer_text = FOOTER
        compiled.footer_html = (
            '<hr><p style="font-size:12px;color:#555">'
            + FOOTER.replace(
                "{lien_desinscription}",
                '<a href="{lien_desinscription}">se désinscrire</a>',
            )
            + "</p>"
        )
    return compiled


# --- values ---------------------------------------------------------------------------------
def salutation(sex: str, role: str) -> str:
    """« Madame la Maire », « Monsieur le Président », or « Madame » / « Monsieur »."""
    madam = sex == "F"
    if role == "maire":
        return "Madame la Maire" if madam else "Monsieur le Maire"
    if role == "président":
        return "Madame la Présidente" if madam else "Monsieur le Président"
    return "Madame" if madam else "Monsieur"


@lru_cache(maxsize=1)
def _brief_link_parts() -> tuple[signing.Signer, str, str]:
    head, _, tail = reverse("web:public-brief", args=["JETON"]).partition("JETON")
    return signing.Signer(salt="brief-link"), settings.SITE_URL + head, tail


def brief_link(code: str) -> str:
    """The public address of a commune's brief: signed, so that only links Mandature gave out
    open it without an account."""
    signer, head, tail = _brief_link_parts()
    return head + signer.sign(code) + tail


def brief_code(token: str) -> str | None:
    try:
        return _brief_link_parts()[0].unsign(token)
    except signing.BadSignature:
        return None


def values_for(
    member, *, figures, sru, organisation_name: str, invitation_url: str, on: date
) -> dict[str, str | None]:
    """The merge values of one segment member (None: a figure the commune does not have)."""
    entry, contact, person = member.entry, member.contact, member.entry.person
    commune = entry.commune
    epci = entry.mandate.epci if entry.mandate.epci_id else (commune.epci if commune else None)
    role = {"maire": "maire", "president": "président"}.get(entry.function_code, "")
    if role == "président" and not entry.mandate.epci_id:
        role = ""  # the president of a departmental or regional council: « Madame, »
    feminine = person.sex == "F"
    if role == "maire":
        function = f"maire {with_preposition('de', commune.named)}" if commune else "maire"
    elif role == "président":
        title = "présidente" if feminine else "président"
        function = f"{title} {with_preposition('de', epci.name)}" if epci else title
    else:
        function = function_title(
            entry.function or entry.mandate.get_kind_display(), feminine
        ).lower()
        place = commune.name if commune else entry.mandate.territory_label
        function = f"{function} ({place})" if place else function
    figures_row = figures.get(commune.code) if commune else None
    situation = sru.get(commune.code) if commune else None
    population = (
        (epci.population if epci else None)
        if role == "président"
        else (commune.population if commune else None)
    )
    return {
        "formule_appel": (
            contact.salutation if contact and contact.salutation else salutation(person.sex, role)
        ),
        "civilite": "Madame" if feminine else "Monsieur",
        "prenom": person.first_name,
        "nom": person.last_name,
        "nom_complet": f"{person.first_name} {person.last_name}".strip(),
        "fonction": function.strip(),
        "commune": commune.named if commune else None,
        "code_insee": commune.code if commune else None,
        "departement": commune.departement.named if commune else None,
        "epci": epci.name if epci else None,
        "population": number(population) if population else None,
        "logements_sociaux": (
            number(figures_row.social_units)
            if figures_row and figures_row.social_units is not None
            else None
        ),
        "taux_logements_sociaux": (
            percent(figures_row.rate) if figures_row and figures_row.rate is not None else None
        ),
        "situation_sru": situation.summary if situation else None,
        "logements_manquants_sru": (
            number(situation.deficit) if situation and situation.deficit is not None else None
        ),
        "lien_fiche": brief_link(commune.code) if commune else None,
        "lien_invitation": invitation_url or None,
        "lien_enquete": None,
        "lien_publication": None,
        "expediteur": organisation_name,
        "date": long_date(on),
        "_liaisons": {
            name: place.liaison
            for name, place in (
                ("commune", commune),
                ("departement", commune.departement if commune else None),
            )
            if place is not None and place.liaison
        },
    }
