"""``migdata-course``: the lecturer's commands, in the order a course uses them.

::

    migdata-course generate unit22_sources          # student version into release/
    migdata-course release unit22_sources           # JupyterHub: put it in the exchange
    migdata-course collect unit22_sources           # JupyterHub: fetch hand-ins from the exchange
    migdata-course import-zip unit22_sources moodle.zip   # LMS only: unpack a Moodle download
    migdata-course set-time 100231 unit22_sources "2026-03-02 18:05"  # a time you checked
    migdata-course autograde unit22_sources --workers 2
    migdata-course feedback unit22_sources          # HTML feedback into feedback/
    migdata-course export grades.csv                # one row per student and assignment
    migdata-course report unit22_sources            # the last autograding report again

Every command works on a course folder (``--course-dir``, default ``autograder`` when it exists
in the current folder, else the current folder) holding ``nbgrader_config.py``.

This module imports nbgrader (and traitlets) only inside the commands, so ``--help`` works in a
plain install, and a command run without the ``course`` extra says how to install it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from migdata.errors import InvalidInputError, MigdataError

__all__ = ["main"]

COURSE_EXTRA_MODULES = frozenset({
    "nbgrader", "traitlets", "nbformat", "nbconvert", "nbclient", "jupyter_client",
    "jupyter_core", "jupyter_server", "jupyterlab", "sqlalchemy", "alembic",
})
"""Top-level modules that come with the ``course`` extra (nbgrader and what it needs)."""

NBGRADER_DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"
"""nbgrader's exchange folder when ``c.Exchange.root`` is not set."""


LAPTOP_ROUTE = (
    "The sandbox needs Linux. On Windows, grade inside WSL2 (wsl --install -d Ubuntu, then "
    "sudo apt install bubblewrap make python3-venv, and the kit there); on macOS or anywhere, "
    "grade on the course's JupyterHub or any Linux machine (see 'Windows and macOS laptops' "
    "in autograder/README.md)"
)
"""Where a lecturer whose laptop cannot sandbox grades instead (said when autograde refuses)."""


def _default_course_dir() -> Path:
    here = Path.cwd()
    return here / "autograder" if (here / "autograder" / "nbgrader_config.py").is_file() else here


def _api(course_dir: Path, timeout: int | None = None):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from .config import load_config

    cfg = load_config(course_dir, timeout=timeout)
    return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


def _check(result: dict, what: str) -> None:
    """Raise a clear error when an NbGraderAPI call failed, showing nbgrader's own messages."""
    if result.get("success"):
        return
    log = [ln for ln in result.get("log", "").splitlines() if "ERROR" in ln or "WARNING" in ln]
    error = result.get("error", "").strip().splitlines()
    detail = "\n".join(log[-8:] or error[-3:])
    raise MigdataError(f"{what} failed:\n{detail}")


def _convert(course_dir: Path, converter: str, assignment: str) -> dict:
    """Run one of nbgrader's converters (``GenerateAssignment``, ``GenerateFeedback``)."""
    from nbgrader import converters
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    from .config import load_config

    cfg = load_config(course_dir)
    cfg.CourseDirectory.assignment_id = assignment
    if converter == "GenerateFeedback":
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
        from nbgrader.preprocessors import GetGrades

        from .feedback import HideHiddenTests, RefuseUngradedFeedback
        from .safehtml import SafeMarkdown

        cfg.HTMLExporter.template_name = "feedback"
        # nothing active from students in the page (also set in nbgrader_config.py)
        cfg.HTMLExporter.sanitize_html = True
        cfg.HTMLExporter.preprocessors = [SafeMarkdown]
        # students never see the hidden tests (nbgrader's feedback shows them)
        # and no page from an earlier hand-in's marks (see _drop_ungraded_feedback)
        cfg.GenerateFeedback.preprocessors = [RefuseUngradedFeedback, GetGrades,
                                              CSSHTMLHeaderPreprocessor, HideHiddenTests]
    app = getattr(converters, converter)(coursedir=CourseDirectory(config=cfg), config=cfg)
    app.force = True
    return capture_log(app)


