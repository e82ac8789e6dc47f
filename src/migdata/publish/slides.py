"""Projector slides, one reveal.js deck per unit, built from the executed course notebooks.

``python -m migdata.publish.slides --out build/slides`` (``make slides``)

The notebooks are grouped by unit from their file names (``21_...`` is Unit 2.1, every
``24?_...`` notebook goes into the Unit 2.4 deck, ``00_...`` is the course introduction); any
other notebook gets a deck of its own. Each
heading starts a slide (``#``/``##``) or a sub-slide (``###``), each chart a sub-slide; the code
itself is left out (the slides show text, tables and charts). reveal.js and MathJax are copied
next to the decks from the npm packages ``reveal.js`` and ``mathjax`` (``make slides`` installs
them), so the slides work from a USB stick with no internet.

The executed notebooks of ``make html`` (``build/site/executed``) are reused when they are newer
than the notebooks; otherwise the notebooks are executed first.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError
from .notebooks import (
    ExecutedNotebook,
    default_notebooks_dir,
    execute_all,
    external_references,
    notebook_paths,
    notebook_title,
    npm_dir,
    repo_root,
)

__all__ = ["UNITS", "Deck", "build", "deck_notebook", "main", "mark_slides", "unit_of"]

#: Deck file name and title per unit key (the first two characters of a notebook's file name).
UNITS: dict[str, tuple[str, str]] = {
    "00": ("00_course_introduction", "Module 2: how the course works"),
    "21": ("unit_2_1_concepts", "Unit 2.1 Concepts and definitions in international migration "
                                "statistics"),
    "22": ("unit_2_2_primary_sources", "Unit 2.2 Primary sources of data"),
    "23": ("unit_2_3_institutions", "Unit 2.3 Institutional framework for migration data "
                                    "management in Azerbaijan"),
    "24": ("unit_2_4_empirical_work", "Unit 2.4 Empirical work"),
}


@dataclass(frozen=True)
class Deck:
    """One slide deck: its file, title, the notebooks it holds and how many slides it has."""

    path: Path
    title: str
    notebooks: list[str]
    slides: int


def unit_of(path: Path) -> str:
    """The unit key of a notebook file (``"21"`` for ``21_concepts...``).

    Raises
    ------
    InvalidInputError
        If the file name does not start with a known unit key (see :data:`UNITS`).
    """
    key = Path(path).name[:2]
    if key not in UNITS:
        raise InvalidInputError(
            f"cannot tell the unit of {Path(path).name!r}: names must start with one of "
            f"{sorted(UNITS)}"
        )
    return key


_HEADING = re.compile(r"^(#{1,6})\s")


def mark_slides(nb: object) -> object:
    """Set reveal.js slide types on the cells of an executed notebook (in place) and return it.

    A Markdown cell starting with a level-1 or level-2 heading opens a slide, a level-3 heading
    a sub-slide; a code cell with a chart (an image output) opens a sub-slide; a code cell
    without output is skipped; everything else continues the current slide.
    """
    for i, cell in enumerate(nb.cells):  # type: ignore[attr-defined]
        kind = "-"
        if cell.cell_type == "markdown":
            m = _HEADING.match(cell.source.lstrip())
            if m:
                kind = "slide" if len(m.group(1)) <= 2 else "subslide"
        elif cell.cell_type == "code":
            outputs = cell.get("outputs", [])
            if not outputs:
                kind = "skip"
            elif any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                     for o in outputs):
                kind = "subslide"
        if i == 0:
            kind = "slide"
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


def deck_notebook(executed: list[Path], title: str) -> object:
    """One notebook holding the cells of ``executed`` (in order) behind a title slide."""
    import nbformat

    deck = nbformat.v4.new_notebook()
    deck.metadata["title"] = title
    deck.cells.append(nbformat.v4.new_markdown_cell(
        f"# {title}\n\nMigration Curriculum, Module 2 \"Migration Data and Data Management\" · "
        "slides made from the migdata course notebooks (figures labelled SYNTHETIC come from "
        "simulated data; every other figure names its source)."
    ))
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        for n, cell in enumerate(nb.cells):  # cell ids must stay unique across notebooks
            cell["id"] = f"{path.stem[:24]}-{n}"
        deck.cells.extend(nb.cells)
    # keep the kernel information of the notebooks (for code highlighting)
    first = nbformat.read(executed[0], as_version=4)
    deck.metadata.update({k: v for k, v in first.metadata.items() if k != "title"})
    deck.metadata["title"] = title
    return mark_slides(deck)


def _copy_assets(out: Path, modules: Path) -> None:
    reveal = modules / "reveal.js"
    mathjax = modules / "mathjax" / "es5"
    if not (reveal / "dist" / "reveal.js").is_file() or not (mathjax / "tex-chtml.js").is_file():
        raise InvalidInputError(
            f"reveal.js or MathJax not found in {modules}; install them with `npm install "
            "--prefix build/npm reveal.js@5.1.0 mathjax@3.2.2` (make slides does this)"
        )
    def only_white_theme(folder: str, names: list[str]) -> list[str]:
        # the other themes load fonts from Google; the white theme ships its fonts.
        # Source maps and the ES-module builds are not used by the decks.
        unused = [n for n in names if n.endswith(".map") or ".esm." in n]
        if Path(folder).name == "theme":
            unused += [n for n in names if n.endswith(".css") and n != "white.css"]
        return unused

    shutil.copytree(reveal / "dist", out / "reveal.js" / "dist", ignore=only_white_theme,
                    dirs_exist_ok=True)
    shutil.copytree(reveal / "plugin" / "notes", out / "reveal.js" / "plugin" / "notes",
                    ignore=only_white_theme, dirs_exist_ok=True)
    (out / "mathjax").mkdir(parents=True, exist_ok=True)
    shutil.copy2(mathjax / "tex-chtml.js", out / "mathjax" / "tex-chtml.js")
    shutil.copytree(mathjax / "output" / "chtml" / "fonts", out / "mathjax" / "output" / "chtml"
                    / "fonts", dirs_exist_ok=True)


def _executed(notebooks_dir: Path, workdir: Path, jobs: int) -> list[Path]:
    """Executed copies of the notebooks: those of ``make html`` if up to date, else new ones."""
    sources = notebook_paths(notebooks_dir)
    site_copies = [repo_root() / "build" / "site" / "executed" / p.name for p in sources]
    if all(c.is_file() and c.stat().st_mtime >= s.stat().st_mtime
           for c, s in zip(site_copies, sources, strict=True)):
        return site_copies
    done: list[ExecutedNotebook] = execute_all(notebooks_dir, workdir / "executed", jobs=jobs)
    return [n.executed for n in done]


def build(out: Path, notebooks_dir: Path | None = None, *, executed: list[Path] | None = None,
          workdir: Path | None = None, jobs: int = 2, modules: Path | None = None
          ) -> list[Deck]:
    """Write one reveal.js deck per unit to ``out`` (plus an ``index.html`` listing them).

    Parameters
    ----------
    out : pathlib.Path
        Output folder (replaced if it exists).
    notebooks_dir : pathlib.Path, optional
        The course notebooks; default :func:`migdata.publish.notebooks.default_notebooks_dir`.
    executed : list of pathlib.Path, optional
        Executed notebooks to use instead (tests pass those of their site build).
    workdir : pathlib.Path, optional
        Where notebooks are executed when needed; default ``build/slides-work``.
    jobs : int
        Notebooks executed at the same time.
    modules : pathlib.Path, optional
        ``node_modules`` holding ``reveal.js`` and ``mathjax``; default ``build/npm/node_modules``.

    Raises
    ------
    InvalidInputError
        If reveal.js/MathJax are missing or a deck would load anything from the internet.
    """
    import html

    import nbformat
    from nbconvert import SlidesExporter

    notebooks_dir = notebooks_dir or default_notebooks_dir()
    workdir = Path(workdir) if workdir else repo_root() / "build" / "slides-work"
    paths = executed or _executed(notebooks_dir, workdir, jobs)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _copy_assets(out, modules or npm_dir())

    exporter = SlidesExporter(
        extra_template_basedirs=[str(Path(__file__).parent / "templates")],
        template_name="kit_reveal", reveal_url_prefix="reveal.js", reveal_theme="white",
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    groups: dict[str, list[Path]] = {}
    for p in paths:
        # a notebook outside the units (a new one) gets a deck of its own
        groups.setdefault(p.name[:2] if p.name[:2] in UNITS else p.stem, []).append(p)
    decks = []
    for key, members in groups.items():
        if key in UNITS:
            name, title = UNITS[key]
        else:
            name, title = key, notebook_title(nbformat.read(members[0], as_version=4))
        nb = deck_notebook(members, title)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        target = out / f"{name}.html"
        target.write_text(body, encoding="utf-8")
        count = sum(1 for c in nb.cells if c.metadata["slideshow"]["slide_type"] == "slide")
        decks.append(Deck(target, title, [p.stem for p in members], count))
    rows = "\n".join(
        f'<li><a href="{html.escape(d.path.name)}">{html.escape(d.title)}</a> '
        f"({d.slides} slides; {html.escape(', '.join(d.notebooks))})</li>" for d in decks
    )
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Module 2 slides</title></head><body>\n<h1>Module 2 slides, one deck per unit</h1>"
        "\n<p>Open a deck, press F for full screen, S for speaker notes, arrows to move. "
        "No internet needed.</p>\n"
        f"<ul>\n{rows}\n</ul>\n</body></html>\n", encoding="utf-8")
    remote = external_references(out)
    if remote:
        listing = "\n".join(f"  {p.relative_to(out)}: {ref}" for p, ref in remote[:20])
        raise InvalidInputError(f"the slides load {len(remote)} file(s) from the internet:\n"
                                + listing)
    return decks


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m migdata.publish.slides --out build/slides``."""
    parser = argparse.ArgumentParser(
        prog="python -m migdata.publish.slides",
        description="Build one reveal.js slide deck per unit from the executed course notebooks.")
    parser.add_argument("--out", type=Path, default=Path("build/slides"))
    parser.add_argument("--notebooks", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        decks = build(args.out, args.notebooks, jobs=args.jobs)
    except InvalidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for d in decks:
        print(f"  {d.path}: {d.slides} slides")
    print(f"wrote {len(decks)} decks to {args.out / 'index.html'} "
          f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
