"""The lecturer's kit: course site, slides, handouts and workbooks, checked in a real browser.

The site is built once per test run (executing every notebook), shared by the xdist workers
through a lock, into a temporary folder. Debian's Chromium (/usr/bin/chromium) opens the pages
from disk through Playwright; every request must stay on file://.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from migdata import glossary
from migdata.errors import InvalidInputError
from migdata.publish import handouts, site, slides, tasks, workbooks
from migdata.publish import notebooks as course_notebooks

pytestmark = [pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all xdist workers of this run share (a fresh one without xdist)."""
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not uid:
        return tmp_path_factory.mktemp("kit")
    folder = tmp_path_factory.getbasetemp().parent / f"kit-{uid}"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def kit(tmp_path_factory, repo_root) -> dict[str, Path]:
    """Site, slides, handouts and workbooks, built once per run."""
    modules = course_notebooks.npm_dir()
    if not (modules / "reveal.js").is_dir() or not (modules / "mathjax").is_dir():
        pytest.fail(f"reveal.js and MathJax are not installed in {modules}: run `make test` "
                    "(it runs npm install into build/npm)")
    shared = _shared_dir(tmp_path_factory)
    paths = {"html": shared / "html", "slides": shared / "html" / "slides",
             "handouts": shared / "handouts", "workbooks": shared / "workbooks",
             "work": shared / "work"}
    with open(shared / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "done.json"
        if not done.exists():
            result = site.build(paths["html"], repo_root / "notebooks", workdir=paths["work"],
                                jobs=2)
            handouts.build(paths["handouts"])
            workbooks.build(paths["workbooks"])
            done.write_text(json.dumps({"seconds": result.seconds,
                                        "megabytes": result.megabytes}), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every request it makes."""
    context = browser.new_context()
    pg = context.new_page()
    pg.requests = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests.append(r.url))  # type: ignore[attr-defined]
    yield pg
    context.close()


def _remote(requests: list[str]) -> list[str]:
    return [u for u in requests if not u.startswith(LOCAL_SCHEMES)]


# ---- the site ---------------------------------------------------------------------------------

def test_site_has_every_page(kit, repo_root):
    out = kit["html"]
    for nb in sorted((repo_root / "notebooks").glob("*.ipynb")):
        page = out / "notebooks" / f"{nb.stem}.html"
        assert page.is_file(), page
        # the download button offers the notebook itself
        assert (out / "_sources" / "notebooks" / nb.name).is_file()
        assert f"_sources/notebooks/{nb.name}" in page.read_text(encoding="utf-8")
    for nb in sorted((repo_root / "notebooks" / "research").glob("*.ipynb")):
        assert (out / "notebooks" / "research" / f"{nb.stem}.html").is_file(), nb.name
    for name in ("index", "glossary", "datasets", "nonformal", "search"):
        assert (out / f"{name}.html").is_file(), name
    guides = [g.stem for g in (repo_root / "lecturers").glob("*.md") if g.name[0] != "_"]
    assert {"class1_unit21", "class2_unit22", "class3_unit23", "class4_unit24",
            "journalists_unit23"} <= set(guides)
    for g in guides:
        assert (out / "lecturers" / f"{g}.html").is_file(), g
    assert (out / "searchindex.js").stat().st_size > 10_000


def test_site_executed_the_notebooks(kit):
    """Charts are in the pages: the notebooks ran when the site was built."""
    charts = list((kit["html"] / "_images").glob("*.png"))
    assert len(charts) >= 10
    text = (kit["html"] / "notebooks" / "24a_net_migration_rates.html").read_text("utf-8")
    assert "<img" in text and "cell_output" in text


def test_site_loads_nothing_from_the_internet(kit):
    assert course_notebooks.external_references(kit["html"]) == []
    # MathJax is bundled and configured to load from the site
    assert (kit["html"] / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_glossary_page_is_trilingual(kit):
    text = html.unescape((kit["html"] / "glossary.html").read_text(encoding="utf-8"))
    table = glossary.table()
    for row in table.itertuples():
        assert row.name_az in text, row.id
        assert row.name_ru in text, row.id
    assert "kit translation, not checked against an official text" in text


def test_catalogue_page_lists_every_dataset(kit):
    from migdata import datasets

    text = (kit["html"] / "datasets.html").read_text(encoding="utf-8")
    for dataset_id in datasets.list_datasets()["id"]:
        assert f"data-{dataset_id.replace('_', '-')}" in text, dataset_id
    assert "Caveats" in text and "Vintage" in text


def test_nonformal_page_offers_handouts_and_workbooks(kit):
    text = (kit["html"] / "nonformal.html").read_text(encoding="utf-8")
    for task_id in tasks.TASKS:
        assert re.search(rf'href="[^"]*_downloads/[0-9a-f]+/{task_id}\.xlsx"', text), task_id
        assert re.search(rf'href="[^"]*_downloads/[0-9a-f]+/{task_id}\.html"', text), task_id


def test_browser_navigates_the_site_offline(kit, page):
    """Start page -> next -> next ... -> previous; a chart; the glossary page; search."""
    index = (kit["html"] / "index.html").resolve().as_uri()
    page.goto(index)
    assert "Module 2" in page.title()
    visited = [page.url]
    for _ in range(3):
        page.locator("a.right-next").first.click()
        page.wait_for_load_state()
        assert page.url != visited[-1]
        visited.append(page.url)
    assert visited[1].endswith("notebooks/00_start_here.html")
    assert visited[2].endswith("notebooks/21_concepts_and_definitions.html")
    page.locator("a.left-prev").first.click()
    page.wait_for_load_state()
    assert page.url == visited[2]
    # a chart: an image in a cell output that the browser actually decoded
    page.goto(visited[3])
    chart = page.locator(".cell_output img").first
    chart.scroll_into_view_if_needed()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 100")
    # the glossary page through the navigation bar
    page.goto(index)
    page.locator("nav a", has_text="Glossary").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("glossary.html")
    assert page.locator("text=Dövlət Statistika Komitəsi").count() >= 1
    # search works from disk (searchindex.js is a script, not a fetch)
    page.goto((kit["html"] / "search.html").resolve().as_uri() + "?q=census")
    page.wait_for_selector("#search-results li", timeout=20_000)
    assert page.locator("#search-results li").count() >= 1
    assert _remote(page.requests) == []


def test_site_reads_as_the_notebooks(kit, page):
    """Issue 20: code folded behind a toggle, the 00 pickers shown, alt texts, search with
    snippets from file:// and no console error."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((kit["html"] / "notebooks" / "21_concepts_and_definitions.html").resolve().as_uri())
    folded = page.locator("details.hide-input, .cell.tag_hide-input details")
    assert folded.count() >= 5, "code cells are not folded"
    assert not folded.first.evaluate("d => d.open")  # closed until the reader opens it
    code = page.locator(".cell.tag_hide-input pre").evaluate_all(
        "p => p.map(x => x.textContent).join('')")
    assert "display.table(" in code  # the code is there, behind the toggle
    alts = page.locator(".cell_output img").evaluate_all("i => i.map(x => x.alt)")
    assert alts and all(a and not a.endswith(".png") for a in alts), alts
    page.goto((kit["html"] / "notebooks" / "00_start_here.html").resolve().as_uri())
    still = page.locator(".migdata-still")
    assert still.count() == 1 and still.locator("select option").count() >= 3
    assert still.locator("img").evaluate("i => i.complete && i.naturalWidth > 100")
    page.goto((kit["html"] / "search.html").resolve().as_uri() + "?q=census")
    page.wait_for_selector("#search-results li p.context", timeout=30_000)
    snippet = page.locator("#search-results li p.context").first.inner_text()
    assert "census" in snippet.lower(), snippet
    assert not errors, errors
    assert _remote(page.requests) == []


def test_class_guides_cover_the_curriculum(kit, repo_root):
    guides = {g.stem: g.read_text(encoding="utf-8") for g in (repo_root / "lecturers").glob("*.md")}
    for name in ("class1_unit21", "class2_unit22", "class3_unit23", "class4_unit24"):
        text = guides[name]
        assert "## Timed plan" in text and "120 min" in text, name
        assert "_participation_rubric.md" in text, name
        assert "Expected answer" in text or "Expected answers" in text, name
    covered = {int(n) for t in guides.values() for n in re.findall(r"Central question (\d)", t)}
    assert covered == {1, 2, 3, 4, 5, 6}
    assert "teams.csv" in guides["class3_unit23"] and "--teams" in guides["class4_unit24"]
    # the rubric is rendered inside every class guide of the site
    for name in ("class1_unit21", "class4_unit24"):
        rendered = (kit["html"] / "lecturers" / f"{name}.html").read_text(encoding="utf-8")
        assert "participation mark (40" in rendered and "9–10" in rendered
    # the journalists' guide shows the examples computed from the datasets
    rendered = (kit["html"] / "lecturers" / "journalists_unit23.html").read_text("utf-8")
    assert "kit-examples" not in rendered and "border-crossing arrivals" in rendered


# ---- slides -----------------------------------------------------------------------------------

def test_slides_one_deck_per_unit_offline(kit, page):
    decks = sorted(p.name for p in kit["slides"].glob("*.html") if p.name != "index.html")
    assert decks == sorted(f"{name}.html" for name, _ in slides.UNITS.values())
    assert slides.external_references(kit["slides"]) == []
    # the slides are part of the site, linked from its start page
    page.goto((kit["html"] / "index.html").resolve().as_uri())
    page.locator('a[href="slides/index.html"]').first.click()
    page.wait_for_load_state()
    page.locator('a[href="unit_2_1_concepts.html"]').click()
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=20_000)
    total = page.evaluate("() => Reveal.getTotalSlides()")
    assert total > 5
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => Reveal.getIndices().h === 1")
    assert _remote(page.requests) == []


def test_unit_of_rejects_unknown_names():
    assert slides.unit_of(Path("24c_x.ipynb")) == "24"
    with pytest.raises(InvalidInputError, match="cannot tell the unit"):
        slides.unit_of(Path("99_extra.ipynb"))


# ---- handouts and workbooks -------------------------------------------------------------------

def test_handout_figures_have_one_precision_per_column_and_labels_in_words():
    assert handouts._decimals([-14.18, 75.0, -15.745]) == 3
    assert [handouts._fmt_column(v, 3)[0] for v in (-14.18, 75.0, -15.745)] == [
        "-14.180", "75.000", "-15.745"]
    assert handouts._decimals([1250.0, 62144.0]) is None
    assert handouts._fmt_column(62144.0, None)[0] == "62,144"
    assert handouts._fmt_column(float("nan"), 2) == ("no data", "gap")
    assert handouts._label("AZE") == "Azerbaijan" and handouts._label("net_migration") == (
        "net migration")
    assert handouts._filter_text({"country": ["ARM", "GEO"], "sex": "total"}) == (
        "country: Armenia, Georgia; sex: total")
    assert "anywhere" not in handouts.CSS  # no break inside a word ("Net migrati on")


@pytest.mark.parametrize("task_id", list(tasks.TASKS))
def test_handout_holds_every_figure_with_source_and_unit(kit, task_id):
    text = (kit["handouts"] / f"{task_id}.html").read_text(encoding="utf-8")
    task = tasks.TASKS[task_id]
    for table in task.tables:
        view = tasks.handout_view(table)
        block = text.split(f"<h3>{table.title.replace('&', '&amp;')}</h3>", 1)[1]
        block = block.split("</div>", 1)[0]
        for column in view.columns:  # one precision per column (issue 20)
            places = handouts._decimals(view[column].tolist())
            for value in view[column]:
                shown = handouts._fmt_column(value, places)[0]
                assert f">{shown}</td>" in block, (table.key, value)
        assert "<b>Unit:</b>" in block and "<b>Source:</b>" in block
        # sources and rows in words, never Python's list syntax
        assert "['" not in block and "= [" not in block, table.key
    year_tables = [t for t in task.tables if t.index[0] == "year"]
    assert text.count('<figure class="chart"><svg') >= (1 if year_tables else 0)
    for chart in re.findall(r'<figure class="chart">.*?</figure>', text, flags=re.DOTALL):
        words = html.unescape(" ".join(re.findall(r">([^<>]+)</text>", chart)))
        assert "year" in words, "a chart without its axis label"  # and its title:
        assert any(t.title in words for t in task.tables), words[:200]
        assert not re.search(r"\b(ARM|AZE|GEO|RUS)\b", words), "country codes in a chart"
    plain = html.unescape(text)
    for term in glossary.table(task.terms).itertuples():
        assert term.name_az in plain and term.name_ru in plain


def test_handouts_print_in_the_browser(kit, page):
    """Print every handout to A4 PDF in Chromium; the layout stays within a few pages."""
    for task_id in tasks.TASKS:
        page.goto((kit["handouts"] / f"{task_id}.html").resolve().as_uri())
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= 10, (task_id, pages)
        # tables fit the page width: nothing wider than the printable area
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('table')].some("
            "t => t.scrollWidth > document.body.clientWidth + 2)")
        assert not overflow, task_id
    assert _remote(page.requests) == []


