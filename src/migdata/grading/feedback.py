"""Feedback for students: without hidden tests, one student at a time, with the marks checked.

nbgrader's feedback is the autograded notebook as HTML, and the autograded notebook holds the hidden
tests again (they are put back to grade). Shown to students, next year's class knows them. Here the
hidden tests are removed from the feedback: the source between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` goes, and so does any output of such a cell that would show it (a failed
hidden ``assert`` prints its line in the traceback): the student sees that a hidden check failed,
not which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from migdata.errors import MigdataError

__all__ = [
    "HIDDEN_NOTICE", "HideHiddenTests", "MarksCheck", "RefuseUngradedFeedback",
    "UngradedFeedbackError", "check_marks", "hide_hidden_tests", "release_each",
    "remember_marks",
]

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_REGION = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?(### END HIDDEN TESTS[ \t]*\n?|\Z)",
                     re.DOTALL)
HIDDEN_NOTICE = "# (hidden checks are not shown)"
FAILED_NOTICE = "A check of this part failed. Hidden checks are not shown; see the score above."


def _hidden_lines(source: str) -> list[str]:
    lines = []
    for region in _REGION.finditer(source):
        for line in region.group(0).splitlines():
            text = line.strip()
            if text and not text.startswith("###"):
                lines.append(text)
    return lines


def hide_hidden_tests(cell: Any) -> bool:
    """Remove hidden tests from one notebook cell (source and revealing outputs), in place.

    Parameters
    ----------
    cell
        An ``nbformat`` cell.

    Returns
    -------
    bool
        Whether the cell held hidden tests.
    """
    source = cell.get("source", "")
    if BEGIN not in source:
        return False
    hidden = _hidden_lines(source)
    cell["source"] = _REGION.sub(HIDDEN_NOTICE + "\n", source).rstrip("\n")
    kept = []
    for output in cell.get("outputs", []):
        text = "\n".join([
            str(output.get("text", "")), str(output.get("evalue", "")),
            *map(str, output.get("traceback", [])), str(output.get("data", "")),
        ])
        reveals = any(line in text for line in hidden)
        if output.get("output_type") == "error":
            # keep that it failed; the traceback shows the failing line, so it goes
            output["traceback"] = [FAILED_NOTICE if reveals else
                                   f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
            if reveals:
                output["evalue"] = ""
            kept.append(output)
        elif not reveals:
            kept.append(output)
    if "outputs" in cell:
        cell["outputs"] = kept
    return True


class HideHiddenTests(Preprocessor):
    """nbconvert preprocessor for ``GenerateFeedback``: :func:`hide_hidden_tests` on every cell."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            hide_hidden_tests(cell)
        return nb, resources


class UngradedFeedbackError(MigdataError):
    """No feedback for a student whose newest hand-in was not graded."""


