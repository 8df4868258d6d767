"""Bulk import of contact details (issue 24, item 4): `plan()` reads a file and says what it
would change, `apply()` writes that plan in one transaction.

- Per official: each line is matched to an official in office in its commune (the latest
  mayors file, the latest municipal councillors file holding the commune), on the name compared
  without accents, case, hyphens or spaces, then on the first name among homonyms. A line
  matched to no one, or to several, is « non rapprochée » with the reason: listed, never
  written, never blocking the others. The values go to the official's contact card.
- Per commune: the values are the mairie's, written as a colleague's corrections
  (`directory.services.correct`), so that they survive every later sync of the directory.

All or nothing: a problem in any cell (bad email, unknown commune…) refuses the whole file
(FileProblems). An empty cell keeps the stored value; a value equal to the stored one changes
nothing, so importing the same file twice changes nothing the second time.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from mandature.core.french import NBSP, number
from mandature.core.ingest import Problems
from mandature.core.ingest.source import read_one
from mandature.core.models import audit
from mandature.core.text import compact, fold
from mandature.directory.enums import MairieKind
from mandature.directory.models import MairieContact
from mandature.directory.services import cards, correct_many, mairie_title, of_name
from mandature.officials.enums import FunctionCode, SnapshotKind
from mandature.officials.models import SnapshotEntry, latest_snapshot
from mandature.territories.models import Commune, CommuneAlias

from .contacts_file import PER_OFFICIAL, ContactRow, is_xlsx, read_contacts
from .models import Contact

# file column → field of the official's contact card, of the mairie's contact
OFFICIAL_TARGET = {
    "courriel": "email",
    "telephone": "phone",
    "adresse": "postal_address",
    "formule": "salutation",
}
MAIRIE_TARGET = {"courriel": "email", "telephone": "phone", "adresse": "address", "site": "website"}
FIELD_NAMES = {
    "courriel": "courriel",
    "telephone": "téléphone",
    "adresse": "adresse postale",
    "formule": "formule d'appel",
    "site": "site internet",
}
_ROLE_ORDER = {FunctionCode.MAIRE: 0, FunctionCode.MAIRE_DELEGUE: 1, FunctionCode.ADJOINT: 2}
_CHUNK = 500


@dataclass(frozen=True)
class Change:
    column: str  # the file's column (courriel, telephone…)
    old: str
    new: str

    @property
    def label(self) -> str:
        return FIELD_NAMES[self.column]


@dataclass
class Update:
    """What one line changes on one card (an official's or a mairie's)."""

    line: int
    target: int  # the Person's pk, or the MairieContact's
    label: str  # « Marie DUPONT (Bordeaux) », « Mairie de Bordeaux »
    changes: list[Change]


@dataclass
class Unmatched:
    line: int
    who: str  # what the line says: « DUPONT Marie, 33063 »
    reason: str


@dataclass
class Plan:
    """What a file would change; `apply()` writes exactly this."""

    file_name: str
    kind: str  # PER_OFFICIAL or PER_COMMUNE
    lines: int = 0
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)

    @property
    def updated(self) -> int:
        return len(self.updates)

    @property
    def changed_values(self) -> int:
        return sum(len(u.changes) for u in self.updates)

    @property
    def kind_label(self) -> str:
        return "par élu" if self.kind == PER_OFFICIAL else "par commune (contact de la mairie)"

    def fingerprint(self) -> str:
        """Changes when anything the preview showed would change: the apply checks it."""
        updates = [
            (u.line, u.target, [(c.column, c.old, c.new) for c in u.changes]) for u in self.updates
        ]
        data = [self.kind, self.unchanged, updates, [(u.line, u.reason) for u in self.unmatched]]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()

    def counts_text(self) -> str:
        """« 212 fiches mises à jour, 14 inchangées, 3 lignes non rapprochées »."""
        noun = ("fiche", "fiches") if self.kind == PER_OFFICIAL else ("mairie", "mairies")
        if not self.updates:
            done = f"aucune {noun[0]} à mettre à jour"
        else:
            done = _count(self.updated, f"{noun[0]} mise à jour", f"{noun[1]} mises à jour")
        parts = [done, _count(self.unchanged, "inchangée", "inchangées")]
        if self.unmatched:
            parts.append(
                _count(len(self.unmatched), "ligne non rapprochée", "lignes non rapprochées")
            )
        return ", ".join(parts)

    def summary(self) -> str:
        """The counts, and which lines were not matched: « …, 3 lignes non rapprochées :
        lignes 4, 7 et 12 »."""
        text = f"{self.file_name} : {self.counts_text()}"
        if self.unmatched:
            lines = [str(u.line) for u in self.unmatched[:10]]
            more = " …" if len(self.unmatched) > 10 else ""
            listed = f"{', '.join(lines[:-1])} et {lines[-1]}" if len(lines) > 1 else lines[0]
            text += f" : ligne{'s' if len(lines) > 1 else ''} {listed}{more}"
        if not self.updates and self.unchanged and not self.unmatched:
            text += " (le fichier ne change rien : déjà importé ?)"
        return text

    def unmatched_lines(self) -> list[str]:
        return [f"{self.file_name}:{u.line}: {u.who} : {u.reason}" for u in self.unmatched]


def _count(value: int, one: str, many: str) -> str:
    return f"{number(value)}{NBSP}{one if value <= 1 else many}"


# --- reading and matching ---------------------------------------------------------------------


def known_communes() -> dict[str, str]:
    """Every code a file may hold → today's commune: current codes, merged communes (to the
    commune they joined) and former codes."""
    found = {}
    for code, current, successor in Commune.objects.values_list("code", "is_current", "successor"):
        if current:
            found[code] = code
        elif successor:
            found[code] = successor
    for code, commune in CommuneAlias.objects.filter(kind="ancien-code").values_list(
        "code", "commune_id"
    ):
        found.setdefault(code, commune)
    return found


def plan(name: str, raw: bytes, scope=None) -> Plan:
    """What the file `raw` (named `name` in problems) would change. `scope` (the web's: a
    user's territory) turns the lines of communes outside it into lines not matched. Raises
    FileProblems, and nothing is planned then."""
    reader = read_contacts(name, raw, known_communes())
    rows = reader.read()
    fields = ("code", "name", "departement_id", "region_id")
    communes = {
        c.code: c for c in _in_chunks(Commune.objects.only(*fields), "code", rows_codes(rows))
    }
    result = Plan(name, reader.kind, lines=len(rows))
    problems = Problems(name)
    inside = []
    for row in rows:
        commune = communes[row.code]
        if scope is not None and not scope.has_commune(commune):
            result.unmatched.append(
                Unmatched(row.line, _who(row, commune), "commune hors de votre territoire")
            )
        else:
            inside.append(row)
    if reader.kind == PER_OFFICIAL:
        _plan_officials(result, inside, communes, problems, reader.written)
    else:
        _plan_mairies(result, inside, communes)
    problems.raise_if_any()
    result.unmatched.sort(key=lambda u: u.line)
    return result


def rows_codes(rows: list[ContactRow]) -> list[str]:
    return sorted({r.code for r in rows})


def _in_chunks(queryset, key: str, values: list) -> list:
    """The rows whose `key` is among `values`, a few hundred at a time (SQLite's limit of
    parameters in one query: a national file names 35,000 communes)."""
    found = []
    for start in range(0, len(values), _CHUNK):
        found.extend(queryset.filter(**{f"{key}__in": values[start : start + _CHUNK]}))
    return found


def _who(row: ContactRow, commune: Commune) -> str:
    if row.last_name:
        name = f"{row.last_name} {row.first_name}".strip()
        return f"« {name} » ({commune.name}, {row.written_code})"
    return f"{commune.name} ({row.written_code})"


@dataclass(frozen=True)
class Candidate:
    person: int
    last_name: str
    first_name: str
    function: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()


def officials_in_office(codes: Iterable[str]) -> dict[str, list[Candidate]]:
    """The officials in office in each commune: its entries in the latest mayors file and in
    the latest municipal councillors file holding it; one candidate per person."""
    mayors = latest_snapshot(SnapshotKind.MAIRES)
    found: dict[str, dict[int, Candidate]] = {}
    council_of: dict[str, int] = {}  # commune → its latest councillors snapshot
    codes = sorted(set(codes))
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        entries = (
            SnapshotEntry.objects.filter(
                commune_id__in=chunk, snapshot__kind__in=(SnapshotKind.MAIRES, SnapshotKind.CM)
            )
            .order_by("-snapshot__data_date", "-snapshot_id")
            .values_list(
                "commune_id",
                "snapshot_id",
                "snapshot__kind",
                "person_id",
                "person__last_name",
                "person__first_name",
                "function_code",
            )
        )
        for code, snapshot, kind, person, last, first, function in entries:
            if kind == SnapshotKind.MAIRES:
                if mayors is None or snapshot != mayors.pk:
                    continue
            elif council_of.setdefault(code, snapshot) != snapshot:
                continue
            candidate = Candidate(person, last, first, function)
            people = found.setdefault(code, {})
            known = people.get(person)
            if known is None or _rank(candidate) < _rank(known):
                people[person] = candidate
    return {code: list(people.values()) for code, people in found.items()}


def _rank(candidate: Candidate) -> int:
    return _ROLE_ORDER.get(candidate.function, 9)


def match(row: ContactRow, candidates: list[Candidate], commune: Commune) -> Candidate | str:
    """The official a line names, or why none (in French)."""
    where = f"la commune {of_name(commune.name)}"
    same = [c for c in candidates if compact(c.last_name) == compact(row.last_name)]
    if not same and compact(row.last_name) == compact(commune.name):
        return (
            f"« {row.last_name} » est le nom de la commune : pour le contact de la mairie, "
            "le fichier ne doit pas avoir de colonne « nom »"
        )
    if not same:
        return f"aucun élu en fonction nommé « {row.last_name} » dans {where}"
    if row.first_name:
        exact = [c for c in same if compact(c.first_name) == compact(row.first_name)]
        first_word = fold(row.first_name).split()[:1]
        loose = [c for c in same if fold(c.first_name).split()[:1] == first_word]
        chosen = exact or loose
        if len(chosen) == 1:
            return chosen[0]
        if not chosen:
            known = ", ".join(sorted(c.name for c in same))
            return (
                f"aucun élu « {row.first_name} {row.last_name} » dans {where} "
                f"(en fonction : {known})"
            )
        return f"{len(chosen)} élus nommés « {row.first_name} {row.last_name} » dans {where}"
    if len(same) == 1:
        return same[0]
    known = ", ".join(sorted(c.name for c in same))
    return (
        f"{len(same)} élus nommés « {row.last_name} » dans {where} ({known}) : indiquez le prénom"
    )


def _plan_officials(
    result: Plan,
    rows: list[ContactRow],
    communes: dict[str, Commune],
    problems: Problems,
    written: dict[str, str],
) -> None:
    candidates = officials_in_office(r.code for r in rows)
    matched: list[tuple[ContactRow, Candidate]] = []
    seen: dict[int, int] = {}
    for row in rows:
        commune = communes[row.code]
        found = match(row, candidates.get(row.code, []), commune)
        if isinstance(found, str):
            result.unmatched.append(Unmatched(row.line, _who(row, commune), found))
            continue
        if found.person in seen:
            problems.add(
                row.line,
                written.get("nom", "nom"),
                f"{found.name} déjà à la ligne {seen[found.person]} (une ligne par élu)",
            )
            continue
        seen[found.person] = row.line
        matched.append((row, found))
    persons = [c.person for _r, c in matched]
    stored = {c.person_id: c for c in _in_chunks(Contact.objects.all(), "person_id", persons)}
    for row, candidate in matched:
        contact = stored.get(candidate.person)
        changes = [
            Change(column, getattr(contact, target, "") if contact else "", row.values[column])
            for column, target in OFFICIAL_TARGET.items()
            if column in row.values
        ]
        changes = [c for c in changes if c.old != c.new]
        if changes:
            label = f"{candidate.name} ({communes[row.code].name})"
            result.updates.append(Update(row.line, candidate.person, label, changes))
        else:
            result.unchanged += 1


def _plan_mairies(result: Plan, rows: list[ContactRow], communes: dict[str, Commune]) -> None:
    mairies = MairieContact.objects.filter(kind=MairieKind.COMMUNE)
    codes = rows_codes(rows)
    by_code = {}
    for start in range(0, len(codes), _CHUNK):  # cards() reads the corrections of a chunk
        chunk = mairies.filter(code__in=codes[start : start + _CHUNK])
        by_code.update((card.contact.code, card) for card in cards(chunk))
    for row in rows:
        commune = communes[row.code]
        card = by_code.get(row.code)
        if card is None:
            result.unmatched.append(
                Unmatched(
                    row.line,
                    _who(row, commune),
                    "mairie absente de l'annuaire des mairies (« mandature load-data » le charge)",
                )
            )
            continue
        changes = [
            Change(column, card.values[target].text, row.values[column])
            for column, target in MAIRIE_TARGET.items()
            if column in row.values
        ]
        changes = [c for c in changes if c.old != c.new]
        if changes:
            title = mairie_title(MairieKind.COMMUNE, commune.name)
            result.updates.append(Update(row.line, card.contact.pk, title, changes))
        else:
            result.unchanged += 1


# --- writing ------------------------------------------------------------------------------------


@transaction.atomic
def apply(result: Plan, user=None, channel: str = "commande") -> int:
    """Write the plan (one transaction) and record it in the audit log; the number of cards
    updated. `user` is the author of the values (None on the command line)."""
    if result.kind == PER_OFFICIAL:
        _write_officials(result.updates, user)
    else:
        targets = sorted({u.target for u in result.updates})
        by_pk = {}
        for start in range(0, len(targets), _CHUNK):
            chunk = MairieContact.objects.filter(pk__in=targets[start : start + _CHUNK])
            by_pk.update((card.contact.pk, card) for card in cards(chunk))
        correct_many(
            (
                (by_pk[update.target], MAIRIE_TARGET[change.column], change.new)
                for update in result.updates
                for change in update.changes
            ),
            user if user is not None and user.is_authenticated else None,
        )
    audit(
        "import de coordonnées",
        channel,
        user,
        file=result.file_name,
        kind=result.kind,
        updated=result.updated,
        values=result.changed_values,
        unchanged=result.unchanged,
        unmatched=len(result.unmatched),
    )
    return result.updated


def _write_officials(updates: list[Update], user) -> None:
    now = timezone.now()
    author = user if user is not None and user.is_authenticated else None
    stored = Contact.objects.in_bulk([u.target for u in updates], field_name="person_id")
    new, changed, fields = [], [], {"updated_at", "updated_by"}
    for update in updates:
        contact = stored.get(update.target) or Contact(person_id=update.target)
        for change in update.changes:
            setattr(contact, OFFICIAL_TARGET[change.column], change.new)
            fields.add(OFFICIAL_TARGET[change.column])
        contact.updated_at, contact.updated_by = now, author
        (changed if contact.pk else new).append(contact)
    Contact.objects.bulk_create(new)
    Contact.objects.bulk_update(changed, sorted(fields), batch_size=_CHUNK)


def import_contacts(path, user=None, dry_run: bool = False) -> Plan:
    """The command line's import: plan, then apply unless `dry_run`. Raises FileProblems."""
    path = Path(path)
    if path.is_file() and is_xlsx(path.name, path.read_bytes()[:4]):
        name, raw = str(path), path.read_bytes()
    else:  # the one reader of files: .gz, .zip of one file, caps (core.files)
        member = read_one(path)
        name, raw = member.name, bytes(member.raw)
    result = plan(name, raw)
    if not dry_run and result.updates:
        apply(result, user)
    return result
