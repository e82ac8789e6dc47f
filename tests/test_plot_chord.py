"""The chord diagram (migest's ``mig_chord``, issue 23): its geometry as numbers, its drawing,
its errors, and that it renders for 3 and 20 regions."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import migdata.plot as mp
from migdata.errors import InvalidInputError, MissingColumnsError
from migdata.plot.chord import DEST_GAP, R_INNER, chord_layout, mig_chord
from migdata.plot.style import COUNTRY_COLORS


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _three() -> pd.DataFrame:
    """A hand-made 3-region table; ARM -> AZE is 0 (no ribbon)."""
    return pd.DataFrame(
        {"origin": ["ARM", "ARM", "AZE", "AZE", "GEO", "GEO"],
         "destination": ["AZE", "GEO", "ARM", "GEO", "ARM", "AZE"],
         "flow": [0.0, 5000.0, 300.0, 12000.0, 4000.0, 8000.0]}
    )


def _twenty(seed: int = 20) -> pd.DataFrame:
    """SYNTHETIC square table of 20 regions (fixed seed), about a fifth of the cells 0."""
    rng = np.random.default_rng(seed)
    labels = [f"Synthetic region {i + 1}" for i in range(20)]
    m = np.round(rng.gamma(0.6, 40_000, (20, 20)) * (rng.random((20, 20)) < 0.8))
    np.fill_diagonal(m, 999.0)  # moves within a region: to be ignored
    return pd.DataFrame(m, index=labels, columns=labels)


def _links(fig) -> dict[str, object]:
    return {p.get_label(): p for p in fig.axes[0].patches if p.get_gid() == "migdata-chord-link"}


def _circular(a: np.ndarray, b: float) -> np.ndarray:
    return np.abs((np.asarray(a) - b + 180.0) % 360.0 - 180.0)


def _assert_arc(angles: np.ndarray, start: float, end: float) -> None:
    """The points at ``angles`` reach both ends of the arc from ``start`` to ``end`` and stay
    within it."""
    assert len(angles) >= 2
    assert _circular(angles, start).min() == pytest.approx(0.0, abs=1e-9)
    assert _circular(angles, end).min() == pytest.approx(0.0, abs=1e-9)
    assert (_circular(angles, (start + end) / 2) <= (start - end) / 2 + 1e-9).all()


def _caption(fig) -> str:
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "migdata-caption"]
    assert len(texts) == 1
    return texts[0]


def test_sector_angles_are_proportional_to_totals_and_fill_the_circle() -> None:
    lay = chord_layout(_three())
    s = lay.sectors.set_index("region")
    assert list(s.index) == ["ARM", "AZE", "GEO"]  # order of first appearance, as migest
    # totals: out + in, diagonal excluded
    assert s.loc["ARM", "out"] == 5000 and s.loc["ARM", "in"] == 4300
    assert s.loc["GEO", "total"] == 12000 + 17000
    span = s["start"] - s["end"]
    assert np.allclose(span / s["total"], span.iloc[0] / s["total"].iloc[0])
    assert span.sum() + 3 * 4.0 == pytest.approx(360.0)
    assert s.loc["ARM", "start"] == 90.0  # 12 o'clock, then clockwise
    assert s.loc["AZE", "start"] == pytest.approx(s.loc["ARM", "end"] - 4.0)
    assert lay.degrees_per_unit == pytest.approx(348.0 / (2 * 29300.0))


def test_ribbon_ends_are_proportional_to_flows_and_each_flow_is_drawn_once() -> None:
    lay = chord_layout(_twenty())
    links, s = lay.links, lay.sectors.set_index("region")
    m = _twenty().to_numpy()
    assert len(links) == int((m > 0).sum() - 20)  # every non-zero off-diagonal flow, once
    assert not links.duplicated(["origin", "destination"]).any()
    assert (links["origin"] != links["destination"]).all()
    k = lay.degrees_per_unit
    assert np.allclose(links["origin_start"] - links["origin_end"], links["flow"] * k)
    assert np.allclose(links["destination_start"] - links["destination_end"],
                       links["flow"] * k)
    # each end lies inside its sector, and the ends tile each sector exactly
    for region, row in s.iterrows():
        ends = pd.concat([
            links.loc[links["origin"] == region, ["origin_start", "origin_end"]].set_axis(
                ["a", "b"], axis=1),
            links.loc[links["destination"] == region,
                      ["destination_start", "destination_end"]].set_axis(["a", "b"], axis=1),
        ]).sort_values("a", ascending=False)
        assert (ends["a"] <= row["start"] + 1e-9).all() and (ends["b"] >= row["end"] - 1e-9).all()
        assert np.allclose(ends["a"].iloc[1:].to_numpy(), ends["b"].iloc[:-1].to_numpy())
        assert (ends["a"] - ends["b"]).sum() == pytest.approx(row["start"] - row["end"])


def test_drawn_ribbons_match_the_layout_zero_flows_are_not_drawn() -> None:
    table = _three()
    fig = mig_chord(table, source="Hand-made test table")
    links = _links(fig)
    assert set(links) == {"ARM -> GEO", "AZE -> ARM", "AZE -> GEO", "GEO -> ARM",
                          "GEO -> AZE"}  # ARM -> AZE is 0: no ribbon
    lay = chord_layout(table).links.set_index(["origin", "destination"])
    for name, patch in links.items():
        o, d = name.split(" -> ")
        row = lay.loc[(o, d)]
        # the points on the outline (curve control points left out)
        verts = np.array([seg[-2:] for seg, _ in patch.get_path().iter_segments(
            curves=True, simplify=False) if len(seg)])
        radius = np.hypot(verts[:, 0], verts[:, 1])
        angle = np.degrees(np.arctan2(verts[:, 1], verts[:, 0]))
        # the origin end touches the circle, over exactly its arc
        _assert_arc(angle[np.isclose(radius, R_INNER)], row["origin_start"], row["origin_end"])
        # the destination end stops short of the circle (arrow base), over the same width
        _assert_arc(angle[np.isclose(radius, R_INNER - DEST_GAP)], row["destination_start"],
                    row["destination_end"])
        assert radius.max() <= R_INNER + 1e-9
    colors = {matplotlib.colors.to_hex(p.get_facecolor()).upper() for n, p in links.items()
              if n.startswith("GEO")}
    assert colors == {COUNTRY_COLORS["GEO"]}
    # largest on top: drawing order follows the flow
    order = [p.get_label() for p in fig.axes[0].patches if p.get_gid() == "migdata-chord-link"]
    assert order[-1] == "AZE -> GEO" and order[0] == "AZE -> ARM"
    sectors = [p for p in fig.axes[0].patches if p.get_gid() == "migdata-chord-sector"]
    assert [p.get_label() for p in sectors] == ["ARM", "AZE", "GEO"]
    assert sectors[0].theta2 - sectors[0].theta1 == pytest.approx(
        9300 * chord_layout(table).degrees_per_unit)


def test_square_and_long_tables_give_the_same_figure_diagonal_ignored() -> None:
    long = _three()
    square = long.pivot_table(index="origin", columns="destination", values="flow")
    for r in square.index:
        square.loc[r, r] = 1e6  # the diagonal is ignored
    a, b = chord_layout(long), chord_layout(square)
    pd.testing.assert_frame_equal(a.sectors, b.sectors)
    pd.testing.assert_frame_equal(
        a.links.sort_values(["origin", "destination"]).reset_index(drop=True),
        b.links.sort_values(["origin", "destination"]).reset_index(drop=True))


def test_title_caption_labels_and_ticks() -> None:
    fig = mig_chord(_three(), source="Hand-made test table", note="Test note")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Migration flows between regions"
    caption = _caption(fig)
    assert caption.startswith("Source: Hand-made test table.")
    assert "Moves within a region are not shown" in caption
    assert "thousand persons" in caption and caption.endswith("Test note.")
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "migdata-chord-label"]
    assert sorted(labels) == ["Armenia", "Azerbaijan", "Georgia"]
    ticks = [t.get_text() for t in ax.texts if t.get_gid() == "migdata-chord-tick"]
    assert "29" not in ticks or ticks.count("29") == 1
    assert "1" in ticks and "9" in ticks  # thousands: ARM's 9,300 persons reach tick 9
    no_axis = mig_chord(_three(), source="x", axis=False, unit=1, title="T")
    assert not [t for t in no_axis.axes[0].texts if t.get_gid() == "migdata-chord-tick"]
    assert "(persons)" in _caption(no_axis)
    custom = mig_chord(_three(), source="x", labels={"AZE": "Azerbaijan Republic"},
                       axis_breaks=5, unit=1000)
    texts = [t.get_text() for t in custom.axes[0].texts]
    assert "Azerbaijan\nRepublic" in texts
    bare = mig_chord(_three(), source="x", labels={"ARM": "", "AZE": "", "GEO": ""})
    assert not [t for t in bare.axes[0].texts if t.get_gid() == "migdata-chord-label"]
    assert not [ln for ln in bare.axes[0].lines if ln.get_gid() == "migdata-chord-leader"]
    assert {"5", "10", "15", "20", "25"} <= set(texts) and "1" not in texts


def test_order_colors_and_alias() -> None:
    lay = chord_layout(_three(), order=["GEO", "ARM", "AZE"], colors=["red", "green", "blue"])
    assert list(lay.sectors["region"]) == ["GEO", "ARM", "AZE"]
    assert list(lay.sectors["color"]) == ["#ff0000", "#008000", "#0000ff"]
    assert mp.chord_diagram is mp.mig_chord
    twenty = chord_layout(_twenty())
    assert twenty.sectors["color"].nunique() == 20  # 20 regions, 20 colours


def test_labels_do_not_overlap_for_20_regions() -> None:
    fig = mig_chord(_twenty(), source="SYNTHETIC test table (seed 20)")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts
             if t.get_gid() == "migdata-chord-label"]
    assert len(boxes) == 20
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    width, height = fig.canvas.get_width_height()
    for box in boxes:  # inside the figure
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height
    size = [t.get_fontsize() for t in fig.axes[0].texts if t.get_gid() == "migdata-chord-label"]
    assert min(size) >= 11
    assert 1024 >= width >= 900  # readable on a 1024-1366 px screen without scaling down much


@pytest.mark.parametrize("table", [_three(), _twenty()], ids=["3 regions", "20 regions"])
def test_renders_to_png(table: pd.DataFrame) -> None:
    fig = mig_chord(table, source="Test table")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(buf.getvalue()) > 20_000


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_three().assign(flow=[0.0, -5.0, 300.0, 12000.0, 4000.0, 8000.0]), "negative"),
        (_three().assign(flow=[0.0, np.nan, 300.0, 12000.0, 4000.0, 8000.0]), "missing"),
        (_three().iloc[1:], "no row for 1 pair"),
        (pd.concat([_three(), _three().iloc[[1]]]), "several rows"),
        (_three().assign(flow=0.0), "no flow above zero"),
        (pd.DataFrame(np.ones((2, 3)), index=list("AB"), columns=list("ABC")), "not square"),
        (pd.DataFrame(np.ones((2, 2)), index=list("AB"), columns=list("AC")), "same places"),
        (pd.DataFrame([[0, 1], [-1, 0]], index=list("AB"), columns=list("AB")), "negative"),
        (pd.DataFrame([[0, np.nan], [1, 0]], index=list("AB"), columns=list("AB")), "A"),
        (pd.DataFrame([[0, "3"], [1, 0]], index=list("AB"), columns=list("AB")), "A"),
    ],
    ids=["negative", "missing", "missing row", "repeated row", "all zero", "not square",
         "different labels", "negative square", "missing square", "text square"],
)
def test_bad_tables_are_refused(table: pd.DataFrame, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        mig_chord(table, source="x")


def test_bad_options_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="source"):
        mig_chord(_three())
    with pytest.raises(InvalidInputError, match="must be a DataFrame"):
        mig_chord([[0, 1], [1, 0]], source="x")
    with pytest.raises(InvalidInputError, match="every region once"):
        mig_chord(_three(), source="x", order=["ARM", "AZE"])
    with pytest.raises(InvalidInputError, match="every region once"):
        mig_chord(_three(), source="x", order=["ARM", "AZE", "GEO", "RUS"])
    with pytest.raises(InvalidInputError, match="not colours"):
        mig_chord(_three(), source="x", colors=["red", "green", "no-such-colour"])
    with pytest.raises(InvalidInputError, match="no colour for region"):
        mig_chord(_three(), source="x", colors={"ARM": "red"})
    with pytest.raises(InvalidInputError, match="no room"):
        mig_chord(_three(), source="x", gap_degree=120)
    with pytest.raises(InvalidInputError, match="matplotlib only"):
        mig_chord(_three(), source="x", backend="plotly")
    with pytest.raises(InvalidInputError, match="transparency"):
        mig_chord(_three(), source="x", transparency=1.5)
    with pytest.raises(InvalidInputError, match="unit"):
        mig_chord(_three(), source="x", unit=0)
    with pytest.raises(InvalidInputError, match="axis_breaks"):
        mig_chord(_three(), source="x", axis_breaks=-1)
    with pytest.raises(InvalidInputError, match="labels"):
        mig_chord(_three(), source="x", labels=["a", "b", "c"])
    with pytest.raises(InvalidInputError, match="axis"):
        mig_chord(_three(), source="x", axis="yes")
    with pytest.raises(MissingColumnsError):
        mig_chord(pd.DataFrame({"from": ["A"], "to": ["B"]}, index=["x"]), source="x")


def test_a_region_without_moves_keeps_its_place_and_is_named() -> None:
    square = pd.DataFrame([[0, 5, 0], [3, 0, 0], [0, 0, 0]], index=list("ABC"),
                          columns=list("ABC"), dtype=float)
    fig = mig_chord(square, source="x")
    assert "No moves to or from C" in _caption(fig)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "migdata-chord-label"]
    assert "C" in labels
    lay = chord_layout(square)
    assert lay.sectors.set_index("region").loc["C", "total"] == 0
    assert math.isclose((lay.sectors["start"] - lay.sectors["end"]).sum(), 360 - 3 * 4.0)


def test_docstring_examples_run() -> None:
    import doctest

    import migdata.plot.chord as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0


CHORD = json.loads((Path(__file__).parent / "fixtures" / "migest" / "chord.json").read_text(
    encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CHORD, ids=[c["name"] for c in CHORD])
def test_ribbon_ends_where_migest_puts_them(case: dict) -> None:
    """Issue 23, F9: within a sector, the ends in circlize's order under migest's
    ``link.sort = TRUE`` (``link.decreasing = TRUE``): the moves out, largest first, then the
    moves in, largest first; equal flows in reverse order of the rows. Compared in persons
    from the sector's start (circlize's ``x1``, ``x2`` are where each end stops)."""
    table = pd.DataFrame({"origin": case["input"]["orig"], "destination": case["input"]["dest"],
                          "flow": np.asarray(case["input"]["flow"], dtype=float)})
    lay = chord_layout(table)
    k = lay.degrees_per_unit
    start = lay.sectors.set_index("region")["start"]
    total = lay.sectors.set_index("region")["total"]
    r_total = dict(zip(case["sectors"]["region"], case["sectors"]["total"], strict=True))
    for region, t in r_total.items():
        assert total[region] == pytest.approx(t)
    got = lay.links.set_index(["origin", "destination"])
    r = case["links"]
    checked = 0
    for o, d, f, x1, x2 in zip(r["orig"], r["dest"], r["flow"], r["x1"], r["x2"], strict=True):
        if f == 0:
            continue  # no ribbon
        row = got.loc[(o, d)]
        assert (start[o] - row["origin_end"]) / k == pytest.approx(x1, abs=1e-6)
        assert (start[d] - row["destination_end"]) / k == pytest.approx(x2, abs=1e-6)
        checked += 1
    assert checked == len(got)


def test_the_trials_west_asia_sector() -> None:
    """The tester's example: W Asia's 400 to Europe comes first, then 90, 5 and 2."""
    case = CHORD[0]
    table = pd.DataFrame({"origin": case["input"]["orig"], "destination": case["input"]["dest"],
                          "flow": case["input"]["flow"]})
    links = chord_layout(table).links
    out = links[links["origin"] == "W Asia"].sort_values("origin_start", ascending=False)
    assert out["destination"].tolist() == ["Europe", "N America", "East Asia", "Africa"]
    into = links[links["destination"] == "W Asia"].sort_values("destination_start",
                                                               ascending=False)
    assert into["flow"].tolist() == [200, 40, 30, 15]


def test_ribbons_between_neighbours_stay_inside_the_circle() -> None:
    """No hook across the gap: the curves of every ribbon bend towards the centre, as
    circlize draws them (its quadratic curves have their control point at the centre), so a
    small flow between neighbouring sectors dips inwards instead of crossing the gap near
    the circle."""
    case = CHORD[0]
    table = pd.DataFrame({"origin": case["input"]["orig"], "destination": case["input"]["dest"],
                          "flow": case["input"]["flow"]})
    fig = mig_chord(table, source="Outside trial table (synthetic)")

    def curve_middles(patch) -> np.ndarray:
        mids = [bez(0.5) for bez, _ in patch.get_path().iter_bezier()
                if bez.degree == 2]
        assert len(mids) == 2  # there and back
        return np.hypot(*np.asarray(mids).T)

    links = _links(fig)
    for name, patch in links.items():
        assert (curve_middles(patch) < 0.5 * R_INNER + 1e-9).all(), name
    # the neighbours' small flows of the trial's picture
    for name in ("W Asia -> East Asia", "N America -> Africa"):
        assert (curve_middles(links[name]) > 0.4 * R_INNER).all()  # not through the centre