@pytest.mark.parametrize("task_id", list(tasks.TASKS))
def test_workbook_holds_every_figure_with_source_and_unit(kit, task_id):
    from openpyxl import load_workbook

    wb = load_workbook(kit["workbooks"] / f"{task_id}.xlsx", read_only=True)
    task = tasks.TASKS[task_id]
    assert wb.sheetnames[0] == "Read me" and wb.sheetnames[-2:] == ["Sources", "Caveats"]
    for table in task.tables:
        rows = list(wb[table.key[:31]].iter_rows(values_only=True))
        header = list(rows[4])
        data = tasks.table_data(table)
        assert len(rows) - 5 == len(data), table.key
        figures = list(tasks.figure_columns(table.dataset))
        for record, row in zip(data.to_dict("records"), rows[5:], strict=True):
            cells = dict(zip(header, row, strict=True))
            for col in figures:
                expected = record[col]
                got = cells[col]
                if expected is None or expected != expected or str(expected) == "<NA>":
                    assert got == workbooks.NO_DATA
                else:
                    assert got == pytest.approx(float(expected)), (table.key, col)
                unit = cells[f"{col} (unit)"]
                assert unit and unit != "see the unit column", (table.key, col)
            assert cells["source"] and f"dataset {table.dataset}" in cells["source"]
    sources = list(wb["Sources"].iter_rows(values_only=True))
    assert {r[0] for r in sources[1:]} == {t.dataset for t in task.tables}
    wb.close()


