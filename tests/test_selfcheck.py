"""The one self-check helper every course notebook uses for its practice questions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migdata.course.selfcheck import check, verdict, written
from migdata.errors import InvalidInputError


@pytest.mark.parametrize(("answer", "expected", "tolerance", "result"), [
    (" aze ", "AZE", 0.0, "Correct!"),
    ("Yes", "yes", 0.0, "Correct!"),
    ("RUS", "AZE", 0.0, "Not quite. hint"),
    (12.4, 12.0, 0.5, "Correct!"),
    (12.6, 12.0, 0.5, "Not quite. hint"),
    (np.int64(7), 7, 0.0, "Correct!"),
    (7, np.float64(7.0), 0.0, "Correct!"),
    ("1,250", 1250, 0.0, "Correct!"),  # a number typed as text with a thousands separator
    (pd.Series([3.0]), 3, 0.0, "Correct!"),  # a one-cell selection
    (None, 3, 0.0, "Not answered yet. hint"),
    (None, "a", 0.0, "Not answered yet. hint"),
    (True, True, 0.0, "Correct!"),
    (False, True, 0.0, "Not quite. hint"),
])
def test_verdict(answer: object, expected: object, tolerance: float, result: str) -> None:
    assert verdict(answer, expected, tolerance=tolerance, hint="hint") == result


def test_a_table_or_a_word_for_a_number_is_not_quite_and_says_why() -> None:
    message = verdict(pd.Series([1.0, 2.0]), 3, hint="Pick one row.")
    assert message == "Not quite. Give one number, not Series. Pick one row."
    assert verdict("many", 3).startswith("Not quite. Give one number, not str.")


def test_without_hint_the_message_has_no_trailing_space() -> None:
    assert verdict(1, 2) == "Not quite."
    assert verdict(None, 2) == "Not answered yet."


@pytest.mark.parametrize(("expected", "tolerance", "match"), [
    (None, 0.0, "expected answer must be text"),
    (float("nan"), 0.0, r"missing \(NaN\)"),
    ([1, 2], 0.0, "expected answer must be text"),
    (1, -0.1, "tolerance must be a number >= 0, got -0.1"),
    (1, "0.1", "tolerance must be a number >= 0, got '0.1'"),
])
def test_mistakes_in_the_notebook_raise(expected: object, tolerance: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        verdict(1, expected, tolerance=tolerance)  # type: ignore[arg-type]


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    check("b", "a", hint="Look at the table.")
    check("a", "a")
    assert capsys.readouterr().out == "Not quite. Look at the table.\nCorrect!\n"


def test_written(capsys: pytest.CaptureFixture[str]) -> None:
    written("")
    written("Too short.")
    written("The SSC runs the census and already estimates the population every year, so it fits.")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Not answered yet.")
    assert lines[1] == "2 words so far. Write at least 10 words: two or three sentences."
    assert lines[2].startswith("Written (15 words).")
    with pytest.raises(InvalidInputError, match="text between quotes, got None"):
        written(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="min_words must be a whole number >= 1, got 0"):
        written("x", min_words=0)


def test_docstring_examples_hold() -> None:
    import doctest

    from migdata.course import selfcheck

    result = doctest.testmod(selfcheck)
    assert result.attempted >= 4 and result.failed == 0
