"""Moodle's offline grading worksheet, read and filled as the lecturer downloaded it.

Moodle writes the worksheet ("View all submissions" -> "Download grading worksheet") in the
language of the person who downloads it, and its importer ("Upload grading worksheet") matches the
column names and the participant prefix in the language of the person who uploads it. So the kit
never writes a worksheet of its own: it fills the Grade and Feedback comments cells of the file
Moodle gave, and leaves every other byte as it was (columns, identifiers, row order, encoding,
byte order mark, line ends, quoting).

The columns are found by the order Moodle writes them in (``mod/assign/gradingtable.php``):
the identifier first (``<participant prefix><number>``), then names and identity fields, the
status, **Grade** immediately followed by **Maximum grade** (the same number on every row), the
submission columns, **Last modified (grade)** (a date or ``-``), and the feedback columns, the
first of which is **Feedback comments**. English headers, and the Russian and Turkish ones read
in Moodle's language packs, are recognised by name as well; in any other language the order alone
locates them, and the kit says which header it took for each.

The **Last modified (submission)** column is Moodle's record of when each participant handed in,
written by ``userdate()`` (``Monday, 2 March 2026, 6:05 PM``). :func:`read_submission_times`
reads it in English worksheets, for ``import-zip`` (see :func:`migdata.grading.moodle.import_zip`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from migdata.errors import InvalidInputError

__all__ = ["KNOWN_HEADERS", "SUBMISSION_HEADERS", "SubmissionTimes", "Worksheet", "format_grade",
           "parse_grade", "parse_moodle_date", "read_submission_times", "read_worksheet"]

KNOWN_HEADERS: dict[str, frozenset[str]] = {
    # English: mod/assign/lang/en/assign.php ('recordid', 'maxgrade', 'lastmodifiedgrade'),
    # lang/en/moodle.php ('gradenoun'), assignfeedback_comments ('pluginname'); Russian and
    # Turkish: the assign.php of Moodle's language packs (ru, tr 4.5)
    "identifier": frozenset({"Identifier", "Идентификатор"}),
    "grade": frozenset({"Grade"}),
    "maxgrade": frozenset({"Maximum grade", "Maximum Grade", "Максимальная оценка"}),
    "modified": frozenset({"Last modified (grade)", "Последнее изменение (оценка)",
                           "Son düzenleme (not)"}),
    "feedback": frozenset({"Feedback comments"}),
}
"""Header names read in Moodle's own language files, by the column's role."""

_NUMBER = re.compile(r"^\s*(\d+)(?:([.,])(\d+))?\s*$")
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d\d(?!\d)")
_PARTICIPANT = re.compile(r"^(\D+?)(\d+)$")
_BOM = b"\xef\xbb\xbf"


def parse_grade(text: str) -> float | None:
    """A grade as Moodle writes it (``21.00``, or ``21,00`` with a decimal comma); None if not."""
    match = _NUMBER.match(text)
    if not match:
        return None
    whole, _, frac = match.groups()
    return float(f"{whole}.{frac}" if frac else whole)


def _decimals(text: str) -> tuple[str, int]:
    match = _NUMBER.match(text)
    if not match or not match.group(2):
        return ".", 0
    return match.group(2), len(match.group(3))


def format_grade(value: float, decimal: str = ".", decimals: int = 2) -> str:
    """``value`` with at least ``decimals`` places (more when needed, never rounded away)."""
    text = f"{value:.5f}".rstrip("0")
    whole, _, frac = text.partition(".")
    frac = frac.ljust(decimals, "0")
    return whole + (decimal + frac if frac else "")


@dataclass
class _Record:
    raw: list[str]          # each field exactly as in the file (quotes included)
    values: list[str]       # each field's value
    end: str                # the line end after it ("\n", "\r\n", "\r" or "" at the end)

    @property
    def blank(self) -> bool:
        return self.raw == [""]


def _split(text: str, sep: str, path: Path) -> list[_Record]:
    """CSV records with every field's raw text kept, so untouched cells are written back as is."""
    records: list[_Record] = []
    i, n = 0, len(text)
    while i < n:
        raw: list[str] = []
        values: list[str] = []
        while True:
            start = i
            if i < n and text[i] == '"':
                i += 1
                chars = []
                while True:
                    if i >= n:
                        raise InvalidInputError(
                            f"{path}: a quoted cell is never closed (line {len(records) + 1}); "
                            "expected the worksheet as Moodle wrote it")
                    if text[i] == '"':
                        if i + 1 < n and text[i + 1] == '"':
                            chars.append('"')
                            i += 2
                            continue
                        i += 1
                        break
                    chars.append(text[i])
                    i += 1
                # text after a closing quote up to the separator belongs to the cell (as PHP
                # reads it); keep it
                j = i
                while j < n and text[j] not in (sep, "\r", "\n"):
                    j += 1
                value = "".join(chars) + text[i:j]
                i = j
            else:
                j = i
                while j < n and text[j] not in (sep, "\r", "\n"):
                    j += 1
                value = text[i:j]
                i = j
            raw.append(text[start:i])
            values.append(value)
            if i < n and text[i] == sep:
                i += 1
                continue
            if text.startswith("\r\n", i):
                end = "\r\n"
            elif i < n:
                end = text[i]
            else:
                end = ""
            i += len(end)
            records.append(_Record(raw, values, end))
            break
    return records


