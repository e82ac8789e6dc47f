"""The Unit 2.4.1 team notebooks: choose data without Python, see it, and check cited figures.

A team writes its choices as plain text in ``%%answer`` cells (see :mod:`migdata.answers`):

``DATA``
    One table per line, ``dataset: column = value, value; column = value``, for example
    ``wpp_net_migration: country = ARM, AZE, GEO; year = 2014-2024``. A line starting with
    ``live`` asks a publisher's API instead of the bundled copy
    (``live wdi: country = AZE; indicator = SM.POP.NETM; year = 2014-2024``; see
    :data:`migdata.sources.SOURCES`).
``FIGURES``
    One sentence per line, each stating a figure the team will cite, as it will appear on a
    slide.

:func:`read_choice` turns the DATA text into table requests and plain sentences about lines it
cannot read; :func:`chosen_tables` loads them; :func:`fact_check` says, for every figure of the
FIGURES text, whether it is a value of the chosen tables (formative: the team's mark is the
lecturer's, by the rubric). Nothing here raises on a student's text: every slip becomes one
plain sentence. The same functions run on the lecturer's side on a saved notebook (they read
text, never code).

:func:`migration_code_terms` reads the definitions of Article 3 of the Migration Code from the
official Azerbaijani text in the raw data folder (topic 4).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "RAW_ENV_VAR",
    "TOPICS",
    "Choice",
    "Topic",
    "bundled_code_text",
    "catalogue",
    "check_figures",
    "chosen_tables",
    "columns_in_words",
    "fact_check",
    "figures_in",
    "migration_code_terms",
    "raw_dir",
    "read_choice",
    "readable_table",
    "show_data",
    "start",
]


@dataclass(frozen=True)
class Topic:
    """One presentation topic of the curriculum (Module 2, Unit 2.4.1)."""

    id: str
    title: str
    guided_notebook: str
    suggested: tuple[str, ...]
    example: str
    legislation: bool = False


#: The four topics the curriculum lists for 2.4.1 ("not exhaustive"), in its order.
TOPICS: Final[dict[str, Topic]] = {t.id: t for t in [
    Topic("net_migration", "Net migration rate in the South Caucasus (Armenia, Azerbaijan and "
          "Georgia), 2014-2024", "24a_net_migration_rates",
          ("wpp_net_migration", "wdi", "geostat_migration", "geostat_population",
           "azstat_migration", "armstat_registered_migration"),
          "wpp_net_migration: country = ARM, AZE, GEO; year = 2014-2024"),
    Topic("emigration_destinations", "Emigration patterns in the South Caucasus within "
          "2014-2024, and the main destination countries", "24b_emigration_destinations",
          ("un_migrant_stock", "unhcr_population", "armstat_registered_migration"),
          "un_migrant_stock: origin = ARM, AZE, GEO; sex = total; revision = 2024"),
    Topic("emigration_to_russia", "Emigration from the South Caucasus to Russia in 1990-2000, "
          "2000-2010 and 2010-2020: how the trends changed and what might be the causes",
          "24c_emigration_to_russia_by_decade", ("un_migrant_stock", "wdi"),
          "un_migrant_stock: origin = ARM, AZE, GEO; destination = RUS; sex = total; "
          "revision = 2024"),
    Topic("migrant_definition", "How \"migrant\" is defined in the legislation and statistics "
          "of Azerbaijan, the challenges of the definition, and permanent immigration over the "
          "last 5 years", "24d_migrant_definition_azerbaijan",
          ("azstat_migration", "az_sms", "press_figures", "un_migrant_stock_totals",
           "wpp_net_migration"),
          "azstat_migration: partner = all countries; measure = arrived_for_permanent_residence",
          legislation=True),
]}

_KEYS: Final = ("country", "origin", "destination", "asylum", "partner", "indicator", "measure",
                "flow", "sex", "citizenship", "variant", "revision", "estimate_basis", "quality",
                "year", "period", "unit")
_RANGE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")


@dataclass(frozen=True)
class Choice:
    """One line of a DATA answer, read."""

    line: int
    text: str
    dataset: str
    filters: dict[str, Any] = field(default_factory=dict)
    live: bool = False


def _value(text: str) -> Any:
    """A filter value as written: whole numbers become numbers, yes/no booleans, else text."""
    t = text.strip()
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    if t.lower() in {"true", "yes"}:
        return True
    if t.lower() in {"false", "no"}:
        return False
    return t


def _no_data(topic: str | None) -> str:
    example = TOPICS[topic].example if topic in TOPICS else TOPICS["net_migration"].example
    return ("No data chosen yet: write one line per table in the DATA cell (below its first "
            f"line, %%answer DATA text), for example '{example}', and run that cell.")


def read_choice(text: str | None, topic: str | None = None) -> tuple[list[Choice], list[str]]:
    """Read a DATA answer: the table requests, and one plain sentence per line not understood.

    Dataset ids and column names may be written in capitals. ``topic`` chooses the example of
    the "no data chosen yet" sentence. Never raises: any text (or None) gives two lists.
    """
    if not isinstance(text, str) or not text.strip():
        return [], [_no_data(topic)]
    choices: list[Choice] = []
    problems: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, sep, rest = line.partition(":")
        live = head.strip().lower().startswith("live ")
        name = (head.strip()[5:].strip() if live else head.strip()).lower()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            problems.append(f"Line {n} ('{line[:60]}'): start with a dataset id from the "
                            "catalogue, then a colon, for example 'wdi: country = AZE'.")
            continue
        filters: dict[str, Any] = {}
        bad = False
        for part in (p for p in rest.split(";") if p.strip()) if sep else []:
            column, eq, values = part.partition("=")
            column = column.strip().lower().replace(" ", "_")
            if not eq or not re.fullmatch(r"[a-z][a-z0-9_]*", column) or not values.strip():
                problems.append(f"Line {n}: '{part.strip()[:40]}' is not 'column = value'.")
                bad = True
                break
            span = _RANGE.match(values)
            if span:
                first, last = int(span.group(1)), int(span.group(2))
                if last < first or last - first > 300:
                    problems.append(f"Line {n}: the years {values.strip()} are not a range "
                                    "from an earlier to a later year.")
                    bad = True
                    break
                filters[column] = list(range(first, last + 1))
            else:
                items = [_value(v) for v in values.split(",") if v.strip()]
                filters[column] = items[0] if len(items) == 1 else items
        if not bad:
            choices.append(Choice(n, line, name, filters, live))
    return choices, problems


def _live(choice: Choice, fetch: Callable[..., Any] | None) -> pd.DataFrame:
    from ..sources import refresh

    fetch = fetch or refresh
    filters = dict(choice.filters)
    countries = filters.pop("country", ("ARM", "AZE", "GEO"))
    years = filters.get("year")
    span = {}
    if isinstance(years, list) and years:
        span = {"start": min(years), "end": max(years)}
    elif isinstance(years, int):
        span = {"start": years, "end": years}
    indicators = filters.pop("indicator", None)
    frame = fetch(choice.dataset, countries=countries if isinstance(countries, (list, tuple))
                  else [countries],
                  indicators=[indicators] if isinstance(indicators, (str, int)) else indicators,
                  progress=False, **span)
    for column, wanted in filters.items():
        if column not in frame.columns:
            raise KeyError(column)
        wanted = wanted if isinstance(wanted, list) else [wanted]
        frame = frame[frame[column].isin(wanted)]
    return frame


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def _line_order(problem: str) -> int:
    m = re.match(r"Line (\d+)", problem)
    return int(m.group(1)) if m else 0


def chosen_tables(text: str | None, *, fetch: Callable[..., Any] | None = None,
                  topic: str | None = None
                  ) -> tuple[list[tuple[Choice, pd.DataFrame]], list[str]]:
    """Load every table a DATA answer asks for; plain sentences for what could not be loaded,
    in the order of the DATA lines.

    ``fetch`` replaces :func:`migdata.sources.refresh` for ``live`` lines (tests); ``topic``
    chooses the example of the "no data chosen yet" sentence.
    """
    from .. import datasets
    from ..errors import MigdataError

    choices, problems = read_choice(text, topic)
    known = set(datasets.list_datasets()["id"])
    tables = []
    for c in choices:
        try:
            if c.live:
                from ..sources import SOURCES

                if c.dataset not in SOURCES:
                    problems.append(f"Line {c.line}: no live source called '{c.dataset}'."
                                    f"{_did_you_mean(c.dataset, SOURCES)} The live sources "
                                    f"are {', '.join(sorted(SOURCES))}.")
                    continue
                frame = _live(c, fetch)
            else:
                if c.dataset not in known:
                    problems.append(f"Line {c.line}: there is no dataset '{c.dataset}' in the "
                                    f"catalogue.{_did_you_mean(c.dataset, known)} The ids are "
                                    f"{', '.join(sorted(known))}.")
                    continue
                frame = datasets.load(c.dataset, **c.filters)
        except KeyError as err:
            problems.append(f"Line {c.line}: the live table has no column {err}.")
            continue
        except MigdataError as err:
            problems.append(f"Line {c.line}: {err}")
            continue
        if frame.empty:
            problems.append(f"Line {c.line}: no row matches '{c.text}'.")
            continue
        tables.append((c, frame))
    return tables, sorted(problems, key=_line_order)


def _figure_columns(choice: Choice, frame: pd.DataFrame) -> dict[str, str]:
    """Figure column -> unit (from the dataset's description; numeric columns of a live table)."""
    from .. import datasets
    from ..errors import MigdataError

    try:
        units = dict(datasets.describe(choice.dataset)["units"])
    except MigdataError:  # a live source without a bundled twin
        units = {}
    if not units:
        units = {c: "" for c in frame.columns
                 if frame[c].dtype.kind in "fi" and c not in {"year", "revision"}}
    return {c: u for c, u in units.items() if c in frame.columns}


@dataclass(frozen=True)
class _Figure:
    text: str
    value: float
    decimals: int
    zeros: int  # trailing zeros of a whole number (rounded to hundreds, thousands...)
    other: _Figure | None = None  # "1,073": 1073, or else 1.073 (a decimal comma)


# a number as a person writes it: digits grouped by spaces, commas or points, a decimal comma
# or point; read by migdata.answers.forms (never by this pattern)
_TOKEN = re.compile(r"(?<![\w.,])([-\u2212\u2013]?)"
                    r"(\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)(?!\w)")


def _reading(sign: str, digits: str, token: str, value: float) -> _Figure:
    """A figure with the decimals (or the trailing zeros) it was written with."""
    last = re.split(r"[.,]", digits)[-1]
    plain = re.sub(r"\D", "", digits)
    decimals = len(last) if ("," in digits or "." in digits) and math.isclose(
        value * 10 ** len(last), int(plain), rel_tol=0, abs_tol=1e-6) else 0
    zeros = 0 if decimals else min(len(plain) - len(plain.rstrip("0")), len(plain) - 1)
    return _Figure(token, -value if sign else value, decimals, zeros)


def figures_in(sentence: str) -> list[_Figure]:
    """The figures of one sentence, read as :func:`migdata.answers.forms.read` reads a number
    (decimal commas, grouped digits, the minus sign). Years (1900-2100 written without
    separators), ranges of years and the "1,000" of "per 1,000" are not figures. A figure that
    can be read in two ways ("1,073") keeps the other reading in ``other``."""
    from ..answers.forms import read

    found = []
    for m in _TOKEN.finditer(sentence):
        sign, digits = m.group(1), m.group(2)
        before = sentence[:m.start()].rstrip().lower()
        if digits.isdigit() and 1900 <= int(digits) <= 2100:
            continue  # a year
        if before.endswith("per") or before.endswith("per every"):
            continue
        if sign == "\u2013" or (sign == "-" and before[-4:].isdigit()):
            sign = ""  # a dash between two numbers, not a minus
        token = m.group(0).strip()
        if not sign:
            token = token.lstrip("-\u2212\u2013").strip()
        first = read(digits, "number")
        if first.ok:
            found.append(_reading(sign, digits, token, float(first.value)))
            continue
        whole = read(digits, "number", whole=True)
        if not whole.ok:
            continue
        # read() refuses to choose between 1073 and 1.073: keep both readings
        alt = (_reading(sign, digits, token, float(digits.replace(",", ".")))
               if re.fullmatch(r"\d+[.,]\d{3}", digits) else None)
        fig = _reading(sign, re.sub(r"[.,]", "", digits), token, float(whole.value))
        found.append(_Figure(fig.text, fig.value, fig.decimals, fig.zeros, alt))
    return found


def _label(row: Any, columns: Iterable[str]) -> str:
    parts = []
    for c in _KEYS:
        if c in columns:
            v = row[c]
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                parts.append(f"{c} {v}")
    return ", ".join(parts)


#: Words naming a source in a sentence -> the dataset ids (prefixes) it may be.
_SOURCE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "wdi": ("wdi",), "world bank": ("wdi",),
    "wpp": ("wpp_",), "world population prospects": ("wpp_",),
    "un desa": ("un_migrant_stock", "wpp_"), "migrant stock": ("un_migrant_stock",),
    "geostat": ("geostat_",), "armstat": ("armstat_",),
    "ssc": ("azstat_",), "state statistical committee": ("azstat_",), "azstat": ("azstat_",),
    "sms": ("az_sms",), "state migration service": ("az_sms",),
    "unhcr": ("unhcr_", "idps"), "idmc": ("idps",),
}
_COUNTRY_COLUMNS: Final = ("country", "origin", "destination", "asylum", "partner")