def test_handout_view_never_adds_up_revisions():
    bad = tasks.DataTable("x", "x", "un_migrant_stock_totals",
                          {"country": "AZE", "measure": "migrant_stock", "sex": "total"},
                          "value", ["year"], None)
    with pytest.raises(InvalidInputError, match="several rows"):
        tasks.handout_view(bad)


def test_unknown_task_is_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="known tasks"):
        workbooks.build(tmp_path, ["nope"])
    with pytest.raises(InvalidInputError, match="known tasks"):
        handouts.build(tmp_path, ["nope"])


# ---- the offline check itself -----------------------------------------------------------------

def test_external_references_finds_remote_assets(tmp_path):
    (tmp_path / "a.html").write_text(
        '<html><head><script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/f.css"><script src="local.js"></script>'
        '</head><body><a href="https://un.org/source">a source link is fine</a>'
        '<img src="http://example.org/i.png"></body></html>', encoding="utf-8")
    (tmp_path / "s.css").write_text('@import "https://fonts.googleapis.com/css?family=X";\n'
                                    'body { background: url(img/local.png); }', encoding="utf-8")
    found = {ref for _, ref in course_notebooks.external_references(tmp_path)}
    assert found == {"https://cdn.example/x.js", "//fonts.example/f.css",
                     "http://example.org/i.png", "https://fonts.googleapis.com/css?family=X"}
    shutil.rmtree(tmp_path)


