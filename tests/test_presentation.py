"""The course as a student who is not a programmer sees it (issue 11).

For every course notebook (:data:`CONVERTED`: all of ``notebooks/*.ipynb``, which follow the
presentation rules in ``notebooks/README.md``, written with :mod:`migdata.classroom.display`):

- little visible code: at most :data:`MAX_VISIBLE_LINES` lines of code in cells without
  ``jupyter.source_hidden`` metadata, and no visible cell longer than :data:`MAX_CELL_LINES`;
- after a run in a fresh kernel, offline: no printed prose and no printed line longer than
  :data:`MAX_PRINTED_CHARS`; no table cell cut with "..." or "…"; no "nan%" or other raw gaps in
  tables; no count printed as a float ("62144.0");
- every practice question is an ``%%answer P<n> <form>`` cell (plain text, no Python) with its
  key given in a folded cell above it (``question(...)`` or ``discussion(...)`` of
  :mod:`migdata.classroom.answering`). The test takes the notebook as a student does, in one
  kernel: it answers every question before "Run All" (saved, with a note to run the cells
  above), runs the notebook, then for each question sets the answer cell's text to a right
  answer written in two ways (decimal comma and point, a country's name and its code, a small
  letter), a wrong answer and a slip (words for a number, a number with %, an unknown country, a
  letter that is not an option), runs the cell and reads the one sentence; after a kernel
  restart it answers once more. The right and wrong texts are made from the key, in the kernel.

A new notebook is checked as soon as it is added to ``notebooks/``.
``python tests/test_presentation.py`` prints the visible code lines of every notebook.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat
import pytest

from migdata.answers import FORMS

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"

#: The notebooks checked: every course notebook (all follow the presentation rules).
CONVERTED = [p.stem for p in sorted(NB_DIR.glob("*.ipynb"))]

MAX_VISIBLE_LINES = 25
MAX_CELL_LINES = 6
MAX_PRINTED_CHARS = 100
#: Seconds one notebook may take, kernel start included.
MAX_SECONDS = 120

#: Lines the answer cells print (migdata.classroom.answering); any other printed text is prose.
SELFCHECK_LINE = re.compile(
    r"^(Correct!|Not quite\.|Not answered yet\.|Written \(\d+ words\)|\d+ words? so far\.|Saved: "
    r"|Write )"
)
#: Words that only a programmer knows; feedback must not contain them.
TYPE_WORDS = {"Series", "DataFrame", "str", "int", "float", "list", "dict", "NoneType", "bool",
              "ndarray", "tuple", "object", "type", "TypeError", "ValueError", "KeyError",
              "Traceback", "Error", "None", "np", "float64"}
#: Packages of the lecturers', maintainers' and researchers' extras: the notebooks run without them,
#: as in a student's `make lab` (the kernel of the test cannot import them).
NOT_FOR_STUDENTS = ("plotly", "frictionless", "nbgrader", "pyarrow")
_HEADER = re.compile(r"^%%answer[ \t]+(P\d+)[ \t]+(\w+)((?:[ \t]+[A-Z])*)[ \t]*$")
_KEY = re.compile(r"^(?:question|discussion)\(\s*\"(P\d+)\"", flags=re.MULTILINE)
_CUT = re.compile(r"…|\.\.\.")
_FLOAT_COUNT = re.compile(r"(?<![\d.,])(?:\d{4,}|\d{1,3}(?:,\d{3})+)\.0(?![\d])")
_RAW_GAP = re.compile(r">\s*(?:nan|NaN|None|<NA>|&lt;NA&gt;|NaT)\s*<")


def _path(stem: str) -> Path:
    return NB_DIR / f"{stem}.ipynb"


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def is_hidden(cell: nbformat.NotebookNode) -> bool:
    """True if JupyterLab shows the cell's source collapsed (one click opens it)."""
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False))


def code_lines(cell: nbformat.NotebookNode) -> int:
    """Lines of code a reader sees in a cell: every line that is not blank."""
    return sum(1 for line in cell.source.splitlines() if line.strip())


