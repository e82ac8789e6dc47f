"""Slides from a Unit 2.4.1 team notebook: the team's data, key figures and texts, as reveal.js.

``python -m migdata.publish.team_slides team_net_migration.ipynb --out slides/``

The saved notebook is read as JSON (never run): the ``TEAM``, ``DATA`` and ``FIGURES`` answers
(:func:`migdata.answers.answers_in`) and the two written parts (cells ``relevance`` and
``analysis``). The chosen tables are loaded from the kit again, each figure is checked with
:func:`migdata.classroom.teamwork.fact_check`, and the deck is exported with the course's slide
template (:mod:`migdata.publish.slides`). reveal.js is copied next to the deck when its npm
package is found (``make slides`` installs it), so the deck works with no internet.
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


def _table_html(frame: Any, rows: int = 8) -> str:
    keep = [c for c in frame.columns if c not in {"cell", "source_row", "notes", "source_url",
                                                   "indicator_label", "country_m49"}]
    return frame[keep].head(rows).to_html(index=False, na_rep="no data", border=0)


def deck_notebook(parts: dict[str, str], *, fetch: Any = None) -> tuple[Any, str]:
    """The deck as a notebook (Markdown cells with slide types) and the team's name."""
    import nbformat

    from .. import datasets
    from ..classroom.teamwork import chosen_tables, fact_check
    from .slides import mark_slides

    lines = [ln.strip() for ln in parts["TEAM"].splitlines() if ln.strip()]
    team = lines[0] if lines else "(no team written)"
    members = ", ".join(lines[1:]) or "(no members written)"
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
    for choice, frame in tables:
        add(nbformat.v4.new_markdown_cell(
            f"### {html.escape(choice.dataset)}\n\n{_table_html(frame)}\n\n"
            f"*Source: {html.escape(_source(choice))}*"))
    checks = fact_check(parts["FIGURES"], parts["DATA"], fetch=fetch)
    rows = [f"- {html.escape(sentence)}" for sentence in
            (s.strip() for s in parts["FIGURES"].splitlines()) if sentence]
    if len(checks):
        rows.append("\n" + checks.to_html(index=False, border=0))
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
    try:
        _copy_assets(out, modules or npm_dir())
    except InvalidInputError as err:
        print(f"note: {err}", file=sys.stderr)
    count = sum(1 for c in nb.cells if c.metadata["slideshow"]["slide_type"] == "slide")
    return TeamDeck(target, team, parts["title"], count)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m migdata.publish.team_slides NOTEBOOK --out FOLDER``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, default=Path("slides"))
    args = parser.parse_args(argv)
    try:
        deck = build(args.notebook, args.out)
    except InvalidInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {deck.path} ({deck.slides} slides, team {deck.team})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
