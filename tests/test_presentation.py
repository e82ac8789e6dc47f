"""The course as a student who is not a programmer sees it (issue 11).

For every course notebook (:data:`CONVERTED`: all of ``notebooks/*.ipynb``, which follow the
presentation rules in ``notebooks/README.md``, written with :mod:`migdata.classroom.display`):

- little visible code: at most :data:`MAX_VISIBLE_LINES` lines of code in cells without
  ``jupyter.source_hidden`` metadata, and no visible cell longer than :data:`MAX_CELL_LINES`;
- after a run in a fresh kernel, offline: no printed prose and no printed line longer than
  :data:`MAX_PRINTED_CHARS`; no table cell cut with "..." or "…"; no "nan%" or other raw gaps in
  tables; no count printed as a float ("62144.0");
- every practice question (a cell with ``answer_<name> = None`` and a ``check(`` or ``choice(``
  call) accepts its model answer and rejects a wrong answer and a wrong form with a plain-words
  hint. The model and wrong answers are in the cell's metadata::

      "metadata": {"migdata": {"answers": {"answer_1":
                                           {"model": "\\"AZE\\"", "wrong": "\\"RUS\\""}}}}

  each value being what a student would type after ``answer_1 =``. The test runs each practice
  cell three times (model answer, wrong answer, an answer of the wrong form) in one execution.

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

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"

#: The notebooks checked: every course notebook (all follow the presentation rules).
CONVERTED = [p.stem for p in sorted(NB_DIR.glob("*.ipynb"))]

MAX_VISIBLE_LINES = 25
MAX_CELL_LINES = 6
MAX_PRINTED_CHARS = 100
#: Seconds one notebook may take, kernel start included.
MAX_SECONDS = 120

#: Lines the self-checks print (migdata.classroom.selfcheck); any other printed text is prose.
SELFCHECK_LINE = re.compile(
    r"^(Correct!|Not quite\.|Not answered yet\.|Written \(\d+ words\)|\d+ words? so far\.)"
)
#: Words that only a programmer knows; feedback must not contain them.
TYPE_WORDS = {"Series", "DataFrame", "str", "int", "float", "list", "dict", "NoneType", "bool",
              "ndarray", "tuple", "object", "type", "TypeError", "ValueError", "KeyError"}
#: Packages of the lecturers', maintainers' and researchers' extras: the notebooks run without them,
#: as in a student's `make lab` (the kernel of the test cannot import them).
NOT_FOR_STUDENTS = ("plotly", "frictionless", "nbgrader", "pyarrow")
#: An answer no self-check accepts in form: it must be told which form is expected.
WRONG_FORM = "[1, 2]"
_ANSWER = re.compile(r"^(answer_\w+)\s*=\s*None\b.*$", flags=re.MULTILINE)
_CALL = re.compile(r"^\s*(?:check|choice)\(", flags=re.MULTILINE)
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


def practice_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, answer name) of every practice question with a self-check."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and _CALL.search(cell.source):
            names = _ANSWER.findall(cell.source)
            found.append((i, names[0] if len(names) == 1 else ""))
    return found


def _plain_words(message: str) -> bool:
    return not set(re.findall(r"[A-Za-z]+", message)) & TYPE_WORDS


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
def answers(stem: str, cell: nbformat.NotebookNode, name: str) -> dict[str, str]:
    """The model and the wrong answer of a practice question, as code put after ``answer_N =``.

    From the cell's metadata (``migdata.answers``); else the model answer comes from the answer
    key of tests/test_notebooks.py (``SOLUTIONS``) and the wrong one is made from it in the
    kernel by :data:`MAKE_WRONG` (another letter, country, word, number or share).
    """
    from test_notebooks import SOLUTIONS

    entry = dict(cell.metadata.get("migdata", {}).get("answers", {}).get(name, {}))
    if "model" not in entry and name in SOLUTIONS.get(stem, {}):
        entry["model"] = SOLUTIONS[stem][name]
    if "model" in entry and "wrong" not in entry:
        entry["wrong"] = f"_migdata_wrong({entry['model']})"
    return entry


#: Run before a probed notebook: makes a wrong answer of the same kind as a model answer.
MAKE_WRONG = '''
def _migdata_wrong(model):
    import re
    if isinstance(model, bool):
        return not model
    if isinstance(model, (int, float)) or hasattr(model, "item"):
        value = float(model)
        return value * 2 + 1000
    text = str(model).strip()
    number = re.fullmatch(r"-?[\\d,]+(\\.\\d+)?(%?)", text)
    if number:
        value = float(text.rstrip("%").replace(",", ""))
        return f"{value + 50:.1f}%" if text.endswith("%") else f"{value * 2 + 1000:,.0f}"
    if len(text) == 1:
        return "b" if text.lower() == "a" else "a"
    return "Peru" if text.lower() in ("japan", "jpn") else "Japan"
'''


@pytest.mark.parametrize("stem", CONVERTED)
def test_every_practice_question_has_a_model_and_a_wrong_answer(stem: str) -> None:
    nb = _read(_path(stem))
    for i, name in practice_cells(nb):
        assert name, f"{stem} cell {i}: a self-check cell needs exactly one 'answer_N = None' line"
        cell = nb.cells[i]
        assert not is_hidden(cell), f"{stem} cell {i}: the answer cell must be visible"
        entry = answers(stem, cell, name)
        assert {"model", "wrong"} <= set(entry), (
            f"{stem} cell {i}: no model answer for {name}: put it in the cell's metadata "
            "migdata.answers (or in SOLUTIONS of tests/test_notebooks.py)"
        )
        assert entry["model"] != entry["wrong"]


def _with_answers(
    nb: nbformat.NotebookNode, stem: str
) -> tuple[nbformat.NotebookNode, list[tuple]]:
    """The notebook with each practice cell repeated: model answer, wrong answer, wrong form."""
    out = copy.deepcopy(nb)
    cells, probes = [], []
    for i, cell in enumerate(nb.cells):
        names = _ANSWER.findall(cell.source) if cell.cell_type == "code" else []
        if not (names and _CALL.search(cell.source)):
            cells.append(copy.deepcopy(cell))
            continue
        entry = answers(stem, cell, names[0])
        for role, value in (("model", entry.get("model")), ("wrong", entry.get("wrong")),
                            ("form", WRONG_FORM)):
            if value is None:
                continue
            probe = copy.deepcopy(cell)
            probe.source = _ANSWER.sub(lambda m, v=value: f"{m.group(1)} = {v}", cell.source)
            probe.metadata["migdata_probe"] = {"cell": i, "role": role, "answer": value}
            cells.append(probe)
            probes.append((i, role, value))
    out.cells = cells
    return out, probes


def _run(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    from test_notebooks import NO_NETWORK

    nb = copy.deepcopy(nb)
    block = f"import sys\nfor _name in {NOT_FOR_STUDENTS!r}:\n    sys.modules[_name] = None\n"
    nb.cells.insert(0, nbformat.v4.new_code_cell(NO_NETWORK + block + MAKE_WRONG))
    NotebookClient(nb, timeout=MAX_SECONDS, kernel_name="python3",
                   resources={"metadata": {"path": str(NB_DIR)}}).execute()
    nb.cells.pop(0)
    return nb


@pytest.fixture(scope="module")
def executed() -> dict[str, nbformat.NotebookNode]:
    """Each converted notebook, with its practice cells probed, run once offline (lazily)."""
    cache: dict[str, nbformat.NotebookNode] = {}

    class Runs(dict):
        def __missing__(self, stem: str) -> nbformat.NotebookNode:
            cache[stem] = _run(_with_answers(_read(_path(stem)), stem)[0])
            return cache[stem]

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
        selfcheck = bool(_CALL.search(cell.source) or "written(" in cell.source)
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
    problems = output_problems(executed[stem])
    assert not problems, f"{stem}:\n" + "\n".join(problems)


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", CONVERTED)
def test_practice_questions_accept_the_model_answer_and_explain_a_wrong_one(
    stem: str, executed: dict
) -> None:
    verdicts = {}
    for cell in executed[stem].cells:
        probe = cell.get("metadata", {}).get("migdata_probe")
        if probe:
            text = "".join(o.get("text", "") for o in cell.outputs
                           if o.output_type == "stream" and o.name == "stdout").strip()
            verdicts[(probe["cell"], probe["role"])] = (probe["answer"], text)
    asked = practice_cells(_read(_path(stem)))
    assert len(verdicts) == 3 * len(asked), verdicts
    for i, _name in asked:
        model, said = verdicts[(i, "model")]
        assert said == "Correct!", f"{stem} cell {i}: model answer {model} got {said!r}"
        for role in ("wrong", "form"):
            answer, said = verdicts[(i, role)]
            assert said.startswith("Not quite.") and len(said) > len("Not quite. ") + 10, (
                f"{stem} cell {i}: {role} answer {answer} got {said!r} (a hint is needed)")
            assert _plain_words(said), f"{stem} cell {i}: feedback names a type: {said!r}"
        assert "Write" in verdicts[(i, "form")][1], (
            f"{stem} cell {i}: a wrong form must say which form is expected")


def main() -> None:
    """Print the visible code lines of every notebook (total, longest cell)."""
    for path in sorted(NB_DIR.glob("*.ipynb")):
        total, longest = visible_code_lines(path)
        mark = "converted" if path.stem in CONVERTED else ""
        print(f"{path.stem:50} {total:4} {longest:4} {mark}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