def _quote(value: str, sep: str) -> str:
    """A cell as PHP's fputcsv (which Moodle uses) writes it: quoted when it must or has spaces."""
    if any(ch in value for ch in (sep, '"', "\n", "\r", "\t", " ", "\\")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _looks_like_date(value: str) -> bool:
    return value.strip() == "-" or bool(_YEAR.search(value) and _CLOCK.search(value))


@dataclass
class Worksheet:
    """A grading worksheet as Moodle wrote it, with its columns located.

    Attributes
    ----------
    path
        The file.
    encoding, bom, separator
        How it is written (kept when it is written back).
    header
        The column names, as in the file.
    identifier, grade, maxgrade, modified, feedback
        Column numbers (0-based) of the identifier, Grade, Maximum grade, Last modified (grade)
        and Feedback comments (None when Moodle's feedback comments are off for the assignment).
    prefix
        The participant prefix of the identifiers (``"Participant "`` in English).
    by_name
        The roles whose column was recognised by its header name (the others by position).
    """

    path: Path
    encoding: str
    bom: bool
    separator: str
    header: list[str]
    identifier: int
    grade: int
    maxgrade: int
    modified: int
    feedback: int | None
    prefix: str
    by_name: set[str] = field(default_factory=set)
    _records: list[_Record] = field(default_factory=list, repr=False)
    _changes: dict[tuple[int, int], str] = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> list[list[str]]:
        """The data rows' values (blank lines left out)."""
        return [r.values for r in self._records[1:] if not r.blank]

    def participant(self, row: list[str]) -> str:
        """The participant number of a row (the identifier without its prefix)."""
        return row[self.identifier][len(self.prefix):]

    @property
    def max_grade(self) -> float:
        """The assignment's maximum grade in Moodle (the Maximum grade column)."""
        value = parse_grade(self.rows[0][self.maxgrade])
        assert value is not None  # checked when the columns were located
        return value

    @property
    def number_format(self) -> tuple[str, int]:
        """Decimal separator and places Moodle used (from the Maximum grade column)."""
        return _decimals(self.rows[0][self.maxgrade])

    def set(self, participant: str, column: int, value: str) -> None:
        """Write ``value`` into a cell of the participant's row (written by :meth:`save`)."""
        for number, record in enumerate(self._records[1:], start=1):
            if not record.blank and self.participant(record.values) == participant:
                self._changes[(number, column)] = value
                return
        raise InvalidInputError(f"{self.path}: no row for participant {participant}")

    def dumps(self) -> bytes:
        """The worksheet's bytes with the cells set, everything else as it was read."""
        parts = []
        for number, record in enumerate(self._records):
            cells = list(record.raw)
            for column in range(len(cells)):
                if (number, column) in self._changes:
                    cells[column] = _quote(self._changes[(number, column)], self.separator)
            parts.append(self.separator.join(cells) + record.end)
        data = "".join(parts).encode(self.encoding)
        return (_BOM if self.bom else b"") + data

    def save(self, out: str | Path | None = None) -> Path:
        """Write the worksheet (to its own file unless ``out`` is given)."""
        target = Path(out) if out is not None else self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.dumps())
        return target


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str, bool]:
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM):]
    if encoding:
        try:
            return data.decode(encoding), encoding, bom
        except (UnicodeDecodeError, LookupError) as exc:
            raise InvalidInputError(f"{path} cannot be read as {encoding}: {exc}") from exc
    try:
        return data.decode("utf-8"), "utf-8", bom
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path} is not UTF-8 (byte {exc.start}), so it is not the worksheet as Moodle "
            "wrote it: a spreadsheet program saved it in another encoding. Download the "
            "worksheet again and give that file, or name its encoding (for example cp1251, "
            "what Excel uses on a Russian Windows) and choose the same encoding in Moodle's "
            "upload form"
        ) from exc


