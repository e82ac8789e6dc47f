"""Generated parts of the lecturers' guides (``lecturers/*.md``): figures are never typed.

A guide marks where generated text goes with an HTML comment; :func:`render` replaces it when the
course site is built:

- ``<!-- kit-examples: journalists -->``: the journalists' examples of misused migration
  figures, computed here from the bundled datasets with their sources, so the guide states no
  number by hand;
- ``<!-- kit-plan: 21_concepts_and_definitions -->``: the timed plan of a class, taken from the
  notebook's own plan (its "Class plan" or "Session plan" section, or the section a ``#`` names:
  ``00_start_here#Four classes of 2 hours``). The notebook is the plan's one home.
- a paragraph ending with ``<!-- kit-raw-note -->`` speaks to readers of the raw Markdown (where
  the plan is shown, which notebook holds it) and is dropped from the rendered guide.

:func:`structure` reads what a notebook holds (numbered sections, figures, tables, questions,
plan), so a test can check every reference a derived text makes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["GENERATORS", "Structure", "class_plan", "journalist_examples", "render",
           "structure", "tagged_text"]


def _n(v: Any, digits: int = 0) -> str:
    """A figure with thousands separators ("no data" for a gap)."""
    import pandas as pd

    if v is None or pd.isna(v):
        return "no data"
    return f"{float(v):,.{digits}f}"


def _one(frame: Any, **where: Any) -> Any:
    """The single row of ``frame`` matching ``where`` (an error if there is not exactly one)."""
    from ..errors import InvalidInputError

    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    if len(rows) != 1:
        raise InvalidInputError(f"expected one row for {where}, found {len(rows)}")
    return rows.iloc[0]


#: What the UN's type-of-data codes of the migrant stock mean (caveats of
#: ``un_migrant_stock_totals``): the code is read from the data, the wording is the kit's.
_TYPES = {"B": "the foreign-born population",
          "B R": "the foreign-born population plus the refugees that UNHCR reports",
          "C": "the foreign citizens", "C R": "the foreign citizens plus the refugees that UNHCR "
          "reports"}


def journalist_examples() -> str:
    """Markdown: five ways migration figures are misused, each shown with the kit's real data."""
    from .. import datasets

    press = datasets.load("press_figures")
    arm = press[press["country"] == "ARM"]
    arrivals = _one(arm, period="2015", measure="border_crossings_arrivals")
    departures = _one(arm, period="2015", measure="border_crossings_departures")
    aze = press[press["country"] == "AZE"]
    a13 = _one(aze, period="2013", measure="arrived_for_permanent_residence")
    d13 = _one(aze, period="2013", measure="departed_for_permanent_residence")
    a16 = _one(aze, period="2016", measure="arrived_for_permanent_residence")
    d16 = _one(aze, period="2016", measure="departed_for_permanent_residence")
    wpp = datasets.load("wpp_net_migration", country="AZE")
    w16 = _one(wpp, year=2016)
    w23 = _one(wpp, year=2023)
    w24 = _one(wpp, year=2024)
    wdi16 = _one(datasets.load("wdi", country="AZE", indicator="SM.POP.NETM"), year=2016)
    totals = datasets.load("un_migrant_stock_totals", country="AZE", sex="total")
    s19 = _one(totals, revision=2019, year=2019, measure="migrant_stock")
    p19 = _one(totals, revision=2019, year=2019, measure="migrant_stock_pct_population")
    f19 = _one(totals, revision=2019, year=2019, measure="refugee_stock")
    r2005 = {rev: _one(totals, revision=rev, year=2005, measure="migrant_stock")
             for rev in (2019, 2020)}
    wpp_src = datasets.describe("wpp_net_migration")["sources"][0]["title"]
    wdi_vintage = datasets.describe("wdi")["vintage"]
    un_src = datasets.describe("un_migrant_stock_totals")["title"]

    return f"""
### 1. Border crossings reported as emigration

In {arrivals['period']} a press statement on Armenia (flagged *{arrivals['flag']}* in the kit;
{arrivals['notes']}) gave {_n(arrivals['value'])} border-crossing arrivals and
{_n(departures['value'])} departures, a balance of {_n(arrivals['value'] - departures['value'])}
(computed from the two figures). One page carrying it has a web address that reads, in
transliterated Russian, "Armenians flee en masse" ({arrivals['source_url']}). It is a
balance of **trips**: one person can cross many times, and tourists and business travellers
are counted with everybody else.
Border data become migration data only after a residence rule (such as Georgia's 183 days) is
applied to each person's entries and exits. *Source: dataset `press_figures`.*

### 2. A rounded, second-hand figure treated as exact

For {a13['period']} a news agency, citing the State Statistical Committee, reported arrivals for
permanent residence of {_n(a13['value'], 1)} {a13['unit']} and departures of
{_n(d13['value'], 1)} {d13['unit']}. These are rounded figures quoted by the press
(*{a13['flag']}*), not the Committee's table. Say so ("about ... thousand, according to ...
citing ..."), and never compute a precise percentage change from a rounded figure.

### 3. "More people arrive than leave": which people?

For {a16['period']} the press reported {_n(a16['value'])} arrivals and {_n(d16['value'])}
departures for permanent residence (*{a16['flag']}*), a balance of
{_n(a16['value'] - d16['value'])} computed from the two. For the same year the UN's estimate of
net migration for Azerbaijan is {_n(w16['net_migration'], 3)} thousand persons
({w16['variant']}; {wpp_src}), and the World Bank's WDI, which credits its figure to the UN
estimates, gives {_n(wdi16['value'])} persons (vintage {wdi_vintage}). The figures do not
contradict each other; they count different things. Arrivals and departures "for permanent
residence" are moves registered as permanent. The curriculum says only that the State Statistical
Committee publishes them with data it receives from the Ministry of Internal Affairs and the State
Migration Service (Module 2, Unit 2.3); the press report for {a13['period']} in the kit credits
the registrations to those two bodies (see its note in `press_figures`). A person who leaves to
work abroad without deregistering is not in them, whereas the UN estimate tries to cover every
change of usual residence. A story must say which definition a figure uses.

### 4. A projection reported as what happened

The UN's World Population Prospects 2024 give for Azerbaijan a net migration rate of
{_n(w23['net_migration_rate'], 3)} per 1,000 for {w23['year']} ({w23['variant']}) and
{_n(w24['net_migration_rate'], 3)} for {w24['year']} ({w24['variant']}). The {w24['year']} figure is
a **projection**, computed from assumptions, not a count. Reporting it as "net migration in
{w24['year']} was ..." is wrong; "the UN projects ..." is right.

### 5. A migrant stock read as "new immigrants", and revisions mixed

The UN estimates an international migrant stock of {_n(s19['value'])} in Azerbaijan in
{s19['year']} ({_n(p19['value'], 1)} % of the population; {un_src}, revision {s19['revision']}).
Its type of data is "{s19['type_of_data']}": {_TYPES.get(s19['type_of_data'], 'see the caveats')}
(the refugee stock in it: {_n(f19['value'])}). The figure counts everyone in that group whatever
the year they arrived: it is a **stock**, not the number who came recently, and not "foreign-born
residents" alone. And estimates are revised: for 2005 the revision 2019 gives
{_n(r2005[2019]['value'])} and the revision 2020 gives {_n(r2005[2020]['value'])}. Taking one year
from each revision makes a change that is only a revision. Name the revision or vintage.
""".strip()


