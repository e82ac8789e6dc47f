"""Answers as plain text: read the same way by a student's kernel and by the grader.

The student-side magic runs in a real kernel (the one `make lab` gives: the kit's IPython
configuration loads it), so these tests see what a student sees.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbclient import NotebookClient

from migdata.answers import answers_in, header_line, judge, parse_header, read

# ---- reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "form", "whole", "value"), [
    ("62144", "number", True, 62144),
    ("62 144", "number", True, 62144),
    ("62,144", "number", True, 62144),
    ("62.144", "number", True, 62144),
    ("1 234 567", "number", False, 1234567),
    ("0,11", "number", False, 0.11),
    ("0.11", "number", False, 0.11),
    ("−14,2", "number", False, -14.2),
    ("– 3", "number", False, -3),
    ("1,234.5", "number", False, 1234.5),
    ("1.234,5", "number", False, 1234.5),
    ("62144.", "number", True, 62144),
    ("11%", "percent", False, 11),
    ("11,5 %", "percent", False, 11.5),
    ("51%", "share", False, 0.51),
    ("0,51", "share", False, 0.51),
    ("51", "share", False, 0.51),
])
def test_numbers_are_read_as_people_write_them(text: str, form: str, whole: bool,
                                               value: float) -> None:
    reading = read(text, form, whole=whole)
    assert reading.ok, reading.problem
    assert reading.value == pytest.approx(value)


def test_no_form_message_gives_an_example_value() -> None:
    """An example in a message could be the right answer of the question asked."""
    from migdata.answers import FORMS

    for form, message in FORMS.items():
        assert "example" not in message and not any(ch.isdigit() for ch in message), form


@pytest.mark.parametrize(("text", "says"), [
    ("1,234", "could mean either"),       # 1234 or 1.234: the student is asked to choose
    ("twelve", "Write one number"),
    ("12 or 13", "Write one number"),
    ("inf", "Write one number"),
    ("nan", "Write one number"),
])
def test_an_unclear_number_gets_a_plain_sentence(text: str, says: str) -> None:
    reading = read(text, "number")
    assert not reading.ok
    assert says in reading.problem
    assert "Traceback" not in reading.problem and "Error" not in reading.problem


@pytest.mark.parametrize(("text", "form", "whole", "value"), [
    ('"B"', "choice", False, "B"),
    ("«b»", "choice", False, "B"),
    ("“1234”", "number", False, 1234),
    ("'1234'", "number", False, 1234),
    ("%51,4", "percent", False, 51.4),
    ("%51,4", "share", False, 0.514),
    ("12%", "number", False, 12),
    ("53 625 nəfər", "number", True, 53625),
    ("5641 persons", "number", True, 5641),
    ("5641 people", "number", False, 5641),
    ("5641 человек", "number", False, 5641),
    ("-5,641", "number", True, -5641),
    ("the Russian Federation", "country", False, "RUS"),
    ("Almaniya", "country", False, "DEU"),
    ("Azərbaycan Respublikası", "country", False, "AZE"),
    ("Azerbaijan Republic", "country", False, "AZE"),
    ("Dominican Republic", "country", False, "DOM"),
])
def test_common_ways_of_writing_are_accepted(text: str, form: str, whole: bool,
                                             value: object) -> None:
    """Issue 20's student trial: quotes, % first, a unit after a count, long country names."""
    reading = read(text, form, whole=whole)
    assert reading.ok, reading.problem
    assert reading.value == (pytest.approx(value) if isinstance(value, float | int) else value)


def test_still_one_value_per_answer() -> None:
    """Being forgiving never lets two values through as one answer."""
    for text, form in [("12 or 13", "number"), ("12 13 persons", "number"),
                       ('"B" "C"', "choice"), ("12%%", "percent"), ("persons", "number")]:
        assert not read(text, form, options=["x", "y", "z"]).ok, text


def test_an_unreadable_answer_gets_one_sentence_on_the_form_and_no_hint() -> None:
    """The form and a hint together can contradict each other; nothing repeats the text back."""
    ok, message = judge(read("answer = 5\nprint(answer)", "country"), "AZE", form="country")
    assert not ok and message.startswith("Write the name of one country")
    assert "answer" not in message and "print" not in message and message.count(".") == 1
    ok, message = judge(read("twelve", "number"), 12, form="number", hint="Row 2020, Table 7.")
    assert not ok and message == "Write one number (with a decimal comma or point if it has " \
        "decimals)."
    ok, message = judge(read("-5,641", "number"), -5641, form="number")
    assert not ok and message.startswith("Write -5641 for the whole number")
    assert "separator" not in message and "two ways" not in message