@dataclass(frozen=True)
class _Context:
    countries: frozenset[str]
    years: frozenset[int]
    sources: tuple[str, ...]
    names: str  # what the sentence names, in words


def _context(sentence: str) -> _Context:
    """The countries, years and sources a sentence names."""
    from ..answers.forms import read

    words = re.findall(r"[^\W\d_]+", sentence)
    countries: dict[str, str] = {}
    for n in range(len(words)):
        for size in (2, 1):
            phrase = " ".join(words[n:n + size])
            if not all(w[0].isupper() for w in words[n:n + size]) or n + size > len(words):
                continue  # country names are written with a capital
            if size == 1 and not (len(phrase) >= 4 or (len(phrase) == 3 and phrase.isupper())):
                continue
            got = read(phrase, "country")
            if got.ok and got.value not in countries:
                countries[got.value] = phrase
    years: set[int] = set()
    span = r"(?<![\d,.])(19\d\d|20\d\d)(?:\s*[-\u2013]\s*(19\d\d|20\d\d))?(?!\d|[,.]\d)"
    for m in re.finditer(span, sentence):
        if re.search(r"\b(wpp|wdi|revision|rev\.?)\s*$", sentence[:m.start()].lower()):
            continue  # "WPP 2024", "Revision 2019": the edition, not the year of the figure
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        years.update(range(first, last + 1) if first <= last else [first])
    low = sentence.lower()
    sources = tuple(dict.fromkeys(
        prefix for word, prefixes in _SOURCE_WORDS.items()
        if re.search(rf"\b{re.escape(word)}\b", low) for prefix in prefixes))
    named = [", ".join(countries.values())] if countries else []
    if years:
        named.append(f"{min(years)}" if len(years) == 1 else f"{min(years)}-{max(years)}")
    for word in _SOURCE_WORDS:
        m = re.search(rf"\b{re.escape(word)}\b", low)
        if m:
            named.append(sentence[m.start():m.end()])
    return _Context(frozenset(countries), frozenset(years), sources, ", ".join(named))