def _locate_identifier(header: list[str], rows: list[list[str]], path: Path) -> tuple[int, str]:
    named = [i for i, h in enumerate(header) if h in KNOWN_HEADERS["identifier"]]
    order = named + [i for i in range(len(header)) if i not in named]
    for column in order:
        matches = [_PARTICIPANT.match(row[column]) for row in rows]
        if all(matches):
            prefixes = {m.group(1) for m in matches if m}
            if len(prefixes) == 1:
                return column, prefixes.pop()
    raise InvalidInputError(
        f"{path}: no identifier column (every row '<participant prefix><number>', such as "
        f"'Participant 1234'); found the columns {header}. Give the file Moodle wrote "
        "(View all submissions -> Download grading worksheet)")


def _locate_grades(header: list[str], rows: list[list[str]], after: int,
                   path: Path) -> tuple[int, int]:
    named = [i for i, h in enumerate(header) if h in KNOWN_HEADERS["maxgrade"]]
    for column in named + list(range(after + 2, len(header))):
        if column - 1 <= after:
            continue
        tops = {parse_grade(row[column]) for row in rows}
        if len(tops) != 1 or None in tops or not next(iter(tops)):
            continue
        if all(row[column - 1].strip() == "" or parse_grade(row[column - 1]) is not None
               for row in rows):
            return column - 1, column
    raise InvalidInputError(
        f"{path}: no Grade column followed by a Maximum grade column (one number on every row); "
        f"found the columns {header}. The Moodle assignment must be graded in points: Edit "
        "settings -> Grade -> Type: Point, Maximum grade as in the kit")


def _locate_modified(header: list[str], rows: list[list[str]], after: int,
                     path: Path) -> int:
    named = [i for i, h in enumerate(header) if h in KNOWN_HEADERS["modified"] and i > after]
    if named:
        return named[0]
    dated = [c for c in range(after + 1, len(header))
             if all(_looks_like_date(row[c]) for row in rows)]
    if dated:
        return dated[-1]
    raise InvalidInputError(
        f"{path}: no 'Last modified (grade)' column (a date or '-' on every row); Moodle refuses "
        f"a worksheet without it. Found the columns {header}. Give the file Moodle wrote")


