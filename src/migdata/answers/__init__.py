"""Answers as plain data: written as a person writes them, read the same way everywhere.

Shared by a student's kernel (:mod:`migdata.classroom.answering`, the ``%%answer`` cell magic)
and the grader (:mod:`migdata.grading`), so both read exactly what the student saved.

* :mod:`~.forms` -- reading an answer text as a number, share, country, choice, yes/no or text,
  and judging it against the expected answer, in plain sentences;
* :mod:`~.cells` -- answer cells: their header, and finding every answer in a saved notebook
  read as JSON (never run);
* :mod:`~.saved` -- the answers the current kernel has seen, as text.
"""

from __future__ import annotations

from .cells import HEADER, AnswerText, Header, answers_in, header_line, parse_header, split_answer
from .forms import CORRECT, FORMS, NOT_ANSWERED, NOT_QUITE, Reading, judge, read

__all__ = [
    "CORRECT",
    "FORMS",
    "HEADER",
    "NOT_ANSWERED",
    "NOT_QUITE",
    "AnswerText",
    "Header",
    "Reading",
    "answers_in",
    "header_line",
    "judge",
    "parse_header",
    "read",
    "split_answer",
]