def _locked(args: argparse.Namespace, what: str):
    """The course lock for a run of ``what`` (see :mod:`migdata.grading.locking`)."""
    from .config import load_config
    from .locking import course_lock

    root = Path(load_config(args.course_dir).CourseDirectory.root)
    return course_lock(root, f"migdata-course {what}", wait=getattr(args, "wait", 0) or 0)


def _due(args: argparse.Namespace, assignment: str | None = None) -> None:
    """Record ``--due`` (when given) as the assignment's due date in the gradebook."""
    if getattr(args, "due", None):
        from .config import course_timezone, load_config, set_due_date

        name = assignment or args.assignment
        due = set_due_date(args.course_dir, name, args.due)
        tz = course_timezone(load_config(args.course_dir))
        print(f"{name} is due {due.astimezone(tz).isoformat(sep=' ', timespec='minutes')} "
              f"({tz.key}); later hand-ins count as late")


def cmd_generate(args: argparse.Namespace) -> int:
    assignment = args.assignment
    if getattr(args, "seed", None) is not None:
        from .config import load_course
        from .variants import make_variant

        source = Path(load_course(args.course_dir).source_directory)
        assignment = make_variant(source, args.assignment, args.seed)
        print(f"variant {assignment} of {args.assignment} (data made with seed {args.seed}) "
              f"written to {source / assignment}/; keep it private (do not publish it)")
    result = _convert(args.course_dir, "GenerateAssignment", assignment)
    _check(result, f"generating {assignment}")
    print(f"student version of {assignment} written to release/{assignment}/")
    _due(args, assignment)
    return 0


def exchange_root(course_dir: Path) -> tuple[str, bool]:
    """The exchange folder a course uses, and whether it is nbgrader's default (not configured)."""
    from .config import load_config

    cfg = load_config(course_dir)
    configured = cfg.Exchange.get("root")
    return (str(configured), False) if configured else (NBGRADER_DEFAULT_EXCHANGE, True)


def _ngshare_cfg(course_dir: Path):
    """The course's configuration when its exchange is ngshare, else None."""
    from .config import load_config
    from .ngshare import uses_ngshare

    cfg = load_config(course_dir)
    return cfg if uses_ngshare(cfg) else None


def cmd_release(args: argparse.Namespace) -> int:
    cfg = _ngshare_cfg(args.course_dir)
    if cfg is not None:
        from .ngshare import ngshare_url, released_assignments

        result = _api(args.course_dir).release_assignment(args.assignment)
        _check(result, "release")
        # ngshare_exchange logs a refusal by ngshare as a warning and reports success: ask ngshare
        if args.assignment not in released_assignments(cfg):
            said = [ln for ln in result.get("log", "").splitlines()
                    if "ERROR" in ln or "WARNING" in ln]
            print(f"migdata-course: error: ngshare at {ngshare_url(cfg)} does not hold "
                  f"{args.assignment} after the release; are you an instructor of the course "
                  "in ngshare? ngshare_exchange said:\n" + "\n".join(said[-6:] or ["nothing"]),
                  file=sys.stderr)
            return 1
        print(f"{args.assignment} released to ngshare at {ngshare_url(cfg)}")
        return 0
    root, default = exchange_root(args.course_dir)
    if default and not Path(root).exists():
        # nbgrader would create its default exchange open to every user of the machine (0777)
        print(f"migdata-course: error: c.Exchange.root is not set in nbgrader_config.py and "
              f"nbgrader's default exchange {root} does not exist; release would create it "
              "writable by every user of this machine. On a JupyterHub, run "
              "autograder/hub/setup-hub.sh (it sets the exchange up safely); on a laptop with "
              f"submissions from Moodle, skip release and hand out release/{args.assignment}/ "
              "through Moodle", file=sys.stderr)
        return 2
    _check(_api(args.course_dir).release_assignment(args.assignment), "release")
    print(f"{args.assignment} released to the exchange {root}")
    if default:
        print("migdata-course: warning: c.Exchange.root is not set in nbgrader_config.py, so "
              f"nbgrader used its default exchange {root}; students see the assignment only if "
              "their nbgrader uses the same folder (see autograder/README.md, set-up 2)",
              file=sys.stderr)
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from .exchange import collect, describe

    _due(args)
    if _ngshare_cfg(args.course_dir) is not None:
        from .ngshare import collect_ngshare

        handins = collect_ngshare(args.course_dir, args.assignment)
    else:
        handins = collect(args.course_dir, args.assignment)
    taken = sorted({h.student for h in handins if h.collected})
    students = sorted({h.student for h in handins if not h.impostor})
    print(f"{args.assignment}: {len(students)} student(s) handed in; {len(taken)} new or newer "
          "submission(s) collected into submitted/")
    for line in describe(handins, args.assignment):
        print(f"migdata-course: warning: {line}", file=sys.stderr)
    if not handins:
        print(f"migdata-course: error: no hand-in of {args.assignment} in the exchange",
              file=sys.stderr)
        return 1
    # a hand-in under another student's name, or refused (links, devices), needs the lecturer
    return 1 if any(h.impostor or h.refused for h in handins) else 0


