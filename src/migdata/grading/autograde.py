"""Autograding a whole class with nbgrader, robustly and optionally in parallel.

A student's notebook is never run. Each hand-in is read as plain data
(:mod:`migdata.grading.submissions`): the text of every answer cell and written answer is taken
from the saved file, and the notebook that nbgrader grades is built from the released notebook's
cells, each answer cell replaced by one line that hands the answer text to the grader's kernel as
a string literal. nbgrader's own ``Autograde`` converter runs that notebook (hidden tests
restored from the gradebook), so scores land in the gradebook as with ``nbgrader autograde``.
Around it this module adds what a class of forty needs:

* a check of each hand-in folder first (missing, renamed, unreadable notebook, links, devices or
  pipes), which gives that student a status with a plain reason and never stops the class;
* one status per student after grading (graded, timed out, kernel died, ...), never an abort;
* a ledger (``.migdata-course/<assignment>.json`` in the course folder) written after every
  student, so an interrupted run resumes where it stopped and an unchanged submission is not
  graded twice;
* worker processes, one or several. SQLite allows one writer at a time, so each worker grades into
  its own temporary copy of the gradebook (taken with SQLite's online backup) and sends the
  resulting grades back; the parent alone writes them into the course gradebook, one student at a
  time. A worker that dies takes nothing else with it: what it held is graded again alone;
* a sandbox (:mod:`migdata.grading.sandbox`), as defence in depth: each notebook's kernel runs in
  bubblewrap, without network, with limits and a capped writable space;
* outputs capped in bytes per cell and per notebook (:data:`MAX_CELL_OUTPUT_BYTES`,
  :data:`MAX_NOTEBOOK_OUTPUT_BYTES`), with a note where they were cut;
* a report for the lecturer on what a hand-in holds besides its answers
  (:mod:`migdata.grading.integrity`); no score depends on it;
* one run at a time per course (:mod:`migdata.grading.locking`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from traitlets.config import Config

from migdata.errors import InvalidInputError

from .config import load_config
from .handin_times import check_time
from .submissions import Inspection, fingerprint, inspect_submission, write_graded

__all__ = ["MAX_CELL_OUTPUT_BYTES", "MAX_NOTEBOOK_OUTPUT_BYTES", "STATUSES", "GradeResult",
           "autograde", "default_workers", "ledger_path", "read_ledger"]

STATUSES = {
    "graded": "graded",
    "timed_out": "timed out (a cell ran past the time limit and was interrupted; rest graded)",
    "kernel_died": "kernel died (the grading kernel crashed; not graded: grade again)",
    "killed_grader": "killed grader (grading it killed the grading process; not graded)",
    "invalid_notebook": "invalid notebook (the file cannot be read as a notebook; scored 0)",
    "missing": "missing (nothing submitted)",
    "renamed": "renamed (the notebook has another file name; scored 0)",
    "refused": "refused (the hand-in holds a link, device or pipe; nothing read, scored 0)",
    "disk_full": "disk full (the sandbox's writable space ran out; later cells may have failed)",
    "error": "error (nbgrader failed; see detail)",
}
"""Status codes of :class:`GradeResult` and what each means."""

LEDGER_DIR = ".migdata-course"

REUSABLE = frozenset({"graded", "timed_out", "killed_grader", "invalid_notebook", "renamed",
                      "refused"})

NOT_IN_GRADEBOOK = frozenset({"killed_grader", "invalid_notebook", "renamed", "refused"})
"""Statuses of hand-ins that leave nothing in the gradebook (they score 0 there)."""

MAX_CELL_OUTPUT_BYTES = 200_000
"""Output kept per cell of a graded notebook (bytes of text); the rest is cut, with a note."""

MAX_NOTEBOOK_OUTPUT_BYTES = 5_000_000
"""Output kept per graded notebook (bytes of text); the rest is cut, with a note."""
"""Statuses whose result an unchanged submission keeps on the next run; any other (an error, a
kernel that died) is graded again, since it may have come from the machine, not the notebook."""


@dataclass
class GradeResult:
    """The outcome of autograding one student's submission.

    Attributes
    ----------
    student
        Student id.
    status
        A key of :data:`STATUSES`.
    score, max_score
        Points from the gradebook after autograding (manual parts count once a grader has
        scored them); ``score`` is 0 for a submission that could not be graded.
    detail
        What went wrong, in words, or an empty string.
    fingerprint
        Hash of the submission folder when it was graded (None if missing).
    seconds
        Wall-clock seconds spent grading it (0 when reused from an earlier run).
    reused
        True when the submission was unchanged since an earlier run and was not graded again.
    time_check
        ``"checked"`` when the hand-in's ``timestamp.txt`` is one the kit wrote (``collect``,
        ``import-zip``, ``set-time``) for the folder as it is, ``"not checked: <why>"`` when
        not (see :mod:`migdata.grading.handin_times`), ``""`` with no hand-in.
    overrides
        What grading did to scores the lecturer had set in the formgrader on autograded test
        cells (dropped because the answer changed, or flagged), one sentence each, shown
        after ``detail`` in the report. Empty when the hand-in was not graded again (reused):
        nothing happened to those scores then.
    """

    student: str
    status: str
    score: float
    max_score: float
    detail: str = ""
    fingerprint: str | None = None
    seconds: float = 0.0
    reused: bool = False
    time_check: str = ""
    overrides: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------
# the ledger


def ledger_path(course_root: Path, assignment: str) -> Path:
    """Where the status ledger of an assignment is kept."""
    return Path(course_root) / LEDGER_DIR / f"{assignment}.json"


def read_ledger(course_root: Path, assignment: str) -> dict[str, GradeResult]:
    """The last recorded result of every student of an assignment (empty if never graded)."""
    path = ledger_path(course_root, assignment)
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {student: GradeResult(**entry) for student, entry in raw.items()}


def _write_ledger(course_root: Path, assignment: str, results: dict[str, GradeResult]) -> None:
    path = ledger_path(course_root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    payload = {s: asdict(r) for s, r in sorted(results.items())}
    tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash never leaves half a ledger


# ------------------------------------------------------------------------------------------------
# running nbgrader for one student


def _sa_warning() -> type[Warning]:
    """SQLAlchemy's warning class (nbgrader's gradebook code triggers harmless ones)."""
    from sqlalchemy.exc import SAWarning

    return SAWarning


def output_cap_class() -> type:
    """A preprocessor that caps the outputs of a graded notebook, in bytes, with a note."""
    from nbconvert.preprocessors import Preprocessor
    from nbformat.v4 import new_output
    from traitlets import Bool

    def size(value: object) -> int:
        if isinstance(value, str):
            return len(value.encode("utf-8", "replace"))
        if isinstance(value, list | tuple):
            return sum(size(v) for v in value)
        if isinstance(value, dict):
            return sum(size(k) + size(v) for k, v in value.items())
        return 8

    class CapOutput(Preprocessor):  # type: ignore[misc]
        enabled = Bool(True)

        def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
            total = 0
            for cell in nb.cells:
                outputs = cell.get("outputs") if cell.get("cell_type") == "code" else None
                if not outputs:
                    continue
                kept, used = [], 0
                for out in outputs:
                    n = size(out)
                    if used + n > MAX_CELL_OUTPUT_BYTES or total + used + n > \
                            MAX_NOTEBOOK_OUTPUT_BYTES:
                        kept.append(new_output(
                            "stream", name="stderr",
                            text=f"[output cut by the grader: at most {MAX_CELL_OUTPUT_BYTES:,} "
                                 f"bytes per cell and {MAX_NOTEBOOK_OUTPUT_BYTES:,} per "
                                 "notebook are kept]\n"))
                        break
                    kept.append(out)
                    used += n
                cell.outputs = kept
                total += used
            return nb, resources

    return CapOutput


@functools.lru_cache(maxsize=1)
def _fast_metadata_checks() -> None:
    """nbgrader checks each cell's metadata with ``jsonschema.validate``, which checks the schema
    itself again for every cell (a third of a notebook's grading time). Here the schema is
    checked once and its validator kept: the same checks, the same errors, done once."""
    import types

    import jsonschema
    from jsonschema.exceptions import best_match
    from nbgrader.nbgraderformat import common

    validators: dict[str, Any] = {}

    def validate(instance: Any, schema: dict) -> None:
        key = json.dumps(schema, sort_keys=True)
        validator = validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = validators[key] = cls(schema)
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate)  # type: ignore[attr-defined]


def _run_nbgrader(cfg: Config, assignment: str, student: str, db_url: str,
                  scratch: str | None = None, submitted: str | None = None) -> dict[str, Any]:
    """``nbgrader autograde <assignment> --student <student> --force`` through the Python API.

    With ``scratch`` (a private folder) each notebook's kernel runs in the sandbox, whose
    throwaway folders are made there. ``submitted`` is the folder that holds the graded
    notebooks (``<submitted>/<student>/<assignment>/``) built by the grader; nbgrader never
    reads the student's own hand-in folder.
    """
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import Execute
    from nbgrader.utils import capture_log

    _fast_metadata_checks()
    c = Config(cfg)
    execute: type = Execute
    if scratch is not None:
        from .sandbox import sandboxed_execute_class

        execute = sandboxed_execute_class()
        c.SandboxKernelManager.scratch_dir = scratch
        # the outputs are in: kill the sandbox rather than wait for a polite exit
        c.Execute.shutdown_kernel = "immediate"
    cap = output_cap_class()
    steps = []
    for pp in Autograde.autograde_preprocessors.default():
        steps += [execute, cap] if pp is Execute else [pp]
    c.Autograde.autograde_preprocessors = steps
    # a large output (cut afterwards) may take more than nbclient's 4 seconds to arrive
    c.Execute.iopub_timeout = max(int(c.Execute.get("iopub_timeout", 4)), 60)
    if submitted is not None:
        c.CourseDirectory.submitted_directory = submitted
    c.CourseDirectory.db_url = db_url
    c.CourseDirectory.assignment_id = assignment
    c.CourseDirectory.student_id = student
    log = logging.getLogger(f"migdata.grading.autograde.{student}")
    log.propagate = False
    log.setLevel(logging.INFO)
    app = Autograde(coursedir=CourseDirectory(config=c), config=c, log=log)
    app.force = True
    app.create_student = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _sa_warning())
        result = capture_log(app)
    if "KeyboardInterrupt" in result.get("error", ""):
        raise KeyboardInterrupt
    return result


def _read_grades(db_url: str, course_id: str, assignment: str, student: str) -> dict | None:
    """Everything autograding wrote for one submission, as plain data."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        return {
            "timestamp": sub.timestamp,
            "notebooks": {
                nb.name: {
                    "late_submission_penalty": nb.late_submission_penalty,
                    "flagged": nb.flagged,
                    "grades": {g.name: [g.auto_score, g.needs_manual_grade] for g in nb.grades},
                    "comments": {cm.name: cm.auto_comment for cm in nb.comments},
                }
                for nb in sub.notebooks
            },
        }


