"""French typography for documents: numbers, percentages, dates and spaces before « : ; ! ? »."""

import re
import string
from datetime import date
from decimal import Decimal
from functools import lru_cache

NBSP = "\u00a0"  # before « : » and inside « guillemets »
NNBSP = "\u202f"  # narrow: before « ; ! ? » and between thousands
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*:(?=\s|$)")
_BEFORE_TIGHT = re.compile(r"(?<=\S)[ \u00a0\u202f]*([;!?])(?=\s|$|»)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_PERCENT = re.compile(r"(?<=\d)[ \u00a0\u202f]*%")
_UNIT = re.compile(r"(?<=\d)[ \u00a0\u202f]*(€|m²|ha|km)(?!\w)")
_THOUSANDS = re.compile(r"\b\d{1,3}(?: \d{3})+\b")  # « 75 000 » typed with a plain space


@lru_cache(maxsize=8192)  # the same questions and legal bases are set on every brief
def typography(text: str) -> str:
    """Non-breaking spaces where French typography wants them (idempotent)."""
    if not text:
        return text
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_TIGHT.sub(NNBSP + r"\1", text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    text = _THOUSANDS.sub(lambda found: found.group(0).replace(" ", NNBSP), text)
    text = _UNIT.sub(NBSP + r"\1", text)
    return _PERCENT.sub(NBSP + "%", text)


def number(value: int | Decimal | float | None, decimals: int = 0) -> str:
    """« 1 207 489 », « 4,8 »: narrow no-break space between thousands, decimal comma."""
    if value is None:
        return ""
    return f"{value:,.{decimals}f}".replace(",", NNBSP).replace(".", ",")


def percent(value: Decimal | float | None, decimals: int = 1) -> str:
    if value is None:
        return ""
    return number(value, decimals) + NBSP + "%"


def long_date(value: date) -> str:
    """« 23 novembre 2026 », « 1er mars 2026 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def ordinal(rank: int, feminine: bool = False) -> str:
    """« 1er », « 1re », « 2e », « 12e » (the abbreviations of the Imprimerie nationale)."""
    if rank == 1:
        return "1re" if feminine else "1er"
    return f"{rank}e"


# --- articles, elision and contraction --------------------------------------------------------
# The COG's « type de nom en clair » (typeLiaison, TNCC): the article a name takes, whether or not
# the name itself is written with it (« Le Havre », 2; « Gironde », 3, written without).
LIAISON_ARTICLES = {2: "le", 3: "la", 4: "les", 5: "l'", 6: "aux", 7: "las", 8: "los"}
VOWELS = "aeiouyàâäéèêëîïôöùûüÿæœ"
# Common nouns that open an organisation's or an intercommunality's name, and their article.
NOUN_ARTICLES = {
    "agence": "l'",
    "association": "l'",
    "ca": "la",
    "cc": "la",
    "communauté": "la",
    "conseil": "le",
    "coopérative": "la",
    "cu": "la",
    "entreprise": "l'",
    "établissement": "l'",
    "fédération": "la",
    "groupe": "le",
    "mairie": "la",
    "maison": "la",
    "métropole": "la",
    "office": "l'",
    "pôle": "le",
    "société": "la",
    "syndicat": "le",
    "union": "l'",
}
# Words whose h is mute (« d'Habitat 76 », « l'Hôtel de ville »); other h are aspirated.
MUTE_H = frozenset({"habitat", "habitation", "habitations", "hôpital", "hôtel", "humanité"})
_LEADING_ARTICLE = re.compile(r"^(le|la|les|aux|las|los) |^l['’]", re.IGNORECASE)


class Named(str):
    """A name with its official article (COG liaison): « Le Havre » (2), « Abzac » (1)."""

    liaison: int | None

    def __new__(cls, name: str, liaison: int | None = None):
        named = super().__new__(cls, name)
        named.liaison = liaison
        return named


def article_of(name: str, liaison: int | None = None) -> tuple[str, str, bool]:
    """(article, the name without it, whether the name is written with it): from the COG's
    liaison when known, else from the name (« Les Ulis », « Association régionale… »)."""
    if liaison is None and isinstance(name, Named):
        liaison = name.liaison
    if liaison is not None and liaison in LIAISON_ARTICLES:
        article = LIAISON_ARTICLES[liaison]
        match = _LEADING_ARTICLE.match(name)
        if match and match.group(0).lower().replace("’", "'").strip() == article.strip():
            return article, name[match.end() :], True
        return article, name, False
    if liaison is not None:
        return "", name, False
    match = _LEADING_ARTICLE.match(name)
    if match:
        return match.group(0).lower().replace("’", "'").strip(), name[match.end() :], True
    first = name.split(" ", 1)[0].lower()
    return NOUN_ARTICLES.get(first, ""), name, False


def _starts_with_vowel(word: str) -> bool:
    first = word.split(" ", 1)[0].lower()
    return bool(word) and (word[0].lower() in VOWELS or first in MUTE_H)


def preposition_parts(preposition: str, name: str, liaison: int | None = None) -> tuple[str, str]:
    """« de » or « à » before a name, elided and contracted, as (what goes before the name,
    the name as written after it): ("d'", "Abzac"), ("du ", "Havre"), ("des ", "Abymes"),
    ("de ", "L'Haÿ-les-Roses"), ("de ", "La Rochelle"), ("de l'", "Ain"), ("de l'",
    "Association régionale…"), ("au ", "Mans"), ("aux ", "Ulis"), ("à ", "Y")."""
    if liaison is None and isinstance(name, Named):
        liaison = name.liaison
    article, bare, written = article_of(name, liaison)
    capital = preposition[:1].isupper()
    preposition = preposition.lower()
    if article in ("le", "les", "aux"):
        if preposition == "de":
            head = "du " if article == "le" else "des "
        else:
            head = "au " if article == "le" else "aux "
    elif article and written:
        head, bare = f"{preposition} ", name
    elif article:
        head = f"{preposition} {article}" + ("" if article.endswith("'") else " ")
    elif preposition == "de" and _starts_with_vowel(bare) and liaison in (None, 1):
        head = "d'"
    else:
        head = f"{preposition} "
    return (head[:1].upper() + head[1:] if capital else head), bare


def with_preposition(preposition: str, name: str, liaison: int | None = None) -> str:
    """« d'Abzac », « du Havre », « des Abymes », « de L'Haÿ-les-Roses », « de La Rochelle »,
    « de l'Ain », « de l'Association régionale », « au Mans », « aux Ulis », « à Y »."""
    head, bare = preposition_parts(preposition, name, liaison)
    return head + bare


# « de » or « à » right before a field, maybe with the opening tags of bold or italics between.
_PREPOSITION_BEFORE = re.compile(r"(?:^|(?<=[\s(«>\u00a0]))([dD]e|[àÀ]) ((?:<(?:strong|em)>)*)$")


_ORDINAL_SUFFIX = re.compile(r"\b(\d+)\s*(?:ème|eme|e|è)\b")
_FEMININE = [
    (re.compile(r"\b1er\b"), "1re"),
    (re.compile(r"\b([Pp])remier\b"), r"\1remière"),
    (re.compile(r"\b([Ss])econd\b"), r"\1econde"),
    (re.compile(r"\b([Aa])djoint\b"), r"\1djointe"),
    (re.compile(r"\b([Vv]ice-)?([Pp])résident\b"), r"\1\2résidente"),
    (re.compile(r"\b([Dd])élégué\b"), r"\1éléguée"),
    (re.compile(r"\b([Cc])onseiller\b"), r"\1onseillère"),
    (re.compile(r"\b([Dd])éputé\b"), r"\1éputée"),
    (re.compile(r"\b([Ss])énateur\b"), r"\1énatrice"),
    (re.compile(r"\b([Rr])eprésentant\b"), r"\1eprésentante"),
    (re.compile(r"\b([Cc])hargé\b"), r"\1hargée"),
    (re.compile(r"(onseillère) (municipal|départemental|régional)\b"), r"\1 \2e"),
]


@lru_cache(maxsize=4096)
def function_title(label: str, feminine: bool = False) -> str:
    """A function as the RNE writes it, as a person reads it: « 2ème adjoint au Maire » →
    « 2e adjoint au maire »; for a woman « 1re adjointe au maire », « Vice-présidente du
    conseil départemental », « Présidente du conseil communautaire »."""
    if not label:
        return label
    text = _ORDINAL_SUFFIX.sub(r"\1e", label).replace(" au Maire", " au maire")
    text = re.sub(r"\b(1er|\d+e) Vice-", r"\1 vice-", text)
    if feminine:
        for pattern, replacement in _FEMININE:
            text = pattern.sub(replacement, text)
    return text


def merge(template: str, values: dict[str, str], escape=None) -> tuple[str, list[str]]:
    """Fill {champs} of an editable text. Only plain names are allowed (no attribute, index or
    format spec: nothing a text can use to reach code); unknown names are returned, and left
    visible in the text, so that the editor sees them before anything is sent or printed.
    A field right after « de » or « à » takes the preposition with it, elided and contracted
    (« maire de {commune} » → « maire du Havre »). `escape` (html.escape for an HTML part) is
    applied to each value once it is written."""
    out: list[str] = []
    unknown: list[str] = []
    parts = _parse(template)
    if parts is None:
        return template, ["accolade sans paire (écrire {{ ou }} pour une accolade)"]
    for literal, field, spec, conversion in parts:
        if field is None:
            out.append(literal)
            continue
        if not field.isidentifier() or spec or conversion or field not in values:
            unknown.append(field)
            out.append(literal + "{" + field + "}")
            continue
        value = values[field]
        before = _PREPOSITION_BEFORE.search(literal) if value else None
        if before:
            head, value = preposition_parts(before.group(1), value)
            literal = literal[: before.start(1)] + head + before.group(2)
        out.append(literal)
        out.append(escape(value) if escape else value)
    return "".join(out), unknown


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Þ«(0-9{])")


def merge_available(
    template: str, values: dict[str, str | None]
) -> tuple[str, list[str], list[str]]:
    """merge(), sentence by sentence: a sentence that needs a figure this commune does not have
    (value None) is left out rather than printed with a hole. Returns the text, the unknown
    fields and the fields left out for want of data."""
    kept, unknown, missing = [], [], []
    for sentence in _SENTENCE_END.split(template):
        needs = [f for _, f, _, _ in _parse(sentence) or () if f is not None]
        absent = [f for f in needs if f in values and values[f] is None]
        if absent:
            missing += absent
            continue
        text, bad = merge(sentence, {k: v for k, v in values.items() if v is not None})
        unknown += bad
        kept.append(text)
    return " ".join(kept), unknown, list(dict.fromkeys(missing))


def _parse(text: str) -> list[tuple] | None:
    """The (literal, field, format, conversion) parts of a text; None for a lone brace."""
    try:
        return list(string.Formatter().parse(text))
    except ValueError:
        return None
