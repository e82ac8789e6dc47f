"""The grading worksheet round trip, checked against every rule of Moodle's importer (issue 22).

The lecturer downloads the worksheet from Moodle (any language), the kit fills Grade and Feedback
comments in that file, and Moodle's "Upload grading worksheet" reads it back. ``moodle_import``
below applies, in Python and in our own words, each rule Moodle's importer applies; each rule
names the file and line of Moodle's source it comes from (github.com/moodle/moodle, at the commit
given, as read for this test):

* ``lib/csvlib.class.php`` @ cf29c007, ``csv_import_reader::load_csv_content``:
  L98 the file is converted from the encoding chosen in the upload form to UTF-8; L100 a UTF-8
  byte order mark is removed; L102 CR LF and CR become LF; L103-109 spaces and line ends
  around the whole text are trimmed; L129-139 fields are split by PHP's ``fgetcsv``
  (separator chosen in the form, ``"`` quotes) and empty lines dropped; L164-173 a row whose
  number of fields differs from the header's fails the whole upload ("csvweirdcolumns").
* ``mod/assign/feedback/offline/importgradeslib.php`` @ 9762977c:
  L104-106 the Grade, Identifier and "Last modified (grade)" columns are looked up by their
  name *in the uploading user's language* (``gradenoun``, ``recordid``, ``lastmodifiedgrade``);
  L108-116 and L120-122 feedback columns likewise, by the feedback plugin's field description
  ("Feedback comments"); L123-131 the match is exact; L135-137 without any of the three the
  upload fails ("invalidgradeimport"); L181 the participant number is what is left of the
  identifier after cutting as many *bytes* as the participant prefix (``hiddenuser``) has in
  the uploader's language; L182-183 it must be a participant of the assignment; L185 the
  "Last modified (grade)" cell is read with PHP's ``strtotime`` (English dates only); L189 a
  feedback column at position 0 is ignored.
* ``mod/assign/feedback/offline/locallib.php`` @ 04975560, ``process_import_grades``:
  L153 the grade is read with ``unformat_float`` (the language's decimal separator);
  L158 a grade changed in Moodle more than 60 s after the worksheet's "Last modified (grade)"
  is stale; L160-162 an unchanged grade is skipped; L163-165 an empty or negative grade is
  skipped; L166-168 a stale grade is skipped unless "Allow updating records that have been
  modified more recently" is ticked; L172-175 a grade above the assignment's maximum grade is
  skipped *silently*; L189-203 feedback is written when it differs and the row is not stale.
* ``mod/assign/gradingtable.php`` @ 1494620b: the worksheet's columns in the order the
  constructor lists them in download mode (identifier, full name, identity fields, status,
  grade, maximum grade, ..., last modified (grade), the feedback plugins' fields), the
  identifier ``hiddenuser`` + number (``col_recordid``), the maximum grade with the grade
  item's decimals (``col_grademax``), "-" as the last modified (grade) of a student never
  graded (``col_timemarked``).
* ``dataformat/csv/classes/writer.php`` @ adab3853: the download is written by Spout's CSV
  writer (fputcsv quoting; Spout adds a UTF-8 byte order mark by default).

Language strings: English from Moodle's ``lang/en`` files; Russian (``Идентификатор``,
``Участник``, ``Максимальная оценка``, ``Последнее изменение (оценка)``) and Turkish
(``Katılımcı``, ``Son düzenleme (not)``) from the ``assign.php`` of Moodle's language packs.
The strings of those languages we could not read in a public source, and every string of the
Azerbaijani worksheet, are stand-ins written ``<...>``: the kit must find those columns by their
place in Moodle's layout, whatever they are called.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from migdata.errors import InvalidInputError
from migdata.grading.cli import main
from migdata.grading.moodle import fill_grading_worksheet, read_id_map
from migdata.grading.worksheet import read_worksheet

A = "unit22_sources"


@dataclass(frozen=True)
class Lang:
    """The strings Moodle's importer looks for, in one language."""

    identifier: str
    prefix: str
    grade: str
    maxgrade: str
    modified: str
    feedback: str
    status: str = "Status"
    fullname: str = "Full name"
    email: str = "Email address"
    decimal: str = "."