_EXPECT = re.compile(r"""expect\(\s*(["'])(.+?)\1""")


def answer_digests(folder: Path) -> dict[str, dict[str, str]]:
    """SHA-256 of each answer as the grader gave it to the tests, by notebook file and question.

    ``folder`` holds the notebooks built for grading (:func:`~.submissions.write_graded`): each
    answer cell is one line the grader wrote, ``record('A1', '4,39')``, so equal digests mean
    the tests saw the same answer text.
    """
    import ast
    import hashlib

    out: dict[str, dict[str, str]] = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        found = out.setdefault(path.name, {})
        for cell in nb.get("cells", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if "migdata.answers.saved import record" not in source:
                continue
            call = ast.parse(source.split("; ", 1)[-1]).body[0].value  # record('A1', '...')
            qid, text = (ast.literal_eval(arg) for arg in call.args)
            found[qid] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return out


def answers_record_path(course_root: Path, assignment: str) -> Path:
    """Where the answers last graded are recorded (digests only; see :func:`answer_digests`)."""
    return Path(course_root) / LEDGER_DIR / f"{assignment}.answers.json"


def _write_answers(course_root: Path, assignment: str, record: dict) -> None:
    path = answers_record_path(course_root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _read_answers(course_root: Path, assignment: str) -> dict[str, dict[str, dict[str, str]]]:
    try:
        data = json.loads(answers_record_path(course_root, assignment).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _changed_answers(before: dict[str, dict[str, str]] | None,
                     now: dict[str, dict[str, str]]) -> dict[str, set[str]] | None:
    """Questions whose answer text differs from the one graded last time, by notebook file
    (None when nothing was recorded: the kit cannot tell)."""
    if before is None:
        return None
    return {name: {q for q in set(answers) | set(before.get(name, {}))
                   if answers.get(q) != before.get(name, {}).get(q)}
            for name, answers in now.items()}


def _tested(gb: Any, grade_id: str, notebook: str, assignment: str) -> set[str] | None:
    """The questions a test cell checks (its ``expect("A1", ...)`` calls), None if unknown."""
    from nbgrader.api import MissingEntry

    try:
        source = gb.find_source_cell(grade_id, notebook, assignment).source or ""
    except MissingEntry:
        return None
    return {m.group(2) for m in _EXPECT.finditer(source)} or None


def _settle_overrides(gb: Any, assignment: str, student: str, nb_name: str,
                      grade_ids: Iterable[str], changed: dict[str, set[str]] | None,
                      notes: list[str], unconfirmed: set[str] | frozenset = frozenset()) -> None:
    """Scores the lecturer set in the formgrader on autograded test cells, after grading again.

    nbgrader keeps such a score (a manual score overrides the test's) and flags the cell. Here a
    score given to an answer that has changed since (the student handed in again) is dropped, so
    the test's score of the new answer counts; a score whose answer is unchanged is kept, without
    a flag. When the kit has no record of the answer graded before (``changed`` None), nbgrader's
    flag stays: the cell counts as still to mark until the lecturer enters the score again in the
    formgrader (which clears the flag); so does a score flagged so before and not entered again
    since (``unconfirmed``).
    """
    sub_nb = gb.find_submission_notebook(nb_name, assignment, student)
    written = {cell.name for cell in sub_nb.notebook.solution_cells}
    for grade_id in grade_ids:
        if grade_id in written:
            continue
        grade = gb.find_grade(grade_id, nb_name, assignment, student)
        if grade.manual_score is None:
            continue
        if changed is not None:
            asked = _tested(gb, grade_id, nb_name, assignment)
            moved = changed.get(f"{nb_name}.ipynb", set())
            if (moved & asked) if asked is not None else moved:
                notes.append(f"{grade_id}: your formgrader score {grade.manual_score:g} was "
                             "given to an earlier hand-in and is dropped (the answer changed); "
                             f"the tests give {grade.auto_score or 0:g}")
                grade.manual_score = None
                grade.needs_manual_grade = grade.auto_score is None
                continue
        if changed is None or grade_id in unconfirmed:
            notes.append(f"{grade_id}: your formgrader score {grade.manual_score:g} was kept "
                         "but flagged (the kit has no record of the answer it was given to): "
                         "enter it again in the formgrader")
            grade.needs_manual_grade = True
        else:  # the answer it was given to, unchanged: it stands
            grade.needs_manual_grade = grade.auto_score is None


def _merge_grades(gb: Any, assignment: str, student: str, data: dict,
                  flag: Iterable[str] = (), changed: dict[str, set[str]] | None = None,
                  notes: list[str] | None = None) -> tuple[float, float]:
    """Write a worker's grades for one submission into the open course gradebook ``gb``.

    Notebooks named in ``flag`` (file names: something to look at) keep their grades and are
    flagged for the lecturer. Formgrader scores of autograded cells are settled by
    :func:`_settle_overrides` with ``changed`` (questions whose answer changed since the last
    grading, by notebook file; None: unknown); what happened to them is added to ``notes``.
    Returns the submission's score and maximum as the course gradebook now holds them.
    """
    flag_ids = {Path(name).stem for name in flag}
    notes = [] if notes is None else notes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _sa_warning())
        gb.update_or_create_student(student)
        kwargs = {"timestamp": data["timestamp"]} if data["timestamp"] is not None else {}
        gb.update_or_create_submission(assignment, student, **kwargs)
        for nb_name, nb_data in data["notebooks"].items():
            sub_nb = gb.find_submission_notebook(nb_name, assignment, student)
            sub_nb.late_submission_penalty = nb_data["late_submission_penalty"]
            sub_nb.flagged = nb_data["flagged"] or nb_name in flag_ids
            unconfirmed = set()  # formgrader scores flagged before, not entered again since
            for grade_id, (auto_score, needs_manual) in nb_data["grades"].items():
                grade = gb.find_grade(grade_id, nb_name, assignment, student)
                if grade.manual_score is not None and grade.needs_manual_grade:
                    unconfirmed.add(grade_id)
                grade.auto_score = auto_score
                grade.needs_manual_grade = needs_manual
            for cell_id, auto_comment in nb_data["comments"].items():
                gb.find_comment(cell_id, nb_name, assignment, student).auto_comment = auto_comment
            _settle_overrides(gb, assignment, student, nb_name, nb_data["grades"], changed,
                              notes, unconfirmed)
        gb.db.commit()
        sub = gb.find_submission(assignment, student)
        scores = float(sub.score), float(sub.max_score)
        gb.db.commit()  # end the read transaction: nothing is held between students
    return scores


def _worker_init(main_pid: int) -> None:
    """In each worker: die as soon as the main process dies, even by SIGKILL, so a killed run
    leaves no worker writing behind it (its sandboxed kernel dies with it)."""
    import signal
    import threading

    def watch() -> None:
        try:
            import select

            fd = os.pidfd_open(main_pid)
            select.select([fd], [], [])
        except (AttributeError, OSError):  # no pidfd: poll
            while True:
                try:
                    os.kill(main_pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(1)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="watch-main", daemon=True).start()


def _worker_grade(
    cfg: Config, assignment: str, student: str, main_db: str, scratch: str, sandbox: bool = True,
    built: str | None = None,
) -> dict[str, Any]:
    """Grade one student in a worker process, against a private snapshot of the gradebook."""
    course_id = cfg.CourseDirectory.course_id
    tmpdir = tempfile.mkdtemp(prefix=f"{student}-", dir=scratch)
    try:
        snapshot = os.path.join(tmpdir, "gradebook.db")
        with sqlite3.connect(main_db) as src, sqlite3.connect(snapshot) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        db_url = "sqlite:///" + snapshot
        start = time.perf_counter()
        # sandboxes live in the run's scratch folder: a kernel started ahead of need outlives
        # this student's snapshot
        outcome = _run_nbgrader(cfg, assignment, student, db_url, scratch if sandbox else None,
                                built)
        outcome["seconds"] = time.perf_counter() - start
        outcome["grades"] = _read_grades(db_url, course_id, assignment, student)
        return outcome
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# the class


def _sqlite_path(db_url: str) -> str:
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        raise InvalidInputError(
            f"parallel autograding needs an SQLite gradebook; got db_url {db_url!r} "
            "(use workers=1 with other databases)"
        )
    return db_url[len(prefix):]


def error_line(outcome: dict[str, Any]) -> str:
    """nbgrader's real error, in one line (not its "see the above traceback")."""
    text = outcome.get("error", "") + "\n" + outcome.get("log", "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    exc = [ln for ln in lines
           if ":" in ln and ln.split(":", 1)[0].rsplit(".", 1)[-1].endswith(("Error", "Exception"))
           and "see the above traceback" not in ln and not ln.startswith("[")]
    if exc:
        return exc[-1][:240]
    errors = [ln for ln in lines if "ERROR" in ln and "see the above traceback" not in ln]
    if errors:
        return errors[-1][:240]
    return (lines[-1] if lines else "nbgrader failed")[:240]


def _review_detail(reviews: dict[str, list[str]]) -> str:
    """The report's text for findings the lecturer may read (the score is kept)."""
    parts = []
    for nb, items in reviews.items():
        more = f" (+{len(items) - 2} more)" if len(items) > 2 else ""
        parts.append(f"{nb}: " + "; ".join(items[:2]) + more)
    return "to review, score kept: " + " | ".join(parts)


def _refusal(inspection: Inspection) -> tuple[str, str] | None:
    """The status of a hand-in that is not graded at all (nothing to run), or None."""
    if inspection.unsafe:
        more = f" (+{len(inspection.unsafe) - 3} more)" if len(inspection.unsafe) > 3 else ""
        return "refused", ("the hand-in holds what the grader does not read (it reads only plain "
                           "files): " + ", ".join(inspection.unsafe[:3]) + more)
    if inspection.renamed:
        return "renamed", (
            f"found {', '.join(inspection.unexpected)}; expected {', '.join(inspection.missing)} "
            "(rename the file in submitted/ and run again)"
        )
    if inspection.invalid and not inspection.notebooks:
        name, why = next(iter(inspection.invalid.items()))
        return "invalid_notebook", f"{name}: {why}"
    if not inspection.notebooks:
        return "invalid_notebook", "no notebook of the assignment in the hand-in"
    return None


def _read_outputs(autograded: Path) -> tuple[list[str], bool]:
    """Cells interrupted after the time limit, and whether the writable space ran out."""
    from .sandbox import DISK_FULL

    timed_out, full = [], False
    for nb_path in sorted(autograded.glob("*.ipynb")):
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            for out in cell.get("outputs", []):
                if out.get("output_type") != "error":
                    continue
                if out.get("ename") == "CellTimeoutError":
                    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
                    timed_out.append(f"{nb_path.name}:{gid}")
                if DISK_FULL in str(out.get("evalue", "")):
                    full = True
    return timed_out, full


def _classify(inspection: Inspection, outcome: dict[str, Any],
              autograded: Path) -> tuple[str, str]:
    """Status and detail of a graded submission from the pre-check and nbgrader's outcome."""
    text = outcome.get("log", "") + outcome.get("error", "")
    if outcome.get("worker_died"):
        return "killed_grader", (
            "grading it killed the worker process twice; grade it again, alone, and tell the "
            "kit's maintainers (no student code is run, so this should not happen)"
        )
    if "Kernel died" in text or "DeadKernelError" in text:
        return "kernel_died", "the grading kernel died while running the notebook"
    timed_out, full = _read_outputs(autograded)
    if full:
        from .sandbox import TMP_MB

        return "disk_full", (f"the sandbox's writable space ({TMP_MB} MB) ran out while the "
                             "notebook ran; cells after that may have failed")
    if timed_out:
        return "timed_out", "interrupted after the time limit: " + ", ".join(timed_out)
    if not outcome.get("success", False):
        return "error", error_line(outcome)
    problems = [f"{name}: {why}, scored 0" for name, why in inspection.invalid.items()]
    if inspection.missing:
        problems.append(f"notebooks not submitted, scored 0: {', '.join(inspection.missing)}")
    return "graded", "; ".join(problems)


def _score(db_url: str, course_id: str, assignment: str, student: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        max_score = gb.find_assignment(assignment).max_score
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return 0.0, float(max_score)
        return float(sub.score), float(max_score)


def _roster(db_url: str, course_id: str, assignment: str) -> list[str]:
    """Students known to the gradebook (checking that the assignment is in it)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise InvalidInputError(
                f"assignment {assignment!r} is not in the gradebook; run "
                f"`migdata-course generate {assignment}` first"
            ) from None
        return sorted(s.id for s in gb.students)


def default_workers() -> int:
    """Worker processes used when none are asked for: the usable CPU cores plus one.

    A worker is idle while each notebook kernel starts up, so one worker more than there are
    cores keeps every core busy (measured with ``benchmarks/bench_autograde.py``).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores + 1


def autograde(
    course_dir: str | Path,
    assignment: str,
    *,
    workers: int | None = None,
    timeout: int | None = None,
    students: Iterable[str] | None = None,
    force: bool = False,
    progress: bool = True,
    on_result: Callable[[GradeResult], None] | None = None,
    sandbox: bool = True,
    memory_mb: int = 2048,
    wait: float = 0.0,
) -> list[GradeResult]:
    """Autograde every submission of an assignment and return one result per student.

    Parameters
    ----------
    course_dir
        Course folder holding ``nbgrader_config.py``.
    assignment
        Assignment id (a folder of the source directory, already generated).
    workers
        Number of worker processes grading at the same time (default: :func:`default_workers`,
        one more than the usable CPU cores). Even with 1, grading happens in a worker process,
        so a submission that kills its grading process (not just its kernel) cannot stop the run.
    timeout
        Seconds a cell may run before it is interrupted (overrides ``Execute.timeout``).
    students
        Only these students (default: everybody who submitted, plus the gradebook's roster,
        whose absent members are reported as missing).
    force
        Grade again even submissions unchanged since the last run.
    progress
        Show a progress bar.
    on_result
        Called with each result as soon as it is known.
    sandbox
        Run each notebook's kernel in the bubblewrap sandbox (:mod:`migdata.grading.sandbox`).
        False runs student code with the caller's rights: only for trusted submissions.
    memory_mb
        Address space a kernel process may use in the sandbox, MB.
    wait
        Seconds to wait for another run on the same course to finish (0: refuse at once).

    Returns
    -------
    list of GradeResult
        Sorted by student id.

    Raises
    ------
    migdata.grading.sandbox.SandboxUnavailableError
        If ``sandbox`` is true and no sandbox can be made on this machine.
    migdata.grading.locking.CourseBusyError
        If another run holds the course (after ``wait`` seconds).
    """
    if workers is None:
        workers = default_workers()
    if workers < 1:
        raise InvalidInputError(f"workers must be at least 1, got {workers}")
    cfg = load_config(course_dir, timeout=timeout)
    root = Path(cfg.CourseDirectory.root)
    if sandbox:
        from .sandbox import NO_SANDBOX_RISK, SandboxUnavailableError, check_sandbox

        try:
            check_sandbox()
        except SandboxUnavailableError as exc:
            remedy = ("Install it as the message says" if "not installed" in str(exc)
                      else "Mend the cause named above")
            raise SandboxUnavailableError(
                f"no sandbox for the students' code: {exc}. Grading refused: {NO_SANDBOX_RISK}. "
                f"{remedy}, or pass --no-sandbox (sandbox=False) for submissions you trust"
            ) from None
        limit = int(cfg.Execute.get("timeout", 60) or 60)
        cfg.SandboxKernelManager.wall_seconds = max(300, 20 * limit)
        cfg.SandboxKernelManager.memory_mb = int(memory_mb)
    from .locking import course_lock

    with course_lock(root, f"migdata-course autograde {assignment}", wait=wait):
        return _autograde_locked(cfg, root, assignment, workers, students, force, progress,
                                 on_result, sandbox)


def _autograde_locked(
    cfg: Config,
    root: Path,
    assignment: str,
    workers: int,
    students: Iterable[str] | None,
    force: bool,
    progress: bool,
    on_result: Callable[[GradeResult], None] | None,
    sandbox: bool,
) -> list[GradeResult]:
    from .integrity import review

    course_id = cfg.CourseDirectory.get("course_id", "")
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    cfg.CourseDirectory.db_url = db_url
    submitted_dir = root / cfg.CourseDirectory.get("submitted_directory", "submitted")
    autograded_dir = root / cfg.CourseDirectory.get("autograded_directory", "autograded")
    release_dir = root / cfg.CourseDirectory.get("release_directory", "release") / assignment
    released = {p.name: p for p in sorted(release_dir.glob("*.ipynb"))}
    if not released:
        raise InvalidInputError(
            f"no released notebooks in {release_dir}; run `migdata-course generate {assignment}`"
        )
    release_json = {name: json.loads(path.read_text(encoding="utf-8"))
                    for name, path in released.items()}
    roster = _roster(db_url, course_id, assignment)
    submitted, odd = [], []
    if submitted_dir.is_dir():
        for entry in sorted(os.listdir(os.fsencode(submitted_dir))):
            name = os.fsdecode(entry)
            if not (submitted_dir / name / assignment).is_dir():
                continue
            if name.isprintable() and name.strip() == name and name:
                submitted.append(name)
            else:  # not a student id the gradebook can hold: said, not graded
                odd.append(entry.decode("utf-8", "backslashreplace"))
    if students is None:
        wanted = sorted(set(submitted) | set(roster))
    else:
        wanted = sorted(set(students))
    ledger = read_ledger(root, assignment)
    results: dict[str, GradeResult] = dict(ledger)

    def record(result: GradeResult) -> None:
        results[result.student] = result
        _write_ledger(root, assignment, results)
        if on_result is not None:
            on_result(result)

    for name in odd:
        record(GradeResult(name, "refused", 0.0, 0.0,
                           "the student folder's name is not a student id (not text, or with "
                           "spaces or control characters): rename it and run again"))
    reviews: dict[str, dict[str, list[str]]] = {}  # not scored: the lecturer reads them
    # the answers graded last time, to tell a formgrader score given to an earlier hand-in
    answers_before = _read_answers(root, assignment)
    answers_now: dict[str, dict[str, dict[str, str]]] = {}
    changed: dict[str, dict[str, set[str]] | None] = {}
    time_checks: dict[str, str] = {}  # whether each hand-in time is one the kit wrote
    todo: list[tuple[str, Inspection, str | None]] = []
    # the notebooks nbgrader grades, built from the release and the answer texts; a short path:
    # the sandboxed kernels' Unix sockets live next to them (at most 107 bytes)
    short = "/tmp" if len(tempfile.gettempdir()) > 40 and os.path.isdir("/tmp") else None
    with tempfile.TemporaryDirectory(prefix="migdata-built-", dir=short) as built:
        for student in wanted:
            folder = submitted_dir / student / assignment
            inspection = inspect_submission(folder, released)
            fp = fingerprint(folder)
            if not inspection.exists:
                _, max_score = _score(db_url, course_id, assignment, student)
                record(GradeResult(student, "missing", 0.0, max_score, "no submission folder"))
                continue
            time_checks[student] = check_time(root, assignment, student, fp)
            old = ledger.get(student)
            # a hand-in not graded or a killed grader leaves nothing in the gradebook; other
            # results must still be there
            if (not force and old is not None and old.fingerprint == fp
                    and old.status in REUSABLE
                    and (old.status in NOT_IN_GRADEBOOK
                         or _has_submission(db_url, course_id, assignment, student))):
                score, max_score = _score(db_url, course_id, assignment, student)
                # a note of what happened to formgrader scores then is not repeated: nothing
                # happened to them now (a ledger of an older kit kept it in the detail)
                detail = "; ".join(part for part in old.detail.split("; ")
                                   if part not in old.overrides)
                record(GradeResult(student, old.status, score, max_score, detail, fp, 0.0,
                                   True, time_checks[student]))
                continue
            refused = _refusal(inspection)
            if refused is not None:
                _, max_score = _score(db_url, course_id, assignment, student)
                record(GradeResult(student, refused[0], 0.0, max_score, refused[1], fp,
                                   time_check=time_checks[student]))
                continue
            notes = write_graded(Path(built) / student / assignment, inspection, released)
            answers_now[student] = answer_digests(Path(built) / student / assignment)
            changed[student] = _changed_answers(answers_before.get(student),
                                                answers_now[student])
            found = {name: review(nb, release_json[name])
                     for name, nb in inspection.notebooks.items()}
            found = {name: items for name, items in found.items() if items}
            if notes:
                found.setdefault(next(iter(inspection.notebooks)), []).extend(notes)
            if found:
                reviews[student] = found
            inspection.notebooks.clear()  # the answers are in the built notebooks now
            todo.append((student, inspection, fp))

        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=f"autograde {assignment}", unit="sub",
                   disable=not progress)

        def finish(student: str, inspection: Inspection, fp: str | None, outcome: dict) -> None:
            status, detail = _classify(inspection, outcome, autograded_dir / student / assignment)
            if student in reviews:
                detail = _review_detail(reviews[student]) + (f"; {detail}" if detail else "")
            # what happened to formgrader scores (kept apart: said for this grading only)
            if "scores" in outcome:
                score, max_score = outcome["scores"]
                # the gradebook now holds the grades of these answers
                answers_before[student] = answers_now.get(student, {})
                _write_answers(root, assignment, answers_before)
            else:
                score, max_score = _score(db_url, course_id, assignment, student)
            record(GradeResult(student, status, score, max_score, detail, fp,
                               round(outcome.get("seconds", 0.0), 3),
                               time_check=time_checks.get(student, ""),
                               overrides=list(outcome.get("overrides") or [])))
            bar.set_postfix_str(f"{student}: {status}", refresh=False)
            bar.update()

        try:
            if todo:
                _grade_in_pool(cfg, assignment, todo, workers, db_url, course_id, finish,
                               autograded_dir, sandbox, reviews, built, changed)
        finally:
            bar.close()
    return [results[s] for s in sorted(results) if s in set(wanted) | set(odd)]


def _has_submission(db_url: str, course_id: str, assignment: str, student: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            return False
        return True


def _mp_context() -> Any:
    """How worker processes start: a fork server that has imported nbgrader once (POSIX), so a
    new worker costs a fork rather than a fresh interpreter; a fresh interpreter on Windows."""
    if sys.platform == "win32":
        return get_context("spawn")
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["migdata.grading.autograde", "migdata.grading.sandbox",
                                "nbgrader.converters", "nbgrader.api", "nbgrader.preprocessors",
                                "nbclient", "jupyter_client.manager", "jsonschema"])
    return ctx


def _grade_in_pool(
    cfg: Config,
    assignment: str,
    todo: list[tuple[str, Inspection, str | None]],
    workers: int,
    db_url: str,
    course_id: str,
    finish: Callable[[str, Inspection, str | None, dict], None],
    autograded_dir: Path,
    sandbox: bool = True,
    reviews: dict[str, dict[str, list[str]]] | None = None,
    built: str | None = None,
    changed: dict[str, dict[str, set[str]] | None] | None = None,
) -> None:
    """Grade ``todo`` in worker processes; merge each result as soon as it arrives.

    A pool never holds more submissions than it has workers. If a worker process itself dies
    (not a notebook kernel: nbgrader handles those), only the submissions being graded at that
    moment are suspects: each is graded again alone, in a pool of its own, and the rest carry on
    in a fresh pool. A submission that kills its worker is reported and stops nothing else.
    """
    from nbgrader.api import Gradebook

    main_db = _sqlite_path(db_url)
    queue = deque(todo)
    # this process alone writes to the course gradebook; the workers' snapshots live in
    # `scratch`, removed at the end even if a worker was killed before cleaning up after itself
    # a short path: the sandboxed kernels' Unix sockets live in it (at most 107 bytes)
    short = "/tmp" if len(tempfile.gettempdir()) > 40 and os.path.isdir("/tmp") else None
    with Gradebook(db_url, course_id) as gb, \
            tempfile.TemporaryDirectory(prefix="migdata-grade-", dir=short) as scratch:
        paths = (main_db, scratch)
        extra = (sandbox, reviews or {}, built, changed or {})
        while queue:
            suspects = _run_pool(cfg, assignment, queue, workers, paths, gb, finish, extra)
            for item in suspects:
                # a killed worker may leave half-written output behind
                shutil.rmtree(autograded_dir / item[0] / assignment, ignore_errors=True)
                if _run_pool(cfg, assignment, deque([item]), 1, paths, gb, finish, extra):
                    student, insp, fp = item
                    shutil.rmtree(autograded_dir / student / assignment, ignore_errors=True)
                    finish(student, insp, fp, {"success": False, "worker_died": True})


def _run_pool(
    cfg: Config,
    assignment: str,
    queue: deque[tuple[str, Inspection, str | None]],
    workers: int,
    paths: tuple[str, str],
    gb: Any,
    finish: Callable[[str, Inspection, str | None, dict], None],
    extra: tuple[bool, dict[str, dict[str, list[str]]], str | None, dict[str, Any]] = (
        True, {}, None, {}),
) -> list[tuple[str, Inspection, str | None]]:
    """Grade from ``queue`` until it is empty or a worker dies; return what was in flight then."""
    sandbox, reviews, built, changed = extra
    pool = ProcessPoolExecutor(max_workers=min(workers, len(queue)), mp_context=_mp_context(),
                               initializer=_worker_init, initargs=(os.getpid(),))
    running: dict[Any, tuple[str, Inspection, str | None]] = {}
    # one submission more than there are workers, so no worker waits while this process merges
    depth = workers + 1

    def refill() -> bool:
        while queue and len(running) < depth:
            item = queue.popleft()
            try:
                running[pool.submit(_worker_grade, cfg, assignment, item[0], *paths,
                                    sandbox, built)] = item
            except BrokenProcessPool:
                queue.appendleft(item)  # never started: not a suspect
                return False
        return True

    try:
        refill()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            finished = [(future, running.pop(future)) for future in done]
            healthy = refill()  # keep the workers busy before merging
            for k, (future, (student, insp, fp)) in enumerate(finished):
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    healthy = False
                    lost = [item for _, item in finished[k:]] + list(running.values())
                    break
                if outcome.get("grades") is not None:
                    outcome["overrides"] = []
                    outcome["scores"] = _merge_grades(gb, assignment, student, outcome["grades"],
                                                      reviews.get(student, {}),
                                                      changed.get(student), outcome["overrides"])
                finish(student, insp, fp, outcome)
            else:
                lost = list(running.values())
            if not healthy:
                pool.shutdown(wait=False, cancel_futures=True)
                return sorted(lost, key=lambda i: i[0])
    except BaseException:
        # interrupted: stop the workers now, so none is still writing when the run resumes
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return []


def _stop(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's worker processes and wait for them (their kernels exit with them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
    pool.shutdown(wait=False, cancel_futures=True)