def visible_code_lines(path: Path) -> tuple[int, int]:
    """(visible code lines in the notebook, lines of its longest visible code cell)."""
    cells = [c for c in _read(path).cells if c.cell_type == "code" and not is_hidden(c)]
    sizes = [code_lines(c) for c in cells] or [0]
    return sum(sizes), max(sizes)


def practice_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(cell index, question id, form) of every practice answer cell (``%%answer P<n> <form>``)."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.lstrip().startswith("%%answer"):
            header = _HEADER.match(cell.source.splitlines()[0])
            found.append((i, header.group(1), header.group(2)) if header else (i, "", ""))
    return found


def _plain_words(message: str) -> bool:
    """True if a message names no type of a programming language and shows no call."""
    return not (set(re.findall(r"[A-Za-z]+", message)) & TYPE_WORDS
                or re.search(r"\w\(|\[['\"]|\bquotes\b", message))


def test_the_converted_list_names_real_notebooks() -> None:
    assert CONVERTED, "no notebook is converted yet"
    missing = [stem for stem in CONVERTED if not _path(stem).is_file()]
    assert not missing, f"CONVERTED names notebooks that do not exist: {missing}"


def test_the_visible_code_count_sees_hidden_cells(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    folded = {"jupyter": {"source_hidden": True}}
    nb.cells = [nbformat.v4.new_code_cell("a = 1\n\nb = 2"),
                nbformat.v4.new_code_cell("x\n" * 30, metadata=folded),
                nbformat.v4.new_markdown_cell("text\n" * 50)]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert visible_code_lines(path) == (2, 2)


@pytest.mark.parametrize("stem", CONVERTED)
def test_a_student_sees_little_code(stem: str) -> None:
    nb = _read(_path(stem))
    visible = [(i, code_lines(c)) for i, c in enumerate(nb.cells)
               if c.cell_type == "code" and not is_hidden(c)]
    total = sum(n for _, n in visible)
    assert total <= MAX_VISIBLE_LINES, (
        f"{stem} shows {total} lines of code (at most {MAX_VISIBLE_LINES}): hide the cells that "
        'build tables and charts with metadata {"jupyter": {"source_hidden": true}}'
    )
    long = [(i, n) for i, n in visible if n > MAX_CELL_LINES]
    assert not long, f"{stem}: visible code cells longer than {MAX_CELL_LINES} lines: {long}"


@pytest.mark.parametrize("stem", CONVERTED)
def test_every_practice_question_has_a_key_and_an_answer_cell(stem: str) -> None:
    nb = _read(_path(stem))
    asked = practice_cells(nb)
    if stem != "00_start_here":
        assert len(asked) >= 3, f"{stem}: fewer than three practice questions"
    keys = {m.group(1): i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for m in _KEY.finditer(c.source)}
    for i, qid, form in asked:
        cell = nb.cells[i]
        assert qid, f"{stem} cell {i}: the first line must read like %%answer P1 number"
        assert form in FORMS, f"{stem} cell {i}: unknown form {form!r}"
        assert not is_hidden(cell), f"{stem} cell {i}: the answer cell must be visible"
        assert not "".join(cell.source.splitlines()[1:]).strip(), (
            f"{stem} cell {i}: an answer cell is committed empty (no example answer)")
        assert qid in keys and keys[qid] < i, f"{stem} {qid}: no key (question/discussion) above"
        assert is_hidden(nb.cells[keys[qid]]), f"{stem} {qid}: the key cell must be folded"
        # the question's text, just above, says what form of answer is expected and shows no
        # example in code style (an example may be read as the answer, or be a wrong one)
        text = next(c.source for c in reversed(nb.cells[:i]) if c.cell_type == "markdown")
        assert re.search(r"\b(Answer|answer with|Write)\b", text), (
            f"{stem} {qid}: the form is not stated")
        assert not re.search(r'`"|\bNone\b|between quotes|\bin quotes', text), (
            f"{stem} {qid}: the question still asks for Python: {text[-120:]!r}")
        letters = re.findall(r"^- \*\*([A-Z])\.\*\* ", text, flags=re.MULTILINE)
        assert not re.search(r"^- (?:[A-Da-d][:)]|[A-D]\. )", text, flags=re.MULTILINE), (
            f"{stem} {qid}: write options as '- **A.** text'")
        if form == "choice" and letters:
            header = _HEADER.match(cell.source.splitlines()[0])
            assert header.group(3).split() == letters, f"{stem} {qid}: letters differ"
    ids = [qid for _, qid, _ in asked]
    assert ids == [f"P{n}" for n in range(1, len(ids) + 1)], ids


#: Run before a notebook taken as a student: the texts a student could write for a question,
#: made from its key (right answers in two writings, a wrong answer, a slip of form).
PROBE = r'''
def _migdata_probe(qid):
    import json, math
    from migdata.classroom.answering import _KEYS
    from migdata.countries import country_name, to_iso3
    key = _KEYS[qid]
    def number(x, decimals, comma):
        text = f"{abs(x):,.{decimals}f}" if not comma else f"{abs(x):,.{decimals}f}".replace(
            ",", " ").replace(".", ",")
        if not key.whole and decimals == 0:
            text = text.replace(",", "").replace(" ", "")
        return ("−" if x < 0 else "") + text
    if key.expected is None:  # a discussion
        texts = {"right": 'The SSC "publishes" what the MIA and the SMS register, so we '
                          "compare the two sources with care.",
                 "wrong": "Not sure.", "slip": ""}
    elif key.form in ("number", "percent"):
        x = float(key.expected)
        d = 0 if key.whole or key.tolerance >= 1 else (
            max(0, -math.floor(math.log10(key.tolerance))) if key.tolerance else 6)
        sign = "%" if key.form == "percent" else ""
        texts = {"right": number(x, d, True) + sign, "right2": number(x, d, False),
                 "wrong": number(x * 2 + 1000 if x >= 0 else x * 2 - 1000, d, False),
                 "slip": "about twelve"}
    elif key.form == "share":
        x = float(key.expected)
        texts = {"right": f"{x * 100:.1f}%".replace(".", ","), "right2": f"{x:.3f}",
                 "wrong": f"{(x + 0.3) % 1:.2f}", "slip": "half"}
    elif key.form == "country":
        code = to_iso3(str(key.expected))
        other = "Japan" if code != "JPN" else "Peru"
        texts = {"right": country_name(code), "right2": code.lower(), "wrong": other,
                 "slip": "Atlantis"}
    elif key.form == "choice":
        letters = [chr(65 + i) for i in range(len(key.options))]
        right = next(letter for letter, option in zip(letters, key.options)
                     if str(key.expected).strip() in (letter, option))
        wrong = next(letter for letter in letters if letter != right)
        texts = {"right": right.lower(), "right2": f"{right}.", "wrong": wrong, "slip": "Z"}
    elif key.form == "yesno":
        texts = {"right": "yes" if key.expected else "no", "right2": "Yes." if key.expected
                 else "No.", "wrong": "no" if key.expected else "yes", "slip": "maybe"}
    else:
        texts = {"right": str(key.expected), "wrong": "nothing", "slip": ""}
    print(json.dumps(texts))
'''


#: An answer of each form, written before the key has run (before Run All, after a restart).
EARLY = {"number": "12", "percent": "12,5%", "share": "0,5", "country": "Azərbaycan",
         "choice": "b", "choices": "A, B", "yesno": "да", "text": "A short answer."}


def _said(cell: nbformat.NotebookNode) -> str:
    """What an answer cell told the student: its printed text on one line, or the error."""
    errors = [o for o in cell.outputs if o.output_type == "error"]
    if errors:
        return f"ERROR {errors[0].ename}: {errors[0].evalue}"
    others = [o for o in cell.outputs if o.output_type != "stream" or o.name != "stdout"]
    text = " ".join("".join(o.text for o in cell.outputs
                            if o.output_type == "stream" and o.name == "stdout").split())
    return text if not others else f"OTHER OUTPUT {others[0].output_type}: {text}"


def take_as_student(stem: str) -> tuple[nbformat.NotebookNode, list[dict]]:
    """Take a notebook as a student does, in one kernel, and record what each answer cell said.

    Before "Run All": every answer cell with a plausible answer. Then every cell in order; after
    each answer cell (empty, as committed), its right, wrong and slipped answers. Then a kernel
    restart and each answer cell once more. Returns the run notebook (committed cells only)
    and one record per answer: question id, form, when, role, text, and what was said.
    """
    import json

    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient

    from test_notebooks import NO_NETWORK

    original = _read(_path(stem))
    nb = copy.deepcopy(original)
    client = NotebookClient(nb, timeout=MAX_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(NB_DIR)}})
    block = f"import sys\nfor _name in {NOT_FOR_STUDENTS!r}:\n    sys.modules[_name] = None\n"
    records: list[dict] = []
    asked = practice_cells(nb)
    early = EARLY

    def answer(i: int, qid: str, form: str, when: str, role: str, text: str) -> None:
        cell = copy.deepcopy(original.cells[i])
        cell.source = cell.source.splitlines()[0] + "\n" + text
        client.execute_cell(cell, i)
        records.append({"qid": qid, "form": form, "when": when, "role": role, "text": text,
                        "said": _said(cell)})

    client.reset_execution_trackers()
    with client.setup_kernel():
        for i, qid, form in asked:  # before Run All: nothing above has run
            answer(i, qid, form, "before", "early", early.get(form, "B"))
        setup = nbformat.v4.new_code_cell(NO_NETWORK + block + PROBE)
        client.execute_cell(setup, 0)
        assert not setup.outputs, setup.outputs
        forms = {i: (qid, form) for i, qid, form in asked}
        ran = []
        for i, committed in enumerate(original.cells):
            cell = copy.deepcopy(committed)
            client.execute_cell(cell, i)
            ran.append(cell)
            if i not in forms:
                continue
            qid, form = forms[i]
            records.append({"qid": qid, "form": form, "when": "run all", "role": "empty",
                            "text": "", "said": _said(cell)})
            probe = nbformat.v4.new_code_cell(f"_migdata_probe({qid!r})")
            client.execute_cell(probe, i)
            texts = json.loads("".join(o.text for o in probe.outputs if o.output_type == "stream"))
            for role, text in texts.items():
                answer(i, qid, form, "run all", role, text)
        run_sync(client.km.restart_kernel)()
        run_sync(client.kc.wait_for_ready)(timeout=60)
        for i, qid, form in asked:  # after a restart: the keys are gone, the magic is not
            answer(i, qid, form, "restart", "early", early.get(form, "B"))
    done = copy.deepcopy(original)
    done.cells = ran
    return done, records