def cmd_import_zip(args: argparse.Namespace) -> int:
    from .moodle import class_list, import_zip, participants_in, read_id_map

    _due(args)
    students = class_list(args.course_dir)
    notes: list[str] = []
    id_map = read_id_map(args.id_map, students, notes=notes) if args.id_map else None
    for note in notes:  # e.g. ids whose leading zeros a spreadsheet program dropped
        print(f"migdata-course: warning: {note}", file=sys.stderr)
    if id_map is None and students:
        # without an id map the participant id becomes the student id: with a class list
        # loaded, participants that are not on it would become extra students in the gradebook
        # and the real ones would be reported missing (issue 22 trial, finding 3)
        found = participants_in(args.zips)
        strangers = sorted(p for p in found if p not in students)
        if found and len(strangers) == len(found):
            raise InvalidInputError(
                f"none of the {len(found)} Moodle participant id(s) in the zip (e.g. "
                f"{strangers[0]}, {found[strangers[0]]}) is on the class list loaded in the "
                "gradebook: they are Moodle's participant ids, not student ids. Add "
                "--id-map worksheet.csv (Moodle's grading worksheet: View all submissions -> "
                "Download grading worksheet) to file each hand-in under its student id")
        if strangers:
            print(f"migdata-course: warning: {len(strangers)} participant id(s) in the zip are "
                  "not on the class list and become new students in the gradebook: "
                  + ", ".join(f"{p} ({found[p]})" for p in strangers)
                  + "; if they are Moodle participant ids, import again with --id-map",
                  file=sys.stderr)
    sheet_times = None
    if args.id_map:
        from .config import course_timezone, load_config
        from .moodle import check_id_map

        # another assignment's worksheet would file hand-ins under the wrong students
        check_id_map(args.course_dir, args.assignment, args.id_map, args.zips, id_map or {})
        from .worksheet import read_submission_times

        sheet_times = read_submission_times(args.id_map,
                                            course_timezone(load_config(args.course_dir)))
    report = import_zip(args.course_dir, args.assignment, args.zips, id_map=id_map,
                        submission_times=sheet_times)
    files = sum(len(v) for v in report.imported.values())
    print(f"{args.assignment}: {files} notebook(s) of {len(report.imported)} student(s) imported "
          "into submitted/ (names kept in .migdata-course/roster.csv)")
    if report.times:
        from_sheet = sorted(s for s, where in report.sources.items() if where == "worksheet")
        from_zip = len(report.times) - len(from_sheet)
        line = f"hand-in times: {from_zip} from the zip's file times"
        if sheet_times is not None and sheet_times.column is not None:
            line += (f", {len(from_sheet)} from the grading worksheet's '{sheet_times.column}' "
                     "(Moodle's record, to the minute: a hand-in within the due minute counts as "
                     "on time)")
            if from_sheet:
                line += ": " + ", ".join(from_sheet)
        print(line)
    for entry, why in report.skipped:
        print(f"migdata-course: warning: skipped {entry}: {why}", file=sys.stderr)
    for warning in report.warnings:
        print(f"migdata-course: warning: {warning}", file=sys.stderr)
    if not report.imported:
        print(f"migdata-course: error: nothing imported from {', '.join(map(str, args.zips))}; "
              "expected Moodle's 'Download all submissions' zip with files named "
              "'<Full Name>_<participant id>_assignsubmission_file/<notebook>.ipynb'",
              file=sys.stderr)
        return 1
    if report.skipped:
        print(f"migdata-course: {len(report.skipped)} file(s) skipped (see above); check them "
              "before grading", file=sys.stderr)
        return 1
    return 0


