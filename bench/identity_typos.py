"""The mayors « new » only because of a birth-date typo, in a database after `load-data`
(docs/rne.md, « Mayors new only because of a birth-date typo »):

    DATABASE_URL=sqlite:////tmp/x.sqlite3 PYTHONPATH=$PWD .venv/bin/python bench/identity_typos.py

Between the two latest mayors snapshots, a new mayor whose commune's previous mayor has the same
last name and either the same full name or a compatible first name with a typo of the birth date
(`mandature.officials.identity`), listed with both dates.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    django.setup()
    from mandature.officials.changes import compute_changes
    from mandature.officials.enums import ChangeType
    from mandature.officials.identity import same_person_other_birth
    from mandature.officials.models import Person
    from mandature.officials.services import default_comparison

    before, after = default_comparison()
    result = compute_changes(before, after)
    counts = result.counts()
    print(f"{before} → {after}")
    for kind in (ChangeType.NEW_MAYOR, ChangeType.FIRST_TIME_MAYOR, ChangeType.RE_ELECTED):
        print(f"  {ChangeType(kind).label}: {counts.get(kind, 0)}")
    fields = ("last_name", "first_name", "birth_date")
    found = []
    for change in result.of_type(ChangeType.NEW_MAYOR):
        if change.previous is None:
            continue
        now = Person.objects.only(*fields).get(pk=change.seat.person_id)
        then = Person.objects.only(*fields).get(pk=change.previous.person_id)
        rule = same_person_other_birth(
            now.last_name, now.first_name, now.birth_date,
            then.last_name, then.first_name, then.birth_date,
        )  # fmt: skip
        if rule:
            found.append((change, now, then, rule))
    first_time = sum(1 for change, *_ in found if change.type == ChangeType.FIRST_TIME_MAYOR)
    print(f"new only because of a birth-date typo: {len(found)} ({first_time} first-time)")
    for change, now, then, rule in found:
        print(
            f"  {change.territory_key} {now.display_name} {now.birth_date} "
            f"← {then.display_name} {then.birth_date}: {rule}"
        )


if __name__ == "__main__":
    main()
