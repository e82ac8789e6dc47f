"""A real browser on the student's JupyterLab: what a learner sees after `make lab` (issue 11).

Debian's chromium (``/usr/bin/chromium``, installed by ``make test`` in CI) is driven by Playwright
from PyPI; no browser is ever downloaded. The test starts the server of `make lab` on 127.0.0.1,
opens it as a student would (the start page is ``00_start_here.ipynb``), runs all cells from the
Run menu, and checks what appears: full tables, a chart, the pickers redrawing the chart, and the
self-check answering, then correct once the student types the model answer. It does the same for
one unit notebook. Skipped without chromium or Playwright, except in CI (``CI=true``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from labserver import ROOT, Lab, running_lab
from test_presentation import CONVERTED

CHROMIUM = Path(os.environ.get("MIGDATA_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The unit notebook opened after 00: the first converted one, else Unit 2.1.
UNIT = next((stem for stem in CONVERTED if stem != "00_start_here"),
            "21_concepts_and_definitions")
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


def _model_answer(stem: str) -> tuple[str, str]:
    """(the first practice cell's source, the same with its model answer) from cell metadata."""
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    for cell in nb.cells:
        answers = cell.metadata.get("migdata", {}).get("answers", {})
        for name, entry in answers.items():
            answered = re.sub(rf"^{name}\s*=\s*None\b", f"{name} = {entry['model']}",
                              cell.source, flags=re.MULTILINE)
            return cell.source, answered
    raise AssertionError(f"{stem} has no practice question with a model answer")


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

    # The self-check answers, and accepts the model answer typed by the student.
    source, answered = _model_answer("00_start_here")
    cell = page.locator(".jp-CodeCell", has_text=source.splitlines()[0]).first
    _scroll(cell)
    handle = cell.element_handle()  # the locator stops matching once the answer is typed
    output = cell.locator(".jp-OutputArea-output")
    assert output.text_content().startswith("Not answered yet."), output.text_content()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(answered)
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "cell => cell.querySelector('.jp-OutputArea-output')?.textContent.startsWith('Correct!')",
        arg=handle, timeout=SLOW)
    assert not page.locator("text=official Jupyter news").count(), "the news pop-up is shown"
    page.close()


def test_a_student_runs_a_unit_notebook(browser: object, lab: Lab) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab.url}/lab/tree/{UNIT}.ipynb?token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel", timeout=SLOW)
    _run_all(page)
    page.wait_for_selector(".jp-OutputArea-output img", timeout=SLOW, state="attached")
    answer = page.locator(".jp-OutputArea-output", has_text=re.compile(r"^Not answered yet\."))
    answer.first.wait_for(timeout=SLOW, state="attached")
    _wait_idle(page)
    _chart_shown(page.locator(".jp-OutputArea-output img").first)
    _scroll(answer.first)
    assert answer.first.text_content().startswith("Not answered yet.")
    page.close()