EN = Lang("Identifier", "Participant ", "Grade", "Maximum grade", "Last modified (grade)",
          "Feedback comments")
RU = Lang("Идентификатор", "Участник", "<gradenoun ru>", "Максимальная оценка",
          "Последнее изменение (оценка)", "<feedback comments ru>", status="Статус",
          fullname="<fullname ru>", email="<email ru>", decimal=",")
TR = Lang("<recordid tr>", "Katılımcı", "<gradenoun tr>", "<maxgrade tr>", "Son düzenleme (not)",
          "<feedback comments tr>", status="<status tr>", fullname="<fullname tr>",
          email="<email tr>", decimal=",")
AZ = Lang("<recordid az>", "<hiddenuser az> ", "<gradenoun az>", "<maxgrade az>",
          "<lastmodifiedgrade az>", "<feedback comments az>", status="<status az>",
          fullname="<fullname az>", email="<email az>")


def fputcsv(values: list[str]) -> str:
    """One line as PHP's fputcsv writes it (quoted when a cell has , " space tab CR LF or \\)."""
    out = []
    for v in values:
        if any(ch in v for ch in ',"\n\r\t \\'):
            v = '"' + v.replace('"', '""') + '"'
        out.append(v)
    return ",".join(out) + "\n"


def moodle_download(lang: Lang, rows: list[dict], *, max_grade: float = 21.0,
                    email: bool = True) -> bytes:
    """A grading worksheet laid out as gradingtable.php writes it in download mode."""
    header = [lang.identifier, lang.fullname] + ([lang.email] if email else []) + [
        lang.status, lang.grade, lang.maxgrade, "Grade can be changed",
        "Last modified (submission)", lang.modified, lang.feedback]
    text = fputcsv(header)
    top = f"{max_grade:.2f}".replace(".", lang.decimal)
    for r in rows:
        cells = [f"{lang.prefix}{r['participant']}", r["name"]] + (
            [r.get("email", "")] if email else []) + [
            "Submitted for grading", r.get("grade", ""), top, "Yes",
            "Monday, 2 March 2026, 6:05 PM", r.get("modified", "-"), r.get("feedback", "")]
        text += fputcsv(cells)
    return b"\xef\xbb\xbf" + text.encode("utf-8")


@dataclass
class Upload:
    grades: dict[int, float]
    feedback: dict[int, str]
    skipped: dict[int, str]


def unformat_float(text: str, decimal: str) -> float | None:
    text = text.strip().replace(" ", "")
    if text == "":
        return None
    return float(text.replace(decimal, "."))


def moodle_import(data: bytes, lang: Lang, participants: dict[str, int], *, max_grade: float,
                  existing: dict[int, tuple[float, int]] | None = None,
                  ignoremodified: bool = False, encoding: str = "utf-8",
                  separator: str = ",") -> Upload:
    """What Moodle's "Upload grading worksheet" does with the file (rules: module docstring)."""
    existing = existing or {}
    text = data.decode(encoding)  # csvlib L98
    text = text.removeprefix("\ufeff")  # csvlib L100
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()  # csvlib L102-109
    records = [r for r in csv.reader(io.StringIO(text), delimiter=separator)
               if r and r != [""]]  # csvlib L129-139 (fgetcsv; empty lines dropped)
    header, rows = records[0], records[1:]
    if any(len(r) != len(header) for r in rows):  # csvlib L164-173
        raise AssertionError("Moodle: csvweirdcolumns (the whole upload fails)")
    # importgradeslib L104-131: exact names in the uploader's language
    try:
        idx_id, idx_grade, idx_mod = (header.index(lang.identifier), header.index(lang.grade),
                                      header.index(lang.modified))
    except ValueError:  # importgradeslib L135-137
        raise AssertionError("Moodle: invalidgradeimport") from None
    idx_fb = header.index(lang.feedback) if lang.feedback in header else None
    prefix_bytes = len(lang.prefix.encode("utf-8"))
    out = Upload({}, {}, {})
    for r in rows:
        # importgradeslib L181: cut strlen(hiddenuser) *bytes* off the identifier
        uid = r[idx_id].encode("utf-8")[prefix_bytes:].decode("utf-8", "replace")
        if uid not in participants:  # importgradeslib L182-183
            continue
        user = participants[uid]
        grade = unformat_float(r[idx_grade], lang.decimal)  # locallib L153
        old = existing.get(user)
        modified_ok = "-" not in r[idx_mod] and r[idx_mod].isascii()  # strtotime, L185
        stale = old is not None and (not modified_ok)  # locallib L158 (unknown date -> 0)
        if old is not None and grade == old[0]:
            out.skipped[user] = "unchanged"  # locallib L160-162
        elif grade is None or grade < 0:
            out.skipped[user] = "no grade"  # locallib L163-165
        elif stale and not ignoremodified:
            out.skipped[user] = "stale"  # locallib L166-168
        elif grade > max_grade:
            out.skipped[user] = "out of range"  # locallib L172-175
        else:
            out.grades[user] = grade
        if idx_fb and (ignoremodified or not stale) and r[idx_fb]:  # importgradeslib L189
            out.feedback[user] = r[idx_fb]  # locallib L189-203
    return out


