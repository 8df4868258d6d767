"""Merge two persons into one, split a wrong match into two, and undo either (staff, on
/elus/identites/).

Before each operation, every row that points to either person (mandates, snapshot entries, past
functions, identity doubts, aliases, and what people added: contact card, notes, exchanges,
follow-ups, campaign recipients, invitations, respondents, publications…) is serialised with the
persons themselves into an `IdentityOperation`; undoing it writes those rows back as they were
and deletes the rows the operation made. Every operation and undo is in the audit log.
"""

import json
from dataclasses import dataclass

from django.apps import apps
from django.core import serializers
from django.db import IntegrityError, transaction
from django.db.models import ManyToManyRel, Model
from django.utils import timezone

from mandature.core.models import audit

from .models import (
    IdentityDoubt,
    IdentityOperation,
    Mandate,
    PastFunction,
    Person,
    PersonAlias,
    SnapshotEntry,
)
from .writer import match_key

# Rows of the import itself, handled one by one; every other reference is moved as it is.
OWN = {Mandate, SnapshotEntry, PastFunction, IdentityDoubt, PersonAlias, IdentityOperation}


class IdentityError(Exception):
    """A merge, split or undo refused, with a message for the person."""


@dataclass
class Reference:
    model: type[Model]
    field: str  # the field pointing to Person (for a many-to-many: the field on the model)
    many: bool = False


def references() -> list[Reference]:
    """Every field of the project that points to a person."""
    found = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        model = relation.related_model
        if isinstance(relation, ManyToManyRel):
            found.append(Reference(model, relation.field.name, many=True))
        else:
            found.append(Reference(model, relation.field.name))
    return found


def rows_of(persons: list[int]) -> list[Model]:
    """The rows that point to these persons (all of them, whatever their app)."""
    rows: list[Model] = []
    for ref in references():
        if ref.model is IdentityOperation:
            continue
        rows += list(ref.model._base_manager.filter(**{f"{ref.field}__in": persons}).distinct())
    return rows


def what_moves(person: Person) -> list[tuple[str, int]]:
    """(what, how many) of the rows of a person that a merge moves: shown before merging."""
    counts: dict[type[Model], int] = {}
    for ref in references():
        if ref.model in (IdentityOperation, IdentityDoubt, PersonAlias):
            continue
        count = ref.model._base_manager.filter(**{ref.field: person}).count()
        if count:
            counts[ref.model] = counts.get(ref.model, 0) + count
    named = [
        (str(model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural), count)
        for model, count in counts.items()
    ]
    return sorted(named)


def _serialised(rows: list[Model]) -> list:
    """The rows as JSON values (dates as text), written back by the « python » deserialiser."""
    return json.loads(serializers.serialize("json", rows))


def _snapshot_state(persons: list[Person]) -> list:
    return _serialised([*persons, *rows_of([p.pk for p in persons])])


# --- merge ------------------------------------------------------------------------------------
def merge(keep: Person, gone: Person, user=None) -> IdentityOperation:
    """`gone` becomes `keep`: its mandates (same seat and start: one mandate), entries,
    history and what people added move to `keep`; its name and birth date stay as an alias."""
    if keep.pk == gone.pk:
        raise IdentityError("Une personne ne peut pas être fusionnée avec elle-même.")
    with transaction.atomic():
        before = _snapshot_state([keep, gone])
        created = _merge_rows(keep, gone)
        summary = (
            f"{gone.display_name} (n° {gone.pk}) fusionné avec {keep.display_name} (n° {keep.pk})"
        )
        gone_pk = gone.pk
        gone.delete()
        operation = IdentityOperation.objects.create(
            action=IdentityOperation.Action.MERGE,
            person=keep,
            other_id=gone_pk,
            summary=summary,
            before=before,
            created=created,
            done_by=user if user and user.is_authenticated else None,
        )
        audit("identity-merge", "web", user, operation=operation.pk, kept=keep.pk, merged=gone_pk)
    return operation


def _merge_rows(keep: Person, gone: Person) -> list:
    created = []
    _merge_mandates(keep, gone)
    SnapshotEntry.objects.filter(person=gone).update(person=keep)
    PastFunction.objects.filter(person=gone).update(person=keep)
    IdentityDoubt.objects.filter(person=gone).update(person=keep)
    IdentityDoubt.objects.filter(other=gone).update(other=keep)
    IdentityDoubt.objects.filter(person=keep, other=keep).update(other=None, merged=True)
    for alias in PersonAlias.objects.filter(person=gone):
        _move_or_drop(alias, "person", keep)
    if gone.match_key != keep.match_key:
        alias, made = PersonAlias.objects.get_or_create(
            person=keep,
            match_key=gone.match_key,
            defaults={"last_name": gone.last_name, "first_name": gone.first_name},
        )
        if made:
            created.append(["officials.personalias", alias.pk])
    for ref in references():
        if ref.model in OWN:
            continue
        if ref.many:
            for row in ref.model._base_manager.filter(**{ref.field: gone}):
                getattr(row, ref.field).add(keep)
                getattr(row, ref.field).remove(gone)
            continue
        for row in ref.model._base_manager.filter(**{ref.field: gone}):
            _move_or_drop(row, ref.field, keep)
    return created


