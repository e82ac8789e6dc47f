"""Chord diagram of an origin-destination flow table (the figure of migest's ``mig_chord``).

Regions sit around a circle as sectors, each as long as the region's moves out plus its moves
in. A ribbon joins the origin and the destination of every flow above zero and is as wide as
the flow at both ends. The ribbon's origin end touches its region's sector; its destination end
stops short of the circle in an arrow head, so the direction reads without a legend (the
design of Sander, Abel, Bauer and Schmidt 2014 and of migest's ``mig_chord``, which draws with
the R package circlize). Within a sector, the moves out come first (clockwise), then the moves
in; within each part the largest flow comes first, as circlize orders them under migest's
``link.sort = TRUE`` (equal flows in reverse order of the table's rows).

Written for migdata with matplotlib only, from the published figures and migest's reference
page (its defaults: start at 12 o'clock, clockwise, 4 degrees between sectors, ribbons at 75%
opacity, largest ribbons on top, regions in order of first appearance). migdata's colours are
the kit's palette, not migest's.

:func:`chord_layout` gives the geometry as numbers (angles of sectors and ribbon ends);
:func:`mig_chord` (alias :func:`chord_diagram`) draws it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._checks import as_flag, as_number, check_fit, check_flows, require_unique
from ..errors import InvalidInputError, MissingColumnsError
from .style import (
    CAPTION_SIZE,
    COUNTRY_COLORS,
    FONT_FAMILY,
    LABEL_SIZE,
    OTHER_COLORS,
    TITLE_SIZE,
    caption_text,
    display_name,
    resolve_source,
)

__all__ = ["ChordLayout", "chord_diagram", "chord_layout", "mig_chord"]

_TEXT = "#222222"
_CAPTION = "#555555"
_LEADER = "#999999"
#: Radii in data units: ribbons start at R_INNER; the sector ring runs to R_OUTER.
R_INNER = 1.0
R_OUTER = 1.06
#: How far the destination end of a ribbon stops short of the circle (data units, arrow included).
DEST_GAP = 0.05
_ARROW = 0.035
_TICK = 0.025
#: Colours after the kit's palette, for tables of many regions (none close to the palette's).
_MORE_COLORS = (
    "#9467BD", "#8C564B", "#BCBD22", "#17BECF", "#D62728", "#393B79", "#98DF8A", "#F7B6D2",
    "#C49C94", "#637939", "#FF9896", "#C5B0D5", "#843C39", "#2F4F4F", "#DBDB8D",
)
_UNIT_NAMES = {1.0: "persons", 1e3: "thousand persons", 1e6: "million persons"}
#: Figure size in inches and the data window (x half-width, y half-height) it shows.
_FIG_W, _FIG_H = 10.0, 8.4
_AX_BOX = (0.01, 0.085, 0.98, 0.85)  # left, bottom, width, height (figure fractions)
_HALF_W = 2.05


class ChordLayout(NamedTuple):
    """Geometry of a chord diagram, in degrees counter-clockwise from 3 o'clock.

    ``sectors``: one row per region in drawing order, ``region``, ``out``, ``in``, ``total``
    (out + in), ``start`` and ``end`` (the sector runs clockwise from ``start`` down to
    ``end``), ``color``. ``links``: one row per flow above zero, ``origin``, ``destination``,
    ``flow``, ``origin_start``, ``origin_end``, ``destination_start``, ``destination_end``
    (each end runs clockwise from its start down to its end). ``degrees_per_unit``: degrees of
    arc per person; ``gap_degree``: the gap between sectors.
    """

    sectors: pd.DataFrame
    links: pd.DataFrame
    degrees_per_unit: float
    gap_degree: float


# ---------------------------------------------------------------------------------- the input


def _flow_matrix(flows: Any, what: str) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Regions (in order of first appearance), the origin x destination matrix (diagonal 0)
    and the row of each flow in the table (a square table: its long form, column by column).

    A long table (``origin``, ``destination``, ``flow``) must list every pair of distinct
    regions once (0 where nobody moved): a missing row is a gap, and drawing no ribbon for it
    would show a zero. A square table has the same places as index (origin) and columns
    (destination).
    """
    if not isinstance(flows, pd.DataFrame):
        raise InvalidInputError(
            f"{what} must be a DataFrame (long: origin, destination, flow; or a square "
            f"origin x destination table), got {type(flows).__name__}"
        )
    if {"origin", "destination", "flow"} <= set(flows.columns):
        checked = check_flows(flows, what, allow_gaps=False, complete=True)
        require_unique(checked, ["origin", "destination"], what,
                       "expected one row per origin and destination (sum them first)")
        regions = list(dict.fromkeys([*checked["origin"], *checked["destination"]]))
        pos = {r: i for i, r in enumerate(regions)}
        mat = np.zeros((len(regions), len(regions)))
        at = ([pos[o] for o in checked["origin"]], [pos[d] for d in checked["destination"]])
        mat[at] = checked["flow"].to_numpy(dtype="float64")
        rows = np.zeros_like(mat)
        rows[at] = np.arange(len(checked), dtype="float64")
    else:
        if flows.shape[0] != flows.shape[1]:
            lacking = [c for c in ("origin", "destination", "flow") if c not in flows.columns]
            raise MissingColumnsError(
                f"{what} is not square: {flows.shape[0]} origins (rows) x {flows.shape[1]} "
                f"destinations (columns), and lacks column(s) {lacking} of a long table; "
                "expected a long table with columns origin, destination and flow, or a square "
                "table with the same places as rows and columns"
            )
        check_fit(labelled={what: flows})
        if set(flows.index) != set(flows.columns):
            only_rows = [r for r in flows.index if r not in set(flows.columns)][:3]
            only_cols = [c for c in flows.columns if c not in set(flows.index)][:3]
            raise MissingColumnsError(
                f"{what} needs columns origin, destination and flow, or a square table with "
                f"the same places as index and columns; rows only: {only_rows}, columns only: "
                f"{only_cols}"
            )
        regions = list(flows.index)
        square = flows.loc[regions, regions]
        check_fit(counts={what: square})
        mat = square.to_numpy(dtype="float64").copy()
        # the row of each flow in the long form R makes of a matrix (as.data.frame.table:
        # column by column, origin fastest)
        n = len(regions)
        rows = (np.arange(n)[None, :] * n + np.arange(n)[:, None]).astype("float64")
    if len(regions) < 2:
        raise InvalidInputError(f"{what} has {len(regions)} region(s); a chord diagram needs "
                                "flows between at least 2 regions")
    np.fill_diagonal(mat, 0.0)  # moves within a region are not drawn (stated in the caption)
    if not (mat > 0).any():
        raise InvalidInputError(f"{what} has no flow above zero between distinct regions; "
                                "there is nothing to draw")
    return regions, mat, rows


