"""migdata.classroom.display: Markdown, caveats, full tables and the interactive explorer."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from migdata.classroom import display
from migdata.classroom.display import NO_DATA, format_frame, make_table
from migdata.errors import InvalidInputError, UnknownDatasetError


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What display() would show, captured instead of sent to a notebook."""
    seen: list[object] = []
    monkeypatch.setattr(display, "_display", seen.append)
    return seen


def test_md_renders_markdown_dedented(shown: list[object]) -> None:
    display.md("""
        **Why** it matters:
        - one
        """)
    (obj,) = shown
    assert obj._repr_markdown_() == "**Why** it matters:\n- one"  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError, match="needs text"):
        display.md(3)  # type: ignore[arg-type]


def test_caveats_lists_every_caveat_with_title_and_source(shown: list[object]) -> None:
    from migdata.datasets import describe

    display.caveats("wdi")
    (obj,) = shown
    text = obj._repr_markdown_()  # type: ignore[attr-defined]
    meta = describe("wdi")
    assert meta["title"] in text and "World Bank" in text and meta["vintage"] in text
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    # every note, with code labels said in words (issue 20)
    assert bullets == [f"- {display.in_words(c)}" for c in meta["caveats"]] and len(bullets) >= 2
    with pytest.raises(UnknownDatasetError):
        display.caveats("no_such_dataset")


def test_code_labels_are_said_in_words() -> None:
    assert display.words("returning_native_born") == "returning native-born"
    assert display.words("12_months") == "12-month rule"
    assert display.words("wdi_minus_geostat") == "WDI minus Geostat"
    assert display.words("geostat_migration") == "geostat_migration"  # a dataset's name stays
    assert display.words("Azerbaijan") == "Azerbaijan" and display.words(3) == 3
    assert display.in_words("see load('un_migrant_stock'); national_citizen, foreign_born") == (
        "see the dataset un_migrant_stock; national citizen, foreign-born")
    # file names stay as they are
    assert display.in_words("open 21_concepts_and_definitions.ipynb") == (
        "open 21_concepts_and_definitions.ipynb")
    frame = pd.DataFrame({"12_months": [1], "category": ["returning_native_born, native_born"]},
                         index=pd.Index(["deregistered_departures"], name="measure"))
    text = display.format_frame(frame)
    assert list(text.columns) == ["measure", "12-month rule", "category"]
    assert text.iloc[0].tolist() == ["deregistered departures", "1",
                                     "returning native-born, native-born"]


def test_numbers_are_whole_with_separators_gaps_read_no_data() -> None:
    frame = pd.DataFrame({
        "year": [2014, 2015, 2016],
        "persons": [62144.0, np.nan, 1250.0],
        "rate": [1.26, -3.04, np.nan],
        "share": [0.5103, np.nan, 1.0],
        "note": ["a very long definition " * 20, None, "short"],
    })
    text = format_frame(frame, percent="share")
    assert list(text["year"]) == ["2014", "2015", "2016"]  # years get no separator
    assert list(text["persons"]) == ["62,144", NO_DATA, "1,250"]
    assert list(text["rate"]) == ["1.3", "-3.0", NO_DATA]
    assert list(text["share"]) == ["51.0%", NO_DATA, "100.0%"]
    assert text["note"][0] == frame["note"][0] and text["note"][1] == NO_DATA
    assert list(format_frame(frame, decimals=2)["rate"])[:2] == ["1.26", "-3.04"]
    big = format_frame(pd.DataFrame({"n": pd.array([1234567, None], dtype="Int64")}))
    assert list(big["n"]) == ["1,234,567", NO_DATA]


def test_html_shows_full_text_wrapped_and_caption_above() -> None:
    long = "An international migrant is a person who changes country of usual residence " * 5
    frame = pd.DataFrame({"term": ["migrant <def>"], "definition": [long], "n": [62144.0]})
    html = make_table(frame, caption="Table 1. Terms")._repr_html_()
    assert long.strip() in html and "…" not in html and "..." not in html
    assert "white-space: normal" in html and "&lt;def&gt;" in html
    assert html.index("Table 1. Terms") < html.index("<table") and "<caption" not in html
    assert "62,144" in html and "62144.0" not in html and ">nan<" not in html
    assert ">0<" not in html  # the default numbering 0, 1, 2 is not shown
    assert "text-align: right" in html  # numbers right-aligned


