"""One way in for official data: read → clean → diff → write.

- `source.read_source(path or URL)`: the data files of a path, a `.gz`, a `.zip` or a download,
  inflated within caps (`core.files`), as `Member`s; `Member.decode()` finds the encoding.
- `table.Table.parse(member)`: a delimited text table (title line, delimiter, CRLF, header);
  `Table.records()` yields `(line, values)` and turns csv errors into problems naming the line.
- `formats.Format`: one small declarative class per official format. It names its `columns`
  (the headers it accepts), and `clean(line, values)` returns a typed row or reports problems;
  `Format.read()` gives every typed row or raises one `FileProblems`.
- `records.RecordFormat`: the same for a JSON list of objects (`records.read_json`), problems
  named by record (`FILE: enregistrement N : champ « KEY » : …`).
- `records.ExportFormat`, a `RecordFormat`: an API's JSON export (Opendatasoft `exports/json`)
  read through `read_source` (download checks, `Member.decode`), records numbered from 1; a
  bad record is a remark for the run's report, never a refusal of the others (the Annuaire's
  mairies).
- `sync.diff()` then `sync.write()`: what is new, what changed, what is gone, and what is kept
  because a person edited it; written in one go through `engine`, the only module that knows
  which database it speaks to (COPY or multi-row INSERT, indexes rebuilt after a first load).

`docs/architecture.md` « Ajouter une source officielle » says how to add a format.
"""

from .problems import FileProblems, Problems
from .source import Member, read_source

__all__ = ["FileProblems", "Member", "Problems", "read_source"]