def _ordered(regions: list[Any], mat: np.ndarray, rows: np.ndarray,
             order: Any) -> tuple[list[Any], np.ndarray, np.ndarray]:
    if order is None:
        return regions, mat, rows
    if isinstance(order, str | bytes | Mapping) or not isinstance(order, Sequence | pd.Index
                                                                  | np.ndarray):
        raise InvalidInputError(f"order must be a list of the regions, got {order!r}")
    wanted = list(order)
    missing = [r for r in regions if r not in wanted]
    unknown = [r for r in wanted if r not in regions]
    if missing or unknown or len(wanted) != len(set(wanted)):
        repeated = sorted({str(r) for r in wanted if wanted.count(r) > 1})
        raise InvalidInputError(
            f"order must list every region once; missing {missing[:5]}, not regions of the "
            f"table {unknown[:5]}, repeated {repeated}"
        )
    idx = [regions.index(r) for r in wanted]
    return wanted, mat[np.ix_(idx, idx)], rows[np.ix_(idx, idx)]


def _colors(regions: list[Any], colors: Any) -> list[str]:
    from matplotlib.colors import is_color_like, to_hex

    if colors is not None:
        if isinstance(colors, Mapping):
            lacking = [r for r in regions if r not in colors]
            if lacking:
                raise InvalidInputError(f"colors has no colour for region(s) {lacking[:5]}; "
                                        "give one for every region")
            chosen = [colors[r] for r in regions]
        elif isinstance(colors, str | bytes) or not isinstance(colors, Sequence):
            raise InvalidInputError(
                f"colors must map each region to a colour (e.g. {{'ARM': '#E69F00'}}) or list "
                f"one colour per region, got {colors!r}")
        else:
            chosen = list(colors)
            if len(chosen) != len(regions):
                raise InvalidInputError(f"colors lists {len(chosen)} colours for "
                                        f"{len(regions)} regions; give one per region")
        bad = [c for c in chosen if not is_color_like(c)]
        if bad:
            raise InvalidInputError(f"colors holds {bad[:3]}, not colours matplotlib knows "
                                    "(use names such as 'teal' or codes such as '#0072B2')")
        return [to_hex(c) for c in chosen]
    fixed = {r: COUNTRY_COLORS[str(r)] for r in regions if str(r) in COUNTRY_COLORS}
    spare = [c for c in (*OTHER_COLORS, *_MORE_COLORS) if c not in fixed.values()]
    out, k = [], 0
    for r in regions:
        if r in fixed:
            out.append(fixed[r])
        else:
            out.append(spare[k % len(spare)])
            k += 1
    return out