def test_widgets_are_stripped_for_the_static_site():
    """Widget state would make the page load a widget manager from a CDN: it is removed."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("explore()")
    view = {course_notebooks.WIDGET_VIEW: {"model_id": "abc"}, "text/plain": "VBox(...)"}
    cell.outputs = [
        nbformat.v4.new_output("display_data", data=dict(view)),
        nbformat.v4.new_output("display_data", data={**view, "image/png": "iVBOR"}),
        nbformat.v4.new_output("stream", text="kept\n"),
    ]
    nb.cells.append(cell)
    course_notebooks.strip_widgets(nb)
    assert "widgets" not in nb.metadata
    assert len(cell.outputs) == 2
    assert course_notebooks.WIDGET_VIEW not in cell.outputs[0]["data"]
    assert "image/png" in cell.outputs[0]["data"] and cell.outputs[1]["text"] == "kept\n"


def test_stage_needs_the_source_checkout(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "repo_root", lambda: tmp_path)
    with pytest.raises(InvalidInputError, match=r"site/conf\.py not found"):
        site.stage(tmp_path / "work", [])


def test_the_site_folds_code_gives_alt_texts_and_shows_the_pickers_still():
    """Issue 20: the site reads as the notebooks do (unit test of the staging step)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    folded = nbformat.v4.new_code_cell("draw()", metadata={"jupyter": {"source_hidden": True}})
    folded.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]
    answer = nbformat.v4.new_code_cell("%%answer P1 number\n")
    answer.outputs = [nbformat.v4.new_output("stream", text="Not answered yet.\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("## 2. Rates"), folded,
                nbformat.v4.new_markdown_cell("*Figure 1. Net migration rate of Georgia.*"),
                answer]
    shown = site.for_the_site(json.loads(nbformat.writes(nb)))
    cells = shown["cells"]
    assert "hide-input" in cells[1]["metadata"]["tags"]
    alt = cells[1]["metadata"]["mystnb"]["image"]["alt"]
    assert alt == "Figure 1. Net migration rate of Georgia."
    assert cells[3]["outputs"] == [] and "hide-input" not in cells[3]["metadata"].get("tags", [])
    assert nb.cells[3].outputs  # the argument is not changed

    # the explorer's pickers: a still picture made from the saved widget state
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_pick",
                                                                  "IPY_MODEL_img"]}},
        "pick": {"model_name": "SelectMultipleModel",
                 "state": {"description": "Countries", "_options_labels": ["Armenia", "Georgia"],
                           "index": [1]}},
        "img": {"model_name": "ImageModel", "state": {"format": "png"},
                "buffers": [{"path": ["value"], "encoding": "base64", "data": "iVBORw0K"}]},
    }
    widget = nbformat.v4.new_notebook()
    widget.metadata["widgets"] = {course_notebooks.WIDGET_STATE: {"state": state}}
    cell = nbformat.v4.new_code_cell("explore()")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={course_notebooks.WIDGET_VIEW: {"model_id": "box"},
                              "text/plain": "VBox()"})]
    widget.cells = [cell]
    course_notebooks.strip_widgets(widget)
    still = cell.outputs[0]["data"]["text/html"]
    assert "<option selected>Georgia</option>" in still
    assert "data:image/png;base64,iVBORw0K" in still
    assert "widgets" not in widget.metadata


def test_search_texts_let_search_show_snippets_from_a_file(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "a.html").write_text(
        '<html><body><main id="main-content" role="main"><section id="rates"><h2>Rates</h2>'
        '<p class="x">Net migration rate</p><script>var x;</script><img src="i.png"></section>'
        "</main></body></html>", encoding="utf-8")
    (tmp_path / "_static").mkdir()
    target = site.write_search_texts(tmp_path)
    text = target.read_text(encoding="utf-8")
    pages = json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))
    page = pages["notebooks/a.html"]
    assert 'role="main"' in page and '<section id="rates">' in page
    assert "Net migration rate" in page and "<script" not in page and "<img" not in page
    assert (Path(site.__file__).parents[3] / "site" / "_static" / "migdata_file_search.js"
            ).is_file()
