"""Reading CSV uploads row by row while collecting every problem with its line and column.

An import validates the whole file first and writes nothing when any row is bad, so the user
fixes all problems in one pass. Line numbers are those of the file as a spreadsheet shows it:
the header is line 1, and a row with a quoted line break is reported at its first line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from app.domain.catalog.codes import FieldProblem
from app.lib.errors import InvalidInputError

__all__ = ["CsvImportError", "CsvProblems", "CsvRow", "decode_upload", "parse_bool", "parse_int", "read_csv_rows"]

# Spreadsheets in some locales save with semicolons; tabs come from copy-paste.
_DELIMITERS = ",;\t"


class CsvImportError(InvalidInputError):
    """A CSV file with bad rows; ``detail.errors`` lists every one and nothing was imported."""

    default_code = "csv_invalid"


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        """Return the stripped cell of ``column``, or "" when the column is absent."""
        return (self.values.get(column) or "").strip()


@dataclass
class CsvProblems:
    """Problems found in one file, reported together."""

    kind: str
    problems: list[dict] = field(default_factory=list)

    def add(self, line: int, column: str, value: object, message: str) -> None:
        """Record one bad cell."""
        self.problems.append({"line": line, "column": column, "value": "" if value is None else str(value), "message": message})

    def add_problem(self, line: int, problem: FieldProblem, column: str | None = None) -> None:
        """Record a FieldProblem raised by a value check."""
        self.add(line, column or problem.field, problem.value, problem.message)

    def raise_if_any(self) -> None:
        """Raise CsvImportError listing every problem, sorted by line, when there is one."""
        if not self.problems:
            return
        self.problems.sort(key=lambda problem: (problem["line"], problem["column"]))
        lines = sorted({problem["line"] for problem in self.problems})
        first = self.problems[0]
        raise CsvImportError(
            f"{len(lines)} line(s) of the {self.kind} file are invalid, first at line {first['line']} column "
            f"{first['column']!r}: {first['message']}. Nothing was imported: fix every listed line and import the file again",
            errors=self.problems,
            error_count=len(self.problems),
            bad_lines=len(lines),
        )


def decode_upload(data: bytes) -> str:
    """Decode an uploaded CSV as UTF-8 (a spreadsheet's byte-order mark is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            f"the file is not UTF-8 text (invalid byte at offset {exc.start}): save it as 'CSV UTF-8' and import it again",
            errors=[],
        ) from None


def _normalize_header(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def read_csv_rows(
    text: str,
    *,
    kind: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    aliases: dict[str, str] | None = None,
) -> tuple[list[CsvRow], CsvProblems]:
    """Parse ``text`` into rows keyed by normalized column names, checking the header first.

    A header problem (missing or unknown columns) is raised at once because no row can be read
    without the header. The caller adds row-level problems to the returned collector.
    """
    problems = CsvProblems(kind)
    aliases = aliases or {}
    if not text.strip():
        raise CsvImportError(f"the {kind} file is empty: it needs a header line and at least one row", errors=[])
    first_line = text.splitlines()[0]
    delimiter = max(_DELIMITERS, key=first_line.count) if any(d in first_line for d in _DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_raw = next(reader)
    header = [aliases.get(_normalize_header(name), _normalize_header(name)) for name in header_raw]
    allowed = set(required) | set(optional)
    for index, name in enumerate(header):
        if name not in allowed:
            problems.add(1, header_raw[index], header_raw[index], f"column {header_raw[index]!r} is unknown: use {', '.join(required + optional)}")
    for name in required:
        if name not in header:
            problems.add(1, name, "", f"column {name!r} is missing: the header needs {', '.join(required)}")
    duplicates = {name for name in header if header.count(name) > 1}
    for name in sorted(duplicates):
        problems.add(1, name, name, f"column {name!r} appears twice: keep one")
    problems.raise_if_any()

    rows: list[CsvRow] = []
    line = 2
    try:
        for cells in reader:
            start = line
            line = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.add(start, "", delimiter.join(cells)[:80], f"the row has {len(cells)} fields but the header has {len(header)}: check quoting and delimiters")
                continue
            rows.append(CsvRow(start, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        problems.add(line, "", "", f"the file cannot be read as CSV here: {exc}")
    if not rows and not problems.problems:
        raise CsvImportError(f"the {kind} file has a header but no rows", errors=[])
    return rows, problems


# Below the largest INTEGER that PostgreSQL stores (2**31 - 1), so a cell never fails in the database.
MAX_CSV_INT = 1_000_000_000


def parse_int(
    row: CsvRow, column: str, problems: CsvProblems, *, minimum: int | None = None, maximum: int = MAX_CSV_INT, required: bool = False
) -> tuple[bool, int | None]:
    """Return ``(ok, value)`` for the cell of ``column``: value None when empty, ok False when invalid."""
    raw = row.get(column)
    if raw == "":
        if required:
            problems.add(row.line, column, raw, f"{column} is empty: give a whole number")
            return False, None
        return True, None
    try:
        value = int(raw)
    except ValueError:
        problems.add(row.line, column, raw, f"{column} {raw!r} is not a whole number")
        return False, None
    if minimum is not None and value < minimum:
        problems.add(row.line, column, raw, f"{column} {value} is below {minimum}: use {minimum} or more")
        return False, None
    if value > maximum:
        problems.add(row.line, column, raw, f"{column} {value} is above {maximum:,}: use {maximum:,} or less")
        return False, None
    return True, value


def parse_bool(row: CsvRow, column: str, problems: CsvProblems, default: bool = False) -> bool | None:
    """Read yes/no, true/false, 1/0 (any case); record a problem and return None otherwise."""
    raw = row.get(column).lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "y"):
        return True
    if raw in ("0", "false", "no", "n"):
        return False
    problems.add(row.line, column, row.get(column), f"{column} {row.get(column)!r} is not yes/no: use true or false")
    return None
