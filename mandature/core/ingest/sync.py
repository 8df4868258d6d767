"""Diff then write: compare what a file says with what is stored, then write the difference in
one go. Values a person edited (« le standard a changé ») are kept and counted, never
overwritten; rows gone from the file are removed, or retired when other tables point to them.

In the spirit of les-emplois' `itou/utils/sync.py`: `diff()` is pure (no database), so a dry
run, a preview and the tests see exactly what `write()` will do."""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from . import engine


@dataclass(frozen=True)
class Stored:
    """A stored row as the diff sees it: its primary key, the synced fields' values, and the
    fields a person edited (left alone by the sync)."""

    pk: Any
    values: Mapping[str, Any]
    edited: frozenset[str] = frozenset()


@dataclass
class Diff:
    created: list[tuple[Hashable, dict]] = field(default_factory=list)  # key, values
    changed: list[tuple[Any, dict]] = field(default_factory=list)  # pk, changed values only
    removed: list[tuple[Hashable, Any]] = field(default_factory=list)  # key, pk
    kept: list[tuple[Hashable, str]] = field(default_factory=list)  # key, field edited by a person
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.changed),
            "removed": len(self.removed),
            "kept": len(self.kept),
            "unchanged": self.unchanged,
        }

    def __bool__(self) -> bool:
        return bool(self.created or self.changed or self.removed)


def diff(
    stored: Mapping[Hashable, Stored], incoming: Mapping[Hashable, dict], remove: bool = True
) -> Diff:
    """What to write so that the stored rows say what `incoming` says (keyed alike), but for
    the fields a person edited. `remove=False` for a partial file (new and changed rows only)."""
    result = Diff()
    for key, values in incoming.items():
        current = stored.get(key)
        if current is None:
            result.created.append((key, values))
            continue
        changes = {}
        for name, value in values.items():
            if current.values.get(name) == value:
                continue
            if name in current.edited:
                result.kept.append((key, name))
            else:
                changes[name] = value
        if changes:
            result.changed.append((current.pk, changes))
        else:
            result.unchanged += 1
    if remove:
        result.removed = [(key, row.pk) for key, row in stored.items() if key not in incoming]
    return result


def write(
    model: type[models.Model],
    result: Diff,
    key_fields: Iterable[str],
    retire: Mapping[str, Any] | Callable[[Hashable], Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, int]:
    """Write a diff inside the caller's transaction. `key_fields` name the parts of a key (a
    one-field key is the value itself); `retire` ({"is_current": False}, or a function of the
    key giving them, e.g. with the commune it merged into) marks removed rows instead of
    deleting them; `extra` is set on every created or changed row (source, date)."""
    names = list(key_fields)
    extra = dict(extra or {})
    new = [model(**_key_values(names, key), **values, **extra) for key, values in result.created]
    create(model, new)
    by_fields: dict[tuple[str, ...], list[Any]] = {}
    for pk, changes in result.changed:
        by_fields.setdefault(tuple(sorted(changes)), []).append((pk, changes))
    for fields_changed, rows in by_fields.items():
        objects = [model(pk=pk, **changes, **extra) for pk, changes in rows]
        model.objects.bulk_update(objects, [*fields_changed, *extra], batch_size=1000)
    pks = [pk for _key, pk in result.removed]
    if pks and callable(retire):
        _retire_each(model, result.removed, retire)
    elif pks and retire:
        model.objects.filter(pk__in=pks).update(**retire)
    elif pks:
        model.objects.filter(pk__in=pks).delete()
    return result.counts()


def create(model: type[models.Model], objects: list[models.Model]) -> None:
    """New rows: the engine's fast path (COPY, multi-row INSERT) for a large first load,
    `bulk_create` otherwise (it fills defaults and primary keys alike on both engines)."""
    if len(objects) < engine.FAST_INSERT_ABOVE:
        model.objects.bulk_create(objects, batch_size=2000)
        return
    engine.insert_objects(model, objects)


def _retire_each(model: type[models.Model], removed: list, retire: Callable) -> None:
    """One UPDATE per distinct set of retiring values."""
    groups: dict[tuple, list] = {}
    for key, pk in removed:
        groups.setdefault(tuple(sorted(retire(key).items())), []).append(pk)
    for values, pks in groups.items():
        model.objects.filter(pk__in=pks).update(**dict(values))


def _key_values(names: list[str], key: Hashable) -> dict[str, Any]:
    if len(names) == 1:
        return {names[0]: key}
    return dict(zip(names, key, strict=True))