def _fits(context: _Context, choice: Choice, row: Any, columns: Iterable[str]) -> bool:
    """Whether a row of a chosen table is what the sentence names (country, year, source)."""
    columns = set(columns)
    if context.sources and not any(choice.dataset.startswith(p) for p in context.sources):
        return False
    if context.years and "year" in columns:
        try:
            if int(row["year"]) not in context.years:
                return False
        except (TypeError, ValueError):
            return False
    present = [c for c in _COUNTRY_COLUMNS if c in columns]
    if context.countries and present:
        if not any(str(row[c]) in context.countries for c in present):
            return False
    return True


def fact_check(figures_text: str | None, data_text: str | None, *,
               fetch: Callable[..., Any] | None = None,
               key_rows: dict[int, list[Any]] | None = None) -> pd.DataFrame:
    """Whether each figure the team cites is a value of the data it chose.

    Parameters
    ----------
    figures_text
        The FIGURES answer: one sentence per line.
    data_text
        The DATA answer (see :func:`read_choice`).
    fetch
        Replaces :func:`migdata.sources.refresh` for ``live`` lines (tests).
    key_rows
        When given, filled with DATA line -> the index labels of the rows the figures matched
        (the slides show those rows).

    Returns
    -------
    pandas.DataFrame
        One row per figure (and one per sentence without a figure): ``line``, ``figure`` (as
        written), ``verdict`` (``matches``, ``matches when rounded``, ``another row`` when the
        value is in the data but for another country, year or source than the sentence names,
        ``not found``, ``not checked`` for a whole number below 10, ``no figure``), ``where``
        (dataset, row and column of the value) and ``advice``. A figure matches a value when the
        value, rounded to the decimals (or the trailing zeros) the team wrote, is the figure,
        with either sign, and the row is of the country, year and source the sentence names (any
        it names); a value in thousands also matches written in persons. Figures are read as
        :mod:`migdata.answers.forms` reads numbers (``25,9`` is 25.9). Formative only: it never
        decides a mark.
    """
    import numpy as np
    import pandas as pd

    columns = ["line", "figure", "verdict", "where", "advice"]
    tables, _ = chosen_tables(data_text, fetch=fetch)
    pools = []
    for choice, frame in tables:
        for column, unit in _figure_columns(choice, frame).items():
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            if "unit" in frame.columns:  # the unit of each row (units differ between rows)
                per_row = frame["unit"].astype(str).str.lower().str.startswith("thousand")
                scale = np.where(per_row.to_numpy(), 1000.0, 1.0)
            else:
                scale = np.full(len(values), 1000.0 if "thousand" in str(unit) else 1.0)
            pools.append((choice, frame, column, values, scale))

    def hits(fig: _Figure) -> list[tuple[str, Choice, Any, pd.DataFrame, str, bool]]:
        """Every row whose value is the figure: (how, choice, row, frame, column, scaled)."""
        out = []
        for choice, frame, column, values, scale in pools:
            factors = (1.0, scale) if (scale != 1.0).any() else (1.0,)
            for factor in factors:
                shown = np.abs(values * factor)
                idx = np.flatnonzero(np.isclose(np.round(shown, fig.decimals), abs(fig.value),
                                                rtol=0, atol=10 ** -(fig.decimals + 6)))
                how = "matches"
                if not len(idx) and fig.zeros:
                    idx = np.flatnonzero(np.isclose(np.round(shown, -fig.zeros), abs(fig.value),
                                                    rtol=0, atol=1e-6))
                    how = "matches when rounded"
                for i in idx:
                    scaled = not isinstance(factor, float) and factor[i] != 1.0
                    out.append((how, choice, frame.iloc[i], frame, column, bool(scaled)))
        return out

    def where(hit: tuple, more: int) -> str:
        _, choice, row, frame, column, scaled = hit
        unit = " (thousand, read as persons)" if scaled else ""
        extra = f" (and {more} other rows)" if more else ""
        return f"{choice.dataset}: {_label(row, frame.columns)}, {column}{unit}{extra}"

    rows = []
    lines = figures_text.splitlines() if isinstance(figures_text, str) else []
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        found = figures_in(raw)
        if not found:
            rows.append((n, "", "no figure", "", "This line states no figure; fine for a "
                         "slide, nothing to check."))
            continue
        context = _context(raw)
        for fig in found:
            if not fig.decimals and abs(fig.value) < 10 and fig.other is None:
                rows.append((n, fig.text, "not checked", "", "A small whole number (a count "
                             "in your sentence?) is not checked."))
                continue
            every = hits(fig) + (hits(fig.other) if fig.other is not None else [])
            fitting = [h for h in every if _fits(context, h[1], h[2], h[3].columns)]
            if fitting and key_rows is not None:
                for h in fitting:
                    labels = key_rows.setdefault(h[1].line, [])
                    if h[2].name not in labels:
                        labels.append(h[2].name)
            if fitting:
                rows.append((n, fig.text, fitting[0][0], where(fitting[0], len(fitting) - 1),
                             "Name this source and year on the slide."))
            elif every:
                rows.append((n, fig.text, "another row", where(every[0], len(every) - 1),
                             f"This value is in your data, but not for what your sentence "
                             f"names ({context.names}). Check the country, year and source."))
            else:
                rows.append((n, fig.text, "not found", "",
                             "Not a value of the data you chose. If you computed it, say how "
                             "on the slide; if it comes from another source, add that source to "
                             "DATA or name it; else check it."))
    return pd.DataFrame(rows, columns=columns)


