"""How an answer written as a person writes it is read: numbers, shares, countries, choices, text.

A student never writes Python: an answer is the plain text of an answer cell (see
:mod:`migdata.answers.cells`). The same functions read it in the student's kernel (to say at once
whether the form is right) and in the grader (to score it), so both read exactly the same thing.

Forms
-----
``number``
    ``62144``, ``62 144``, ``62,144``, ``0.11``, ``0,11``, ``-14.2``, ``−14,2`` (the minus sign "−"
    and the dash "–" are minus signs); a % sign (``12%`` is 12) and a word for persons after a
    count (``5641 persons``, ``53 625 nəfər``) are allowed. With ``whole=True`` (counts of
    persons) thousands may be grouped by comma, dot or space. A number like ``1,234`` that
    reads both as 1234 and as 1.234 is refused as unclear unless the question is about whole
    numbers.
``percent``
    A percentage: ``11``, ``11%``, ``11 %``, ``11,5%``; the value is in percent (11 means 11 %).
``share``
    A fraction of the whole: ``0.51``, ``51%`` and ``51`` (above 1, read as a percentage) all give
    0.51.
``country``
    A country's name in English, Azerbaijani, Russian, Armenian or Georgian, or its ISO code.
``choice``
    The letter of one option (``B``, ``b``, ``B)``, ``(b)``), or the option's text.
``choices``
    Several letters or short codes, separated by commas, spaces, "and", "və" or "и".
``yesno``
    yes / no (also true/false, bəli/xeyr, да/нет).
``text``
    Any text; compared without regard to case, spaces and a final full stop.

An answer wrapped in quotes (``"B"``, ``«Bakı»``) is read as if without them. Each reader returns
a :class:`Reading`: the value, or one plain sentence, starting with "Write", saying what form is
expected. None of them raises for any text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CORRECT",
    "FORMS",
    "NOT_ANSWERED",
    "NOT_QUITE",
    "Reading",
    "judge",
    "read",
]

CORRECT = "Correct!"
NOT_QUITE = "Not quite."
NOT_ANSWERED = "Not answered yet."

#: The forms an answer can take, each with the sentence that says how to write it.
FORMS: dict[str, str] = {
    "number": "Write one number (with a decimal comma or point if it has decimals).",
    "percent": "Write one percentage (the % sign may be left out).",
    "share": "Write one share, as a fraction of the whole or as a percentage with %.",
    "country": "Write the name of one country, or its three-letter code.",
    "choice": "Write the letter of one option.",
    "choices": "Write the letters or codes you choose, separated by commas.",
    "yesno": "Write yes or no.",
    "text": "Write your answer in words.",
}

#: Longest answer text read, in characters; anything longer is not an answer to a short question.
MAX_CHARS = 5_000


@dataclass(frozen=True)
class Reading:
    """What an answer text says: its ``value`` or, when it cannot be read, a plain ``problem``.

    ``empty`` is True when nothing was written yet. ``shown`` is the value as the student should
    see it echoed back (e.g. ``62,144`` or ``Azerbaijan (AZE)``).
    """

    value: Any = None
    problem: str = ""
    empty: bool = False
    shown: str = ""

    @property
    def ok(self) -> bool:
        """True when the text was read as one answer of the expected form."""
        return not self.problem and not self.empty


_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS + 1])
    # invisible marks a paste can carry (zero-width spaces, direction marks, BOM) are dropped
    text = _INVISIBLE.sub("", text)
    for dash in ("\u2212", "\u2013", "\u2012", "\u2010", "\u2011", "\ufe63", "\uff0d"):
        text = text.replace(dash, "-")
    text = " ".join(text.split())
    # an answer wrapped in quotes (straight, typographic or « ») is read as if without them
    # (only when they wrap the whole answer: '"A" and "B"' keeps its quotes)
    while (len(text) >= 2 and (text[0], text[-1]) in _QUOTES
           and text[0] not in text[1:-1] and text[-1] not in text[1:-1]):
        text = text[1:-1].strip()
    return text


_QUOTES = {('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u201e", "\u201c"),
           ("\u201d", "\u201d"), ("\u2018", "\u2019"), ("\u201a", "\u2018"),
           ("\u2019", "\u2019"), ("\u00ab", "\u00bb"), ("\u00bb", "\u00ab"), ("`", "`")}

#: Words for persons a student may write after a count ("5641 persons", "53 625 nəfər").
_UNITS = ("persons", "person", "people", "nəfər", "nefer", "человек", "чел.", "чел", "лиц",
          "migrants", "мигрантов")

_SPACES = "[ \u00a0\u202f\u2009']"
_PLAIN = re.compile(r"^[-+]?(\d+)([.,](\d+))?$")
_GROUPED_SPACE = re.compile(rf"^[-+]?\d{{1,3}}({_SPACES}\d{{3}})+([.,]\d+)?$")
_GROUPED_COMMA = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_GROUPED_DOT = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _number(text: str, *, whole: bool) -> tuple[float | None, str]:
    """The number a person wrote, or (None, reason)."""
    s = text.strip()
    s = s[:-1] if s.endswith(".") else s  # a full stop after the number
    s = re.sub(r"^([-+]?)\s+", r"\1", s)
    if not s:
        return None, ""
    single_group = re.fullmatch(r"[-+]?\d{1,3}[.,]\d{3}", s)
    if single_group and not whole and not s.lstrip("+-").startswith("0"):
        sign = "-" if s.startswith("-") else ""
        digits = s.lstrip("+-")
        whole_text = sign + digits.replace(",", "").replace(".", "")
        return None, (f"Write {whole_text} for the whole number, or add a 0 at the end "
                      f"({s}0) for the number with decimals: {s} could mean either.")
    if _GROUPED_SPACE.match(s):
        s = re.sub(_SPACES, "", s).replace(",", ".")
    elif _GROUPED_COMMA.match(s) and (whole or "." in s or not single_group):
        s = s.replace(",", "")
    elif _GROUPED_DOT.match(s) and (whole or "," in s or not single_group):
        s = s.replace(".", "").replace(",", ".")
    elif _PLAIN.match(s):
        s = s.replace(",", ".")
    else:
        return None, ""
    try:
        value = float(s)
    except ValueError:  # pragma: no cover - the patterns above only let numbers through
        return None, ""
    if not math.isfinite(value):
        return None, ""
    if whole and value != int(value):
        return None, "Write a whole number, without decimals."
    return value, ""


def _show_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e6 else f"{value:g}"


def _percent_text(text: str) -> tuple[str, bool]:
    s = text.strip()
    if s.startswith("%"):  # "%51,4": the sign first, as written in Azerbaijani and Turkish
        return s[1:].strip(), True
    for sign in ("%", "per cent", "percent", "faiz", "процент", "процентов", "процента"):
        if s.casefold().endswith(sign):
            return s[: len(s) - len(sign)].strip(), True
    return s, False


_YES = {"yes", "y", "true", "bəli", "beli", "hə", "he", "да", "ayo", "այո", "კი", "diax"}
_NO = {"no", "n", "false", "xeyr", "yox", "нет", "voch", "ոչ", "არა"}


def _letters(options: Sequence[str] | Mapping[str, str] | None) -> dict[str, str]:
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return {str(k).strip().upper(): str(v) for k, v in options.items()}
    return {chr(ord("A") + i): str(v) for i, v in enumerate(options)}


def _pick(text: str, pairs: Mapping[str, str]) -> str | None:
    raw = " ".join(text.split()).casefold().rstrip(".")
    s = text.strip().strip("()[].:").strip()
    s = re.sub(r"^(option|variant|вариант)\s+", "", s, flags=re.IGNORECASE).strip()
    if pairs:
        if s.upper() in pairs:
            return s.upper()
        for letter, option in pairs.items():
            said = " ".join(option.split()).casefold().rstrip(".")
            if said in (raw, s.casefold().rstrip(".")):
                return letter
        return None
    return s.upper() if re.fullmatch(r"[A-Za-z]", s) else None


def read(
    text: object,
    form: str,
    *,
    options: Sequence[str] | Mapping[str, str] | None = None,
    whole: bool = False,
) -> Reading:
    """Read an answer text in a given form.

    Parameters
    ----------
    text : object
        What the student wrote (anything that is not text reads as not answered).
    form : str
        One of :data:`FORMS`.
    options : list of str or dict of letter -> text, optional
        The options of a ``choice`` or ``choices`` question (a list is lettered A, B, C...). With
        no options, any single letter is read as a choice and any short code as one of choices.
    whole : bool, default False
        For ``number``: the answer is a whole number (a count of persons), so ``62,144``,
        ``62.144`` and ``62 144`` are all 62144.

    Returns
    -------
    Reading
        Never raises for any text. An unknown ``form`` raises ``ValueError`` (a mistake in the
        question, not in the answer).
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {sorted(FORMS)}, got {form!r}")
    s = _clean(text)
    if not s:
        return Reading(empty=True, problem=FORMS[form])
    if len(s) > MAX_CHARS:
        return Reading(problem="Write a shorter answer: this one is too long to read.")
    wrong = Reading(problem=FORMS[form])
    if form in ("number", "percent", "share"):
        body = s
        for unit in _UNITS:  # a word for persons after a count is not part of the number
            if body.casefold().endswith(" " + unit) or (
                    body.casefold().endswith(unit) and body[: -len(unit)][-1:].isdigit()):
                body = body[: len(body) - len(unit)].strip()
                break
        body, had_percent = _percent_text(body)
        # a number question may be answered with the % sign: "12%" is read as 12
        value, reason = _number(body, whole=whole and form == "number")
        if value is None:
            return Reading(problem=reason or FORMS[form])
        if form == "share":
            value = value / 100 if (had_percent or abs(value) > 1) else value
            return Reading(value=value, shown=f"{value * 100:g}%")
        if form == "percent":
            return Reading(value=value, shown=f"{value:g}%")
        return Reading(value=value, shown=_show_number(value))
    if form == "country":
        from ..countries import country_name, to_iso3
        from ..errors import MigdataError

        for name in _country_names(s):
            try:
                code = to_iso3(name)
            except (MigdataError, LookupError, TypeError, ValueError):
                continue
            return Reading(value=code, shown=f"{country_name(code)} ({code})")
        return Reading(problem="Write the name of one country, or its three-letter code: I do "
                               "not know this name.")
    if form == "choice":
        pairs = _letters(options)
        letter = _pick(s, pairs)
        if letter is None:
            if pairs:
                said = ", ".join(list(pairs)[:-1]) + f" or {list(pairs)[-1]}"
                return Reading(problem=f"Write the letter of one option: {said}.")
            return wrong
        return Reading(value=letter, shown=letter)
    if form == "choices":
        pairs = _letters(options)
        parts = [p for p in re.split(r"\s*(?:,|;|/|\band\b|\bvə\b|\bи\b|\s)\s*", s,
                                     flags=re.IGNORECASE) if p]
        picked = []
        for part in parts:
            item = _pick(part, pairs) if pairs else (
                part.strip("()[].:").upper() if re.fullmatch(r"[A-Za-z0-9]{1,12}",
                                                              part.strip("()[].:")) else None)
            if item is None:
                return Reading(problem=FORMS[form])
            if item not in picked:
                picked.append(item)
        return Reading(value=sorted(picked), shown=", ".join(sorted(picked)))
    if form == "yesno":
        word = s.casefold().strip(".!")
        if word in _YES:
            return Reading(value=True, shown="yes")
        if word in _NO:
            return Reading(value=False, shown="no")
        return wrong
    words = len(s.split())
    return Reading(value=s, shown=s if len(s) <= 60 else f"{words} words")