def _merge_mandates(keep: Person, gone: Person) -> None:
    """A seat both held (same kind, territory and start) becomes one mandate: `keep`'s."""
    kept = {(m.kind, m.territory_key, m.start_date): m for m in keep.mandates.all()}
    for mandate in list(gone.mandates.all()):
        same = kept.get((mandate.kind, mandate.territory_key, mandate.start_date))
        if same is None:
            mandate.person = keep
            mandate.save(update_fields=["person"])
            continue
        held = set(same.entries.values_list("snapshot_id", flat=True))
        mandate.entries.filter(snapshot_id__in=held).delete()
        mandate.entries.update(mandate=same)
        mandate.past_functions.update(mandate=same)
        mandate.delete()


def _move_or_drop(row: Model, field: str, keep: Person) -> None:
    """Point the row to `keep`; a row `keep` already has its twin of (one contact card, one
    recipient per campaign…) is dropped (it is in the operation's saved state)."""
    setattr(row, field, keep)
    try:
        with transaction.atomic():
            row.save(update_fields=[row._meta.get_field(field).name])
    except IntegrityError:
        type(row)._base_manager.filter(pk=row.pk).delete()


# --- split ------------------------------------------------------------------------------------
def split(doubt: IdentityDoubt, user=None) -> IdentityOperation:
    """A wrong match: the record of the doubt's line becomes a person of its own (its spelling
    and birth date), with the mandate of that line and its entries from that snapshot on."""
    if not doubt.merged:
        raise IdentityError("Ce cas n'a pas été fusionné : il n'y a rien à séparer.")
    person = doubt.person
    with transaction.atomic():
        before = _snapshot_state([person])
        before += _serialised([doubt])
        new = _split_person(doubt, person)
        created = [["officials.person", new.pk]]
        created += _move_line(doubt, person, new)
        PersonAlias.objects.filter(person=person, match_key=new.match_key).delete()
        doubt.person, doubt.other, doubt.merged = new, person, False
        doubt.save(update_fields=["person", "other", "merged"])
        operation = IdentityOperation.objects.create(
            action=IdentityOperation.Action.SPLIT,
            person=person,
            other_id=new.pk,
            summary=(
                f"{new.display_name} (n° {new.pk}) séparé de {person.display_name} (n° {person.pk})"
            ),
            before=before,
            created=created,
            done_by=user if user and user.is_authenticated else None,
        )
        audit("identity-split", "web", user, operation=operation.pk, kept=person.pk, split=new.pk)
    return operation


def _split_person(doubt: IdentityDoubt, person: Person) -> Person:
    birth = doubt.file_birth_date or person.birth_date
    return Person.objects.create(
        last_name=doubt.file_last_name,
        first_name=doubt.file_first_name,
        sex=person.sex,
        birth_date=birth,
        match_key=match_key(doubt.file_last_name, doubt.file_first_name, person.sex, birth),
        name_date=doubt.snapshot.data_date,
    )


def _move_line(doubt: IdentityDoubt, person: Person, new: Person) -> list:
    """The mandate of the doubt's line goes to `new`; when `person` held it in earlier
    snapshots, `new` gets a mandate of its own with the entries from the doubt's snapshot on."""
    entry = SnapshotEntry.objects.filter(
        snapshot=doubt.snapshot, line=doubt.line, person=person
    ).first()
    if entry is None:
        return []
    mandate = entry.mandate
    since = doubt.snapshot.data_date
    later = mandate.entries.filter(snapshot__data_date__gte=since)
    if not mandate.entries.filter(snapshot__data_date__lt=since).exists():
        mandate.person = new
        mandate.save(update_fields=["person"])
        mandate.entries.update(person=new)
        mandate.past_functions.update(person=new)
        return []
    own = Mandate.objects.get(pk=mandate.pk)
    own.pk, own.person = None, new
    own.save()
    later.update(mandate=own, person=new)
    return [["officials.mandate", own.pk]]


# --- undo -------------------------------------------------------------------------------------
def undo(operation: IdentityOperation, user=None) -> None:
    """The rows as they were before the operation; the rows it made deleted."""
    if operation.undone_at:
        raise IdentityError("Cette opération a déjà été annulée.")
    later = IdentityOperation.objects.filter(done_at__gt=operation.done_at, undone_at=None).filter(
        person_id__in=[operation.person_id, operation.other_id]
    )
    if later.exists():
        raise IdentityError("Annulez d'abord les opérations plus récentes sur ces élus.")
    with transaction.atomic():
        if operation.action == IdentityOperation.Action.SPLIT:
            _move_back_to(operation)
        for row in serializers.deserialize("python", operation.before):
            row.save()
        for label, pk in reversed(operation.created):
            app, model = label.split(".")
            apps.get_model(app, model)._base_manager.filter(pk=pk).delete()
        operation.undone_at = timezone.now()
        operation.save(update_fields=["undone_at"])
        audit("identity-undo", "web", user, operation=operation.pk, undone=operation.action)


def _move_back_to(operation: IdentityOperation) -> None:
    """Rows a later import gave the split-off person go back to the person it came from
    (undoing the split deletes it)."""
    new, person = operation.other_id, operation.person_id
    if person is None:
        raise IdentityError(
            "L'élu de départ n'existe plus : cette séparation ne peut être annulée."
        )
    SnapshotEntry.objects.filter(person_id=new).update(person_id=person)
    Mandate.objects.filter(person_id=new).exclude(
        pk__in=[pk for label, pk in operation.created if label == "officials.mandate"]
    ).update(person_id=person)
