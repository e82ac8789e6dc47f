"""The one self-check helper every course notebook uses for its practice questions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migdata.classroom.selfcheck import FORMATS, check, choice, choice_verdict, verdict, written
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


# Words that only a programmer knows: feedback never contains them.
TYPE_WORDS = ("Series", "DataFrame", "str", "int", "float", "list", "dict", "NoneType", "bool",
              "ndarray", "object", "type")


def _plain(message: str) -> bool:
    words = set(message.replace(".", " ").replace(",", " ").replace(":", " ").split())
    return not words & set(TYPE_WORDS)


def test_a_table_or_a_word_for_a_number_is_not_quite_and_says_the_format() -> None:
    message = verdict(pd.Series([1.0, 2.0]), 3, hint="Pick one row.")
    assert message == f"Not quite. {FORMATS['number']} Pick one row."
    assert verdict("many", 3) == f"Not quite. {FORMATS['number']}"
    assert _plain(message) and "62,144" in message


@pytest.mark.parametrize("answer", [0.51, "0.51", "51%", "51 %", 51, "51", 51.0, "0,51",
                                    np.float64(0.5103), "51.0%"])
def test_a_share_in_any_usual_form_is_accepted(answer: object) -> None:
    assert verdict(answer, 0.5103, kind="share") == "Correct!"


@pytest.mark.parametrize(("answer", "result"), [
    (0.49, "Not quite. hint"),
    ("49%", "Not quite. hint"),
    (5.1, "Not quite. hint"),  # 5.1 % is not 51 %
    ("about half", f"Not quite. {FORMATS['share']} hint"),
    ([0.51], f"Not quite. {FORMATS['share']} hint"),
    (None, "Not answered yet. hint"),
])
def test_a_wrong_share_or_form_is_not_quite(answer: object, result: str) -> None:
    assert verdict(answer, 0.5103, kind="share", hint="hint") == result


def test_share_tolerance_is_in_fraction_units() -> None:
    assert verdict("50%", 0.5103, kind="share") == "Not quite."
    assert verdict("50%", 0.5103, kind="share", tolerance=0.02) == "Correct!"
    assert verdict("-5%", -0.05, kind="share") == "Correct!"


@pytest.mark.parametrize("answer", ["Azerbaijan", "AZE", "aze", "AZ", " azerbaijan "])
def test_a_country_by_name_or_code_is_accepted(answer: str) -> None:
    assert verdict(answer, "AZE", kind="country") == "Correct!"
    assert verdict(answer, "Azerbaijan", kind="country") == "Correct!"


def test_a_wrong_country_or_form() -> None:
    assert verdict("Russia", "AZE", kind="country", hint="h") == "Not quite. h"
    assert verdict("RUS", "Russian Federation", kind="country") == "Correct!"
    assert verdict("Atlantis", "AZE", kind="country") == f"Not quite. {FORMATS['country']}"
    assert verdict(31, "AZE", kind="country") == f"Not quite. {FORMATS['country']}"


@pytest.mark.parametrize("answer", [62144, "62,144", "62144", "62 144", 62144.0, "62144.0",
                                    np.int64(62144)])
def test_a_number_in_any_usual_form_is_accepted(answer: object) -> None:
    assert verdict(answer, 62144, kind="number") == "Correct!"
    assert verdict(answer, 62144) == "Correct!"


def test_number_forms() -> None:
    assert verdict("12,5", 12.5, kind="number") == "Correct!"  # a decimal comma
    assert verdict("−3.1", -3.1, kind="number") == "Correct!"  # a typographic minus
    assert verdict("62,143", 62144, kind="number") == "Not quite."
    assert verdict(True, 1, kind="number") == f"Not quite. {FORMATS['number']}"


def test_truth_values_and_text() -> None:
    assert verdict("yes", True) == "Correct!"
    assert verdict("False", True) == "Not quite."
    assert verdict([True], True) == f"Not quite. {FORMATS['truth']}"
    assert verdict(["a"], "a") == f"Not quite. {FORMATS['text']}"
    assert verdict("census", "Census", kind="text") == "Correct!"


def test_every_format_message_is_plain_words() -> None:
    assert all(_plain(message) for message in FORMATS.values())
    cases = [(pd.Series([1, 2]), 3, None), (pd.DataFrame({"a": [1]}), 3, None),
             ({"a": 1}, 0.5, "share"), ("x", 3, "number"), (3, "AZE", "country"),
             (object(), "a", None)]
    for answer, expected, kind in cases:
        message = verdict(answer, expected, kind=kind)
        assert message.startswith("Not quite.") and _plain(message), message


def test_choice_by_letter_or_text() -> None:
    options = ["a population census", "a population register", "a border survey"]
    assert choice_verdict("B", options, "a population register") == "Correct!"
    assert choice_verdict("b", options, "B") == "Correct!"
    assert choice_verdict("b)", options, "B") == "Correct!"
    assert choice_verdict("A Population Register", options, "B") == "Correct!"
    assert choice_verdict("A", options, "B", hint="h") == "Not quite. h"
    assert choice_verdict(None, options, "B", hint="h") == "Not answered yet. h"
    wrong = choice_verdict("D", options, "B")
    assert wrong.startswith("Not quite. Write the letter of one option") and "A, B or C" in wrong
    assert _plain(wrong) and _plain(choice_verdict(2, options, "B"))
    assert choice_verdict("Y", {"X": "yes", "Y": "no"}, "no") == "Correct!"


@pytest.mark.parametrize(("options", "expected", "match"), [
    (["one"], "A", "two or more"),
    (["one", "one"], "A", "differ"),
    (["one", "two"], "C", "not one of the options"),
    ("one", "A", "list of texts"),
])
def test_choice_mistakes_in_the_notebook_raise(options: object, expected: str, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        choice_verdict("A", options, expected)  # type: ignore[arg-type]


def test_choice_prints(capsys: pytest.CaptureFixture[str]) -> None:
    choice("a", ["x", "y"], "A")
    assert capsys.readouterr().out == "Correct!\n"


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


def test_a_long_message_is_printed_in_short_lines(capsys: pytest.CaptureFixture[str]) -> None:
    hint = "Find the row of geostat_migration in Table 1 and read its number of rows, then retry."
    check("many", 3, kind="number", hint=hint)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line) <= 90 for line in lines)
    assert " ".join(lines) == verdict("many", 3, kind="number", hint=hint)


def test_written(capsys: pytest.CaptureFixture[str]) -> None:
    written("")
    written("Too short.")
    written("The SSC runs the census and already estimates the population every year, so it fits.")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Not answered yet.")
    assert lines[1] == "2 words so far. Write at least 10 words: two or three sentences."
    assert lines[2].startswith("Written (15 words).")
    # a student's answer of any kind prints a message and never stops "Run All"
    written(None)  # type: ignore[arg-type]
    written(42)  # type: ignore[arg-type]
    none_line, number_line = capsys.readouterr().out.splitlines()
    assert none_line.startswith("Not answered yet.") and "between quotes" in none_line
    assert number_line.startswith("Not quite.") and "text between quotes" in number_line
    assert "str" not in number_line and "int" not in number_line.split()
    with pytest.raises(InvalidInputError, match="min_words must be a whole number >= 1, got 0"):
        written("x", min_words=0)


def test_docstring_examples_hold() -> None:
    import doctest

    from migdata.classroom import selfcheck

    result = doctest.testmod(selfcheck)
    assert result.attempted >= 7 and result.failed == 0