def cmd_set_time(args: argparse.Namespace) -> int:
    from .handin_times import set_time

    old, new = set_time(args.course_dir, args.student, args.assignment, args.time)
    print(f"{args.student} {args.assignment}: hand-in time {new} (was "
          f"{old if old is not None else 'none'}), recorded as checked. Run migdata-course "
          f"autograde {args.assignment} again: the late penalty is computed when it grades")
    return 0


def _unchecked_times(results, assignment: str) -> None:
    """A plain sentence naming each student whose hand-in time the kit did not write or check."""
    for r in results:
        if r.time_check.startswith("not checked"):
            print(f"migdata-course: warning: {r.student}: hand-in time {r.time_check}. "
                  "The late penalty (if any) is computed from that time. Check the time "
                  "(Moodle, the exchange, your e-mail) and set it with migdata-course set-time "
                  f"{r.student} {assignment} 'YYYY-MM-DD HH:MM', then autograde again",
                  file=sys.stderr)


def _unchecked_exported(course_dir, table) -> None:
    """Name each exported grade that rests on a hand-in time the kit did not write or check."""
    from .autograde import read_ledger
    from .config import load_config

    if not {"assignment", "student_id"} <= set(table.columns):
        return
    root = Path(load_config(course_dir).CourseDirectory.root)
    for assignment in sorted(set(table["assignment"])):
        ledger = read_ledger(root, assignment)
        students = sorted(set(table.loc[table["assignment"] == assignment, "student_id"]))
        for student in students:
            record = ledger.get(student)
            if record is None or not record.time_check.startswith("not checked"):
                continue
            print(f"migdata-course: warning: {student} ({assignment}): the exported grade rests "
                  f"on a hand-in time the kit did not write or check ({record.time_check}); "
                  "its lateness (and any late penalty) comes from that time. Check the time and "
                  f"set it with migdata-course set-time {student} {assignment} "
                  "'YYYY-MM-DD HH:MM', autograde again, then export again", file=sys.stderr)


def cmd_autograde(args: argparse.Namespace) -> int:
    from .autograde import autograde
    from .report import format_report, formgrader_overrides, points_by_student
    from .sandbox import NO_SANDBOX_RISK

    if args.no_sandbox:
        print(f"migdata-course: warning: --no-sandbox: {NO_SANDBOX_RISK}", file=sys.stderr)
    _due(args)
    from .sandbox import SandboxUnavailableError

    try:
        results = autograde(
            args.course_dir, args.assignment, workers=args.workers, timeout=args.timeout,
            students=args.student or None, force=args.force, progress=not args.quiet,
            sandbox=not args.no_sandbox, memory_mb=args.memory, wait=args.wait,
        )
    except SandboxUnavailableError as exc:
        raise SandboxUnavailableError(f"{exc}. {LAPTOP_ROUTE}") from None
    # autograded points and written answers still to be marked apart, as `report` and `export` do
    print(format_report(results, args.assignment,
                        split=points_by_student(args.course_dir, args.assignment),
                        overrides=formgrader_overrides(args.course_dir, args.assignment)))
    _locked_failures(args.course_dir, args.assignment, len(results))
    _unchecked_times(results, args.assignment)
    for r in results:  # formgrader scores of test cells given to an earlier hand-in
        for line in r.overrides:
            print(f"migdata-course: warning: {r.student}: {line}", file=sys.stderr)
    return 0