def _recorded(qid: str) -> str | None:
    from ..answers.saved import recorded

    return recorded(qid)


def catalogue(topic: str | None = None) -> pd.DataFrame:
    """The datasets of the catalogue, the ones suggested for ``topic`` first (column
    ``suggested``)."""
    from .. import datasets

    table = datasets.list_datasets()
    wanted = TOPICS[topic].suggested if topic in TOPICS else ()
    table = table.assign(suggested=table["id"].isin(wanted))
    return table.sort_values("suggested", ascending=False, kind="stable").reset_index(drop=True)


def _choosable(dataset: str) -> list[str]:
    """The columns of a dataset a DATA line can choose by or cite (no bookkeeping columns)."""
    from .. import datasets

    fields = datasets.describe(dataset)["schema"]["fields"]
    return [f["name"] for f in fields if not _bookkeeping(f["name"])]


def _bookkeeping(column: str) -> bool:
    return (any(column == h or column.endswith(h) for h in _HIDDEN)
            or column.endswith(("_m49", "_as_printed", "_name", "_iso3")))


def columns_in_words(dataset: str) -> pd.DataFrame:
    """A dataset's columns as a person reads them: what each holds and the values to write.

    Columns ``column``, ``what it holds`` (the dataset's own description, with the unit of a
    figure) and ``values you can write`` (the values found in the data: every one when there
    are few, else the range of years or a count with examples). Bookkeeping columns (rows of
    raw files, codes of the kit) are left out.
    """
    import pandas as pd

    from .. import datasets

    info = datasets.describe(dataset)
    frame = datasets.load(dataset)
    rows = []
    for f in info["schema"]["fields"]:
        name = f["name"]
        if _bookkeeping(name) or name not in frame.columns:
            continue
        what = f.get("description", "")
        unit = f.get("unit") or dict(info.get("units") or {}).get(name)
        values = frame[name].dropna()
        if unit:
            what = f"{what} (a figure, in {unit})" if what else f"a figure, in {unit}"
            shown = "the figures you cite"
        elif name == "year" and len(values):
            shown = f"{int(values.min())}-{int(values.max())}, or single years"
        else:
            if values.dtype == bool or set(values.unique()) <= {True, False}:
                distinct = ["yes", "no"]
            else:
                distinct = sorted({str(v) for v in values.unique()})
            if len(distinct) <= 12:
                shown = ", ".join(distinct)
            else:
                examples = [v for v in ("ARM", "AZE", "GEO", "RUS") if v in distinct]
                shown = f"{len(distinct)} values, e.g. " + ", ".join(examples or distinct[:4])
        rows.append({"column": name, "what it holds": what, "values you can write": shown})
    return pd.DataFrame(rows, columns=["column", "what it holds", "values you can write"])