ROWS = [
    {"participant": "1234", "name": "Aysel Mammadova", "email": "aysel@example.edu"},
    {"participant": "1240", "name": "Giorgi Beridze", "email": "giorgi@example.edu"},
    {"participant": "1251", "name": "Nino Kapanadze", "email": "nino@example.edu"},
]
USERS = {"1234": 11, "1240": 12, "1251": 13}


@pytest.fixture
def course(repo_root, tmp_path):
    folder = tmp_path / "autograder"
    folder.mkdir()
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", folder)
    roster = folder / ".migdata-course" / "roster.csv"
    roster.parent.mkdir()
    roster.write_text(
        "assignment,participant_id,student_id,full_name\n"
        f"{A},1234,100231,Aysel Mammadova\n{A},1240,100232,Giorgi Beridze\n"
        f"{A},1251,100234,Nino Kapanadze\n", encoding="utf-8")
    return folder


def table(**overrides) -> pd.DataFrame:
    base = dict(assignment=A, status="graded", max_score=21.0, needs_manual_grade=False,
                blank_unconfirmed=0, late_penalty=0.0, auto_score=14.0, auto_max=14.0,
                manual_score=7.0, manual_max=7.0, to_mark=0.0)
    rows = [
        {**base, "student_id": "100231", "score": 21.0},
        {**base, "student_id": "100232", "score": 12.5, "auto_score": 5.5, "manual_score": 7.0},
        {**base, "student_id": "100234", "score": 14.0, "manual_score": 0.0, "to_mark": 7.0,
         "needs_manual_grade": True},
    ]
    for row in rows:
        row.update(overrides.get(row["student_id"], {}))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("lang", [EN, RU, TR, AZ], ids=["en", "ru", "tr", "az"])
def test_a_filled_worksheet_passes_moodles_importer(course, tmp_path, lang):
    downloaded = moodle_download(lang, ROWS)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(downloaded)
    report = fill_grading_worksheet(course, A, sheet, table())
    filled = sheet.read_bytes()
    upload = moodle_import(filled, lang, USERS, max_grade=21.0)
    decimal = lang.decimal
    assert upload.grades == {11: 21.0, 12: 12.5}  # Nino's written answers are not marked yet
    assert report.graded == {"1234": f"21{decimal}00", "1240": f"12{decimal}50"}
    assert "written answers still to mark" in report.left["1251"]
    assert upload.feedback[11] == ("Autograded 14 of 14 points; written answers 7 of 7.")
    assert 13 not in upload.feedback and 13 not in upload.grades
    # everything else byte for byte: BOM, header, identifiers, other cells, order, line ends
    assert filled.startswith(b"\xef\xbb\xbf")
    before = downloaded.decode("utf-8-sig").splitlines()
    after = filled.decode("utf-8-sig").splitlines()
    assert after[0] == before[0] and len(after) == len(before)
    assert after[3] == before[3]  # the ungraded row is untouched
    for old, new in zip(before[1:], after[1:], strict=True):
        old_cells, new_cells = next(csv.reader([old])), next(csv.reader([new]))
        assert len(old_cells) == len(new_cells)
        keep = [i for i in range(len(old_cells)) if i not in (4, 9)]  # Grade, Feedback comments
        assert [old_cells[i] for i in keep] == [new_cells[i] for i in keep]
    # where the kit had to find a column by its place, it says which header it took
    if lang is EN:
        assert not any("by their place" in w for w in report.warnings)
    else:
        placed = next(w for w in report.warnings if "by their place" in w)
        assert f"grade = '{lang.grade}'" in placed