@pytest.fixture(scope="module")
def executed() -> dict[str, tuple[nbformat.NotebookNode, list[dict]]]:
    """Each notebook taken as a student, offline, once (lazily)."""

    class Runs(dict):
        def __missing__(self, stem: str) -> tuple[nbformat.NotebookNode, list[dict]]:
            self[stem] = take_as_student(stem)
            return self[stem]

    return Runs()

def _texts(output: nbformat.NotebookNode) -> dict[str, str]:
    if output.output_type == "stream":
        return {f"stream:{output.name}": output.text}
    data = output.get("data", {})
    return {mime: value if isinstance(value, str) else "".join(value)
            for mime, value in data.items() if mime.startswith("text/")}


def _float_count_columns(html: str) -> list[list[str]]:
    """Columns of an HTML table whose every figure is a whole number written as a float.

    "62,144.0" in a column of 2,969.8 and -12,070.1 is a rounded value; a column of 62144.0,
    1250.0... is a count shown as a float.
    """
    found = []
    for table in re.findall(r"<table.*?</table>", html, flags=re.DOTALL):
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
                for row in re.findall(r"<tr.*?</tr>", table, flags=re.DOTALL)]
        width = max((len(r) for r in rows), default=0)
        for j in range(width):
            cells = [r[j].strip() for r in rows if len(r) == width]
            figures = [c for c in cells if re.fullmatch(r"-?[\d,]+(?:\.\d+)?", c)]
            if figures and all(c.endswith(".0") for c in figures) \
                    and any(_FLOAT_COUNT.search(c) for c in figures):
                found.append(figures)
    return found


