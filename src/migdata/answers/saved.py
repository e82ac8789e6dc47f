"""The answers of the current kernel, as the ``%%answer`` cells saved them (text only).

In a student's kernel this lets a practice question be checked again; in the grader's trusted
kernel the hidden tests read the text that the grader put there from the saved notebook. Only
strings are ever stored.
"""

from __future__ import annotations

__all__ = ["clear", "record", "recorded"]

_SAVED: dict[str, str] = {}


def record(qid: str, text: str) -> None:
    """Keep the answer text of question ``qid`` (a later answer replaces an earlier one)."""
    if type(qid) is not str or type(text) is not str:
        raise TypeError("question id and answer must be plain text")
    _SAVED[qid] = text


def recorded(qid: str) -> str | None:
    """The answer text of question ``qid``, or None if it has not been answered."""
    return _SAVED.get(qid)


def clear() -> None:
    """Forget every answer (a fresh start, as after a kernel restart)."""
    _SAVED.clear()
