"""Self-checks for the practice questions of the course notebooks.

Every practice question in ``notebooks/`` ends with one call: :func:`check` for a question with one
right answer (a number, a share, a country, a word), :func:`choice` for a multiple-choice question,
:func:`written` for a discussion question that only needs an answer in the student's own words.
Each prints one short line and never raises for a student's answer, so a wrong or unfinished answer
never stops "Run All".

Equivalent forms are accepted: a share as ``0.51``, ``"51%"`` or ``51``; a number as ``62144`` or
``"62,144"``; a country as its name or its ISO code. When the answer has the wrong form, the
message says which form is expected, in plain words (it never names a programming type).

The messages are plain English for second-language readers:

- ``Correct!``
- ``Not quite. <hint>``
- ``Not answered yet. <hint>``

Examples
--------
>>> from migdata.classroom.selfcheck import check, verdict
>>> verdict(" aze ", "AZE")
'Correct!'
>>> verdict(12.4, 12.0, tolerance=0.5)
'Correct!'
>>> verdict(None, 3, hint="Count the rows.")
'Not answered yet. Count the rows.'
>>> verdict("51%", 0.5103, kind="share")
'Correct!'
>>> verdict("Azerbaijan", "AZE", kind="country")
'Correct!'
>>> check("b", "a", hint="Look at the table `precision`.")
Not quite. Look at the table `precision`.
>>> choice("B", ["a census", "a register"], "a register")
Correct!
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from numbers import Real

from ..errors import InvalidInputError

__all__ = [
    "CORRECT",
    "KINDS",
    "NOT_ANSWERED",
    "NOT_QUITE",
    "check",
    "choice",
    "choice_verdict",
    "verdict",
    "written",
]

CORRECT = "Correct!"
NOT_QUITE = "Not quite."
NOT_ANSWERED = "Not answered yet."

KINDS = ("number", "share", "country", "text")

# What each kind of answer looks like, said in plain words when the form is wrong.
FORMATS = {
    "number": "Write one number, for example 62144 or 62,144.",
    "share": "Write one share, for example 0.51 or 51%.",
    "country": ('Write a country name or its code between quotes, for example "Azerbaijan" '
                'or "AZE".'),
    "text": 'Write your answer between quotes, for example "yes".',
    "truth": "Write True or False (without quotes).",
}

# Printed messages wrap at this width, between words, so that no output line is long.
WIDTH = 90

# A share typed as a fraction may differ from the table's 0.1 % rounding by half a unit.
SHARE_ROUNDING = 0.0005

_THOUSANDS = re.compile(r"^[-+]?\d{1,3}([,\u00a0\u202f ]\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")


def _say(message: str) -> None:
    """Print a message in lines of at most :data:`WIDTH` characters, broken between words."""
    print(textwrap.fill(message, WIDTH, break_long_words=False, break_on_hyphens=False))


def _join(message: str, hint: str) -> str:
    return f"{message} {hint}".strip() if hint else message


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _parse_number_text(text: str) -> float | None:
    text = text.strip().replace("\u2212", "-")
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = re.sub(r"[,\u00a0\u202f ]", "", text)
    elif _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) or math.isinf(value) else value


def _as_number(answer: object) -> float | None:
    """The answer as one float, or None if it is not a single number."""
    if _is_number(answer):
        value = float(answer)  # type: ignore[arg-type]
        return None if math.isnan(value) else value
    size = getattr(answer, "size", None)
    if size == 1 and hasattr(answer, "item"):  # a one-cell numpy array or pandas object
        return _as_number(answer.item())  # type: ignore[attr-defined]
    if isinstance(answer, str):
        return _parse_number_text(answer)
    return None


def _as_share(answer: object) -> float | None:
    """The answer as a fraction: 0.51, "0.51", "51%", "51 %" and 51 all give 0.51."""
    if isinstance(answer, str) and answer.strip().endswith("%"):
        value = _parse_number_text(answer.strip()[:-1])
        return None if value is None else value / 100
    value = _as_number(answer)
    if value is None:
        return None
    return value / 100 if abs(value) > 1 else value


def _as_country(answer: object) -> str | None:
    from ..countries import to_iso3
    from ..errors import UnknownCountryError

    if isinstance(answer, str) and answer.strip():
        try:
            return to_iso3(answer)
        except UnknownCountryError:
            return None
    return None


def _check_expected(expected: object, kind: str | None) -> str:
    """The kind of the question, after checking that the notebook's expected answer fits it."""
    if kind is not None and kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)} or None, got {kind!r}")
    if expected is None:
        raise InvalidInputError("expected answer must be text, a truth value or a number, got None")
    if isinstance(expected, bool):
        if kind is not None:
            raise InvalidInputError(f"a truth value cannot be checked as kind={kind!r}")
        return "truth"
    if _is_number(expected) and math.isnan(float(expected)):  # type: ignore[arg-type]
        raise InvalidInputError(
            "the expected answer is missing (NaN): this question cannot be checked"
        )
    if kind == "country":
        if not isinstance(expected, str) or _as_country(expected) is None:
            raise InvalidInputError(
                f"kind='country' needs a country name or ISO code as expected answer, "
                f"got {expected!r}"
            )
        return kind
    if kind in ("number", "share") or (kind is None and _is_number(expected)):
        if not _is_number(expected):
            raise InvalidInputError(f"kind={kind!r} needs a number as expected answer, "
                                    f"got {expected!r}")
        return kind or "number"
    if isinstance(expected, str):
        return "text"
    raise InvalidInputError(
        f"expected answer must be text, a truth value or a number, got {expected!r}"
    )