def output_problems(nb: nbformat.NotebookNode) -> list[str]:
    """What a student should not see in the outputs of a run notebook."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        selfcheck = cell.source.lstrip().startswith("%%answer")
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"cell {i}: error {output.ename}: {output.evalue}")
                continue
            for mime, text in _texts(output).items():
                where = f"cell {i} ({mime})"
                if "nan%" in text.lower():
                    problems.append(f"{where}: 'nan%'")
                shown_as_html = mime == "text/plain" and "text/html" in output.get("data", {})
                if mime == "text/html" and "<table" in text:
                    problems += [f"{where}: counts as floats in a column: {cells[:3]}"
                                 for cells in _float_count_columns(text)]
                elif not shown_as_html and _FLOAT_COUNT.search(text):
                    problems.append(f"{where}: a count as a float: "
                                    f"{_FLOAT_COUNT.search(text).group()!r}")
                if mime == "stream:stderr":
                    problems.append(f"{where}: warnings or errors shown: {text[:120]!r}")
                if mime.startswith("stream"):
                    for line in text.splitlines():
                        if len(line) > MAX_PRINTED_CHARS:
                            problems.append(f"{where}: a printed line of {len(line)} characters")
                        elif (len(re.findall(r"[A-Za-z]{2,}", line)) >= 3
                              and not SELFCHECK_LINE.match(line) and not selfcheck):
                            problems.append(f"{where}: printed prose (use Markdown): {line!r}")
                if mime == "text/html" and "<table" in text:
                    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", text, flags=re.DOTALL)
                    cut = [c for c in cells if _CUT.search(c)]
                    if cut:
                        problems.append(f"{where}: table cells cut with '...': {cut[:3]}")
                    if _RAW_GAP.search(text):
                        problems.append(f"{where}: a gap shown as {_RAW_GAP.search(text).group()}"
                                        " (show 'no data')")
                if mime == "text/plain" and "text/html" not in output.get("data", {}) \
                        and _CUT.search(text) and re.search(r"\n.*\s{2,}", text):
                    problems.append(f"{where}: a text table cut with '...'")
    return problems


def test_output_checks_find_the_problems_of_issue_11() -> None:
    def cell(*outputs: dict) -> nbformat.NotebookNode:
        code = nbformat.v4.new_code_cell("x")
        code.outputs = [nbformat.from_dict(o) for o in outputs]
        return code

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell({"output_type": "stream", "name": "stdout",
              "text": "Caveats: the census counts people where they usually live\n"}),
        cell({"output_type": "stream", "name": "stdout", "text": "x" * 120 + "\n"}),
        cell({"output_type": "display_data", "metadata": {},
              "data": {"text/html": "<table><tr><td>A person who changes…</td><td>nan%</td>"
                                    "<td>NaN</td></tr></table>", "text/plain": "t"}}),
        cell({"output_type": "execute_result", "execution_count": 1, "metadata": {},
              "data": {"text/plain": "count    62144.0"}}),
        cell({"output_type": "display_data", "metadata": {},
              "data": {"text/html": "<table><tr><td>1,250.0</td><td>-5,641.0</td></tr>"
                                    "<tr><td>62,144.0</td><td>2,969.8</td></tr></table>",
                       "text/plain": "t"}}),
        cell({"output_type": "stream", "name": "stdout", "text": "Correct!\nNot quite. Hint.\n"}),
    ]
    found = "\n".join(output_problems(nb))
    for expected in ("printed prose", "a printed line of 120", "cut with '...'", "'nan%'",
                     "gap shown as", "'62144.0'", "counts as floats in a column: ['1,250.0'"):
        assert expected in found, (expected, found)
    assert "cell 5" not in found and "2,969.8" not in found and "5,641.0" not in found


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", CONVERTED)
def test_outputs_are_readable(stem: str, executed: dict) -> None:
    problems = output_problems(executed[stem][0])
    assert not problems, f"{stem}:\n" + "\n".join(problems)


def verdict_problems(records: list[dict]) -> list[str]:
    """What is wrong in what the answer cells said (one plain sentence each, as designed)."""
    problems = []
    for r in records:
        said, where = r["said"], f"{r['qid']} {r['when']} {r['role']} {r['text']!r}"
        if said.startswith(("ERROR", "OTHER OUTPUT")) or not said:
            problems.append(f"{where}: {said or 'nothing said'}")
            continue
        if not _plain_words(said):
            problems.append(f"{where}: the message names code: {said!r}")
        discussion = r["form"] == "text"
        if r["when"] in ("before", "restart"):
            if not said.startswith("Saved: ") or "run the cells above" not in said:
                problems.append(f"{where}: expected 'Saved: ... run the cells above', got {said!r}")
        elif r["role"] == "empty":
            if not said.startswith("Not answered yet."):
                problems.append(f"{where}: got {said!r}")
        elif r["role"] in ("right", "right2"):
            ok = said.startswith("Written (") if discussion else said == "Correct!"
            if not ok:
                problems.append(f"{where}: a right answer got {said!r}")
        elif r["role"] == "wrong":
            ok = re.match(r"\d+ words so far\. Write at least", said) if discussion else (
                said.startswith("Not quite.") and len(said) > len("Not quite. ") + 10)
            if not ok:
                problems.append(f"{where}: a wrong answer got {said!r} (a hint is needed)")
        elif r["role"] == "slip":
            # one sentence saying what form is expected, without the hint (issue 20)
            ok = said.startswith("Not answered yet.") if discussion else said.startswith("Write ")
            if not ok:
                problems.append(f"{where}: a slip got {said!r} (say what form is expected)")
    return problems


def test_verdict_checks_find_a_traceback_and_a_silent_cell() -> None:
    records = [
        {"qid": "P1", "form": "number", "when": "run all", "role": "right", "text": "1",
         "said": "ERROR NameError: name 'check' is not defined"},
        {"qid": "P1", "form": "number", "when": "run all", "role": "wrong", "text": "2",
         "said": "Not quite."},
        {"qid": "P2", "form": "choice", "when": "before", "role": "early", "text": "b",
         "said": ""},
        {"qid": "P3", "form": "number", "when": "run all", "role": "slip", "text": "x",
         "said": "Write one number. TypeError"},
    ]
    found = "\n".join(verdict_problems(records))
    for expected in ("NameError", "a hint is needed", "nothing said", "names code"):
        assert expected in found, (expected, found)


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", CONVERTED)
def test_practice_questions_answered_as_a_student_get_one_plain_sentence(
    stem: str, executed: dict
) -> None:
    _, records = executed[stem]
    asked = practice_cells(_read(_path(stem)))
    seen = {(r["qid"], r["when"], r["role"]) for r in records}
    for _, qid, form in asked:
        roles = {"empty", "right", "wrong", "slip"} | ({"right2"} if form != "text" else set())
        for role in roles:
            assert (qid, "run all", role) in seen, f"{stem} {qid}: no {role} answer tried"
        assert (qid, "before", "early") in seen and (qid, "restart", "early") in seen
    problems = verdict_problems(records)
    assert not problems, f"{stem}:\n" + "\n".join(problems)

def main() -> None:
    """Print the visible code lines of every notebook (total, longest cell)."""
    for path in sorted(NB_DIR.glob("*.ipynb")):
        total, longest = visible_code_lines(path)
        mark = "converted" if path.stem in CONVERTED else ""
        print(f"{path.stem:50} {total:4} {longest:4} {mark}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
