"""The course site: executed notebooks, glossary, data catalogue and lecturers' guides, offline.

``python -m migdata.publish.site --out build/html`` (``make html``)

1. runs every notebook of ``notebooks/`` top to bottom in a fresh kernel (two at a time, offline:
   the notebooks read only the bundled datasets) and saves the executed copies;
2. stages a Sphinx project (``site/conf.py``, MyST-NB and sphinx-book-theme) with those
   notebooks, the lecturers' guides of ``lecturers/``, and pages generated from
   :mod:`migdata.glossary` (trilingual) and the dataset catalogue;
3. builds the HTML with Sphinx and copies MathJax into the site from the npm package ``mathjax``;
4. checks that no page loads a script, style sheet, font or image from the internet
   (:func:`external_references`) and fails if one does.

On the site the notebooks read as in JupyterLab (:func:`for_the_site`): folded code is folded
behind a "Show code" toggle (MyST-NB's ``hide-input``), the explorer's pickers are shown as a
picture of their first state, every chart has an alt text (its caption), and search shows text
snippets also when the site is opened from a file (:func:`write_search_texts`).

The site works from a USB stick: open ``index.html`` in a browser; search, previous/next and the
notebook downloads need no server and no internet. The committed notebooks are not changed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInputError
from .notebooks import (
    NPM_PACKAGES,
    ExecutedNotebook,
    default_notebooks_dir,
    execute_all,
    external_references,
    npm_dir,
    repo_root,
)

__all__ = ["SiteBuild", "build", "catalogue_page", "for_the_site", "glossary_page", "main",
           "nonformal_page", "stage", "write_search_texts"]


@dataclass(frozen=True)
class SiteBuild:
    """What :func:`build` made."""

    out: Path
    notebooks: list[ExecutedNotebook]
    seconds: float
    megabytes: float
    research: list[ExecutedNotebook] = field(default_factory=list)


# ---- generated pages ------------------------------------------------------------------------

def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def glossary_page() -> str:
    """The trilingual glossary as a MyST page (English, Azerbaijani, Russian, with sources)."""
    from .. import glossary

    table = glossary.table()
    lines = [
        "# Glossary (English · Azərbaycanca · Русский)",
        "",
        "Every technical term of the course, with its meaning in the kit's own words and the "
        "document it comes from, and its name in Azerbaijani and Russian. The column *wording* "
        "says where the Azerbaijani and Russian names come from: a stored text in which the "
        "wording was seen (press reports quoting the State Statistical Committee or the State "
        "Migration Service, an SSC table heading as reproduced by an NGO), or *kit translation, "
        "not checked against an official text*. Check kit translations against the official "
        "texts you use before quoting them.",
        "",
        "In a notebook: `from migdata import glossary; glossary.show('census', languages=True)`.",
        "",
    ]
    for kind, group in table.groupby("kind", sort=False):
        lines += [f"## {str(kind).replace('_', ' ').capitalize()}", "",
                  "| English | Azərbaycanca | Русский |", "|---|---|---|"]
        lines += [f"| **{_cell(r.name)}** | {_cell(r.name_az)} | {_cell(r.name_ru)} |"
                  for r in group.itertuples()]
        lines.append("")
        for row in group.itertuples():
            lines += [
                f"{_cell(row.name)} (`{row.id}`)",
                f": {_cell(row.summary)}",
                "",
                f"  *Source:* {_cell(row.source)}. *Azerbaijani and Russian wording:* "
                f"{_cell(row.translation_source)}.",
                "",
            ]
    return "\n".join(lines)


def catalogue_page() -> str:
    """The catalogue of the bundled datasets as a MyST page (sources, vintage, units, caveats)."""
    from .. import datasets

    lines = [
        "# Data catalogue",
        "",
        "The curated datasets bundled with the kit (`migdata.datasets.load(id)`). Every figure "
        "in the course comes from one of them or from a simulation labelled SYNTHETIC. Gaps "
        "stay gaps: an empty value means the source gives no figure.",
        "",
        "| id | title | source | vintage | licence | rows |",
        "|---|---|---|---|---|---|",
    ]
    listing = datasets.list_datasets()
    for row in listing.itertuples():
        lines.append(f"| [`{row.id}`](#data-{row.id}) | {_cell(row.title)} | {_cell(row.source)} "
                     f"| {_cell(row.vintage)} | {_cell(row.licence)} | {row.rows:,} |")
    lines.append("")
    for dataset_id in listing["id"]:
        meta = datasets.describe(dataset_id)
        lines += [f"({'data-' + dataset_id})=", f"## `{dataset_id}`: {meta['title']}", "",
                  _cell(meta.get("description", "")), ""]
        if meta.get("vintage"):
            lines += [f"**Vintage:** {_cell(meta['vintage'])}", ""]
        if meta["units"]:
            lines += ["**Units:** " + "; ".join(f"`{c}`: {_cell(u)}"
                                                for c, u in meta["units"].items()), ""]
        lines += ["**Sources:**", ""]
        lines += [f"- {_cell(s.get('title', ''))}" + (f" ({_cell(s['path'])})"
                                                       if s.get("path") else "")
                  for s in meta.get("sources", [])]
        lines.append("")
        if meta.get("caveats"):
            lines += ["**Caveats:**", ""] + [f"- {_cell(c)}" for c in meta["caveats"]] + [""]
    return "\n".join(lines)


def nonformal_page(downloads: Path) -> str:
    """The page of the Unit 2.4 handouts and workbooks; writes the files into ``downloads``."""
    from . import handouts, workbooks
    from .tasks import TASKS

    sheets = workbooks.build(downloads)
    pages = handouts.build(downloads)
    rel = downloads.name
    lines = [
        "# Unit 2.4 without Python: handouts and workbooks",
        "",
        "For the non-formal path (Unit 2.4.2) and for team members who do not program: one "
        "printable handout and one Excel workbook per Unit 2.4 task. The handout has the "
        "questions, the key terms in English, Azerbaijani and Russian, the data tables with "
        "units and sources, and the caveats; print it from the browser (A4). The workbook holds "
        "every row of the same data, each figure next to its unit and source, and opens in "
        "Excel or LibreOffice. A gap is written \"no data\", never 0.",
        "",
        "| task | path | handout (HTML, print A4) | workbook (Excel, .xlsx) |",
        "|---|---|---|---|",
    ]
    for task, page, sheet in zip(TASKS.values(), pages, sheets, strict=True):
        lines.append(f"| {_cell(task.title)} | {task.path} | "
                     f"{{download}}`handout <{rel}/{page.name}>` | "
                     f"{{download}}`workbook <{rel}/{sheet.name}>` |")
    return "\n".join(lines) + "\n"


def _index_page(notebooks: list[ExecutedNotebook], guides: list[Path], extra: list[str],
                research: list[ExecutedNotebook] | None = None) -> str:
    intro = (repo_root() / "site" / "intro.md").read_text(encoding="utf-8")

    def toctree(caption: str, entries: list[str]) -> str:
        return ("```{toctree}\n:maxdepth: 1\n:caption: " + caption + "\n\n"
                + "\n".join(entries) + "\n```\n")

    return "\n".join([
        intro,
        '<p>Slides for the projector, one deck per unit: <a href="slides/index.html">'
        "slides/index.html</a> (arrows to move, F for full screen).</p>\n",
        toctree("Course", [f"notebooks/{n.source.stem}" for n in notebooks]),
        toctree("Reference", ["glossary", "datasets", *extra]),
        toctree("Research notebooks (beyond the four classes)",
                [f"notebooks/research/{n.source.stem}" for n in research]) if research else "",
        toctree("For lecturers", [f"lecturers/{g.stem}" for g in guides]) if guides else "",
    ])


# ---- offline check --------------------------------------------------------------------------


# ---- build ----------------------------------------------------------------------------------


# ---- the notebooks as the site shows them ---------------------------------------------------

def _alt_text(cells: list, index: int) -> str:
    """A figure's alt text: the caption below it (``*Figure n. ...*``), else the section."""
    for cell in cells[index + 1:index + 3]:
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", ""))
            found = re.match(r"\s*\*((?:Figure|Chart)[^*]+)\*", text)
            if found:
                return " ".join(found.group(1).split())
            break
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") == "markdown":
            headings = re.findall(r"^#+\s+(.*)$", "".join(cell.get("source", "")), flags=re.M)
            if headings:
                return f"Chart of the section: {headings[-1].strip()}"
    return "Chart"


