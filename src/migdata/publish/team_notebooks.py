"""The Unit 2.4.1 team notebooks (nbgrader source), written from one specification.

``python -m migdata.publish.team_notebooks`` writes ``assignments/teams/team_<topic>/
team_<topic>.ipynb`` for every topic of :data:`migdata.classroom.teamwork.TOPICS`. The notebooks
are committed; a test rebuilds them and fails when the files differ, so this module is their one
home. Each notebook:

- says what the curriculum asks (Module 2, Unit 2.4.1 and its grading scheme);
- lets the team choose its data without Python, in plain ``%%answer`` cells (``TEAM``, ``DATA``,
  ``FIGURES``), shows the chosen tables and checks the cited figures (formative);
- holds the two written parts the lecturer marks in the formgrader: ``relevance`` (20 points)
  and ``analysis`` (30 points). Presentation and oral delivery (10) is marked in the room, one
  mark per team (``teams.csv``), and participation (40) per student: see
  :mod:`migdata.grading.teamwork`.

They are nbgrader source notebooks (the formgrader marks them; ``migdata-course`` generates,
releases, collects and exports them like any assignment), so they live under ``assignments/``.
They are kept in ``assignments/teams`` rather than ``assignments/source`` because they are not
autograded exercises: the source folder holds the autograded practice of each unit, whose checks
(hidden tests, zero for an untouched notebook) do not apply to a team's written work. When the
teams are formed (class 3) the lecturer adds them to the course::

    python -m migdata.publish.team_notebooks --out assignments/source
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..classroom.teamwork import TOPICS, Topic

__all__ = ["TEAMS_DIR", "assignment_id", "build", "main", "notebook"]

_SCHEMA = 3


def assignment_id(topic: str) -> str:
    """The nbgrader assignment id of a topic's team notebook (``team_<topic>``)."""
    return f"team_{topic}"


def _meta(grade_id: str, *, locked: bool = True, solution: bool = False, grade: bool = False,
          points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": _SCHEMA, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _md(cell_id: str, text: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": meta or {},
            "source": text.strip("\n").splitlines(keepends=True)}


