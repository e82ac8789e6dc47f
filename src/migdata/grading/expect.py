"""What a hidden test calls: compare a saved answer with the value computed from the data.

Used only in the grader's trusted kernel, which runs the instructor's cells and, for each answer
cell, one line the grader wrote with the student's text as a string literal
(:func:`migdata.answers.saved.record`): no student code ever runs there, and these tests never
enter a student's kernel. A wrong, unreadable or missing answer fails the test with one plain
sentence, which is what the student reads in the feedback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..answers import judge, read
from ..answers.saved import recorded

__all__ = ["expect"]


def expect(
    qid: str,
    expected: object,
    *,
    form: str,
    tolerance: float = 0.0,
    options: Sequence[str] | Mapping[str, str] | None = None,
    whole: bool = False,
) -> None:
    """Fail (AssertionError with a plain sentence) unless question ``qid`` was answered right.

    Parameters
    ----------
    qid : str
        The question's id, as in its answer cell header.
    expected : object
        The right answer, computed from the data in the hidden test (never typed in).
    form, tolerance, options, whole
        As for :func:`migdata.answers.read` and :func:`migdata.answers.judge`; they come from
        the instructor's test, never from the student's cell header.
    """
    text = recorded(qid)
    reading = read(text, form, options=options, whole=whole)
    ok, message = judge(reading, expected, form=form, tolerance=tolerance, options=options)
    if not ok:
        raise AssertionError(f"{qid}: {message}")