def test_invisible_marks_from_a_paste_are_ignored() -> None:
    assert read("\u200bB\u200e", "choice", options=["x", "y"]).value == "B"
    assert read("\u202e62 144\u202c", "number", whole=True).value == 62144
    assert read("\ufeffAzerbaijan", "country").value == "AZE"


def test_a_whole_number_refuses_a_fraction() -> None:
    assert read("12,5", "number", whole=True).problem == "Write a whole number, without decimals."


@pytest.mark.parametrize("text", ["Azerbaijan", "AZE", "az", "Azərbaycan", "Азербайджан",
                                  "აზერბაიჯანი", "azerbaijan "])
def test_countries_in_the_region_s_languages(text: str) -> None:
    assert read(text, "country").value == "AZE"


def test_choices_yes_no_and_text() -> None:
    options = ["a census", "a register", "a survey"]
    for text in ("B", "b", "(b)", "B)", "b.", "a register", "A Register."):
        assert read(text, "choice", options=options).value == "B", text
    assert not read("D", "choice", options=options).ok
    # an option whose text ends in a bracket is still found by its text
    assert read("registered moves (Geostat)", "choice",
                options=["a census", "registered moves (Geostat)"]).value == "B"
    assert read("SMS, MIA", "choices").value == ["MIA", "SMS"]
    assert read("MIA and SMS", "choices").value == ["MIA", "SMS"]
    assert read("MIA və SMS", "choices").value == ["MIA", "SMS"]
    assert read("да", "yesno").value is True
    assert read("xeyr", "yesno").value is False
    assert judge(read(" iamas. ", "text"), "IAMAS", form="text")[0]


def test_judging_says_correct_or_not_quite_with_the_hint() -> None:
    assert judge(read("0,11", "number"), 0.114, form="number", tolerance=0.005) == (
        True, "Correct!")
    ok, message = judge(read("0,2", "number"), 0.114, form="number", tolerance=0.005,
                        hint="Row 2020.")
    assert not ok and message == "Not quite. Row 2020."
    ok, message = judge(read("", "number"), 1, form="number")
    assert not ok and message.startswith("Not answered yet.")
    assert judge(read("Russia", "country"), "RUS", form="country")[0]
    assert not judge(read("Georgia", "country"), "RUS", form="country")[0]
    assert judge(read("SMS, MIA", "choices"), {"MIA", "SMS"}, form="choices")[0]
    assert not judge(read("SMS", "choices"), {"MIA", "SMS"}, form="choices")[0]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.text(max_size=200), form=st.sampled_from(
    ["number", "percent", "share", "country", "choice", "choices", "yesno", "text"]))
def test_no_text_makes_a_reader_raise(text: str, form: str) -> None:
    reading = read(text, form, options=["x", "y"])
    assert reading.ok or reading.empty or reading.problem
    if reading.ok:
        judge(reading, {"number": 1, "percent": 1, "share": 0.5, "country": "AZE",
                        "choice": "A", "choices": ["A"], "yesno": True, "text": "x"}[form],
              form=form, options=["x", "y"])


# ---- answer cells in a saved notebook (what the grader reads) ----------------------------------


def test_answers_are_found_in_a_notebook_read_as_json() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Q1"),
        nbformat.v4.new_code_cell(header_line("A1", "number") + "\n 62 144 \n"),
        nbformat.v4.new_code_cell("x = 1  # scratch work, never read"),
        nbformat.v4.new_code_cell(header_line("Q4", "choice", ["A", "B"]) + "\nb"),
        nbformat.v4.new_code_cell(header_line("A1", "number") + "\n999"),
    ]
    found = answers_in(json.loads(nbformat.writes(nb)))
    assert sorted(found) == ["A1", "Q4"]
    assert found["A1"].text == "62 144" and found["A1"].form == "number"
    assert found["A1"].notes and "only the first answer is read" in found["A1"].notes[0]
    assert found["Q4"].text == "b"
    assert parse_header("%%answer Q4 choice A B").options == ("A", "B")


@pytest.mark.parametrize("odd", [
    None, [], "text", 3, {"cells": {}}, {"cells": [None, 1, "x", [], {"source": 5}]},
    {"cells": [{"cell_type": "code", "source": ["%%answer A1 number\n", 7]}]},
    {"cells": [{"cell_type": "code", "metadata": [], "source": "%%answer A1 number\n5"}]},
    {"cells": [{"source": "%%answer A1 number\n" + "9" * 100_000}]},
])
def test_any_json_is_read_without_raising(odd: object) -> None:
    found = answers_in(odd)
    assert isinstance(found, dict)
    for answer in found.values():
        assert isinstance(answer.text, str) and len(answer.text) <= 20_000