def start(topic: str) -> None:
    """Show the catalogue for a topic, how to write a DATA line, and (topic 4) the Code's terms."""
    from .. import datasets
    from ..errors import UnknownValueError
    from . import display

    if topic not in TOPICS:
        raise UnknownValueError(f"unknown topic {topic!r}; known: {', '.join(TOPICS)}")
    from .answering import expect_header

    for qid in ("TEAM", "DATA", "FIGURES"):  # a changed first line gets the right one back
        expect_header(qid, "text")
    t = TOPICS[topic]
    display.md(f"**Topic: {t.title}.** The guided notebook `{t.guided_notebook}` shows how "
               "these data can be read. Write your DATA lines like this one:\n\n"
               f"`{t.example}`")
    table = catalogue(topic)
    for dataset in table.loc[table["suggested"], "id"]:
        info = datasets.describe(dataset)
        source = "; ".join(s.get("title", "") for s in info.get("sources") or []) or "the kit"
        display.table(columns_in_words(dataset), index=False,
                      caption=f"Suggested: {dataset} ({info['title']}; {info['vintage']}). "
                      f"Source: {source}. Choose rows with the columns on the left.")
    others = table.loc[~table["suggested"]]
    display.table(others.assign(columns=[", ".join(_choosable(d)) for d in others["id"]])[
        ["id", "title", "columns"]], index=False,
        caption="The other datasets of the kit (any of them may fit your topic).")
    if t.legislation:
        terms, note = migration_code_terms()
        if terms is not None:
            display.table(terms, index=False, caption="Migration Code of the Republic of "
                          "Azerbaijan (2013, consolidated to 22 December 2023), Article 3, "
                          "official Azerbaijani text")
        display.md(note)


