"""A real browser on the student's JupyterLab: what a learner sees after `make lab` (issue 11).

Debian's chromium (``/usr/bin/chromium``, installed by ``make test`` in CI) is driven by Playwright
from PyPI; no browser is ever downloaded. The test starts the server of `make lab` on 127.0.0.1,
opens it as a student would (the start page is ``00_start_here.ipynb``), runs all cells from the
Run menu, and checks what appears: full tables, a chart, the pickers redrawing the chart.

Then every course notebook, one test each on the same server (issue 20), at 1024 px: an answer
before "Run All" (saved, with the advice to run the cells above), Run All, every practice
question answered by typing on the keyboard as a student does, right (two writings: decimal
comma and point, a name and a code, a small letter), wrong and with a slip, each getting the same
one sentence as in a kernel (tests/test_presentation.py), then a kernel restart and one more
answer (no NameError). At 1024 and 1366 px no table is wider than the notebook and the text of
the Unit 2.3 diagram is at least 12 px. No traceback or error output is ever shown.

Skipped without chromium or Playwright, except in CI (``CI=true``).
"""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from labserver import ROOT, Lab, running_lab
from test_presentation import CONVERTED

CHROMIUM = Path(os.environ.get("MIGDATA_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Milliseconds to wait for a kernel to start or a notebook to run (2 shared cores in CI).
SLOW = 240_000

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the real-browser test (make test installs chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        _missing(f"no chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (extra `test`)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with running_lab(tmp_path_factory.mktemp("lab"), copy_notebooks=True) as server:
        yield server


def _run_all(page: object) -> None:
    """Run all cells from the Run menu, as the notebook's first instructions say."""
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=SLOW)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).first.click()


def _wait_idle(page: object) -> None:
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=SLOW)


def _scroll(element: object) -> None:
    """Scroll an element into view. (JupyterLab renders cells far off screen lazily, so waiting
    for them to be visible before scrolling, as Playwright's own scrolling does, never ends.)"""
    element.evaluate("e => e.scrollIntoView({block: 'center'})")


def _chart_shown(image: object) -> None:
    _scroll(image)
    image.page.wait_for_function("img => img.complete && img.naturalWidth > 200",
                                 arg=image.element_handle(), timeout=SLOW)


def _answer_cell(page: object, index: int) -> object:
    """The cell at ``index`` in the notebook, scrolled to so that JupyterLab renders it (cells
    far from the screen are in the page but empty until then)."""
    cell = page.locator(".jp-NotebookPanel-notebook > .jp-WindowedPanel-outer .jp-Cell").nth(index)
    if not cell.count():
        cell = page.locator(".jp-NotebookPanel-notebook .jp-Cell").nth(index)
    _scroll(cell)
    page.wait_for_function("c => c.querySelector('.cm-content')?.innerText.startsWith('%%answer')",
                           arg=cell.element_handle(), timeout=SLOW)
    return cell


def _said(cell: object) -> str:
    return " ".join(cell.locator(".jp-OutputArea").first.inner_text().split())


def answer(page: object, index: int, text: str, expected: str | None = None) -> str:
    """Write ``text`` in the answer cell at ``index`` as a student does (keyboard), press
    Shift+Enter, and return the sentence shown below the cell.

    The cell's first line is kept; the answer replaces whatever was below it. With
    ``expected``, wait until that sentence is shown (else until any new output appears).
    """
    cell = _answer_cell(page, index)
    handle = cell.element_handle()  # the locator may stop matching once the text changes
    editor = cell.locator(".cm-content")
    header = editor.inner_text().splitlines()[0]
    prompt = "c => c.querySelector('.jp-InputPrompt')?.innerText ?? ''"
    before = handle.evaluate(prompt)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(f"{header}\n{text}")
    page.keyboard.press("Shift+Enter")
    # done when the prompt shows a new number ("[*]" while it runs)
    page.wait_for_function(
        """([c, before]) => {
             const p = c.querySelector('.jp-InputPrompt')?.innerText ?? '';
             return p !== before && /\\d/.test(p) && !p.includes('*');
           }""", arg=[handle, before], timeout=SLOW)
    if expected is not None:  # the sentence may arrive just after the prompt
        want = " ".join(expected.split())
        try:
            page.wait_for_function(
                """([c, want]) => (c.querySelector('.jp-OutputArea')?.innerText ?? '')
                     .split(/\\s+/).join(' ').trim() === want""", arg=[handle, want],
                timeout=5_000)
        except Exception:  # the caller reports the difference
            pass
    return " ".join(handle.evaluate(
        "c => c.querySelector('.jp-OutputArea')?.innerText ?? ''").split())


def _restart(page: object) -> None:
    page.locator(".lm-MenuBar-item", has_text="Kernel").first.click()
    page.locator(".lm-Menu-item", has_text=re.compile(r"^Restart Kernel…")).first.click()
    page.locator(".jp-Dialog button", has_text=re.compile(r"^Restart$")).first.click()
    page.wait_for_timeout(1000)
    _wait_idle(page)


#: Measured in the page: every table wider than the notebook's column (it would scroll
#: sideways), and the smallest text of each SVG diagram in screen pixels.
MEASURE = """() => {
  const notebook = document.querySelector('.jp-NotebookPanel-notebook');
  const right = notebook.getBoundingClientRect().right;
  const wide = [];
  for (const t of document.querySelectorAll('.jp-OutputArea-output table')) {
    const box = t.getBoundingClientRect();
    const area = t.closest('.jp-OutputArea-output');
    if (box.right > right + 1 || area.scrollWidth > area.clientWidth + 1) {
      const caption = t.closest('.migdata-table-box')?.querySelector('.migdata-caption');
      wide.push(`${caption ? caption.innerText : 'a table'}: ${Math.round(box.width)} px`);
    }
  }
  const texts = [...document.querySelectorAll('.jp-OutputArea-output svg text')];
  const sizes = texts.filter(t => t.getBBox().width > 0).map(
    t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return {wide, smallest: sizes.length ? Math.min(...sizes) : null,
          notebook: Math.round(notebook.getBoundingClientRect().width)};
}"""

#: Words of a raw Python error; a student must never see them.
RAW_ERROR = re.compile(r"Traceback|Error:|NameError|SyntaxError|\bError\b")


def test_a_student_runs_start_here(browser: object, lab: Lab) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab.url}/?token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel", timeout=SLOW)
    assert page.url.split("?")[0].endswith("/lab/tree/00_start_here.ipynb")
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Run" in menus and not [m for m in menus if "grader" in m.lower()], menus

    _run_all(page)
    page.wait_for_selector("table.migdata-table", timeout=SLOW, state="attached")
    page.wait_for_selector("text=Not answered yet.", timeout=SLOW, state="attached")
    _wait_idle(page)
    table = page.locator("table.migdata-table").first
    _scroll(table)
    assert "21_concepts_and_definitions.ipynb" in table.text_content()
    cut = page.locator("table.migdata-table td", has_text=re.compile(r"…|\.\.\."))
    assert cut.count() == 0, "a table cell is cut"

    _chart_shown(page.locator(".jp-OutputArea-output img").first)
    # The pickers: add a country, and the explorer's chart is drawn again.
    picker = page.locator(".widget-select-multiple select").first
    _scroll(picker)
    chart = page.locator("img.widget-image").first
    _chart_shown(chart)
    before = chart.get_attribute("src")
    options = picker.locator("option").all_inner_texts()
    picker.select_option(label=options[:2])
    page.wait_for_function(
        "old => { const i = document.querySelector('img.widget-image');"
        " return i && i.getAttribute('src') !== old; }", arg=before, timeout=SLOW)

    assert not page.locator("text=official Jupyter news").count(), "the news pop-up is shown"
    page.close()
    _shut_down_kernels(lab)