def _code(cell_id: str, text: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    # an answer cell keeps the new line after its header: the team writes on the next line
    text = text if text.startswith("%%answer") else text.strip("\n")
    return {"cell_type": "code", "execution_count": None, "id": cell_id,
            "metadata": meta or {}, "outputs": [], "source": text.splitlines(keepends=True)}


def _intro(t: Topic) -> str:
    return f"""
# Team presentation (Unit 2.4.1): {t.title}

**Module 2, Migration Data and Data Management.** The curriculum (Module 2, Unit 2.4.1) evaluates
students through a short data-collection task that a team presents in the last class: **15
minutes**, then questions from the lecturer and the audience. The teams are formed one class
before. This notebook is where your team chooses its data, checks its figures and writes what
the lecturer marks. You do not need to write Python: you answer in plain text in the cells that
start with `%%answer`, then run the cells below them.

| part of the grade (curriculum, grading scheme) | where it is marked | points |
|---|---|---|
| relevance of the data chosen and analysed | section 2, marked by the lecturer here | 20 |
| data analysis and explanation | section 3, marked by the lecturer here | 30 |
| presentation and oral delivery | in the room, one mark for the team | 10 |
| active participation in the discussions of all units | each class, per student (4 x 10) | 40 |

Every member of the team gets the team's marks for the first three parts. The fact check in
section 4 is for you, not for the mark. The guided notebook `{t.guided_notebook}` shows how
the data of this topic can be read; you may choose other data from the catalogue below or from
the live sources.
"""


def _data_text(t: Topic) -> str:
    return f"""
## 2. Choose your data (relevance: 20 points)

Write one line per table in the `DATA` cell: the dataset id from the catalogue, a colon, then
`column = value` parts separated by `;`. Several values are separated by commas; `2014-2024`
means every year from 2014 to 2024. For example:

`{t.example}`

A line that starts with `live` asks the publisher's site instead of the kit's copy, for
example `live wdi: country = AZE; indicator = SM.POP.NETM; year = 2014-2024` (it needs the
internet; without it you get the kit's copy and the table says so). Run the cell after the
`DATA` cell to see your tables with their sources. Choose what answers the topic: relevance
is about the choice, not the number of tables.
"""


_RELEVANCE_NOTES = """
### BEGIN SOLUTION
*Marking notes (instructor version only). Relevance of the data chosen and analysed, 20 points:*
8 — the data answer the topic's question (countries, years or decades, the right kind of
figure: a flow, a stock or a rate, and for topic 4 the legal text as well as the statistics);
6 — the team says who produced each figure, how (count, registration, estimate, projection) and
which revision or vintage, and never mixes revisions in one series; 6 — the team says what its
data cannot show (gaps stay gaps, definitions that differ between sources).
### END SOLUTION
"""

_ANALYSIS_NOTES = """
### BEGIN SOLUTION
*Marking notes (instructor version only). Data analysis and explanation, 30 points:* 10 — the
comparison the topic asks for (countries, years or decades) is made with figures that match
their sources (see the team's fact check); 10 — the explanation separates what the data show
from what the team supposes, and names at least one other explanation; 10 — the team explains
why sources differ (definitions, methods, coverage, revisions) and states a limit of each source
it uses.
### END SOLUTION
"""


def notebook(topic: str) -> dict[str, Any]:
    """The nbgrader source notebook of a topic (a JSON-ready dict)."""
    t = TOPICS[topic]
    cells = [
        _md("intro", _intro(t), _meta("intro")),
        _code("setup", f'from migdata.classroom import teamwork\n\nteamwork.start("{t.id}")',
              _meta("setup")),
        _md("team-text", """
## 1. Your team

In the `TEAM` cell, write your team's name (its letter) on the second line and the student
ids of its members on the lines after it, as in `teams.csv`. Run the cell.

**Keep the first line of the `TEAM`, `DATA` and `FIGURES` cells exactly as it is**
(`%%answer TEAM text`, `%%answer DATA text`, `%%answer FIGURES text`): it tells the notebook
that the cell holds plain text. If you delete or change it by mistake, the cell shows an error:
press Ctrl+Z (undo) until the first line is back, then run the cell again.
""", _meta("team_text")),
        _code("team-answer", "%%answer TEAM text\n"),
        _md("data-text", _data_text(t), _meta("data_text")),
        _code("data-answer", "%%answer DATA text\n"),
        _code("data-show", "from migdata.classroom import teamwork\n\n"
              f'teamwork.show_data("DATA", topic="{t.id}")', _meta("data_show")),
        _md("relevance-text", """
**Why these data? (20 points, marked by the lecturer.)** In 100 to 200 words: why these tables
answer your topic; who produced each figure and how (a count, a registration, an estimate or a
projection; which revision or vintage); and what your data cannot show.
""", _meta("relevance_text")),
        _md("relevance", _RELEVANCE_NOTES, _meta("relevance", locked=False, solution=True,
                                                 grade=True, points=20)),
        _md("analysis-text", """
## 3. Analysis and explanation (30 points, marked by the lecturer)

In 200 to 300 words, the core of your presentation: what your figures show (compare the
countries, years or decades of your topic), what might explain it (separate what the data show
from what you suppose), and why sources differ where they do. Give the source of every figure.
""", _meta("analysis_text")),
        _md("analysis", _ANALYSIS_NOTES, _meta("analysis", locked=False, solution=True,
                                               grade=True, points=30)),
        _md("figures-text", """
## 4. Check your figures (for the team, not the mark)

In the `FIGURES` cell, write each figure you will show on a slide, one sentence per line, as it
will appear on the slide. Then run the cell below it: for each figure it says whether it is a
value of the data you chose in section 2, and where. A figure you computed (a difference, a
rate) is "not found": say on the slide how you computed it.
""", _meta("figures_text")),
        _code("figures-answer", "%%answer FIGURES text\n"),
        _code("figures-check", "from migdata.classroom import teamwork\n\n"
              'teamwork.check_figures("FIGURES", "DATA");',
              _meta("figures_check")),
        _md("slides-text", """
## 5. Slides and the presentation (10 points, marked in the room)

Save the notebook. The lecturer (or any member with the kit) turns it into slides with
`python -m migdata.publish.team_slides <this notebook> --out slides/`: a title slide, your data
with their sources, your key figures with the fact check, and your two texts. Edit them as you
like; keep a source and a unit on every figure. In the room the lecturer marks the presentation
and oral delivery (structure and timing, clear tables and charts, answers to questions), one
mark for the team.
""", _meta("slides_text")),
    ]
    return {"cells": cells,
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                        "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def _text(nb: dict[str, Any]) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


#: Where the team notebooks are committed (``assignments/teams``).
TEAMS_DIR = Path(__file__).resolve().parents[3] / "assignments" / "teams"


def build(source_dir: Path = TEAMS_DIR, *, check: bool = False) -> list[Path]:
    """Write (or, with ``check``, compare) every team notebook under ``source_dir``.

    Returns the paths written, or with ``check`` the paths whose file differs from the
    specification.
    """
    paths = []
    for topic in TOPICS:
        target = Path(source_dir) / assignment_id(topic) / f"{assignment_id(topic)}.ipynb"
        text = _text(notebook(topic))
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                paths.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        paths.append(target)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: write the team notebooks (``--check``: only compare)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TEAMS_DIR,
                        help="folder to write to (the course's assignments/source to add them "
                        "to the course; default: assignments/teams)")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    paths = build(args.out, check=args.check)
    for p in paths:
        print(("differs: " if args.check else "wrote ") + str(p))
    return 1 if args.check and paths else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