def test_the_maximum_grade_must_equal_the_kits(course, tmp_path):
    """Moodle skips a grade above its maximum without a word (locallib L172-175)."""
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(EN, ROWS, max_grade=20.0))
    before = sheet.read_bytes()
    with pytest.raises(InvalidInputError, match="maximum grade is 20, the kit's unit22_sources "
                                                "is worth 21"):
        fill_grading_worksheet(course, A, sheet, table())
    assert sheet.read_bytes() == before  # nothing written
    # what Moodle would have done with a 21 out of 20
    upload = moodle_import(moodle_download(EN, [{**ROWS[0], "grade": "21.00"}], max_grade=20.0),
                           EN, USERS, max_grade=20.0)
    assert upload.skipped == {11: "out of range"}


def test_late_penalty_and_statuses_that_are_not_final(course, tmp_path):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(EN, ROWS))
    t = table(**{"100231": {"late_penalty": 21.0}, "100232": {"status": "tampered"}})
    report = fill_grading_worksheet(course, A, sheet, t)
    upload = moodle_import(sheet.read_bytes(), EN, USERS, max_grade=21.0)
    assert upload.grades == {11: 0.0}  # score less nbgrader's late penalty
    assert "Late hand-in: 21 points deducted." in upload.feedback[11]
    assert report.left["1240"] == "student 100232: status tampered"


def test_existing_feedback_is_kept_and_the_kits_line_replaced(course, tmp_path):
    rows = [{**ROWS[0], "feedback": "Good sources.\nAutograded 9 of 14 points; written answers "
                                    "0 of 7."}, ROWS[1], ROWS[2]]
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(EN, rows))
    fill_grading_worksheet(course, A, sheet, table())
    fill_grading_worksheet(course, A, sheet, table())  # twice: the same file
    upload = moodle_import(sheet.read_bytes(), EN, USERS, max_grade=21.0)
    assert upload.feedback[11] == ("Good sources.\nAutograded 14 of 14 points; written answers "
                                   "7 of 7.")


def test_a_grade_already_in_moodle_dated_in_russian_needs_the_tick(course, tmp_path):
    """strtotime reads no Russian date, so Moodle counts the row as stale (locallib L158)."""
    rows = [{**ROWS[0], "grade": "10,00", "modified": "понедельник, 2 марта 2026, 19:00"},
            ROWS[1], ROWS[2]]
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(RU, rows))
    report = fill_grading_worksheet(course, A, sheet, table())
    assert any("Allow updating records" in w for w in report.warnings)
    filled = sheet.read_bytes()
    existing = {11: (10.0, 1772463600)}
    assert moodle_import(filled, RU, USERS, max_grade=21.0, existing=existing).skipped[11] == (
        "stale")
    ticked = moodle_import(filled, RU, USERS, max_grade=21.0, existing=existing,
                           ignoremodified=True)
    assert ticked.grades[11] == 21.0


def test_a_worksheet_resaved_by_excel_keeps_its_encoding_and_separator(course, tmp_path):
    """Excel on a Russian Windows saves ';' and cp1251; Moodle's form offers both."""
    text = moodle_download(RU, ROWS, email=False).decode("utf-8-sig")
    resaved = "".join(";".join(row) + "\r\n" for row in csv.reader(io.StringIO(text)))
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(resaved.encode("cp1251"))
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        read_worksheet(sheet)
    fill_grading_worksheet(course, A, sheet, table(), encoding="cp1251")
    upload = moodle_import(sheet.read_bytes(), RU, USERS, max_grade=21.0, encoding="cp1251",
                           separator=";")
    assert upload.grades == {11: 21.0, 12: 12.5}
    assert sheet.read_bytes().count(b"\r\n") == resaved.count("\r\n")
    assert not sheet.read_bytes().startswith(b"\xef\xbb\xbf")