def _country_names(text: str) -> list[str]:
    """The name as written, then without "the" before it or "Republic" after it."""
    names = [text]
    bare = re.sub(r"^(the)\s+", "", text, flags=re.IGNORECASE)
    names.append(bare)
    names.append(re.sub(r"\s+(republic|respublikası|respublikasi|республика)$", "", bare,
                        flags=re.IGNORECASE))
    return [n for i, n in enumerate(names) if n and n not in names[:i]]


def _same_text(a: str, b: str) -> bool:
    def norm(x: str) -> str:
        return " ".join(x.casefold().split()).rstrip(".")

    return norm(a) == norm(b)


def judge(
    reading: Reading,
    expected: object,
    *,
    form: str,
    tolerance: float = 0.0,
    options: Sequence[str] | Mapping[str, str] | None = None,
    hint: str = "",
) -> tuple[bool, str]:
    """Whether a reading is the expected answer, and the sentence to show.

    Parameters
    ----------
    reading : Reading
        From :func:`read`.
    expected : object
        The right answer, computed from the data by the notebook or by the hidden test: a number
        (for number, percent, share), a country name or code, an option letter or text, a list
        of them (choices), a truth value (yesno) or text.
    form, options
        As for :func:`read`.
    tolerance : float, default 0.0
        Largest accepted difference for a number (in the answer's own unit).
    hint : str, default ""
        Added after "Not quite." when the answer was read but is not the right one.

    Returns
    -------
    (bool, str)
        True and "Correct!"; or False and one plain sentence: "Not answered yet." with the form
        expected, the form expected alone when the text cannot be read (no hint, which could
        contradict it), or "Not quite." with the hint.
    """
    if reading.empty:
        return False, f"{NOT_ANSWERED} {FORMS.get(form, '')}".strip()
    if reading.problem:
        return False, reading.problem
    value = reading.value
    if form in ("number", "percent", "share"):
        target = float(expected)  # type: ignore[arg-type]
        allowed = float(tolerance) + 1e-9 * max(1.0, abs(target))
        if form == "share":
            allowed = max(allowed, 0.0005 + 1e-12)
        right = abs(float(value) - target) <= allowed
    elif form == "country":
        from ..countries import to_iso3

        right = value == to_iso3(str(expected))
    elif form == "choice":
        right = value == _pick(str(expected), _letters(options))
    elif form == "choices":
        pairs = _letters(options)
        wanted = expected if isinstance(expected, list | tuple | set | frozenset) else [expected]
        target_set = {(_pick(str(e), pairs) if pairs else str(e).upper()) for e in wanted}
        right = set(value) == target_set
    elif form == "yesno":
        right = value is bool(expected)
    else:
        right = _same_text(str(value), str(expected))
    return (True, CORRECT) if right else (False, " ".join(p for p in (NOT_QUITE, hint) if p))