def for_the_site(notebook: dict) -> dict:
    """The executed notebook (JSON) as the site shows it; the argument is not changed.

    - Cells folded in JupyterLab (``jupyter.source_hidden``) get the tag ``hide-input``: the
      site shows their output and a "Show code" toggle.
    - Answer cells (``%%answer``) keep their first line and lose their output (the site cannot
      check answers; the notebook does).
    - (The explorer's pickers are already a still picture: see
      :func:`migdata.publish.notebooks.strip_widgets`.)
    - Every image gets an alt text: the figure's caption (MyST-NB ``mystnb.image.alt``).
    """
    nb = json.loads(json.dumps(notebook))
    cells = nb.get("cells", [])
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.setdefault("metadata", {})
        source = "".join(cell.get("source", ""))
        tags = meta.setdefault("tags", [])
        if meta.get("jupyter", {}).get("source_hidden") and "hide-input" not in tags:
            tags.append("hide-input")
        if source.lstrip().startswith("%%answer"):
            cell["outputs"] = []
        if any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
               for o in cell.get("outputs", [])):
            meta.setdefault("mystnb", {}).setdefault("image", {})["alt"] = _alt_text(cells, i)
    return nb


_MAIN = re.compile(r'<main[^>]*>(.*?)</main>|<div[^>]*role="main"[^>]*>(.*)', re.DOTALL)
_DROP = re.compile(r"<(script|style|svg|noscript)\b.*?</\1>|<img\b[^>]*>", re.DOTALL)
_ATTRS = re.compile(r"<([a-zA-Z0-9]+)\b[^>]*?(\sid=\"[^\"]*\")?[^>]*>")