# ---------------------------------------------------------------------------------- geometry


def _layout(regions: list[Any], mat: np.ndarray, rows_of: np.ndarray, colors: list[str],
            gap_degree: float, start_degree: float) -> ChordLayout:
    n = len(regions)
    out_tot, in_tot = mat.sum(axis=1), mat.sum(axis=0)
    totals = out_tot + in_tot
    free = 360.0 - n * gap_degree
    if free <= 0:
        raise InvalidInputError(
            f"gap_degree={gap_degree:g} leaves no room for {n} regions ({n} gaps of "
            f"{gap_degree:g} degrees fill the circle); use a gap below {360 / n:.3g} degrees"
        )
    per_unit = free / totals.sum()
    # clockwise position of each sector's start, in degrees from the starting point
    cursor = np.concatenate([[0.0], np.cumsum(totals * per_unit + gap_degree)[:-1]])
    sec_start = start_degree - cursor
    sec_end = sec_start - totals * per_unit
    ends: dict[tuple[int, int, str], tuple[float, float]] = {}
    for i in range(n):
        # circlize's order under migest's link.sort = TRUE (link.decreasing = TRUE): the
        # moves out, then the moves in, each largest first; equal flows in reverse order of
        # the table's rows (R's order() keeps ties in row order, then the order is reversed)
        at = sec_start[i]
        for part, values, rows in (("out", mat[i], rows_of[i]), ("in", mat[:, i],
                                                                 rows_of[:, i])):
            partners = sorted((j for j in range(n) if j != i and values[j] > 0),
                              key=lambda j: (-values[j], -rows[j]))
            for j in partners:
                width = values[j] * per_unit
                ends[(i, j, part)] = (at, at - width)
                at -= width
    rows = []
    for i in range(n):
        for j in range(n):
            if i != j and mat[i, j] > 0:
                o, d = ends[(i, j, "out")], ends[(j, i, "in")]
                rows.append((regions[i], regions[j], mat[i, j], o[0], o[1], d[0], d[1]))
    links = pd.DataFrame(rows, columns=["origin", "destination", "flow", "origin_start",
                                        "origin_end", "destination_start", "destination_end"])
    sectors = pd.DataFrame({"region": regions, "out": out_tot, "in": in_tot, "total": totals,
                            "start": sec_start, "end": sec_end, "color": colors})
    return ChordLayout(sectors, links, float(per_unit), float(gap_degree))


def chord_layout(
    flows: pd.DataFrame,
    *,
    order: Sequence[Any] | None = None,
    colors: Mapping[Any, str] | Sequence[str] | None = None,
    gap_degree: float = 4.0,
    start_degree: float = 90.0,
) -> ChordLayout:
    """The geometry of :func:`mig_chord`'s figure, as numbers (no drawing).

    Parameters
    ----------
    flows, order, colors, gap_degree, start_degree
        As for :func:`mig_chord`.

    Returns
    -------
    ChordLayout
        Sector and ribbon-end angles in degrees (counter-clockwise from 3 o'clock). A sector's
        arc is its region's total (out + in) times ``degrees_per_unit``; both ends of a ribbon
        span its flow times ``degrees_per_unit``. Flows of 0 have no ribbon; moves within a
        region (the diagonal) are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    >>> lay = chord_layout(f, gap_degree=0)
    >>> (lay.sectors["start"] - lay.sectors["end"]).tolist()
    [180.0, 180.0]
    """
    what = "mig_chord(flows)"
    regions, mat, rows = _flow_matrix(flows, what)
    regions, mat, rows = _ordered(regions, mat, rows, order)
    gap = as_number(gap_degree, "gap_degree", minimum=0.0)
    start = as_number(start_degree, "start_degree")
    return _layout(regions, mat, rows, _colors(regions, colors), gap, start)