def _said(what: str) -> Callable[..., Any]:
    """Run a notebook cell's function; any failure becomes one plain sentence, never a
    traceback."""
    import functools

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception:  # a team's cell must never end in a traceback
                from . import display

                display.md(f"Could not {what}. Run the cells from the top (menu Run, then Run "
                           "All Cells); if this stays, show this message to your lecturer.")
                return None
        return run
    return wrap


@_said("show your data")
def show_data(qid: str = "DATA", *, topic: str | None = None,
              fetch: Callable[..., Any] | None = None) -> None:
    """Show the tables the team's DATA answer chose, each with its source and units; slips in
    plain words, above the tables, in the order of the DATA lines."""
    from . import display

    text = _recorded(qid)
    if text is None:
        display.md(f"No data chosen yet: run the {qid} cell (the cell that starts with "
                   f"%%answer {qid} text) first, then this one.")
        return
    tables, problems = chosen_tables(text, fetch=fetch, topic=topic)
    for p in problems:
        display.md(p)
    for choice, frame in tables:
        _show_table(choice, frame)


def _show_table(choice: Choice, frame: pd.DataFrame) -> None:
    from .. import datasets
    from . import display

    origin = frame.attrs.get("origin", "bundled copy")
    if choice.live:
        title, units, source = f"live {choice.dataset} ({origin})", {}, "the publisher's API"
    else:
        info = datasets.describe(choice.dataset)
        title, units = info["title"], dict(info.get("units") or {})
        source = "; ".join(s.get("title", "") for s in info.get("sources") or []) or "the kit"
    shown = readable_table(frame, units)
    limit = 40
    count = (f"{len(frame)} row{'s' if len(frame) > 1 else ''}" if len(frame) <= limit
             else f"the first {limit} of {len(frame)} rows")
    display.table(shown.head(limit), index=False,
                  caption=f"{title}: {count} for '{choice.text}'. Source: {source}.")