def write_search_texts(out: Path) -> Path:
    """Write ``_static/migdata_search_texts.js``: the text of every page (headings' ids kept),
    read by ``_static/migdata_file_search.js`` so that search shows snippets from ``file://``
    too, where the browser refuses to fetch the pages (Sphinx's search fetches them).
    """
    pages = {}
    for page in sorted(Path(out).rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        if rel.startswith(("_static/", "slides/", "_sources/")) or rel in ("search.html",
                                                                             "genindex.html"):
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        found = _MAIN.search(text)
        body = (found.group(1) or found.group(2)) if found else text
        body = _DROP.sub(" ", body)
        body = _ATTRS.sub(lambda m: f"<{m.group(1)}{m.group(2) or ''}>", body)
        pages[rel] = '<div role="main">' + " ".join(body.split()) + "</div>"
    target = Path(out) / "_static" / "migdata_search_texts.js"
    target.write_text("window.MIGDATA_SEARCH_TEXTS = " + json.dumps(pages) + ";\n",
                      encoding="utf-8")
    return target


def _copy_mathjax(static: Path, modules: Path) -> None:
    """Copy MathJax 3 (``tex-chtml.js`` and its fonts) into the site's ``_static/mathjax``."""
    es5 = modules / "mathjax" / "es5"
    if not (es5 / "tex-chtml.js").is_file():
        raise InvalidInputError(
            f"MathJax not found in {modules} (expected mathjax/es5/tex-chtml.js); install it with "
            f"`npm install --prefix build/npm {NPM_PACKAGES[0]}` (make html does this)"
        )
    target = static / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(es5 / "tex-chtml.js", target / "tex-chtml.js")
    shutil.copytree(es5 / "output" / "chtml" / "fonts", target / "output" / "chtml" / "fonts",
                    dirs_exist_ok=True)


def stage(workdir: Path, notebooks: list[ExecutedNotebook], *,
          extra_pages: dict[str, str] | None = None, modules: Path | None = None,
          research: list[ExecutedNotebook] | None = None) -> Path:
    """Assemble the Sphinx source folder in ``workdir/src`` and return it."""
    root = repo_root()
    if not (root / "site" / "conf.py").is_file():
        raise InvalidInputError(
            f"site/conf.py not found under {root}: the course site is built from the source "
            "checkout (run `make html` in the repository)"
        )
    src = Path(workdir) / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(root / "site", src, ignore=shutil.ignore_patterns("__pycache__", "intro.md"))
    (src / "notebooks").mkdir()
    for n in notebooks:
        shown = for_the_site(json.loads(Path(n.executed).read_text(encoding="utf-8")))
        (src / "notebooks" / n.executed.name).write_text(json.dumps(shown), encoding="utf-8")
    if research:
        (src / "notebooks" / "research").mkdir()
        for n in research:
            shutil.copy2(n.executed, src / "notebooks" / "research" / n.executed.name)
    guides_dir = root / "lecturers"
    guides = sorted(g for g in guides_dir.glob("*.md") if not g.name.startswith("_")) \
        if guides_dir.is_dir() else []
    if guides:
        from .guides import render

        shutil.copytree(guides_dir, src / "lecturers")
        for guide in (src / "lecturers").glob("*.md"):
            guide.write_text(render(guide.read_text(encoding="utf-8")), encoding="utf-8")
    (src / "glossary.md").write_text(glossary_page(), encoding="utf-8")
    (src / "datasets.md").write_text(catalogue_page(), encoding="utf-8")
    pages = {"nonformal": nonformal_page(src / "kit_downloads"), **(extra_pages or {})}
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text, encoding="utf-8")
    ordered = [g for g in guides if g.stem == "index"] + [g for g in guides if g.stem != "index"]
    (src / "index.md").write_text(_index_page(notebooks, ordered, list(pages), research),
                                  encoding="utf-8")
    _copy_mathjax(src / "_static", modules or npm_dir())
    return src


