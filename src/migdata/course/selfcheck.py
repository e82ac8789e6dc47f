"""Self-checks for the practice questions of the course notebooks.

Every practice question in ``notebooks/`` ends with one call: :func:`check` for a question with one
right answer (a number, a code, a word), :func:`written` for a discussion question that only needs
an answer in the student's own words. Both print one short line and never raise for a student's
answer, so a wrong or unfinished answer never stops "Run All".

The messages are plain English for second-language readers:

- ``Correct!``
- ``Not quite. <hint>``
- ``Not answered yet. <hint>``

Examples
--------
>>> from migdata.course.selfcheck import check, verdict
>>> verdict(" aze ", "AZE")
'Correct!'
>>> verdict(12.4, 12.0, tolerance=0.5)
'Correct!'
>>> verdict(None, 3, hint="Count the rows.")
'Not answered yet. Count the rows.'
>>> check("b", "a", hint="Look at the table `precision`.")
Not quite. Look at the table `precision`.
"""

from __future__ import annotations

import math
from numbers import Real

from ..errors import InvalidInputError

__all__ = ["CORRECT", "NOT_ANSWERED", "NOT_QUITE", "check", "verdict", "written"]

CORRECT = "Correct!"
NOT_QUITE = "Not quite."
NOT_ANSWERED = "Not answered yet."


def _join(message: str, hint: str) -> str:
    return f"{message} {hint}".strip() if hint else message


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _as_number(answer: object) -> float | None:
    """The answer as one float, or None if it is not a single number."""
    if _is_number(answer):
        return float(answer)  # type: ignore[arg-type]
    size = getattr(answer, "size", None)
    if size == 1 and hasattr(answer, "item"):  # a one-cell numpy array or pandas object
        item = answer.item()  # type: ignore[attr-defined]
        return float(item) if _is_number(item) else None
    if isinstance(answer, str):
        try:
            return float(answer.replace(",", "").strip())
        except ValueError:
            return None
    return None


def verdict(answer: object, expected: object, *, tolerance: float = 0.0, hint: str = "") -> str:
    """The self-check message for one answer, without printing it.

    Parameters
    ----------
    answer : object
        What the student wrote; ``None`` means not answered yet.
    expected : str, bool or real number
        The right answer, computed in the notebook from the data (never typed in). Text is
        compared without regard to case or surrounding spaces; numbers within ``tolerance``.
    tolerance : float, default 0.0
        Largest accepted absolute difference for a number.
    hint : str, default ""
        Added after "Not quite." and "Not answered yet.".

    Returns
    -------
    str
        ``"Correct!"``, ``"Not quite. <hint>"`` or ``"Not answered yet. <hint>"``. A number that is
        not a single value (for example a whole table) gets "Not quite." with a note that one
        number is expected.

    Raises
    ------
    InvalidInputError
        If ``expected`` is ``None`` or missing (NaN), not text, a truth value or a number, or if
        ``tolerance`` is negative or not a number. These are mistakes in the notebook, not in
        the student's answer.
    """
    if not _is_number(tolerance) or math.isnan(float(tolerance)) or tolerance < 0:
        raise InvalidInputError(f"tolerance must be a number >= 0, got {tolerance!r}")
    if answer is None:
        return _join(NOT_ANSWERED, hint)
    if isinstance(expected, bool):
        return CORRECT if answer is expected or answer == expected else _join(NOT_QUITE, hint)
    if isinstance(expected, str):
        if str(answer).strip().casefold() == expected.strip().casefold():
            return CORRECT
        return _join(NOT_QUITE, hint)
    if _is_number(expected):
        if math.isnan(float(expected)):  # type: ignore[arg-type]
            raise InvalidInputError(
                "the expected answer is missing (NaN): this question cannot be checked"
            )
        value = _as_number(answer)
        if value is None:
            return _join(NOT_QUITE, f"Give one number, not {type(answer).__name__}. {hint}")
        if abs(value - float(expected)) <= tolerance:  # type: ignore[arg-type]
            return CORRECT
        return _join(NOT_QUITE, hint)
    raise InvalidInputError(
        f"expected answer must be text, a truth value or a number, got {expected!r}"
    )


def check(answer: object, expected: object, *, tolerance: float = 0.0, hint: str = "") -> None:
    """Print the self-check message for a practice question.

    Parameters
    ----------
    answer, expected, tolerance, hint
        As for :func:`verdict`.

    Raises
    ------
    InvalidInputError
        As for :func:`verdict` (mistakes in the notebook, never in the student's answer).

    See Also
    --------
    verdict : the same message returned instead of printed.
    written : the self-check of a discussion question.
    """
    print(verdict(answer, expected, tolerance=tolerance, hint=hint))


def written(text: object, *, min_words: int = 10) -> None:
    """Print whether a written (discussion) answer is there yet.

    There is no single right answer to check: the message only says whether the student has
    written something of a useful length. The lecturer discusses the content in class.

    Parameters
    ----------
    text : str
        The student's answer.
    min_words : int, default 10
        Fewer words than this count as not finished.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a string or ``min_words`` is not a positive whole number.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"write the answer as text between quotes, got {text!r}")
    if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
        raise InvalidInputError(f"min_words must be a whole number >= 1, got {min_words!r}")
    words = len(text.split())
    if words == 0:
        print(f"{NOT_ANSWERED} Write your answer between the quotes.")
    elif words < min_words:
        print(f"{words} words so far. Write at least {min_words} words: two or three sentences.")
    else:
        print(f"Written ({words} words). Compare your answer with your team and the lecturer.")