def _shut_down_kernels(lab: Lab) -> None:
    """Stop every kernel of the shared server: each notebook starts from a fresh kernel."""
    for kernel in lab.json("/api/kernels"):
        request = urllib.request.Request(
            f"{lab.url}/api/kernels/{kernel['id']}?token={lab.token}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


#: Each course notebook, taken as a student in Chromium: at 1024 px, then checked again at 1366.
@pytest.mark.parametrize("stem", CONVERTED)
def test_a_student_takes_the_notebook(browser: object, lab: Lab, stem: str) -> None:
    from test_presentation import EARLY, practice_cells, take_as_student

    _, records = take_as_student(stem)  # what each answer gets, from a kernel (the same magic)
    asked = practice_cells(nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4))
    _shut_down_kernels(lab)
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    problems: list[str] = []
    try:
        # a fresh workspace: only this notebook open (no kernels of the notebooks before it)
        page.goto(f"{lab.url}/lab/workspaces/{stem}/tree/{stem}.ipynb?reset&token={lab.token}")
        page.wait_for_selector(".jp-NotebookPanel", timeout=SLOW)
        _wait_idle(page)
        if asked:  # before Run All: saved, with the advice to run the cells above
            index, qid, form = asked[0]
            said = answer(page, index, EARLY[form])
            if not (said.startswith("Saved: ") and "run the cells above" in said):
                problems.append(f"before Run All, {qid}: {said!r}")
        _run_all(page)
        page.wait_for_selector(".jp-OutputArea-output", timeout=SLOW, state="attached")
        _wait_idle(page)
        page.wait_for_timeout(500)
        # lay out every cell (JupyterLab skips the layout of cells far from the screen), so
        # that every table and the diagram are measured
        page.add_style_tag(content=".jp-Cell, .jp-Notebook .jp-WindowedPanel-viewport > * "
                                   "{ content-visibility: visible !important; }")
        for width in (1024, 1366):
            page.set_viewport_size({"width": width, "height": 768})
            page.wait_for_timeout(300)
            measured = page.evaluate(MEASURE)
            problems += [f"{width} px: a table wider than the page: {w}" for w in measured["wide"]]
            if measured["smallest"] is not None and measured["smallest"] < 12:
                problems.append(f"{width} px: diagram text of {measured['smallest']:.1f} px")
            if stem.startswith("23"):
                assert measured["smallest"] is not None, "the data-flow diagram is not SVG"
        page.set_viewport_size({"width": 1024, "height": 768})
        where = {qid: index for index, qid, _ in asked}
        for r in records:  # right, wrong and a slip (the second right writing: kernel test only)
            if r["when"] != "run all" or r["role"] in ("empty", "right2"):
                continue
            said = answer(page, where[r["qid"]], r["text"], r["said"])
            if said != r["said"] or RAW_ERROR.search(said):
                problems.append(f"{r['qid']} {r['role']} {r['text']!r}: {said!r}")
        if asked:  # after a restart: saved again, with the same advice; no NameError
            _restart(page)
            index, qid, form = asked[-1]
            said = answer(page, index, EARLY[form])
            if not (said.startswith("Saved: ") and "run the cells above" in said):
                problems.append(f"after a restart, {qid}: {said!r}")
        shown = page.locator(".jp-NotebookPanel-notebook").first.inner_text()
        errors = page.locator(".jp-OutputArea-output[data-mime-type*='stderr'], "
                              ".jp-RenderedText[data-mime-type*='error']").count()
        if errors or RAW_ERROR.search(shown):
            problems.append(f"an error is shown ({errors} error outputs)")
    finally:
        page.close()
        _shut_down_kernels(lab)  # one kernel at a time on a shared server
    assert not problems, f"{stem}:\n" + "\n".join(problems)
