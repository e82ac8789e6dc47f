"""Slides from a Unit 2.4.1 team notebook: the team's data, key figures and texts, as reveal.js.

``python -m migdata.publish.team_slides team_net_migration.ipynb --out slides/``

The saved notebook is read as JSON (never run): the ``TEAM``, ``DATA`` and ``FIGURES`` answers
(:func:`migdata.answers.answers_in`) and the two written parts (cells ``relevance`` and
``analysis``). The chosen tables are loaded from the kit again, each figure is checked with
:func:`migdata.classroom.teamwork.fact_check`, and the deck is exported with the course's slide
template (:mod:`migdata.publish.slides`). reveal.js and MathJax are copied next to the deck from
their npm packages (``make slides`` installs them), so the deck works with no internet; without
them the command stops with a plain sentence rather than write unstyled pages.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError

__all__ = ["TeamDeck", "build", "deck_notebook", "main", "read_team_notebook"]

_MAX_BYTES = 5_000_000
_STUB = "YOUR ANSWER HERE"


@dataclass(frozen=True)
class TeamDeck:
    """A written deck: its file, the team, its topic title and how many slides it has."""

    path: Path
    team: str
    topic: str
    slides: int


def read_team_notebook(path: str | Path) -> dict[str, str]:
    """The team's texts from a saved notebook: TEAM, DATA, FIGURES, relevance, analysis, title.

    Missing parts are empty strings.

    Raises
    ------
    InvalidInputError
        If the file is too large or not a notebook (JSON with a list of cells).
    """
    from ..answers import answers_in

    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"There is no notebook at {path}: check the path and the name "
                                "of the file (it ends in .ipynb).")
    if path.stat().st_size > _MAX_BYTES:
        raise InvalidInputError(f"{path} is larger than {_MAX_BYTES:,} bytes: not a team notebook")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidInputError(f"{path} is not a notebook (JSON): {err}") from err
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InvalidInputError(f"{path} is not a notebook: no list of cells")
    answers = answers_in(nb)
    parts = {qid: (answers[qid].text if qid in answers else "")
             for qid in ("TEAM", "DATA", "FIGURES")}
    parts.update(relevance="", analysis="", title="")
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        grade_id = (meta.get("nbgrader") or {}).get("grade_id") if isinstance(
            meta.get("nbgrader"), dict) else None
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if grade_id in ("relevance", "analysis") and cell.get("cell_type") == "markdown":
            text = text.strip()
            parts[grade_id] = "" if text == _STUB else text
        if grade_id == "intro":
            first = text.strip().splitlines()[0] if text.strip() else ""
            parts["title"] = re.sub(r"^#+\s*", "", first)
    return parts


def _cell(value: Any) -> str:
    """A value as a slide shows it: 62,144 or -15,745.5, yes/no, 'no data' for a gap."""
    import numbers

    if value is None or (isinstance(value, float) and value != value):
        return "no data"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value)}" if 1900 <= int(value) <= 2100 else f"{int(value):,}"
    if isinstance(value, numbers.Real):
        number = float(value)
        if number.is_integer():
            return f"{int(number):,}"
        return f"{number:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def _table_html(choice: Any, frame: Any, key: list[Any] | None = None, rows: int = 8) -> str:
    """The rows the team's figures come from (else the first ``rows``), numbers formatted,
    units in the headers, without the kit's bookkeeping columns."""
    from .. import datasets
    from ..classroom.teamwork import readable_table
    from ..errors import MigdataError

    try:
        units = {} if choice.live else dict(datasets.describe(choice.dataset).get("units") or {})
    except MigdataError:  # a live table without a bundled twin: no units known
        units = {}
    keep = [c for c in frame.columns if c != "indicator_label"]
    chosen = frame.loc[key] if key else frame.head(rows)
    shown = readable_table(chosen[keep], units)
    shown = shown.apply(lambda column: column.map(_cell))
    note = "" if key or len(frame) <= rows else (
        f"<p><small>The first {rows} of {len(frame)} rows.</small></p>")
    return shown.to_html(index=False, border=0) + note