#: Columns for the lecturer or the kit, not for a slide (row numbers in raw files, codes).
_HIDDEN: Final = ("source_row", "_source_row", "country_m49", "cell", "source_url", "notes",
                  "is_aggregate", "hash", "source_col", "source_file", "locator")


def readable_table(frame: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """A table as a person reads it: no bookkeeping columns, units in the headers."""
    keep = [c for c in frame.columns if not any(c == h or c.endswith(h) for h in _HIDDEN)]
    shown = frame[keep].copy()
    return shown.rename(columns={c: f"{c} ({u})" for c, u in units.items() if c in keep and u})


@_said("check your figures")
def check_figures(figures: str = "FIGURES", data: str = "DATA") -> pd.DataFrame | None:
    """Run :func:`fact_check` on the team's saved FIGURES and DATA answers and show it."""
    from . import display

    figures_text, data_text = _recorded(figures), _recorded(data)
    if data_text is None or not data_text.strip():
        display.md(f"No data chosen yet: run the {data} cell (the cell that starts with "
                   f"%%answer {data} text) first, then this one.")
        return None
    if figures_text is None or not figures_text.strip():
        display.md(f"No figures to check yet: write one sentence per line in the {figures} "
                   f"cell (below its first line, %%answer {figures} text), run it, then this "
                   "one.")
        return None
    result = fact_check(figures_text, data_text)
    display.table(result, index=False, caption="Fact check (for the team; not the mark)")
    return result


#: Environment variable naming the raw data folder (``.../shared/data/raw``).
RAW_ENV_VAR: Final = "MIGDATA_RAW_DIR"
_CODE_FILE: Final = "legislation/az_migration_code_2013/migration_code_az_art3_art20_21.txt"


def raw_dir() -> Path | None:
    """The raw data folder: ``$MIGDATA_RAW_DIR``, else ``../shared/data/raw`` beside the
    repository; None when neither exists."""
    override = os.environ.get(RAW_ENV_VAR)
    here = Path(__file__).resolve().parents[3]  # <repo>/src/migdata/classroom -> <repo>
    for folder in ([Path(override)] if override else [here.parent / "shared" / "data" / "raw"]):
        if folder.is_dir():
            return folder
    return None


def bundled_code_text() -> Path | None:
    """The kit's own copy of the Migration Code extract (``datasets/texts``, see its
    PROVENANCE.md), or None when this copy of the kit lacks it."""
    from ..datasets.paths import datasets_dir

    try:
        path = datasets_dir() / "texts" / Path(_CODE_FILE).name
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def migration_code_terms(folder: str | Path | None = None
                         ) -> tuple[pd.DataFrame | None, str]:
    """Article 3 of the Migration Code (official Azerbaijani text): number, term, definition.

    Returns the table (None when the text is not available) and a note saying what the Code
    defines and what text the kit lacks. The text is the raw folder's
    ``legislation/az_migration_code_2013`` extract (see its PROVENANCE.md) when ``folder`` is
    given, else the kit's bundled copy of it (:func:`bundled_code_text`), else the raw folder
    found by :func:`raw_dir`; nothing is typed.
    """
    import pandas as pd

    lacks = ("The kit lacks: an official English or Russian text of the Code (only third-party "
             "translations exist, listed in the raw folder); the text of the Law 'On "
             "Registration at Places of Residence and Stay' and of the Law 'On Citizenship'; "
             "and any SSC methodological note defining 'arrived for permanent residence'. What "
             "the statistics call a migrant is therefore a question to ask the SSC, not a fact "
             "the kit can state.")
    if folder:
        path: Path | None = Path(folder) / _CODE_FILE
    else:
        root = raw_dir()
        path = bundled_code_text() or (root / _CODE_FILE if root else None)
    if path is None or not path.is_file():
        return None, ("The text of the Migration Code is missing from this copy of the kit, so "
                      "its definitions cannot be shown here: ask your lecturer for Article 3 "
                      "(official Azerbaijani text, e-qanun.az). " + lacks)
    text = path.read_text(encoding="utf-8")
    article = text.split("=== Article 3", 1)[-1].split("=== Article", 1)[0]
    body = re.sub(r"\s*\n\s*", " ", article)
    rows = []
    for m in re.finditer(r"(3\.0\.\d+)\.\s+(.*?)(?=\s3\.0\.\d+\.\s|$)", body):
        number, rest = m.group(1), m.group(2).strip()
        term, dash, definition = rest.partition(" – ")
        rows.append({"article": number, "term (az)": term.strip(),
                     "definition (az)": definition.strip().rstrip(";.") if dash else rest})
    table = pd.DataFrame(rows, columns=["article", "term (az)", "definition (az)"])
    migrant = table[table["term (az)"].str.contains("miqrant", case=False)]
    defined = ", ".join(f"{r['article']} '{r['term (az)']}'" for _, r in migrant.iterrows())
    general = table["term (az)"].str.strip().str.lower().eq("miqrant").any()
    note = (f"Article 3 defines {len(table)} terms. "
            + ("It defines 'miqrant' on its own. " if general else
               "It has no general definition of 'miqrant' (migrant); the terms with the word "
               f"are {defined or 'none'}. ")
            + "Translate a definition in your own words and say that you did. " + lacks)
    return table, note