def _locked_failures(course_dir: Path, assignment: str, total: int) -> None:
    from .report import locked_cell_failures, locked_failure_note

    failures = locked_cell_failures(course_dir, assignment)
    if failures:
        print(f"migdata-course: warning: {locked_failure_note(failures, total)} Students: "
              + ", ".join(sorted(failures)), file=sys.stderr)


def cmd_feedback(args: argparse.Namespace) -> int:
    with _locked(args, f"feedback {args.assignment}"):
        return _feedback(args)


def _drop_ungraded_feedback(course_dir: str, assignment: str) -> dict[str, str]:
    """Remove the feedback nbgrader made for students whose newest hand-in was not graded.

    nbgrader makes feedback from the gradebook, which keeps an earlier hand-in's grades when the
    newest one could not be graded (renamed, refused, ...). Returns student -> status.
    """
    import shutil
    from pathlib import Path

    from .autograde import read_ledger
    from .config import load_config
    from .report import FINAL_STATUSES

    root = Path(load_config(course_dir).CourseDirectory.root)
    stale: dict[str, str] = {}
    for student, result in read_ledger(root, assignment).items():
        if result.status in FINAL_STATUSES or result.status == "missing":
            continue
        page = root / "feedback" / student / assignment
        if page.is_dir() and not page.is_symlink():
            shutil.rmtree(page)
        stale[student] = result.status.replace("_", " ")
    return stale