def read_worksheet(path: str | Path, *, encoding: str | None = None) -> Worksheet:
    """Read a grading worksheet downloaded from Moodle and locate its columns.

    Parameters
    ----------
    path
        The CSV file ("Download grading worksheet"), in any language Moodle ships.
    encoding
        Its encoding when it is not UTF-8 (a spreadsheet program re-saved it).

    Returns
    -------
    Worksheet

    Raises
    ------
    InvalidInputError
        If the file is not a Moodle grading worksheet: no identifier, Grade followed by Maximum
        grade, or Last modified (grade) column, rows with a different number of cells than the
        header (Moodle refuses the whole file), or no student row.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(
            f"no such file: {path}; download the grading worksheet from Moodle first (View all "
            "submissions -> Download grading worksheet) and give that file")
    text, enc, bom = _decode(path, path.read_bytes(), encoding)
    first_line = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=first_line.count)
    records = _split(text, separator, path)
    if not records or records[0].blank:
        raise InvalidInputError(f"{path} is empty; expected Moodle's grading worksheet")
    header = records[0].values
    for number, record in enumerate(records[1:], start=2):
        if not record.blank and len(record.values) != len(header):
            raise InvalidInputError(
                f"{path}: row {number} has {len(record.values)} cells, the header "
                f"{len(header)}; Moodle refuses such a file as a whole")
    rows = [r.values for r in records[1:] if not r.blank]
    if not rows:
        raise InvalidInputError(f"{path} has no student rows; download it again from the "
                                "assignment with its participants")
    identifier, prefix = _locate_identifier(header, rows, path)
    grade, maxgrade = _locate_grades(header, rows, identifier, path)
    modified = _locate_modified(header, rows, maxgrade, path)
    named_feedback = [i for i, h in enumerate(header)
                      if h in KNOWN_HEADERS["feedback"] and i > modified]
    feedback = named_feedback[0] if named_feedback else (
        modified + 1 if modified + 1 < len(header) else None)
    by_name = {role for role, column in (("identifier", identifier), ("grade", grade),
                                          ("maxgrade", maxgrade), ("modified", modified),
                                          ("feedback", feedback))
               if column is not None and header[column] in KNOWN_HEADERS[role]}
    participants = [row[identifier][len(prefix):] for row in rows]
    twice = sorted({p for p in participants if participants.count(p) > 1})
    if twice:
        raise InvalidInputError(f"{path}: participants listed twice: {twice}")
    return Worksheet(path=path, encoding=enc, bom=bom, separator=separator, header=header,
                     identifier=identifier, grade=grade, maxgrade=maxgrade, modified=modified,
                     feedback=feedback, prefix=prefix, by_name=by_name, _records=records)


# ------------------------------------------------------------------------------------------------
# Moodle's grading worksheet: "Last modified (submission)"

SUBMISSION_HEADERS = frozenset({"Last modified (submission)"})
"""The submission-time column's header in the languages whose dates the kit reads (English:
``mod/assign/lang/en/assign.php``, ``timesubmitted``)."""

_WEEKDAYS = list(calendar.day_name)  # C locale: English, whatever the machine's locale
_MONTHS = list(calendar.month_name)[1:]
_DAY = "(?P<weekday>" + "|".join(_WEEKDAYS) + ")"
_MONTH = "(?P<month>" + "|".join(_MONTHS) + ")"
_USER_CLOCK = r"(?P<hour>\d{1,2}):(?P<minute>\d\d)\s*(?P<ampm>AM|PM|am|pm)"
# userdate() with Moodle's default format, strftimedaydatetime: '%A, %d %B %Y, %I:%M %p' in
# lang/en/langconfig.php ("Monday, 2 March 2026, 6:05 PM"; the day and hour without a leading
# zero); and the en_us pack's '%A, %B %d, %Y, %I:%M %p' ("Monday, March 2, 2026, 6:05 PM")
_MOODLE_DATES = [
    re.compile(rf"^{_DAY}, (?P<day>\d{{1,2}}) {_MONTH} (?P<year>\d{{4}}), {_USER_CLOCK}$"),
    re.compile(rf"^{_DAY}, {_MONTH} (?P<day>\d{{1,2}}), (?P<year>\d{{4}}), {_USER_CLOCK}$"),
]


def parse_moodle_date(text: str) -> datetime | None:
    """A date as Moodle's ``userdate()`` writes it in English; None when it is not one.

    ``Monday, 2 March 2026, 6:05 PM`` (and the US order ``Monday, March 2, 2026, 6:05 PM``)
    becomes ``datetime(2026, 3, 2, 18, 5)``, naive: the time zone is the one of the Moodle
    account that downloaded the worksheet. A weekday that does not fit the date, a 13th month or
    a 13 o'clock PM is no date (None).
    """
    cleaned = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    for pattern in _MOODLE_DATES:
        match = pattern.match(cleaned)
        if match is None:
            continue
        hour = int(match["hour"])
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].upper() == "PM" else 0)
        try:
            moment = datetime(int(match["year"]), _MONTHS.index(match["month"]) + 1,
                              int(match["day"]), hour, int(match["minute"]))
        except ValueError:
            return None
        if _WEEKDAYS[moment.weekday()] != match["weekday"]:
            return None
        return moment
    return None


@dataclass
class SubmissionTimes:
    """Moodle's record of when each participant handed in, from the grading worksheet.

    Attributes
    ----------
    column
        The header of the column read (None when the worksheet has none the kit can read).
    times
        Participant id -> hand-in time, aware, in the course's time zone, to the minute.
    unreadable
        Participant id -> the cell that could not be read as a date.
    problem
        Why no column could be read ('' when one was).
    """

    column: str | None
    times: dict[str, datetime] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def read_submission_times(path: str | Path, tz) -> SubmissionTimes | None:
    """The *Last modified (submission)* column of Moodle's grading worksheet, read.

    Parameters
    ----------
    path
        The id map given to ``import-zip``.
    tz
        The course's time zone, in which the dates are read.

    Returns
    -------
    SubmissionTimes or None
        None when the file is not Moodle's worksheet (a plain ``participant_id,student_id`` CSV).
    """
    from .report import read_marks_file

    table = read_marks_file(path)
    header = list(table.columns)
    rows = [list(r) for r in table.itertuples(index=False) if any(str(v).strip() for v in r)]
    if not rows:
        return None
    try:
        ident, prefix = _locate_identifier(header, rows, Path(path))
    except InvalidInputError:
        return None
    named = [c for c, h in enumerate(header) if h in SUBMISSION_HEADERS]
    if not named:
        return SubmissionTimes(None, problem=(
            f"{Path(path).name} has no column named 'Last modified (submission)': the kit "
            "reads Moodle's submission times in English only. Download the grading worksheet "
            "with Moodle's language set to English to have them used"))
    column = named[0]
    found = SubmissionTimes(header[column])
    for r in rows:
        participant = re.sub(r"\D", "", r[ident][len(prefix):])
        cell = r[column].strip()
        moment = parse_moodle_date(cell)
        if moment is None:
            found.unreadable[participant] = cell
        else:
            found.times[participant] = moment.replace(tzinfo=tz)
    return found