#: Marker name -> function returning the Markdown that replaces ``<!-- kit-examples: name -->``.
GENERATORS: dict[str, Callable[[], str]] = {"journalists": journalist_examples}

#: A line for readers of the raw Markdown only (e.g. where a generated plan is shown); the
#: rendered guide drops it, since the plan then stands in its place.
_RAW_NOTE = re.compile(r"<!--\s*kit-raw-note\s*-->")


def _strip_raw_notes(text: str) -> str:
    """Drop each paragraph (a run of non-blank lines) that ends with a kit-raw-note marker.

    Line by line: the regular expression this replaces backtracked for minutes on long guides.
    """
    out: list[str] = []
    paragraph: list[str] = []
    for line in text.splitlines(keepends=True):
        if not line.strip():
            out += paragraph
            paragraph = []
            out.append(line)
        elif _RAW_NOTE.search(line):
            paragraph = []
        else:
            paragraph.append(line)
    return "".join(out + paragraph)
_MARKER = re.compile(r"<!--\s*kit-(examples|plan):\s*([A-Za-z0-9_]+(?:#[^>]*?)?)\s*-->")
_SECTION = re.compile(r"^##\s+(\d+)\.\s+(.+?)\s*$", re.MULTILINE)
_HEADING = re.compile(r"^#{2,3}\s+(.+?)\s*$", re.MULTILINE)
_CAPTION = re.compile(r"\b(Figure|Table) (\d+)\.\s+([^\n*\"]+)")
_QUESTION = re.compile(r"\*\*Question (\d+)\b|^%%answer P(\d+)\b", re.MULTILINE)
_PLAN_TITLES = ("Class plan", "Session plan")