def verdict(
    answer: object,
    expected: object,
    *,
    kind: str | None = None,
    tolerance: float = 0.0,
    hint: str = "",
) -> str:
    """The self-check message for one answer, without printing it.

    Parameters
    ----------
    answer : object
        What the student wrote; ``None`` means not answered yet.
    expected : str, bool or real number
        The right answer, computed in the notebook from the data (never typed in).
    kind : {"number", "share", "country", "text"}, optional
        How to read the answer. ``"number"``: ``62144``, ``"62,144"`` and ``"62144"`` are the
        same. ``"share"``: ``expected`` is a fraction (0-1); ``0.51``, ``"0.51"``, ``"51%"`` and
        ``51`` (a number above 1 is read as a percentage) are the same. ``"country"``: a
        country's English name, ISO3 or ISO2 code (``"Azerbaijan"``, ``"AZE"``, ``"AZ"``).
        ``"text"``: compared without regard to case or surrounding spaces. By default the kind
        follows ``expected``: a number is a number, text is text, True/False a truth value.
    tolerance : float, default 0.0
        Largest accepted difference for a number or a share (a share's in fraction units: 0.01
        is one percentage point). A share is always allowed half of the tables' 0.1 % rounding.
    hint : str, default ""
        Added after "Not quite." and "Not answered yet.".

    Returns
    -------
    str
        ``"Correct!"``, ``"Not quite. <hint>"`` or ``"Not answered yet. <hint>"``. An answer of
        the wrong form (a word for a number, a whole table for one number) gets "Not quite."
        and a sentence saying which form is expected.

    Raises
    ------
    InvalidInputError
        If ``expected`` is ``None`` or missing (NaN), does not fit ``kind``, or if ``kind`` or
        ``tolerance`` is not valid. These are mistakes in the notebook, not in the answer.
    """
    if not _is_number(tolerance) or math.isnan(float(tolerance)) or tolerance < 0:
        raise InvalidInputError(f"tolerance must be a number >= 0, got {tolerance!r}")
    kind = _check_expected(expected, kind)
    if answer is None:
        return _join(NOT_ANSWERED, hint)
    if kind == "truth":
        if isinstance(answer, str) and answer.strip().casefold() in ("true", "false", "yes", "no"):
            answer = answer.strip().casefold() in ("true", "yes")
        if not isinstance(answer, bool) and getattr(answer, "size", 0) != 1:
            return _join(NOT_QUITE, f"{FORMATS['truth']} {hint}")
        return CORRECT if bool(answer) is expected else _join(NOT_QUITE, hint)
    if kind == "text":
        if isinstance(answer, str | Real) and not isinstance(answer, bool):
            same = str(answer).strip().casefold() == str(expected).strip().casefold()
            return CORRECT if same else _join(NOT_QUITE, hint)
        return _join(NOT_QUITE, f"{FORMATS['text']} {hint}")
    if kind == "country":
        code = _as_country(answer)
        if code is None:
            return _join(NOT_QUITE, f"{FORMATS['country']} {hint}")
        return CORRECT if code == _as_country(expected) else _join(NOT_QUITE, hint)
    if kind == "share":
        value = _as_share(answer)
        if value is None:
            return _join(NOT_QUITE, f"{FORMATS['share']} {hint}")
        allowed = max(float(tolerance), SHARE_ROUNDING) + 1e-12
        return CORRECT if abs(value - float(expected)) <= allowed else _join(NOT_QUITE, hint)
    value = _as_number(answer)
    if value is None:
        return _join(NOT_QUITE, f"{FORMATS['number']} {hint}")
    if abs(value - float(expected)) <= float(tolerance) + 1e-9 * max(1.0, abs(float(expected))):
        return CORRECT
    return _join(NOT_QUITE, hint)


