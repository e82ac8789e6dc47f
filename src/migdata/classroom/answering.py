"""The ``%%answer`` cell magic: a student answers in plain text and gets one plain sentence back.

An answer cell (see :mod:`migdata.answers.cells`) looks like this::

    %%answer P1 country
    Azerbaijan

Running it reads the text below the first line in the form the header names and prints one
sentence: "Correct!", "Not quite. ..." with what to do, or "Saved: ...". It never raises and never
shows a traceback, whatever is written, and it works before "Run All" and after a kernel restart:
the kit loads this extension into every kernel it installs (``etc/ipython`` in the environment).

Practice questions are numbered ``P1``, ``P2``...; a notebook gives each one's key with
:func:`question`, computed from the data, in a cell above the answer. Until that cell has run the
answer is only saved, with a note to run the cells above. Any other question id is a graded
question: its answer is saved and read by the grader from the saved notebook after hand-in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..answers import FORMS, NOT_ANSWERED, judge, parse_header, read
from ..answers.saved import record, recorded
from ..errors import InvalidInputError

__all__ = ["Key", "answer", "answered", "discussion", "expect_header", "load_ipython_extension",
           "question"]

@dataclass(frozen=True)
class Key:
    """The key of a practice question: its form, right answer and how close is close enough."""

    form: str
    expected: Any
    tolerance: float = 0.0
    options: Sequence[str] | Mapping[str, str] | None = None
    whole: bool = False
    hint: str = ""


_KEYS: dict[str, Key] = {}


def _say(message: str) -> None:
    # one line, never hard-wrapped: the page wraps it to the width of the output area
    print(" ".join(message.split()))


def question(
    qid: str,
    expected: object,
    *,
    form: str,
    tolerance: float = 0.0,
    options: Sequence[str] | Mapping[str, str] | None = None,
    whole: bool = False,
    hint: str = "",
) -> None:
    """Give the key of a practice question, so that its ``%%answer`` cell can check the answer.

    Parameters
    ----------
    qid : str
        The question's id, as in its answer cell (``P1``).
    expected : object
        The right answer, computed from the data (never typed in).
    form : str
        One of :data:`migdata.answers.FORMS`.
    tolerance : float, default 0.0
        Largest accepted difference for a number.
    options : list of str or dict, optional
        The options of a choice question, lettered A, B, C... when a list.
    whole : bool, default False
        The answer is a whole number (a count of persons).
    hint : str, default ""
        Said after "Not quite." and "Not answered yet.".

    Raises
    ------
    InvalidInputError
        If the form is unknown or the expected answer is missing: a mistake in the notebook.
    """
    if form not in FORMS:
        raise InvalidInputError(f"form must be one of {sorted(FORMS)}, got {form!r}")
    if expected is None or (isinstance(expected, float) and expected != expected):
        raise InvalidInputError(f"question {qid}: the expected answer is missing ({expected!r})")
    if options is not None:
        options = dict(options) if isinstance(options, Mapping) else list(options)
    key = Key(form, expected, float(tolerance), options, bool(whole), hint)
    # the expected answer must itself be readable as an answer of that form
    ok, _ = judge(read(_as_text(expected), form, options=options, whole=whole),
                  expected, form=form, tolerance=tolerance, options=options)
    if not ok:
        raise InvalidInputError(
            f"question {qid}: the expected answer {expected!r} is not a {form} answer")
    _KEYS[qid] = key


def discussion(qid: str, *, min_words: int = 10) -> None:
    """Mark question ``qid`` as a discussion question: any answer of ``min_words`` words will do.

    There is no single right answer: the message only says whether the answer is long enough,
    and the lecturer discusses the content in class.
    """
    if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
        raise InvalidInputError(f"min_words must be a whole number >= 1, got {min_words!r}")
    _KEYS[qid] = Key("text", None, float(min_words))


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(float(value))  # numpy's float64 shows as np.float64(...) in its repr
    return str(value)


def answer(line: str, cell: str) -> None:
    """Read one answer cell and print one sentence (the body of the ``%%answer`` magic)."""
    try:
        _answer(line, cell)
    except Exception:  # a student's answer must never end in a traceback
        _say("This answer is saved as you wrote it, but I could not check it. "
             "Tell your lecturer which question it was.")


#: Answer ids whose form a notebook announced (:func:`expect_header`) without a key.
_FORMS_OF: dict[str, str] = {}


def expect_header(qid: str, form: str) -> None:
    """Announce that the answer cell ``qid`` has the form ``form`` (e.g. a team notebook's
    ``DATA`` cell is ``text``), so that a changed first line is answered with the right one."""
    if form not in FORMS:
        raise InvalidInputError(f"form must be one of {sorted(FORMS)}, got {form!r}")
    _FORMS_OF[qid] = form


def _right_header(line: str) -> str:
    """The first line the student should restore, when it can be known ("" otherwise)."""
    words = line.split()
    qid = words[0] if words and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}", words[0]) \
        else None
    if qid is None:
        return ""
    form = _KEYS[qid].form if qid in _KEYS else _FORMS_OF.get(qid)
    if form is None and len(words) > 1 and words[1].lower() in FORMS:
        form = words[1].lower()
    return f" (it reads %%answer {qid} {form})" if form else ""


def _answer(line: str, cell: str) -> None:
    header = parse_header(f"%%answer {line}")
    if header is None:
        _say("The first line of this answer cell was changed: undo the change (Ctrl+Z) to get "
             f"the first line back{_right_header(line)}, and write your answer on the lines "
             "below it.")
        return
    text = cell if isinstance(cell, str) else ""
    # question ids are read without regard to case: "p1" is the practice question P1
    qid = next((k for k in _KEYS if k.casefold() == header.qid.casefold()), header.qid)
    record(qid, text)
    key = _KEYS.get(qid)
    form = key.form if key else header.form
    options = key.options if key else (list(header.options) or None)
    reading = read(text, form, options=options, whole=key.whole if key else False)
    if key is not None and key.expected is None:  # a discussion question
        words = len(text.split())
        if words == 0:
            _say(f"{NOT_ANSWERED} Write your answer in full sentences.")
        elif words < key.tolerance:
            _say(f"{words} words so far. Write at least {int(key.tolerance)} words.")
        else:
            _say(f"Written ({words} words). Compare your answer with your team and the lecturer.")
        return
    if key is not None:
        _, message = judge(reading, key.expected, form=form, tolerance=key.tolerance,
                           options=options, hint=key.hint)
        _say(message)
        return
    if reading.empty:
        _say(f"{NOT_ANSWERED} {FORMS[form]}")
    elif reading.problem:
        _say(reading.problem)
    elif re.fullmatch(r"[Pp]\d+", qid):
        _say(f"Saved: {reading.shown.rstrip('.')}. To check it, run the cells above this one first "
             "(menu Run, then Run All Cells).")
    else:
        _say(f"Saved: {reading.shown.rstrip('.')}. Save the notebook (Ctrl+S) before you hand "
             "it in; the answer is checked after that.")


def answered(qid: str) -> str | None:
    """The text last answered for question ``qid`` in this kernel, or None."""
    return recorded(qid)


def _keep_empty_answers(lines: list[str]) -> list[str]:
    """Give an answer cell with nothing below its header a blank line, so that IPython calls the
    magic (which says "Not answered yet") instead of refusing an empty cell body."""
    if lines and lines[0].lstrip().startswith("%%answer") and not "".join(lines[1:]).strip():
        first = lines[0] if lines[0].endswith("\n") else lines[0] + "\n"
        return [first, " \n"]
    return lines


#: Words that show a cell is meant as Python, not as an answer in words.
_PYTHON = re.compile(r"[()\[\]{}]|^\s*(import|from|def|class|for|if|while|with|print)\b|^\s*%",
                     re.MULTILINE)


def looks_like_prose(cell: str) -> bool:
    """True for a cell that is not Python but an answer in words: no brackets, no Python
    keyword starting a line, no magic (used when such a cell lost its ``%%answer`` line)."""
    return isinstance(cell, str) and bool(cell.strip()) and not _PYTHON.search(cell)


_LOST_HEADER = ("This cell is not Python: if it holds your answer in words, its first line "
                "(%%answer, the question's id and the kind of answer, e.g. %%answer TEAM text) "
                "was deleted. Press Ctrl+Z (undo) until that line is back, then run the cell "
                "again.")


_LOST_HEADER_VALUE = ("If this cell holds your answer, its first line (%%answer, the question's id "
                      "and the kind of answer) was deleted, so the answer is not checked. Press "
                      "Ctrl+Z (undo) until that line is back, then run the cell again.")


def _guard_syntax_errors(ipython: Any) -> None:
    """Answer a syntax error in a cell written in words with one sentence (the lost header),
    not a traceback; a syntax error in a cell meant as Python is shown as always."""
    last: dict[str, str] = {"cell": ""}

    def remember(info: Any) -> None:
        last["cell"] = getattr(info, "raw_cell", "") or ""

    shown = ipython.showsyntaxerror

    def showsyntaxerror(*args: Any, **kwargs: Any) -> None:
        if looks_like_prose(last["cell"]):
            import sys

            err = sys.exc_info()[1]
            where = f" (Python says: {err.msg}, line {err.lineno}.)" if isinstance(
                err, SyntaxError) and err.msg else ""
            _say(_LOST_HEADER + where)
            return
        shown(*args, **kwargs)

    def name_error(shell: Any, etype: type, value: BaseException, tb: Any,
                   tb_offset: int | None = None) -> None:
        # a word answer without its header ("Armenia", "B", "yes") is a name Python does not
        # know: the same sentence; a NameError in a cell meant as Python is shown as always
        if looks_like_prose(last["cell"]) and _is_bare_answer(last["cell"]) and _WORDS.match(
                last["cell"].strip()):
            _say(f"{_LOST_HEADER_VALUE} (Python says: {value}.)")
            return
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    def bare_value(result: Any) -> None:
        # a bare number ("62144") runs as Python and shows Out[n]: say it was not saved
        cell = getattr(result.info, "raw_cell", "") or ""
        if (result.error_in_exec is None and result.error_before_exec is None
                and _is_bare_answer(cell) and _is_constant(cell)):
            _say(_LOST_HEADER_VALUE)

    ipython.events.register("pre_run_cell", remember)
    ipython.events.register("post_run_cell", bare_value)
    ipython.showsyntaxerror = showsyntaxerror
    ipython.set_custom_exc((NameError,), name_error)


#: Words as a person writes them (any alphabet, digits, spaces, . , % ' -): no operator, no "_".
_WORDS = re.compile(r"^[^\W_][^\W_\s.,%'’\-−]*(?:[\s.,%'’\-−]+[^\W_]*)*$")


def _is_bare_answer(cell: str) -> bool:
    """One short line that is a lone value or word (how an answer looks without its header)."""
    text = cell.strip()
    return bool(text) and "\n" not in text and len(text) <= 80 and "=" not in text


def _is_constant(cell: str) -> bool:
    import ast

    try:
        tree = ast.parse(cell.strip())
    except SyntaxError:
        return False
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return False
    value = tree.body[0].value
    if isinstance(value, ast.UnaryOp):
        value = value.operand
    return isinstance(value, ast.Constant) and isinstance(value.value, (int, float, str))


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%answer`` (``%load_ext migdata.classroom.answering``)."""
    ipython.register_magic_function(answer, magic_kind="cell", magic_name="answer")
    if _keep_empty_answers not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(_keep_empty_answers)
    if not getattr(ipython, "_migdata_syntax_guard", False):
        _guard_syntax_errors(ipython)
        ipython._migdata_syntax_guard = True