@dataclass(frozen=True)
class Structure:
    """What a course notebook holds, as derived texts may refer to it."""

    name: str
    sections: dict[int, str] = field(default_factory=dict)  # "## 3. Title" -> {3: "Title"}
    headings: list[str] = field(default_factory=list)  # every ## and ### heading, as written
    figures: dict[int, str] = field(default_factory=dict)  # caption text after "Figure N."
    tables: dict[int, str] = field(default_factory=dict)
    questions: set[int] = field(default_factory=set)
    text: str = ""  # all cell sources, joined


def _notebooks_dir(folder: str | Path | None) -> Path:
    from .notebooks import default_notebooks_dir

    return Path(folder) if folder else default_notebooks_dir()


def structure(name: str, notebooks_dir: str | Path | None = None) -> Structure:
    """Read the sections, figures, tables, questions and text of notebook ``name`` (its stem).

    Raises
    ------
    migdata.errors.UnknownValueError
        If there is no such notebook.
    """
    from ..errors import UnknownValueError

    path = _notebooks_dir(notebooks_dir) / f"{name}.ipynb"
    if not path.is_file():
        raise UnknownValueError(f"no notebook {name!r} in {path.parent}")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in cells]
    markdown = "\n\n".join(s for c, s in zip(cells, sources, strict=True)
                            if c["cell_type"] == "markdown")
    text = "\n\n".join(sources)
    figures: dict[int, str] = {}
    tables: dict[int, str] = {}
    for kind, number, caption in _CAPTION.findall(text):
        (figures if kind == "Figure" else tables).setdefault(int(number), caption.strip())
    questions = {int(a or b) for a, b in _QUESTION.findall(text)}
    return Structure(name, {int(n): t for n, t in _SECTION.findall(markdown)},
                     _HEADING.findall(markdown), figures, tables, questions, text)


def class_plan(name: str, notebooks_dir: str | Path | None = None) -> str:
    """The timed plan of a notebook (its Markdown table), with a line naming where it lives.

    ``name`` is a notebook stem, optionally ``stem#Section title`` to take the table of another
    section (``00_start_here#Four classes of 2 hours``).

    Raises
    ------
    migdata.errors.UnknownValueError
        If the notebook or the section does not exist, or the section holds no table.
    """
    from ..errors import UnknownValueError

    stem, _, wanted = name.partition("#")
    titles = (wanted.strip(),) if wanted else _PLAN_TITLES
    path = _notebooks_dir(notebooks_dir) / f"{stem}.ipynb"
    if not path.is_file():
        raise UnknownValueError(f"no notebook {stem!r} for the plan in {path.parent}")
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for part in re.split(r"(?m)^(?=## )", source):
            heading = part.splitlines()[0] if part.strip() else ""
            if not any(heading.startswith(f"## {t}") for t in titles):
                continue
            rows = [ln for ln in part.splitlines() if ln.startswith("|")]
            if not rows:
                raise UnknownValueError(f"section {heading!r} of {stem} holds no plan table")
            return (f"*The plan of notebook `{stem}` (section \"{heading[3:].strip()}\"): edit "
                    "it there, and this guide follows.*\n\n" + "\n".join(rows))
    raise UnknownValueError(f"notebook {stem} has no section {' or '.join(titles)!r}")


def tagged_text(name: str, tag: str, notebooks_dir: str | Path | None = None) -> str:
    """The Markdown of the cells of notebook ``name`` that carry cell tag ``tag``, in order.

    The guided Unit 2.4 notebooks tag their "Preparing your presentation" cell ``handout``: a
    handout or guide that restates it takes this text instead of keeping a copy.

    Raises
    ------
    migdata.errors.UnknownValueError
        If the notebook does not exist or no cell carries the tag.
    """
    from ..errors import UnknownValueError

    path = _notebooks_dir(notebooks_dir) / f"{name}.ipynb"
    if not path.is_file():
        raise UnknownValueError(f"no notebook {name!r} in {path.parent}")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    parts = ["".join(c["source"]) for c in cells
             if c["cell_type"] == "markdown" and tag in c.get("metadata", {}).get("tags", [])]
    if not parts:
        raise UnknownValueError(f"no cell of {name} is tagged {tag!r}")
    return "\n\n".join(parts)


def render(text: str, notebooks_dir: str | Path | None = None) -> str:
    """Replace every generated-text marker of a guide (see the module docstring).

    Raises
    ------
    migdata.errors.UnknownValueError
        For a marker naming no generator, notebook or plan section.
    """
    from ..errors import UnknownValueError

    def replace(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        if kind == "plan":
            return class_plan(name, notebooks_dir)
        if name not in GENERATORS:
            raise UnknownValueError(
                f"unknown generated section {name!r} in a guide; known: {sorted(GENERATORS)}")
        return GENERATORS[name]()

    return _MARKER.sub(replace, _strip_raw_notes(text))