# ---------------------------------------------------------------------------------- drawing


def _point(angle_deg: Any, radius: float) -> np.ndarray:
    a = np.radians(angle_deg)
    return np.column_stack([radius * np.cos(a), radius * np.sin(a)])


def _arc(a0: float, a1: float, radius: float) -> np.ndarray:
    steps = max(2, int(abs(a0 - a1) / 2.0) + 2)
    return _point(np.linspace(a0, a1, steps), radius)


def _ribbon_path(o0: float, o1: float, d0: float, d1: float, arrow: bool) -> Any:
    """Origin arc on the circle, a curve across to the destination end (set back from the
    circle, with an arrow head pointing at the destination), and a curve back.

    Both curves are quadratic with their control point at the centre, as circlize draws
    links at its default height (``h.ratio = 0.5``): a curve's middle lies halfway between
    the centre and the chord joining its ends, so ribbons between neighbouring sectors dip
    inwards instead of crossing the gap close to the circle.
    """
    from matplotlib.path import Path

    tip = R_INNER - DEST_GAP + _ARROW
    base = R_INNER - DEST_GAP if arrow else tip
    verts: list[Any] = list(_arc(o0, o1, R_INNER))
    codes = [Path.MOVETO] + [Path.LINETO] * (len(verts) - 1)
    verts += [(0.0, 0.0), tuple(_point(d0, base)[0])]
    codes += [Path.CURVE3, Path.CURVE3]
    if arrow:
        verts += [tuple(_point((d0 + d1) / 2, tip)[0]), tuple(_point(d1, base)[0])]
        codes += [Path.LINETO, Path.LINETO]
    else:
        arc = list(_arc(d0, d1, base))[1:]
        verts += arc
        codes += [Path.LINETO] * len(arc)
    verts += [(0.0, 0.0), tuple(_point(o0, R_INNER)[0]), (0.0, 0.0)]
    codes += [Path.CURVE3, Path.CURVE3, Path.CLOSEPOLY]
    return Path(np.asarray(verts, dtype="float64"), codes)


def _nice_step(raw: float) -> float:
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= raw:
            return m * 10**exp
    return 10 ** (exp + 1)  # pragma: no cover


def _number(value: float, step: float) -> str:
    decimals = next((d for d in range(7) if abs(step * 10**d - round(step * 10**d)) < 1e-9), 6)
    return f"{value:,.{decimals}f}"


def _spread(wanted: list[float], heights: list[float], top: float, bottom: float) -> list[float]:
    """Vertical positions close to ``wanted`` (sorted top to bottom) with no two labels
    overlapping, within ``top`` and ``bottom`` where there is room."""
    ys = list(wanted)
    for k in range(len(ys)):
        limit = top - heights[k] / 2 if k == 0 else ys[k - 1] - (heights[k - 1] + heights[k]) / 2
        ys[k] = min(ys[k], limit)
    for k in range(len(ys) - 1, -1, -1):
        limit = (bottom + heights[k] / 2 if k == len(ys) - 1
                 else ys[k + 1] + (heights[k + 1] + heights[k]) / 2)
        ys[k] = max(ys[k], limit)
    return ys


def _unit(value: Any, label: Any, biggest: float) -> tuple[float, str]:
    if value is None:
        value = 1e6 if biggest >= 1e7 else 1e3 if biggest >= 1e4 else 1.0
    unit = as_number(value, "unit", minimum=0.0)
    if unit <= 0:
        raise InvalidInputError(f"unit must be a number above 0 (1, 1000, 1e6), got {value!r}")
    if label is None:
        label = _UNIT_NAMES.get(unit, f"units of {unit:,g} persons")
    if not isinstance(label, str) or not label.strip():
        raise InvalidInputError(f"unit_label must be a text such as 'thousand persons', "
                                f"got {label!r}")
    return unit, label