def test_not_a_worksheet_moodle_wrote(course, tmp_path):
    made = tmp_path / "made.csv"
    made.write_text("Identifier,Full name,Grade,Maximum Grade,Feedback comments\n"
                    "Participant 1234,Aysel Mammadova,,21,\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="Last modified"):
        fill_grading_worksheet(course, A, made, table())
    with pytest.raises(InvalidInputError, match="download the grading worksheet"):
        fill_grading_worksheet(course, A, tmp_path / "none.csv", table())
    ragged = tmp_path / "ragged.csv"
    ragged.write_bytes(moodle_download(EN, ROWS) + b"Participant 9,x\n")
    with pytest.raises(InvalidInputError, match="refuses such a file"):
        read_worksheet(ragged)
    scale = tmp_path / "scale.csv"
    scale.write_text("Identifier,Full name,Status,Grade,Scale,Grade can be changed,"
                     "Last modified (grade)\nParticipant 1,A,x,,\"Good\nBad\",Yes,-\n",
                     encoding="utf-8")
    with pytest.raises(InvalidInputError, match="Type: Point"):
        read_worksheet(scale)


def test_export_command_fills_the_downloaded_worksheet(course, tmp_path, monkeypatch, capsys):
    import migdata.grading.report as report

    monkeypatch.setattr(report, "export_grades", lambda *a, **k: table())
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(TR, ROWS))
    code = main(["--course-dir", str(course), "export", str(tmp_path / "g.csv"),
                 "--assignment", A, "--moodle-worksheet", str(sheet)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "2 grade(s) filled in, 1 row(s) left as downloaded" in out
    assert "prefix 'Katılımcı'" in out
    assert "Katılımcı1251: not graded: student 100234: written answers still to mark" in err
    assert moodle_import(sheet.read_bytes(), TR, USERS, max_grade=21.0).grades == {
        11: 21.0, 12: 12.5}


# --- id maps: e-mail or ID number keyed worksheets map to the class list ------------------------

def test_an_email_keyed_worksheet_maps_to_the_class_list(tmp_path):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(RU, ROWS))
    students = {"100231": "Aysel@Example.edu", "100232": "giorgi@example.edu",
                "100234": "nino@example.edu"}
    assert read_id_map(sheet, students) == {"1234": "100231", "1240": "100232",
                                            "1251": "100234"}
    with pytest.raises(InvalidInputError, match="load the class list first"):
        read_id_map(_en(tmp_path), None)


def _en(tmp_path: Path) -> Path:
    path = tmp_path / "en.csv"
    path.write_bytes(moodle_download(EN, ROWS))
    return path


def test_id_numbers_that_lost_their_leading_zeros_get_a_hint(tmp_path):
    sheet = tmp_path / "excel.csv"
    sheet.write_text("Identifier,Full name,ID number\nParticipant 1234,Aysel,231\n"
                     "Participant 1240,Giorgi,232\n", encoding="utf-8")
    students = {"000231": "", "000232": ""}
    with pytest.raises(InvalidInputError, match=r"lost their leading zeros \(231 \(class list: "
                                                r"000231\)"):
        read_id_map(sheet, students)
    kept = tmp_path / "kept.csv"
    kept.write_text("Identifier,Full name,ID number\nParticipant 1234,Aysel,000231\n",
                    encoding="utf-8")
    assert read_id_map(kept, students) == {"1234": "000231"}


def test_rows_without_a_zip_hand_in_map_through_the_class_list(course, tmp_path):
    """Hand-ins collected from the hub, grades to Moodle: the e-mail column names the student."""
    from nbgrader.api import Gradebook

    (course / ".migdata-course" / "roster.csv").unlink()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        for sid, email in (("100231", "aysel@example.edu"), ("100232", "giorgi@example.edu")):
            gb.add_student(sid, email=email)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(AZ, ROWS))
    report = fill_grading_worksheet(course, A, sheet, table())
    assert report.graded == {"1234": "21.00", "1240": "12.50"}
    assert report.left["1251"] == "no hand-in imported for this participant"
    assert moodle_import(sheet.read_bytes(), AZ, USERS, max_grade=21.0).grades == {
        11: 21.0, 12: 12.5}