def check(
    answer: object,
    expected: object,
    *,
    kind: str | None = None,
    tolerance: float = 0.0,
    hint: str = "",
) -> None:
    """Print the self-check message for a practice question.

    Parameters
    ----------
    answer, expected, kind, tolerance, hint
        As for :func:`verdict`.

    Raises
    ------
    InvalidInputError
        As for :func:`verdict` (mistakes in the notebook, never in the student's answer).

    See Also
    --------
    verdict : the same message returned instead of printed.
    choice : a multiple-choice question.
    written : the self-check of a discussion question.
    """
    _say(verdict(answer, expected, kind=kind, tolerance=tolerance, hint=hint))


def _letters(options: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(options, Mapping):
        pairs = {str(k).strip().upper(): v for k, v in options.items()}
    elif isinstance(options, Sequence) and not isinstance(options, str):
        if len(options) > 26:
            raise InvalidInputError(f"choice() takes at most 26 options, got {len(options)}")
        pairs = {chr(ord("A") + i): v for i, v in enumerate(options)}
    else:
        raise InvalidInputError(f"options must be a list of texts, got {options!r}")
    if len(pairs) < 2 or not all(isinstance(v, str) and v.strip() for v in pairs.values()):
        raise InvalidInputError(f"options must be two or more non-empty texts, got {options!r}")
    texts = [v.strip().casefold() for v in pairs.values()]
    if len(set(texts)) < len(texts):
        raise InvalidInputError(f"options must differ from each other, got {options!r}")
    return pairs


def _pick(answer: object, pairs: dict[str, str]) -> str | None:
    """The letter of the option the answer names (by letter or by text), or None."""
    if not isinstance(answer, str):
        return None
    text = answer.strip().rstrip(").").strip()
    if text.upper() in pairs:
        return text.upper()
    for letter, option in pairs.items():
        if option.strip().casefold() == answer.strip().casefold():
            return letter
    return None


def choice_verdict(
    answer: object,
    options: Sequence[str] | Mapping[str, str],
    expected: str,
    *,
    hint: str = "",
) -> str:
    """The message for a multiple-choice answer, without printing it.

    Parameters
    ----------
    answer : str or None
        The letter of one option (``"B"`` or ``"b"``) or its text; ``None`` if not answered.
    options : list of str, or dict of letter -> text
        The options; a list is lettered A, B, C... in order.
    expected : str
        The right option, by letter or text.
    hint : str, default ""
        Added after "Not quite." and "Not answered yet.".

    Returns
    -------
    str
        As :func:`verdict`; an answer that is none of the options says which letters to use.

    Raises
    ------
    InvalidInputError
        If the options are fewer than two, empty or repeated, or ``expected`` is not one of them.
    """
    pairs = _letters(options)
    right = _pick(expected, pairs)
    if right is None:
        raise InvalidInputError(f"expected answer {expected!r} is not one of the options {pairs}")
    if answer is None:
        return _join(NOT_ANSWERED, hint)
    picked = _pick(answer, pairs)
    if picked is None:
        letters = list(pairs)
        said = ", ".join(letters[:-1]) + f" or {letters[-1]}"
        return _join(NOT_QUITE, f'Write the letter of one option between quotes: {said} '
                                f'(for example "{letters[0]}"). {hint}')
    return CORRECT if picked == right else _join(NOT_QUITE, hint)


def choice(
    answer: object,
    options: Sequence[str] | Mapping[str, str],
    expected: str,
    *,
    hint: str = "",
) -> None:
    """Print the self-check message for a multiple-choice question.

    Parameters
    ----------
    answer, options, expected, hint
        As for :func:`choice_verdict`.
    """
    _say(choice_verdict(answer, options, expected, hint=hint))


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
        If ``min_words`` is not a positive whole number (a notebook's mistake, not the
        student's: an answer of any kind only ever prints a message).
    """
    if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
        raise InvalidInputError(f"min_words must be a whole number >= 1, got {min_words!r}")
    if text is None:
        print(f"{NOT_ANSWERED} Write your answer as text between quotes, in place of None.")
        return
    if not isinstance(text, str):
        print(f"{NOT_QUITE} Write your answer as text between quotes, for example "
              '"The SSC counts ...".')
        return
    words = len(text.split())
    if words == 0:
        print(f"{NOT_ANSWERED} Write your answer between the quotes.")
    elif words < min_words:
        print(f"{words} words so far. Write at least {min_words} words: two or three sentences.")
    else:
        print(f"Written ({words} words). Compare your answer with your team and the lecturer.")