# ---- the %%answer magic in a real kernel -------------------------------------------------------


def _run(cells: list[str]) -> list[str]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = []
    for cell in nb.cells:
        assert all(o.output_type == "stream" for o in cell.outputs), cell.outputs
        outputs.append(" ".join("".join(o.text for o in cell.outputs).split()))
    return outputs


@pytest.mark.notebooks
def test_a_student_answers_in_plain_text_and_never_sees_a_traceback() -> None:
    key = ("from migdata.classroom.answering import discussion, question\n"
           "question('P1', 'AZE', form='country', hint='Look at Table 3.')\n"
           "question('P2', 0.114, form='number', tolerance=0.005)\n"
           "question('P3', 'B', form='choice', options=['a census', 'a register'])\n"
           "discussion('P4', min_words=5)")
    said = _run([
        "%%answer P1 country\nAzərbaycan",          # before the key: saved, run the cells above
        key,
        "%%answer P1 country\nAzərbaycan",
        "%%answer P1 country\nGeorgia",
        "%%answer P2 number\n0,11",
        "%%answer P2 number\ntwelve",
        "%%answer P3 choice A B\nb",
        "%%answer P3 choice A B\n",
        '%%answer P4 text\nThe SSC "publishes" what the MIA and SMS register.',
        "%%answer A1 number\n62 144",               # a graded question: saved only
        "%%answer garbled\nB",
        "%%answer p3 choice A B\n\"B\"",             # an id in small letters, in quotes
        "%%answer P3 choice A B\nanswer = 5\nprint(answer)",
        "%%answer P1 country\n" + "Azerbaijan, the country whose figures we study " * 3,
    ])
    assert said[0].startswith("Saved: Azerbaijan (AZE). To check it, run the cells above")
    assert said[1] == ""
    assert said[2] == "Correct!"
    assert said[3] == "Not quite. Look at Table 3."
    assert said[4] == "Correct!"
    assert said[5] == ("Write one number (with a decimal comma or point if it has decimals).")
    assert said[6] == "Correct!"
    assert said[7].startswith("Not answered yet.")
    assert said[8].startswith("Written (9 words)")
    assert said[9].startswith("Saved: 62,144. Save the notebook")
    assert said[10].startswith("The first line of this answer cell was changed")
    assert "Ctrl+Z) to get the first line back" in said[10] and "%%answer P1" not in said[10]
    assert said[11] == "Correct!"
    assert said[12] == "Write the letter of one option: A or B."
    assert said[13].startswith("Write the name of one country")
    assert "Azerbaijan, the" not in said[13]


def test_a_long_message_is_one_line_the_page_wraps(capsys: pytest.CaptureFixture[str]) -> None:
    """A message hard-wrapped at 90 characters wraps again in a narrow output area."""
    from migdata.classroom.answering import answer, question

    question("P91", "B", form="choice", options=["a census", "a register"],
             hint="Look again at the second paragraph of the section on population registers, "
                  "then at the row for emigration in the last column of Table 7.")
    answer("P91 choice A B", "a\n")
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and len(printed) > 100
    assert printed.startswith("Not quite. Look again")


@pytest.mark.notebooks
def test_an_answer_without_its_first_line_gets_one_sentence_not_a_traceback() -> None:
    """The %%answer line deleted by mistake: a word, a letter or a number is an unknown name or a
    bare value to Python; the student reads one sentence, and Python in a cell still works."""
    cells = ["Armenia", "B", "Azərbaycan", "62144", "-4.5", "62 144", "x = 5\nx",
             "undefined_name + 1", "print(undefined_name)", '"B"']
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    said = [" ".join("".join(o.get("text", "") for o in c.outputs
                             if o.output_type == "stream").split()) for c in nb.cells]
    errors = [[o for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    for i in (0, 1, 2, 3, 4, 9):  # a word, a letter, a name, numbers, a quoted letter
        assert said[i].startswith("If this cell holds your answer, its first line"), said[i]
        assert not errors[i]
    assert said[0].endswith("(Python says: name 'Armenia' is not defined.)")
    assert said[5].startswith("This cell is not Python") and not errors[5]
    # a cell meant as Python: the value shown, no sentence; Python's own errors as always
    assert said[6] == "" and nb.cells[6].outputs[0]["data"]["text/plain"] == "5"
    assert errors[7] and errors[7][0]["ename"] == "NameError" and said[7] == ""
    assert errors[8] and errors[8][0]["ename"] == "NameError" and said[8] == ""