def mig_chord(
    flows: pd.DataFrame,
    *,
    order: Sequence[Any] | None = None,
    colors: Mapping[Any, str] | Sequence[str] | None = None,
    labels: Mapping[Any, str] | None = None,
    title: str | None = None,
    source: str | Sequence[str] | None = None,
    note: str | None = None,
    unit: float | None = None,
    unit_label: str | None = None,
    axis: bool = True,
    axis_breaks: float | None = None,
    label_size: float = LABEL_SIZE + 2,
    axis_size: float = CAPTION_SIZE + 0.5,
    label_wrap: int = 14,
    gap_degree: float = 4.0,
    start_degree: float = 90.0,
    transparency: float = 0.25,
    arrow: bool = True,
    backend: str = "matplotlib",
) -> Any:
    """Chord diagram of an origin-destination flow table (migest's ``mig_chord``).

    Parameters
    ----------
    flows : DataFrame
        Long (``origin``, ``destination``, ``flow``: one row for every pair of distinct
        regions, 0 where nobody moved) or square (index = origin, columns = destination, the
        same places on both). Flows are counts of persons, 0 or more; a missing flow or row is
        an error (a gap is not a zero). Moves within a region (the diagonal) are **not
        drawn**, and the caption says so.
    order : list, optional
        The regions clockwise from ``start_degree``; default: in order of first appearance
        (origins, then destinations), as in migest.
    colors : mapping or list, optional
        A colour per region (the sector and the ribbons leaving it); default: the kit's
        palette (ARM, AZE, GEO in their usual colours).
    labels : mapping, optional
        Text for some or all regions; default: the English name of an ISO3 code, other
        labels as they are; ``""`` for no label. Labels are wrapped at ``label_wrap``
        characters (a ``"\\n"`` in a label is kept) and moved apart vertically where they
        would overlap, with a thin line to their sector.
    title : str, optional
        Default ``"Migration flows between regions"`` (``flows.attrs["title"]`` if set).
    source : str or list of str, optional
        The source cited in the caption; default ``flows.attrs["source"]`` (one is required).
    note : str, optional
        Added to the caption, after the sentence on how to read the figure.
    unit : float, optional
        Persons per axis unit: 1, 1000 or 1e6 (default: chosen from the largest sector).
    unit_label : str, optional
        The unit's name on the caption, e.g. ``"thousand persons"`` (default from ``unit``).
    axis : bool
        Draw tick marks along each sector (0 at the sector's start), numbered in ``unit``.
    axis_breaks : float, optional
        Distance between ticks, in ``unit`` (migest's ``axis_breaks``); default: a round
        number giving about one tick per 5 degrees.
    label_size, axis_size : float
        Font sizes in points of the region labels and the tick numbers. Where the labels of
        one side of the circle cannot fit its height (many regions), their font is made
        smaller, down to 6 points.
    label_wrap : int
        Characters per line of a region label.
    gap_degree, start_degree : float
        Degrees between sectors (migest's default 4) and the angle of the first sector's start
        (90: 12 o'clock); sectors follow clockwise.
    transparency : float
        Transparency of the ribbons, 0 (opaque) to 1 (migest's default 0.25).
    arrow : bool
        Destination ends as arrow heads (migest's ``"big.arrow"``); otherwise flat.
    backend : {"matplotlib"}
        A chord diagram is drawn with matplotlib only.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (``fig.axes[0]``) without visible axes. Sectors are patches with gid
        ``"migdata-chord-sector"`` and the region as label; ribbons have gid
        ``"migdata-chord-link"`` and the label ``"origin -> destination"``; the caption has
        gid ``"migdata-caption"``. A caption sentence explains how to read the figure (it can
        serve as alt text).

    Raises
    ------
    InvalidInputError
        Not a DataFrame; a table neither long nor square; negative, missing or non-numeric
        flows; a pair of regions without a row; repeated rows; no flow above zero; bad
        options (order not listing every region once, unknown colours, gaps filling the
        circle).

    Notes
    -----
    A sector's arc is proportional to its region's moves out plus moves in, so the whole
    circle (less the gaps) is twice the total of the flows drawn. Within a sector the moves
    out (the ribbon ends that touch the sector) come first, clockwise, then the moves in
    (the arrow heads), each largest first, as migest's ``mig_chord`` (circlize's
    ``link.sort = TRUE``, ``link.decreasing = TRUE``); equal flows come in reverse order of
    the table's rows (a square table is read column by column, as R's
    ``as.data.frame(as.table(m))``), so a long and a square table with equal flows can place
    those ends differently. Each side of a ribbon is a curve pulled towards the centre, as
    circlize draws links.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "A", "B", "B", "C", "C"],
    ...                   "destination": ["B", "C", "A", "C", "A", "B"],
    ...                   "flow": [300, 50, 120, 0, 80, 40]})
    >>> fig = mig_chord(f, source="Synthetic example")
    >>> len([p for p in fig.axes[0].patches if p.get_gid() == "migdata-chord-link"])
    5
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import PathPatch, Wedge

    if backend != "matplotlib":
        raise InvalidInputError(f"backend must be 'matplotlib' (a chord diagram is drawn with "
                                f"matplotlib only), got {backend!r}")
    lay = chord_layout(flows, order=order, colors=colors, gap_degree=gap_degree,
                       start_degree=start_degree)
    cite = resolve_source(source, flows.attrs)
    axis = as_flag(axis, "axis")
    arrow = as_flag(arrow, "arrow")
    alpha = 1.0 - as_number(transparency, "transparency", minimum=0.0)
    if alpha < 0:
        raise InvalidInputError(f"transparency must be between 0 and 1, got {transparency!r}")
    label_size = as_number(label_size, "label_size", minimum=1.0)
    axis_size = as_number(axis_size, "axis_size", minimum=1.0)
    if isinstance(label_wrap, bool) or not isinstance(label_wrap, int) or label_wrap < 4:
        raise InvalidInputError(f"label_wrap must be a whole number of at least 4, "
                                f"got {label_wrap!r}")
    if labels is not None and not isinstance(labels, Mapping):
        raise InvalidInputError(f"labels must map regions to texts, e.g. {{'AZE': 'Azerbaijan'}}, "
                                f"got {labels!r}")
    if note is not None and not isinstance(note, str):
        raise InvalidInputError(f"note must be a text or None, got {note!r}")
    if title is None:
        title = flows.attrs.get("title") or "Migration flows between regions"
    if not isinstance(title, str):
        raise InvalidInputError(f"title must be a text, got {title!r}")
    sectors, links = lay.sectors, lay.links
    unit, unit_label = _unit(unit, unit_label, float(sectors["total"].max()))
    step = None
    if axis:
        step = (as_number(axis_breaks, "axis_breaks", minimum=0.0) if axis_breaks is not None
                else _nice_step(5.0 / lay.degrees_per_unit / unit))
        if step <= 0:
            raise InvalidInputError(f"axis_breaks must be above 0, got {axis_breaks!r}")

    fig = plt.figure(figsize=(_FIG_W, _FIG_H))
    ax = fig.add_axes(_AX_BOX)
    half_h = _HALF_W * (_AX_BOX[3] * _FIG_H) / (_AX_BOX[2] * _FIG_W)
    ax.set_xlim(-_HALF_W, _HALF_W)
    ax.set_ylim(-half_h, half_h)
    ax.set_aspect("equal")
    ax.set_axis_off()
    units_per_inch = 2 * _HALF_W / (_AX_BOX[2] * _FIG_W)

    for row in sectors.itertuples(index=False):
        if row.total > 0:
            # add_artist, not add_patch: the limits are fixed, and updating them from every
            # curve's extent would take a third of the build time
            ax.add_artist(Wedge((0, 0), R_OUTER, row.end, row.start, width=R_OUTER - R_INNER,
                                facecolor=row.color, edgecolor="none",
                                gid="migdata-chord-sector", label=str(row.region)))
    color_of = dict(zip(sectors["region"], sectors["color"], strict=True))
    # smallest first, so that the largest ribbons are drawn on top (as migest does)
    for row in links.sort_values("flow", kind="stable").itertuples(index=False):
        path = _ribbon_path(row.origin_start, row.origin_end, row.destination_start,
                            row.destination_end, arrow)
        ax.add_artist(PathPatch(path, facecolor=color_of[row.origin], alpha=alpha,
                                edgecolor="none", gid="migdata-chord-link",
                                label=f"{row.origin} -> {row.destination}"))

    outer = R_OUTER
    if axis and step is not None:
        longest = 0
        tick_segments = []
        for row in sectors.itertuples(index=False):
            count = math.floor(row.total / unit / step + 1e-9)
            for k in range(count + 1):
                angle = row.start - k * step * unit * lay.degrees_per_unit
                tick_segments.append(_point([angle, angle], 1.0) * [[R_OUTER], [R_OUTER + _TICK]])
                if k == 0:
                    continue  # every sector starts at 0: one "0" per sector would clutter
                text = _number(k * step, step)
                longest = max(longest, len(text))
                right = math.cos(math.radians(angle)) >= 0
                x, y = _point(angle, R_OUTER + _TICK * 1.4)[0]
                ax.text(x, y, text, rotation=angle if right else angle - 180,
                        rotation_mode="anchor", ha="left" if right else "right", va="center",
                        fontsize=axis_size, color=_CAPTION, fontfamily=FONT_FAMILY,
                        gid="migdata-chord-tick")
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(tick_segments, colors=_CAPTION, linewidths=0.6))
        outer = R_OUTER + _TICK * 1.4 + longest * 0.6 * axis_size / 72 * units_per_inch

    _draw_labels(ax, sectors, labels or {}, label_size, label_wrap, outer, units_per_inch,
                 half_h)

    zero = [str(r) for r, t in zip(sectors["region"], sectors["total"], strict=True) if t == 0]
    reading = (
        "Each ribbon is a flow: it leaves its origin where it touches the circle and ends in an "
        "arrow short of its destination; its width is the number of persons"
        if arrow else
        "Each ribbon is a flow: it touches the circle at its origin and stops short of it at "
        "its destination; its width is the number of persons"
    )
    reading += (". A sector's length is its region's moves out plus moves in"
                + (f" (ticks in {unit_label})" if axis else f" ({unit_label})")
                + ". Moves within a region are not shown")
    if zero:
        reading += f". No moves to or from {', '.join(zero)}"
    caption = caption_text(cite, f"{reading}. {note}" if note else reading)
    ax.set_title(title, loc="left", fontsize=TITLE_SIZE + 1, fontfamily=FONT_FAMILY,
                 color=_TEXT)
    fig.text(0.01, 0.01, caption, fontsize=CAPTION_SIZE + 1, color=_CAPTION,
             fontfamily=FONT_FAMILY, ha="left", va="bottom", wrap=True, gid="migdata-caption")
    return fig


def _draw_labels(ax: Any, sectors: pd.DataFrame, labels: Mapping[Any, str], size: float,
                 wrap: int, radius: float, units_per_inch: float, half_h: float) -> None:
    """Horizontal region labels outside the circle, wrapped, moved apart where they overlap,
    each with a thin line to the middle of its sector."""
    line_h = size * 1.25 / 72 * units_per_inch
    r_text = radius + 0.12
    sides: dict[int, list[tuple[float, str, float]]] = {1: [], -1: []}
    for row in sectors.itertuples(index=False):
        raw = labels.get(row.region)
        if raw is None:
            raw = display_name(row.region)
        if not isinstance(raw, str):
            raise InvalidInputError(f"labels[{row.region!r}] must be a text, got {raw!r}")
        text = "\n".join(textwrap.fill(part, wrap) for part in raw.split("\n"))
        if not text.strip():
            continue  # an empty label: no text and no line (migest's no_labels)
        mid = (row.start + row.end) / 2
        side = 1 if math.cos(math.radians(mid)) >= 0 else -1
        sides[side].append((mid, text, line_h * (text.count("\n") + 1) + 0.2 * line_h))
    # where one side's labels cannot fit the height (many regions), the font shrinks (to 6 pt
    # at least) so that they still do not overlap
    room = 2 * half_h
    needed = max(sum(h for _, _, h in items) for items in sides.values())
    scale = max(min(1.0, room / needed) if needed else 1.0, 6.0 / size)
    for side, items in sides.items():
        items.sort(key=lambda t: -math.sin(math.radians(t[0])))
        wanted = [r_text * math.sin(math.radians(m)) for m, _, _ in items]
        ys = _spread(wanted, [h * scale for _, _, h in items], half_h, -half_h)
        for (mid, text, _), y in zip(items, ys, strict=True):
            x = side * max(math.sqrt(max(r_text**2 - y**2, 0.0)), 0.04)
            x0, y0 = _point(mid, radius + 0.04)[0]
            ax.plot([x0, x - side * 0.02], [y0, y], color=_LEADER, linewidth=0.6,
                    solid_capstyle="round", gid="migdata-chord-leader")
            ax.text(x, y, text, ha="left" if side > 0 else "right", va="center",
                    fontsize=size * scale, color=_TEXT, fontfamily=FONT_FAMILY,
                    linespacing=1.05, gid="migdata-chord-label")


#: The same function under a plain name, like the kit's other charts.
chord_diagram = mig_chord