def test_named_index_is_shown_default_numbering_is_not() -> None:
    frame = pd.DataFrame({"persons": [1000.0, 2000.0]},
                         index=pd.Index(["AZE", "GEO"], name="country"))
    assert list(format_frame(frame).columns) == ["country", "persons"]
    assert list(format_frame(frame, index=False).columns) == ["persons"]
    assert list(format_frame(frame.reset_index()).columns) == ["country", "persons"]


def test_table_text_repr_is_full_and_has_no_nan(shown: list[object]) -> None:
    frame = pd.DataFrame({"source": ["census " * 30], "share": [np.nan]})
    display.table(frame, percent=["share"], caption="Shares")
    (obj,) = shown
    text = repr(obj)
    assert text.startswith("Shares\n") and "census " * 29 in text
    assert "nan" not in text and NO_DATA in text


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"percent": ["missing"]}, "percent names columns the table does not have"),
    ({"decimals": -1}, "decimals must be a whole number"),
    ({"caption": 3}, "caption must be text"),
])
def test_mistakes_raise_clear_errors(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        make_table(pd.DataFrame({"a": [1]}), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="needs a pandas DataFrame"):
        format_frame([1, 2])  # type: ignore[arg-type]


def _rates() -> pd.DataFrame:
    rows = [(c, s, y, v) for c in ("ARM", "AZE", "GEO") for s in ("WPP 2024", "WDI")
            for y, v in zip(range(2014, 2020), [1.0, -2.5, np.nan, 3.0, 0.5, -1.0], strict=True)]
    data = pd.DataFrame(rows, columns=["country", "source", "year", "rate"])
    data.attrs["source"] = "test data"
    return data


def test_explore_pickers_select_the_rows_and_redraw(shown: list[object]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    explorer = display.explore(_rates(), value="rate", source="source", title="Net migration rate",
                               units="per 1,000 population", countries=["AZE"], show=False)
    assert not shown
    assert set(explorer.selection()["country"]) == {"AZE"}
    assert explorer.source is not None and explorer.source.value == "WDI"
    explorer.country.value = ("AZE", "GEO")
    explorer.years.value = (2015, 2017)
    chosen = explorer.selection()
    assert set(chosen["country"]) == {"AZE", "GEO"} and set(chosen["year"]) == {2015, 2016, 2017}
    wide = explorer.wide()
    assert list(wide.columns) == ["Azerbaijan", "Georgia"]
    assert list(wide.index) == [2015, 2016, 2017]
    assert np.isnan(wide.loc[2016, "Azerbaijan"])  # a gap stays a gap
    fig = explorer.figure()
    assert fig is not None and len(fig.axes[0].lines) >= 2
    explorer.country.value = ()
    assert explorer.figure() is None
    names = [type(w).__name__ for w in explorer.widget.children[0].children]
    assert names == ["SelectMultiple", "Dropdown"]


def test_explore_redraws_the_chart_and_the_table_when_a_picker_changes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    explorer = display.explore(_rates(), value="rate", title="Net migration rate", source="source",
                               units="per 1,000 population", countries=["AZE"], show=False)
    explorer.redraw()
    first = bytes(explorer.chart.value)
    assert first.startswith(b"\x89PNG") and "Azerbaijan" in explorer.table.value
    assert "Georgia" not in explorer.table.value and "no data" in explorer.table.value
    explorer.country.value = ("AZE", "GEO")  # the observer redraws
    assert bytes(explorer.chart.value) != first and "Georgia" in explorer.table.value
    explorer.country.value = ()
    assert "Nothing selected" in explorer.table.value
    assert explorer.chart.layout.display == "none"


def test_explore_needs_its_columns() -> None:
    with pytest.raises(InvalidInputError, match=r"explore names columns .*\['nope'\]"):
        display.explore(_rates(), value="nope", title="t", units="u", show=False)
    with pytest.raises(InvalidInputError, match="years must be"):
        display.explore(_rates(), value="rate", title="t", units="u", years=(2000, 2016),
                        show=False)


def test_explore_cites_the_source_of_the_figures() -> None:
    from migdata.datasets import describe, load

    rates = load("wpp_net_migration", country=["AZE"], variant="estimates")
    explorer = display.explore(rates, value="net_migration_rate", title="t", units="u",
                               show=False)
    assert describe("wpp_net_migration")["vintage"] in explorer.caption_source()
    assert "United Nations" in explorer.caption_source()
    cited = display.explore(rates, value="net_migration_rate", title="t", units="u",
                            cite="UN DESA, WPP 2024", show=False)
    assert cited.caption_source() == "UN DESA, WPP 2024"
    rates.attrs = {}
    with pytest.raises(InvalidInputError, match="needs the source of the figures"):
        display.explore(rates, value="net_migration_rate", title="t", units="u", show=False)


def test_explore_starts_on_the_years_asked(shown: list[object]) -> None:
    explorer = display.explore(_rates(), value="rate", title="t", units="u", years=(2016, 2018),
                               show=False)
    assert explorer.years.value == (2016, 2018)
    assert (explorer.years.min, explorer.years.max) == (2014, 2019)
    assert set(explorer.selection()["year"]) == {2016, 2017, 2018}




def test_years_are_recognised_by_column_name_not_by_value() -> None:
    """Figures between 1000 and 2100 are not years: a UNHCR 1,339 keeps its separator."""
    frame = pd.DataFrame({
        "calendar year": [2018, 2019],
        "year of minimum": [2017, 2023],
        "period": [1990, 2000],
        "refugees (end of year)": [1339, 2046],
        "change per year": [-1961, 1500],
        "years between": [1, 2],
        "previous year's value": [1200, 1800],
        "persons": [1339, 2000],
    })
    text = format_frame(frame)
    assert list(text["calendar year"]) == ["2018", "2019"]
    assert list(text["year of minimum"]) == ["2017", "2023"]
    assert list(text["period"]) == ["1990", "2000"]
    assert list(text["refugees (end of year)"]) == ["1,339", "2,046"]
    assert list(text["change per year"]) == ["-1,961", "1,500"]
    assert list(text["previous year's value"]) == ["1,200", "1,800"]
    assert list(text["persons"]) == ["1,339", "2,000"]
    # a year index (e.g. after a pivot) is shown plain, its values with separators
    wide = pd.DataFrame({"AZE": [1339.0, 1888.0]}, index=pd.Index([2018, 2019], name="year"))
    assert format_frame(wide).to_numpy().tolist() == [["2018", "1,339"], ["2019", "1,888"]]


def test_a_flow_diagram_is_svg_with_readable_text_and_a_description() -> None:
    nodes = pd.DataFrame([("a", "People\ncrossing", 0, 0, "event"),
                          ("b", "Border service", 1, 0, "institution")],
                         columns=["id", "label", "col", "row", "group"]).set_index("id")
    edges = pd.DataFrame([("a", "b", "records", "Module 2")],
                         columns=["source", "target", "label", "basis"])
    kinds = {"event": ("#eee", "people"), "institution": ("#cde", "institution")}
    diagram = display.flow_diagram(nodes, edges, kinds=kinds, styles={"Module 2": "solid"},
                                   title="Who records what", source="Module 2")
    svg = diagram._repr_svg_()
    assert svg.startswith("<svg") and "<title" in svg and "People crossing to Border" in svg
    sizes = [float(x) for x in re.findall(r"font-size: (\d+(?:\.\d+)?)px", svg)]
    assert min(sizes) >= display.DIAGRAM_FONT >= 12
    with pytest.raises(InvalidInputError, match="not in nodes: \\['c'\\]"):
        display.flow_diagram(nodes, edges.assign(target="c"), kinds=kinds,
                             styles={"Module 2": "solid"}, title="t", source="s")
