"""The directory's sources: one class per format, each cleaning a record into a `MairieRow`."""

from dataclasses import dataclass, field

from mandature.directory.enums import MairieKind


@dataclass
class MairieRow:
    """A mairie as a source gives it: `line` (or record number) for the report; `parent` the
    code of the commune it belongs to when the source says it (déléguées, arrondissements)."""

    line: int
    code: str
    kind: MairieKind
    name: str
    values: dict[str, str] = field(default_factory=dict)
    parent: str = ""