def build(out: Path, notebooks_dir: Path | None = None, *, workdir: Path | None = None,
          jobs: int = 2, timeout: int = 300, modules: Path | None = None,
          extra_pages: dict[str, str] | None = None, with_slides: bool = True) -> SiteBuild:
    """Execute the notebooks and build the offline course site into ``out``.

    Parameters
    ----------
    out : pathlib.Path
        Output folder; ``out/index.html`` is the start page. Replaced if it exists.
    notebooks_dir : pathlib.Path, optional
        Where the notebooks are; default :func:`default_notebooks_dir`. Notebooks in its
        ``research/`` subfolder get their own section of the site.
    workdir : pathlib.Path, optional
        Folder for the executed notebooks and the Sphinx sources; default ``build/site``.
        The executed notebooks stay in ``workdir/executed`` (``make slides`` reuses them).
    jobs : int
        Notebooks executed at the same time.
    timeout : int
        Seconds allowed for any single cell.
    modules : pathlib.Path, optional
        ``node_modules`` folder holding ``mathjax``; default :func:`npm_dir`.
    extra_pages : dict, optional
        Further pages (name -> MyST text) listed under "Reference".
    with_slides : bool
        Also write the slides (:mod:`migdata.publish.slides`) into ``out/slides``, linked from
        the start page, so one folder holds everything for the room.

    Raises
    ------
    InvalidInputError
        If Sphinx fails, or a page loads anything from the internet.
    """
    start = time.perf_counter()
    out = Path(out)
    workdir = Path(workdir) if workdir else repo_root() / "build" / "site"
    notebooks_dir = Path(notebooks_dir or default_notebooks_dir())
    notebooks = execute_all(notebooks_dir, workdir / "executed", jobs=jobs, timeout=timeout)
    # notebooks/research/: for researchers, outside the four classes (no slides)
    research_dir = notebooks_dir / "research"
    research = (execute_all(research_dir, workdir / "executed" / "research", jobs=jobs,
                            timeout=timeout)
                if any(research_dir.glob("*.ipynb")) else [])
    src = stage(workdir, notebooks, extra_pages=extra_pages, modules=modules,
                research=research)
    if out.exists():
        shutil.rmtree(out)
    print(f"building the site with Sphinx into {out} ...", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E",
         "-d", str(workdir / "doctrees"), str(src), str(out)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise InvalidInputError(f"Sphinx failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    if proc.stderr.strip():
        print(proc.stderr.strip(), file=sys.stderr)
    write_search_texts(out)
    if with_slides:
        from . import slides

        slides.build(out / "slides", notebooks_dir, executed=[n.executed for n in notebooks],
                     workdir=workdir / "slides-work", modules=modules)
    remote = external_references(out)
    if remote:
        listing = "\n".join(f"  {p.relative_to(out)}: {ref}" for p, ref in remote[:20])
        raise InvalidInputError(
            f"the site loads {len(remote)} file(s) from the internet; it must work offline:\n"
            + listing
        )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    return SiteBuild(out, notebooks, time.perf_counter() - start, size, research)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m migdata.publish.site --out build/html``."""
    parser = argparse.ArgumentParser(
        prog="python -m migdata.publish.site",
        description="Execute every course notebook and build the offline course site "
                    "(Sphinx, MyST-NB, sphinx-book-theme).",
    )
    parser.add_argument("--out", type=Path, default=Path("build/html"),
                        help="output folder (default: build/html)")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="folder of notebooks (default: ./notebooks)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="staging folder (default: build/site)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at the same time")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    from nbclient.exceptions import CellExecutionError

    try:
        result = build(args.out, args.notebooks, workdir=args.workdir, jobs=args.jobs,
                       timeout=args.timeout)
    except InvalidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CellExecutionError as exc:
        lines = [line for line in str(exc).splitlines() if line.strip()]
        print(f"error: a notebook cell failed: {lines[-1] if lines else exc}", file=sys.stderr)
        return 1
    print(f"wrote the course site to {args.out / 'index.html'}: {len(result.notebooks)} "
          f"notebooks, {result.megabytes:.1f} MB, {result.seconds:.0f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
