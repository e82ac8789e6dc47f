"""Every chart renders headless (matplotlib Agg, plotly to JSON) with title, units, caption and
the data it was given."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import migdata.plot as mp
from migdata.errors import InvalidInputError, MissingColumnsError
from migdata.plot.style import COUNTRY_COLORS


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _caption_mpl(fig) -> str:
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "migdata-caption"]
    assert len(texts) == 1
    return texts[0]


def _caption_plotly(fig) -> str:
    layout = fig.to_dict()["layout"]
    notes = [a for a in layout["annotations"] if a.get("name") == "migdata-caption"]
    assert len(notes) == 1
    return notes[0]["text"]


def _rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["ARM", "ARM", "GEO", "GEO", "AZE", "AZE"],
            "year": [2020, 2021, 2020, 2021, 2020, 2021],
            "net_migration_rate": [-1.5, 2.0, -0.7, np.nan, 0.1, 0.3],
        }
    )


def test_rates_timeseries_matplotlib() -> None:
    fig = mp.rates_timeseries(_rates(), source="Hand-made test table")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Net migration rate"
    assert "per 1,000 mid-year population" in ax.get_ylabel()
    assert _caption_mpl(fig) == "Source: Hand-made test table."
    lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert set(lines) == {"Armenia", "Azerbaijan", "Georgia"}
    assert list(lines["Armenia"].get_ydata()) == [-1.5, 2.0]
    assert math.isnan(lines["Georgia"].get_ydata()[1])  # gap kept, not interpolated
    assert matplotlib.colors.to_hex(lines["Georgia"].get_color()).upper() == COUNTRY_COLORS["GEO"]


def test_rates_timeseries_plotly() -> None:
    fig = mp.rates_timeseries(_rates(), source="Hand-made test table", backend="plotly")
    spec = json.loads(fig.to_json())
    assert spec["layout"]["title"]["text"] == "Net migration rate"
    assert "per 1,000" in spec["layout"]["yaxis"]["title"]["text"]
    assert _caption_plotly(fig) == "Source: Hand-made test table."
    traces = {t["name"]: t for t in spec["data"]}
    assert traces["Azerbaijan"]["y"] == [0.1, 0.3]
    assert traces["Georgia"]["y"][1] is None
    assert traces["Armenia"]["line"]["color"] == COUNTRY_COLORS["ARM"]


def test_chart_errors() -> None:
    with pytest.raises(InvalidInputError, match="backend"):
        mp.rates_timeseries(_rates(), source="x", backend="bokeh")
    with pytest.raises(InvalidInputError, match="source"):
        mp.rates_timeseries(_rates())
    with pytest.raises(MissingColumnsError, match="net_migration_rate"):
        mp.rates_timeseries(_rates().drop(columns="net_migration_rate"), source="x")


def _destinations() -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "destination": ["RUS", "GRC", "Other destinations"],
            "stock": [450.0, 80.0, 100.0],
            "share": [71.4, 12.7, 15.9],
        }
    )
    t.attrs.update({"origin": "GEO", "year": 2019, "revision": 2019})
    return t


def test_top_destinations_both_backends() -> None:
    fig = mp.top_destinations(_destinations())
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Georgia-born emigrant stock by country of residence, 2019"
    assert ax.get_xlabel() == "Emigrant stock (persons)"
    assert "International Migrant Stock, revision 2019" in _caption_mpl(fig)
    assert [p.get_width() for p in ax.patches] == [450.0, 80.0, 100.0]
    assert ax.get_yticklabels()[0].get_text() == "Russian Federation"
    pfig = mp.top_destinations(_destinations(), backend="plotly").to_dict()
    assert list(pfig["data"][0]["x"]) == [450.0, 80.0, 100.0]
    assert pfig["layout"]["xaxis"]["title"]["text"] == "Emigrant stock (persons)"


def test_sankey_plotly_and_matplotlib_fallback() -> None:
    table = pd.concat(
        [_destinations().assign(origin="GEO"), _destinations().assign(origin="ARM")],
        ignore_index=True,
    )
    fig = mp.emigrant_sankey(table, source="UN DESA test")
    spec = fig.to_dict()
    sankey = spec["data"][0]
    assert sankey["type"] == "sankey"
    assert list(sankey["link"]["value"]) == [450.0, 80.0, 100.0] * 2
    assert list(sankey["node"]["label"])[:2] == ["Georgia", "Armenia"]
    assert "persons" in _caption_plotly(fig)
    fallback = mp.emigrant_sankey(table, source="UN DESA test", backend="matplotlib")
    caption = _caption_mpl(fallback)
    assert "Sankey diagram needs backend='plotly'" in caption
    assert len(fallback.axes[0].patches) == 6


def test_plotly_backend_without_plotly_says_what_to_install(monkeypatch) -> None:
    """plotly is the optional extra `plotly` (issue 11): a clear error, matplotlib still works."""
    from migdata.errors import InvalidInputError

    monkeypatch.setitem(sys.modules, "plotly", None)  # import plotly now fails
    with pytest.raises(InvalidInputError, match=r"pip install 'migdata\[plotly\]'"):
        mp.emigrant_sankey(_destinations().assign(origin="GEO"), source="UN DESA test")
    with pytest.raises(InvalidInputError, match="backend='matplotlib'"):
        mp.rates_timeseries(_rates(), source="test", backend="plotly")
    assert mp.rates_timeseries(_rates(), source="test").axes


def _comparison() -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "year": [2019, 2020],
            "geostat": [-8243.0, 15732.0],
            "wpp": [-5412.0, np.nan],
            "wpp_minus_geostat": [2831.0, np.nan],
        }
    )
    t.attrs.update(
        {
            "country": "GEO",
            "quantity": "net migration",
            "unit": "persons",
            "labels": {"geostat": "Geostat test", "wpp": "WPP test"},
        }
    )
    return t


def test_source_comparison_both_backends() -> None:
    fig = mp.source_comparison(_comparison())
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Georgia: Net migration by source"
    assert ax.get_ylabel() == "Net migration (persons)"
    assert _caption_mpl(fig).startswith("Source: Geostat test; WPP test.")
    lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert list(lines["Geostat test"].get_ydata()) == [-8243.0, 15732.0]
    assert lines["WPP test"].get_linestyle() != lines["Geostat test"].get_linestyle()
    spec = mp.source_comparison(_comparison(), backend="plotly").to_dict()
    assert [t["name"] for t in spec["data"] if t["type"] == "scatter"] == ["Geostat test",
                                                                             "WPP test"]
    with pytest.raises(InvalidInputError, match="compare_sources"):
        mp.source_comparison(pd.DataFrame({"year": [2019]}))


def _balance() -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "year": [2020, 2021, 2022, 2023],
            "population_change": [-10.0, 10.0, 7.0, np.nan],
            "natural_increase": [5.0, -2.0, 4.0, 1.0],
            "net_migration": [-15.0, 12.0, 3.0, np.nan],
        }
    )
    t.attrs["source"] = "Synthetic test table"
    return t


def test_balancing_decomposition_both_backends() -> None:
    fig = mp.balancing_decomposition(_balance())
    ax = fig.axes[0]
    assert "natural increase + net migration" in ax.get_title(loc="left")
    assert ax.get_ylabel() == "Persons per year"
    assert "Synthetic test table" in _caption_mpl(fig)
    heights = [p.get_height() for p in ax.patches]
    assert heights[:4] == [5.0, -2.0, 4.0, 1.0]
    assert heights[4:7] == [-15.0, 12.0, 3.0]
    assert math.isnan(heights[7])  # the missing residual is not drawn as 0
    # signs stack apart: 2020 net migration starts at 0 (below the positive natural increase),
    # 2022 net migration sits on top of the natural increase (4)
    assert ax.patches[4].get_y() == 0.0 and ax.patches[6].get_y() == 4.0
    spec = mp.balancing_decomposition(_balance(), backend="plotly").to_dict()
    assert spec["layout"]["barmode"] == "relative"
    assert list(spec["data"][1]["y"])[:3] == [-15.0, 12.0, 3.0]


def test_import_migdata_plot_does_not_import_plotting_libraries() -> None:
    code = (
        "import sys, migdata.plot, migdata.indicators;"
        "print('matplotlib' in sys.modules, 'plotly' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_real_data_charts_render() -> None:
    import migdata.datasets as ds
    import migdata.indicators as ind

    wide = ind.wdi_wide(ds.load("wdi"), {"SM.POP.NETM": "net_migration",
                                          "SP.POP.TOTL": "population"})
    rates = ind.net_migration_rate(wide, wide)
    fig = mp.rates_timeseries(rates, source="World Bank WDI, 2025-04-15")
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    geo = dict(zip(lines["Georgia"].get_xdata(), lines["Georgia"].get_ydata(), strict=True))
    pop_2019 = wide.set_index(["country", "year"]).loc[("GEO", 2019), "population"]
    assert geo[2019] == pytest.approx(-5412 / pop_2019 * 1000)
    table = ind.compare_sources("GEO")
    spec = mp.source_comparison(table, backend="plotly").to_dict()
    geostat = next(t for t in spec["data"] if t["name"].startswith("Geostat"))
    assert dict(zip(geostat["x"], geostat["y"], strict=True))[2023] == 205_857 - 245_064
    stock = ds.load("un_migrant_stock")
    top = ind.emigrant_stock_by_destination(stock, "ARM", year=2019, top=5)
    sankey = mp.emigrant_sankey(top).to_dict()["data"][0]
    assert sankey["link"]["value"][0] == 527_163  # Armenia-born in Russia, 2019


@pytest.mark.parametrize("backend", ["matplotlib", "plotly"])
def test_absent_year_is_a_gap_not_a_joined_line(backend: str) -> None:
    data = pd.DataFrame({"country": ["GEO", "GEO"], "year": [2018, 2020],
                         "net_migration_rate": [-1.0, 3.0]})
    fig = mp.rates_timeseries(data, source="Hand-made test table", backend=backend)
    if backend == "plotly":
        trace = fig.to_dict()["data"][0]
        xs, ys = list(trace["x"]), list(trace["y"])
        assert ys[1] is None or math.isnan(ys[1])
    else:
        line = fig.axes[0].get_lines()[0]
        xs, ys = list(line.get_xdata()), list(line.get_ydata())
        assert math.isnan(ys[1])
    assert xs == [2018, 2019, 2020]
    assert (ys[0], ys[2]) == (-1.0, 3.0)


def test_tick_labels_of_small_rates_keep_their_decimals() -> None:
    table = _comparison()
    table[["geostat", "wpp"]] = [[-3.7, 0.1], [-1.2, np.nan]]
    table.attrs.update({"quantity": "net migration rate", "unit": "per 1,000"})
    fig = mp.source_comparison(table)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == len(set(labels)) > 3  # no '-2', '-2' for -2.5 and -2.0
    assert "-0" not in labels and "-0.0" not in labels
    assert any("." in label for label in labels)
    counts = mp.top_destinations(_destinations())
    counts.canvas.draw()
    assert "400" in [t.get_text() for t in counts.axes[0].get_xticklabels()]


def test_repeated_years_are_refused_not_silently_dropped() -> None:
    data = pd.DataFrame({"country": ["GEO"] * 3, "year": [2019, 2019, 2020],
                         "sex": ["male", "female", "male"],
                         "net_migration_rate": [-1.0, -2.0, 0.5]})
    with pytest.raises(InvalidInputError, match=r"GEO has several rows for year\(s\) \[2019\]"):
        mp.rates_timeseries(data, source="Hand-made test table")


@pytest.mark.parametrize("backend", ["matplotlib", "plotly"])
def test_destinations_without_a_figure_are_counted_in_the_caption(backend: str) -> None:
    table = pd.concat([_destinations(), pd.DataFrame({"destination": ["ITA", "ESP"],
                                                      "stock": [np.nan, np.nan]})],
                      ignore_index=True)
    table.attrs.update(_destinations().attrs)
    caption_of = _caption_plotly if backend == "plotly" else _caption_mpl
    for chart in (mp.top_destinations, mp.emigrant_sankey):
        caption = caption_of(chart(table, backend=backend))
        assert caption.endswith("2 destinations without a figure not shown.")
    assert "not shown" not in caption_of(mp.top_destinations(_destinations(), backend=backend))


def test_sankey_fallback_colours_bars_by_origin() -> None:
    table = pd.DataFrame({"origin": ["North", "North", "South"], "destination": ["A", "B", "A"],
                          "stock": [5.0, 3.0, 2.0]})
    fig = mp.emigrant_sankey(table, source="Hand-made test table", backend="matplotlib")
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in fig.axes[0].patches]
    assert colors[0] == colors[1] != colors[2]


def _title_caption_units(fig) -> tuple[str, str, str]:
    """Title, caption and the axis labels of a figure of either backend."""
    if hasattr(fig, "to_dict"):
        layout = fig.to_dict()["layout"]
        axes = " ".join(layout.get(a, {}).get("title", {}).get("text", "") or ""
                        for a in ("xaxis", "yaxis"))
        return layout["title"]["text"], _caption_plotly(fig), axes
    ax = fig.axes[0]
    return ax.get_title(loc="left"), _caption_mpl(fig), f"{ax.get_xlabel()} {ax.get_ylabel()}"


@pytest.mark.parametrize("backend", ["matplotlib", "plotly"])
@pytest.mark.parametrize(
    ("chart", "data", "title", "source", "unit"),
    [
        (mp.rates_timeseries, _rates, "Net migration rate", "Hand-made test table",
         "per 1,000 mid-year population"),
        (mp.top_destinations, _destinations,
         "Georgia-born emigrant stock by country of residence, 2019",
         "International Migrant Stock, revision 2019", "(persons)"),
        (mp.source_comparison, _comparison, "Georgia: Net migration by source",
         "Geostat test; WPP test", "(persons)"),
        (mp.balancing_decomposition, _balance,
         "Population change = natural increase + net migration", "Synthetic test table",
         "Persons per year"),
    ],
)
def test_every_chart_has_title_source_caption_and_units(
    backend: str, chart, data, title: str, source: str, unit: str
) -> None:
    table = data()
    kwargs = {"source": source} if chart is mp.rates_timeseries else {}
    got_title, caption, axes = _title_caption_units(chart(table, backend=backend, **kwargs))
    assert got_title == title
    assert caption.startswith("Source: ") and source in caption
    assert unit in axes


@pytest.mark.parametrize("backend", ["matplotlib", "plotly"])
def test_sankey_has_title_source_caption_and_units(backend: str) -> None:
    fig = mp.emigrant_sankey(_destinations(), backend=backend)
    title, caption, _ = _title_caption_units(fig)
    assert title == "Emigrant stocks by country of residence, 2019"
    assert caption.startswith("Source: UN DESA Population Division, International Migrant Stock")
    assert "persons" in (caption if backend == "plotly" else fig.axes[0].get_xlabel())