def _feedback(args: argparse.Namespace) -> int:
    import re

    from .autograde import read_ledger
    from .config import load_config
    from .feedback import check_marks, release_each
    from .report import FINAL_STATUSES

    ledger = read_ledger(Path(load_config(args.course_dir).CourseDirectory.root),
                         args.assignment)
    not_graded = {s: r.status.replace("_", " ") for s, r in ledger.items()
                  if r.status not in FINAL_STATUSES and r.status != "missing"}
    for check in check_marks(args.course_dir, args.assignment):
        if check.unmarked:
            print(f"migdata-course: warning: {check.student}: written answers not marked yet: "
                  + ", ".join(check.unmarked), file=sys.stderr)
        if check.blank:
            print(f"migdata-course: warning: {check.student}: written answers left blank, "
                  "scored 0 by nbgrader and not confirmed: " + ", ".join(check.blank)
                  + "; confirm each 0 by entering it in the formgrader", file=sys.stderr)
        if check.remark:
            print(f"migdata-course: warning: {check.student}: written answers autograded again "
                  "after marking (nbgrader kept the mark but flags it again): "
                  + ", ".join(check.remark) + "; enter the mark again in the formgrader",
                  file=sys.stderr)
        if check.stale and check.student in not_graded:
            # the newest hand-in has no grades to mark yet: marking comes after grading
            print(f"migdata-course: warning: {check.student}: written answers marked for an "
                  "earlier hand-in (the student handed in again since): "
                  + ", ".join(check.stale) + f"; the newest hand-in was not graded "
                  f"({not_graded[check.student]}): do what autograder/README.md says for that "
                  f"status and autograde again, then mark its written answers in the formgrader",
                  file=sys.stderr)
        elif check.stale:
            print(f"migdata-course: warning: {check.student}: written answers marked for an "
                  "earlier hand-in (the student handed in again since): "
                  + ", ".join(check.stale) + "; mark them again in the formgrader",
                  file=sys.stderr)
    from .report import refresh_late_penalties

    # late penalties of the current scores (nbgrader's are from autograding time)
    refresh_late_penalties(args.course_dir, [args.assignment])
    result = _convert(args.course_dir, "GenerateFeedback", args.assignment)
    stale = _drop_ungraded_feedback(args.course_dir, args.assignment)
    per_student = set(re.findall(
        r"error processing assignment '[^']*' for student '([^']*)'", result.get("log", "")))
    failed = sorted(per_student - set(stale))  # those refused as not graded are named below
    if failed:
        # nbgrader made the others' feedback; say whose is missing instead of failing them all
        print(f"no feedback for {len(failed)} student(s), whose submissions have no grades: "
              + ", ".join(failed), file=sys.stderr)
    elif not per_student:
        _check(result, f"generating feedback for {args.assignment}")
    if stale:
        # the gradebook still holds an earlier hand-in's grades: a page from it would be wrong
        print(f"migdata-course: warning: no feedback for {len(stale)} student(s) whose newest "
              "hand-in was not graded (its page would show an earlier hand-in's marks): "
              + ", ".join(f"{student} ({status})" for student, status in stale.items())
              + "; see `migdata-course report` for what to do", file=sys.stderr)
    print(f"feedback for {args.assignment} written to feedback/<student>/{args.assignment}/ "
          "(hidden tests removed)")
    from .safehtml import offline_feedback

    online = offline_feedback(args.course_dir, args.assignment)  # no MathJax where no formula
    if online:
        print(f"{len(online)} feedback page(s) hold formulas, typeset by MathJax from the "
              "internet (offline they show the formulas' TeX): " + ", ".join(online))
    if args.release:
        if _ngshare_cfg(args.course_dir) is not None:
            from .ngshare import release_feedback

            released, not_released = release_feedback(args.course_dir, args.assignment)
        else:
            released, not_released = release_each(args.course_dir, args.assignment)
        print(f"feedback released through the exchange for {len(released)} student(s)")
        for student, why in not_released.items():
            print(f"migdata-course: error: feedback of {student} not released: {why}",
                  file=sys.stderr)
        if not_released:
            return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with _locked(args, "export"):
        return _export(args)