class RefuseUngradedFeedback(Preprocessor):
    """nbconvert preprocessor for ``GenerateFeedback``: no page for a hand-in that was not graded.

    nbgrader makes feedback from the gradebook, which keeps an earlier hand-in's grades when the
    newest could not be graded (renamed, invalid, refused, ...): its page would show marks the
    newest hand-in never earned, and the formgrader's *Release feedback* would hand it out. This
    preprocessor (first in ``c.GenerateFeedback.preprocessors``, so the formgrader's *Generate
    feedback* button applies it too) raises :class:`UngradedFeedbackError` for a student whose
    record in the kit's autograde ledger (:func:`migdata.grading.autograde.read_ledger`) has a
    status other than graded or timed out. nbgrader then logs the error for that student, removes
    the half-made page and makes the others'. A student the kit never autograded passes.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        import os

        from .autograde import read_ledger
        from .report import FINAL_STATUSES

        info = resources.get("nbgrader", {})
        student, assignment = info.get("student"), info.get("assignment")
        if not student or not assignment:
            return nb, resources
        root = Path(self.config.CourseDirectory.get("root") or os.getcwd())
        record = read_ledger(root, assignment).get(student)
        if record is not None and record.status not in FINAL_STATUSES | {"missing"}:
            status = record.status.replace("_", " ")
            raise UngradedFeedbackError(
                f"no feedback for {student}: their newest hand-in of {assignment} was not graded "
                f"({status}), so a page would show an earlier hand-in's marks. Do what "
                "autograder/README.md says for that status and autograde again (see "
                "migdata-course report)")
        return nb, resources


@dataclass
class MarksCheck:
    """Written marks of one submission that the lecturer should look at before feedback goes out.

    Attributes
    ----------
    student
        Student id.
    unmarked
        ``grade_id`` of written answers with no mark yet.
    stale
        ``grade_id`` of written answers marked for an earlier version of the submission (the
        answer changed after it was marked).
    blank
        ``grade_id`` of written answers left blank, scored 0 by nbgrader without a flag, whose 0
        the lecturer has not confirmed in the formgrader.
    remark
        ``grade_id`` of written answers with a mark that nbgrader flagged for marking again
        (the submission was autograded again after the marking).
    """

    student: str
    unmarked: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)
    remark: list[str] = field(default_factory=list)


def _answer_digest(course_root: Path, student: str, assignment: str) -> dict[str, str]:
    """SHA-256 of the source of every written-answer cell of a student's submission.

    The hand-in is read as untrusted data (:func:`~.submissions.read_notebook`: bounded, no
    links, surrogates replaced); cells or metadata of the wrong JSON type are skipped, so one
    odd hand-in never stops the class.
    """
    import hashlib

    from .submissions import read_notebook

    digests = {}
    folder = course_root / "submitted" / student / assignment
    try:
        paths = sorted(folder.glob("*.ipynb"))
    except OSError:
        return digests
    for path in paths:
        nb, _ = read_notebook(path)
        if nb is None:  # unreadable notebooks are reported by autograde
            continue
        for cell in nb["cells"]:
            meta = cell.get("metadata") if isinstance(cell, dict) else None
            meta = meta.get("nbgrader") if isinstance(meta, dict) else None
            if not isinstance(meta, dict) or not (meta.get("solution") and meta.get("grade")):
                continue
            source = cell.get("source")
            if isinstance(source, list) and all(isinstance(part, str) for part in source):
                source = "".join(source)
            if not isinstance(source, str):
                continue
            key = f"{path.name}:{meta.get('grade_id')}"
            digests[key] = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return digests


def remember_marks(course_dir: str | Path, assignment: str, students: list[str]) -> None:
    """Record the written marks of ``students`` against their current answers.

    ``collect`` calls this before it replaces a submission with a newer hand-in, so that marks
    given to the older version are recognised as stale by :func:`check_marks`.
    """
    if students:
        check_marks(course_dir, assignment, only=set(students))


def check_marks(course_dir: str | Path, assignment: str, *,
                only: set[str] | None = None) -> list[MarksCheck]:
    """Find written answers without a mark, or marked for an older version of the submission.

    The gradebook does not record when a mark was given. ``migdata-course feedback`` therefore
    keeps,
    in ``.migdata-course/<assignment>.marks.json``, the text of each marked written answer as it
    was when the mark was first seen; a mark whose answer has changed since is *stale* (the student
    handed in again after marking). Marks seen for the first time are taken to belong to the
    current answer.

    Parameters
    ----------
    course_dir
        Course folder holding ``nbgrader_config.py``.
    assignment
        Assignment id.

    Returns
    -------
    list of MarksCheck
        One per student with unmarked, stale, blank unconfirmed or re-flagged written answers.
    """
    import json

    from nbgrader.api import Gradebook, MissingEntry

    from .config import load_config

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    record_path = root / ".migdata-course" / f"{assignment}.marks.json"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    found = []
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return []
        for sub in submissions:
            student = sub.student.id
            if only is not None and student not in only:
                continue
            answers = _answer_digest(root, student, assignment)
            seen = record.setdefault(student, {})
            check = MarksCheck(student)
            for nb in sub.notebooks:
                written = {c.name for c in nb.notebook.solution_cells}
                for grade in nb.grades:
                    if grade.name not in written or not grade.max_score:
                        continue
                    key = f"{nb.name}.ipynb:{grade.name}"
                    if grade.manual_score is None:
                        if grade.needs_manual_grade:
                            check.unmarked.append(grade.name)
                        else:  # left blank: nbgrader scored 0 without asking for a mark
                            check.blank.append(grade.name)
                        seen.pop(key, None)
                        continue
                    if grade.needs_manual_grade:
                        # autograded again after marking: nbgrader kept the mark but flags it
                        check.remark.append(grade.name)
                    mark = [grade.manual_score, answers.get(key)]
                    if key not in seen or seen[key][0] != grade.manual_score:
                        seen[key] = mark  # a new or changed mark belongs to the current answer
                    elif seen[key][1] != answers.get(key):
                        check.stale.append(grade.name)
            if check.unmarked or check.stale or check.blank or check.remark:
                found.append(check)
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    return found


def release_each(course_dir: str | Path, assignment: str) -> tuple[list[str], dict[str, str]]:
    """Release the generated feedback through the exchange one student at a time.

    nbgrader releases everybody in one go and stops at the first student it cannot release. Here
    one student's failure (e.g. a submission folder that lost its files) is reported and the others
    are released.

    Returns
    -------
    tuple
        The students released, and student -> why their feedback could not be released.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from .config import load_config

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)
    released, failed = [], {}
    for folder in sorted((root / "feedback").glob(f"*/{assignment}")):
        student = folder.parent.name
        if not any(folder.glob("*.html")):
            continue
        if not (folder / "submission_secret.txt").is_file():
            # nbgrader finds a student's feedback in the exchange by a secret it wrote at
            # hand-in; a hand-in that did not come through the exchange has none
            failed[student] = (
                f"no submission_secret.txt in feedback/{student}/{assignment}/: this hand-in "
                "did not come through the exchange (copied by hand, or from Moodle), so the "
                "student cannot fetch feedback from it. Give the student "
                f"feedback/{student}/{assignment}/ another way (e-mail, Moodle's feedback zip: "
                "export --moodle-feedback-zip), or ask them to submit through the Assignments "
                "panel and collect again")
            continue
        try:
            result = api.release_feedback(assignment, student_id=student)
        except Exception as exc:  # one student's failure must not stop the others
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        if result.get("success"):
            released.append(student)
        else:
            error = (result.get("error") or result.get("log") or "unknown error").strip()
            failed[student] = error.splitlines()[-1][:200]
    return released, failed