def deck_notebook(parts: dict[str, str], *, fetch: Any = None) -> tuple[Any, str]:
    """The deck as a notebook (Markdown cells with slide types) and the team's name."""
    import nbformat

    from .. import datasets
    from ..classroom.teamwork import chosen_tables, fact_check
    from .slides import mark_slides

    lines = [ln.strip() for ln in parts["TEAM"].splitlines() if ln.strip()]
    team = lines[0] if lines else "(write your team's name in the TEAM cell)"
    members = ", ".join(lines[1:]) or "(write the members' student ids in the TEAM cell)"
    title = parts["title"] or "Team presentation"
    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = f"{title}: team {team}"
    add = nb.cells.append
    add(nbformat.v4.new_markdown_cell(
        f"# {html.escape(title)}\n\nTeam {html.escape(team)}: {html.escape(members)}\n\n"
        "Migration Curriculum, Module 2, Unit 2.4.1 (team presentation)"))
    tables, problems = chosen_tables(parts["DATA"], fetch=fetch)
    listing = []
    for choice, frame in tables:
        name = (f"live {choice.dataset}" if choice.live
                else datasets.describe(choice.dataset)["title"])
        listing.append(f"- {html.escape(name)}: `{choice.text}` ({len(frame)} rows)")
    listing += [f"- {html.escape(p)}" for p in problems]
    add(nbformat.v4.new_markdown_cell("## Our data\n\n" + ("\n".join(listing)
                                                           or "No data chosen.")))
    key: dict[int, list[Any]] = {}
    checks = fact_check(parts["FIGURES"], parts["DATA"], fetch=fetch, key_rows=key)
    for choice, frame in tables:
        add(nbformat.v4.new_markdown_cell(
            f"### {html.escape(choice.dataset)}\n\n"
            f"{_table_html(choice, frame, key.get(choice.line))}\n\n"
            f"*Source: {html.escape(_source(choice))}*"))
    rows = [f"- {html.escape(sentence)}" for sentence in
            (s.strip() for s in parts["FIGURES"].splitlines()) if sentence]
    if len(checks):  # the verdicts and where each value is; the advice is for the notebook
        rows.append("\n" + checks[["figure", "verdict", "where"]].to_html(index=False,
                                                                           border=0))
    add(nbformat.v4.new_markdown_cell("## Key figures\n\n" + "\n".join(rows)))
    add(nbformat.v4.new_markdown_cell("## Why these data\n\n"
                                      + (parts["relevance"] or "(not written yet)")))
    add(nbformat.v4.new_markdown_cell("## What we found\n\n"
                                      + (parts["analysis"] or "(not written yet)")))
    return mark_slides(nb), team


def _source(choice: Any) -> str:
    from .tasks import source_text

    return "live API (or the kit's copy when offline)" if choice.live else source_text(
        choice.dataset)


def build(notebook: str | Path, out: str | Path, *, modules: Path | None = None,
          fetch: Any = None) -> TeamDeck:
    """Write the reveal.js deck of a team notebook to ``out/team_<team>.html``."""
    from nbconvert import SlidesExporter

    from .notebooks import npm_dir
    from .slides import _copy_assets

    parts = read_team_notebook(notebook)
    modules = modules or npm_dir()
    if not (modules / "reveal.js" / "dist" / "reveal.js").is_file():
        raise InvalidInputError(
            f"reveal.js is not installed (looked in {modules}), so the slides would show as "
            "plain unstyled pages. Run 'make slides' once in the kit's folder (it installs "
            "reveal.js), or pass the folder that holds it with --modules, then run this again.")
    nb, team = deck_notebook(parts, fetch=fetch)
    exporter = SlidesExporter(
        extra_template_basedirs=[str(Path(__file__).parent / "templates")],
        template_name="kit_reveal", reveal_url_prefix="reveal.js", reveal_theme="white",
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nb.metadata[
        "title"]}})
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", team)[:40] or "team"
    target = out / f"team_{safe}.html"
    target.write_text(body, encoding="utf-8")
    _copy_assets(out, modules)
    count = sum(1 for c in nb.cells if c.metadata["slideshow"]["slide_type"] == "slide")
    return TeamDeck(target, team, parts["title"], count)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m migdata.publish.team_slides NOTEBOOK --out FOLDER``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, default=Path("slides"))
    parser.add_argument("--modules", type=Path, default=None,
                        help="node_modules folder holding reveal.js and mathjax "
                        "(default: build/npm/node_modules, installed by 'make slides')")
    args = parser.parse_args(argv)
    try:
        deck = build(args.notebook, args.out, modules=args.modules)
    except InvalidInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {deck.path} ({deck.slides} slides, team {deck.team})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