def _export(args: argparse.Namespace) -> int:
    from .report import export_grades

    if args.moodle_worksheet or args.moodle_feedback_zip:
        # refused before the grades file is written (a wrong maximum grade, not one assignment)
        if not args.assignment or len(args.assignment) != 1:
            raise InvalidInputError("the Moodle files are for one Moodle assignment: pass "
                                    "exactly one --assignment")
        if args.moodle_worksheet:
            from .moodle import check_worksheet

            check_worksheet(args.course_dir, args.assignment[0], args.moodle_worksheet,
                            encoding=args.worksheet_encoding, final=bool(args.marks))
        if args.moodle_feedback_zip:
            from .moodle import check_feedback_zip

            # no Moodle roster (the manual route): refused before any file is written
            check_feedback_zip(args.course_dir, args.assignment[0])
    table = export_grades(args.course_dir, args.out, assignments=args.assignment or None,
                          marks=args.marks, teams=args.teams)
    print(f"{len(table)} rows written to {args.out}")
    ungraded = table[table["score_after_penalty"].isna()] if "score_after_penalty" in table \
        else table.iloc[:0]
    if len(ungraded):
        print(f"migdata-course: warning: {len(ungraded)} hand-in(s) not graded, so no "
              "score_after_penalty and no final mark: " + ", ".join(
                  f"{r.student_id} ({r.assignment}: {r.status.replace('_', ' ')})"
                  for r in ungraded.itertuples()) + "; do what autograder/README.md says for "
              "that status, then autograde again", file=sys.stderr)
    _unchecked_exported(args.course_dir, table)
    blank = sorted(set(table.loc[table["blank_unconfirmed"] > 0, "student_id"]))
    if blank:
        print(f"{len(blank)} student(s) left written answers blank; nbgrader scored them 0 and "
              "did not flag them for marking. Confirm each 0 by entering it in the formgrader "
              "(column blank_unconfirmed; no final mark until then): " + ", ".join(blank),
              file=sys.stderr)
    if args.moodle_worksheet or args.moodle_feedback_zip:
        from .moodle import fill_grading_worksheet, write_feedback_zip

        if not args.assignment or len(args.assignment) != 1:
            raise InvalidInputError("the Moodle files are for one Moodle assignment: pass "
                                    "exactly one --assignment")
        (assignment,) = args.assignment
        if args.moodle_worksheet:
            filled = fill_grading_worksheet(args.course_dir, assignment, args.moodle_worksheet,
                                            table, encoding=args.worksheet_encoding)
            sheet = filled.worksheet
            print(f"Moodle grading worksheet {args.moodle_worksheet}: {len(filled.graded)} "
                  f"grade(s) filled in, {len(filled.left)} row(s) left as downloaded. Upload it "
                  "with 'Upload grading worksheet' in the language you downloaded it in (Moodle "
                  f"matches the column names and the prefix '{sheet.prefix}' in your language)")
            for participant, why in sorted(filled.left.items()):
                print(f"  {sheet.prefix}{participant}: not graded: {why}", file=sys.stderr)
            for warning in filled.warnings:
                print(f"migdata-course: warning: {warning}", file=sys.stderr)
        if args.moodle_feedback_zip:
            packed = write_feedback_zip(args.course_dir, assignment, args.moodle_feedback_zip,
                                        table)
            print(f"Moodle feedback zip: {args.moodle_feedback_zip} ({packed.files} file(s))")
            for student, why in sorted(packed.left.items()):
                print(f"  {student}: feedback left out: {why}", file=sys.stderr)
            if packed.stale:
                print(f"migdata-course: error: feedback of {len(packed.stale)} student(s) is out "
                      f"of date and was left out of the zip; run migdata-course feedback "
                      f"{assignment}, then export again", file=sys.stderr)
                return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .autograde import read_ledger
    from .config import load_config
    from .report import format_report

    root = Path(load_config(args.course_dir).CourseDirectory.root)
    ledger = read_ledger(root, args.assignment)
    if not ledger:
        raise InvalidInputError(f"{args.assignment} has not been autograded in {root} yet")
    from .report import formgrader_overrides, points_by_student

    print(format_report([ledger[s] for s in sorted(ledger)], args.assignment,
                        split=points_by_student(args.course_dir, args.assignment), now=False,
                        overrides=formgrader_overrides(args.course_dir, args.assignment)))
    _locked_failures(args.course_dir, args.assignment, len(ledger))
    _unchecked_times([ledger[s] for s in sorted(ledger)], args.assignment)
    return 0


def _course_extra_installed() -> bool:
    try:
        return importlib.util.find_spec("nbgrader") is not None
    except (ImportError, ValueError):  # e.g. sys.modules["nbgrader"] is None
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migdata-course", description="Lecturer's tools for the migdata nbgrader course.",
        epilog=None if _course_extra_installed() else
        "The commands need the course extra, which is not installed: pip install 'migdata[course]'",
    )
    parser.add_argument("--course-dir", type=Path, default=None,
                        help="course folder with nbgrader_config.py (default: ./autograder or .)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    due_help = ("due date and time, 'YYYY-MM-DD HH:MM' in the course's time zone "
                "(c.MigdataCourse.timezone, Asia/Baku by default), or with an offset; recorded "
                "in the gradebook, where nbgrader's late penalty reads it")
    p = add("generate", cmd_generate, "write the student version into release/")
    p.add_argument("assignment")
    p.add_argument("--due", default=None, metavar="'YYYY-MM-DD HH:MM'", help=due_help)
    p.add_argument("--seed", type=int, default=None,
                   help="make a private variant ASSIGNMENT_sSEED whose synthetic data (and so "
                        "answers) differ from the published ones (unit21_concepts, unit22_sources)")
    add("release", cmd_release, "copy the student version to the JupyterHub exchange").add_argument(
        "assignment")
    p = add("collect", cmd_collect, "collect submissions from the JupyterHub exchange")
    p.add_argument("assignment")
    p.add_argument("--due", default=None, metavar="'YYYY-MM-DD HH:MM'", help=due_help)
    p = add("import-zip", cmd_import_zip, "import submissions downloaded from an LMS (zip)")
    p.add_argument("assignment")
    p.add_argument("zips", nargs="+", help="zip file(s) as downloaded from the LMS")
    p.add_argument("--due", default=None, metavar="'YYYY-MM-DD HH:MM'", help=due_help)
    p.add_argument("--id-map", type=Path, default=None,
                   help="CSV mapping Moodle participant ids to student ids (Moodle's grading "
                        "worksheet, or columns participant_id,student_id)")
    p = add("set-time", cmd_set_time,
            "set a hand-in time you have checked (a folder copied into submitted/ by hand)")
    p.add_argument("student")
    p.add_argument("assignment")
    p.add_argument("time", metavar="'YYYY-MM-DD HH:MM'",
                   help="the hand-in time, in the course's time zone (or with an offset)")
    p = add("autograde", cmd_autograde, "autograde every submission and report per student")
    p.add_argument("assignment")
    p.add_argument("--due", default=None, metavar="'YYYY-MM-DD HH:MM'", help=due_help)
    p.add_argument("--workers", type=int, default=None,
                   help="parallel worker processes (default: CPU cores + 1)")
    p.add_argument("--timeout", type=int, default=None, help="seconds a cell may run")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run students' code without the bubblewrap sandbox, with your rights "
                        "(only for submissions you trust; see autograder/README.md)")
    p.add_argument("--memory", type=int, default=2048, metavar="MB",
                   help="memory a notebook's kernel may use in the sandbox (default 2048 MB)")
    wait_help = ("seconds to wait while another autograde/feedback/export runs on the course "
                 "(default: refuse at once)")
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS", help=wait_help)
    p = add("feedback", cmd_feedback, "write HTML feedback for graded submissions")
    p.add_argument("assignment")
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS", help=wait_help)
    p.add_argument("--release", action="store_true", help="also release it through the exchange")
    p = add("export", cmd_export, "export grades to CSV")
    p.add_argument("out", type=Path, help="CSV file to write")
    p.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    p.add_argument("--marks", type=Path, default=None,
                   help="CSV of presentation/participation marks (Unit 2.4 final grade)")
    p.add_argument("--moodle-worksheet", type=Path, default=None, metavar="WORKSHEET.csv",
                   help="fill Grade and Feedback comments in the grading worksheet downloaded "
                        "from Moodle (the file is changed in place; upload it with 'Upload "
                        "grading worksheet')")
    p.add_argument("--worksheet-encoding", default=None, metavar="ENCODING",
                   help="the worksheet's encoding when it is not UTF-8 (e.g. cp1251)")
    p.add_argument("--moodle-feedback-zip", type=Path, default=None,
                   help="also write a zip for Moodle's 'Upload multiple feedback files in a zip'")
    p.add_argument("--teams", type=Path, default=None,
                   help="CSV student_id,team,presentation: one presentation mark per team, "
                        "given to every member (then --marks holds only participation)")
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS", help=wait_help)
    add("report", cmd_report, "show the last autograding report").add_argument("assignment")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``migdata-course``; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.course_dir is None:
        args.course_dir = _default_course_dir()
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. 'migdata-course report ... | head': stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in COURSE_EXTRA_MODULES:
            raise
        print("migdata-course needs the course extra: pip install 'migdata[course]' "
              f"(missing module: {exc.name})", file=sys.stderr)
        return 2
    except MigdataError as exc:
        print(f"migdata-course: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nmigdata-course: interrupted; graded submissions are saved, run the same "
              "command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
