"""migest's summaries of a flow table that regroup its places, with migest's names.

* :func:`sum_unilat` (alias :func:`sum_unilateral`) -- emigration, immigration, turnover and
  net migration of each country (migest's ``sum_unilat``: :func:`~.toolbox.sum_region` with
  ``international=True``);
* :func:`sum_lump` -- small flows, or places with small totals, lumped into one "other" place;
* :func:`sum_expand` -- the table extended with the totals of larger areas (region to region,
  country to region, region to country).

They give the numbers of the functions of the same names in the R package migest 2.0.5
(G. J. Abel), checked against migest run in R (tests/test_migest_parity.py). They are written
from migest's reference pages and from its behaviour, not from its code. Flow tables are long
(``origin``, ``destination``, ``flow``) or square origin x destination DataFrames, as for the
other ``sum_*`` functions; the results name their columns ``origin``, ``destination``, ``flow``
(migest's ``orig``, ``dest``, ``flow``).
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import as_choice, as_flag, as_number
from ..errors import InvalidInputError, MissingColumnsError
from .toolbox import _long_flows, sum_region

__all__ = ["sum_expand", "sum_lump", "sum_unilat", "sum_unilateral"]

#: The ASCII spaces, punctuation and symbols in the order of ICU's root collation (what R sorts
#: text with in a UTF-8 locale: C.UTF-8, en_US.UTF-8 give the same); all come before digits.
_PUNCT = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def _r_collation_key(label: object) -> tuple:
    """A sort key that orders labels as R's ``sort()`` does in a UTF-8 locale (ICU root).

    Three levels, each compared over the whole label before the next: first the characters
    without regard to case or accents (spaces and punctuation, then digits one by one, so
    "10" < "9", then letters: "other" < "RUS" < "r16" < "U"); then accents (none first:
    "Aland" < "\u00c5land"); then case (lower first: "aze" < "AZE"). Letters and accents are
    split by Unicode decomposition; characters other than ASCII and accented Latin letters
    come after the letters, by code point. Labels equal on all levels keep Python's order.
    """
    text = str(label)
    primary: list[int] = []
    secondary: list[tuple[int, ...]] = []
    tertiary: list[int] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if secondary:
                secondary[-1] = (*secondary[-1], ord(ch))
            continue
        base = ch.lower()
        if ch in _PUNCT:
            weight = _PUNCT.index(ch)
        elif "0" <= ch <= "9":
            weight = 100 + ord(ch)
        elif "a" <= base <= "z":
            weight = 1000 + ord(base)
        else:
            weight = 2000 + ord(base)
        primary.append(weight)
        secondary.append(())
        tertiary.append(int(ch != base))
    return (tuple(primary), tuple(secondary), tuple(tertiary), text)


def _r_sorted(labels: object) -> list:
    """``labels`` in R's order: numbers by value (a numeric column in R), text by
    :func:`_r_collation_key`."""
    items = list(labels)
    if items and all(isinstance(v, int | float | np.integer | np.floating)
                     and not isinstance(v, bool | np.bool_) for v in items):
        return sorted(items)
    return sorted(items, key=_r_collation_key)


def _r_order(long: pd.DataFrame) -> pd.DataFrame:
    """A long table's rows by origin, then destination, in R's order (dplyr 1.0's groups)."""
    keys = {lab: i for i, lab in enumerate(
        _r_sorted(set(long["origin"]) | set(long["destination"])))}
    return long.sort_values(["origin", "destination"], key=lambda c: c.map(keys),
                            kind="stable").reset_index(drop=True)


#: migest's names of the places a threshold applies to, by what each means.
_LUMP = {"flow": "flow", "bilat": "flow", "in": "in", "imm": "in", "out": "out", "emi": "out",
         "turn": "turn", "turnover": "turn"}


def sum_unilat(
    flows: pd.DataFrame,
    *,
    drop_diagonal: bool = True,
    international: bool = True,
    include_net: bool = True,
) -> pd.DataFrame:
    """Emigration, immigration, turnover and net migration of each place (migest's ``sum_unilat``).

    migest's ``sum_unilat`` and ``sum_unilateral`` are :func:`sum_region` with
    ``international=True`` by default: the columns are ``country``, ``emi``, ``imm``, ``turn``
    and ``net``.

    Parameters
    ----------
    flows : DataFrame
        Long (``origin``, ``destination``, ``flow``) or square origin x destination.
    drop_diagonal : bool
        Leave out moves within a place (origin = destination).
    international : bool
        ``True`` (default): columns ``country``, ``emi``, ``imm``; ``False``: ``region``,
        ``out_mig``, ``in_mig``.
    include_net : bool
        Add ``net`` (in minus out).

    Returns
    -------
    DataFrame
        One row per place: origins in R's order, then destinations that are never an origin,
        in R's order. R's order is that of ``sort()`` in a UTF-8 locale (ICU's root
        collation, as migest gives under C.UTF-8 or en_US.UTF-8): case is set aside before
        it counts ("other" < "RUS" < "r16" < "U"); under R's C locale migest orders by
        character code instead.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    >>> sum_unilat(f).columns.tolist()
    ['country', 'emi', 'imm', 'turn', 'net']
    """
    d = _long_flows(flows, "sum_unilat(flows)")  # first: its errors name sum_unilat
    out = sum_region(flows, drop_diagonal=drop_diagonal, international=international,
                     include_net=include_net)
    # migest's order: origins in R's collation, then destinations that are never an origin
    first = _r_sorted(pd.unique(d["origin"]))
    later = _r_sorted(set(pd.unique(d["destination"])) - set(first))
    col = out.columns[0]
    order = {lab: i for i, lab in enumerate([*first, *later])}
    return out.sort_values(col, key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


def sum_unilateral(
    flows: pd.DataFrame,
    *,
    drop_diagonal: bool = True,
    international: bool = True,
    include_net: bool = True,
) -> pd.DataFrame:
    """The same as :func:`sum_unilat` (migest's ``sum_unilateral``)."""
    return sum_unilat(flows, drop_diagonal=drop_diagonal, international=international,
                      include_net=include_net)


def _is_square(flows: pd.DataFrame) -> bool:
    return not ({"origin", "destination", "flow"} <= set(flows.columns))


def _square(long: pd.DataFrame) -> pd.DataFrame:
    """A long table as a square origin x destination DataFrame, labels in R's order (that of
    R's ``xtabs``); combinations without a row are 0, as in ``xtabs``."""
    out = long.pivot_table(index="origin", columns="destination", values="flow",
                           aggfunc="sum", fill_value=0.0, sort=True)
    out = out.reindex(index=_r_sorted(out.index), columns=_r_sorted(out.columns))
    out.columns.name = "destination"
    return out


def sum_lump(
    flows: pd.DataFrame,
    threshold: float = 1,
    lump: str | Sequence[str] = "flow",
    other_level: str = "other",
    complete: bool = False,
    fill: float = 0,
    return_matrix: bool = True,
) -> pd.DataFrame:
    """Lump small flows, or places with small totals, into one place (migest's ``sum_lump``).

    With ``lump="flow"`` (or ``"bilat"``) every flow below ``threshold`` moves to the corridor
    ``other_level`` -> ``other_level``. With ``"in"`` (``"imm"``), ``"out"`` (``"emi"``) or
    ``"turn"`` (``"turnover"``), the places whose immigration, emigration or turnover (moves
    within a place left out, as in :func:`~migdata.estimation.sum_region`) is below
    ``threshold`` become ``other_level`` as destinations, origins, or both. Several may be
    given; the place totals are those of the table given, and ``"flow"`` applies last, to the
    regrouped rows. The flows of each origin and destination are then summed.

    Parameters
    ----------
    flows : DataFrame
        Long (``origin``, ``destination``, ``flow``) or square origin x destination.
    threshold : float
        Flows or totals below it are lumped (default 1).
    lump : str or list of str
        ``"flow"`` (default), ``"bilat"``, ``"in"``, ``"imm"``, ``"out"``, ``"emi"``, ``"turn"``,
        ``"turnover"``.
    other_level : str
        The label of the lumped place (default ``"other"``).
    complete : bool
        Add every combination of the table's origins and destinations and of ``"other"``, with
        ``fill`` where there is no flow. As in migest the added label is ``"other"`` whatever
        ``other_level`` is.
    fill : float
        The flow of the added combinations (default 0).
    return_matrix : bool
        With ``complete=True`` and a square ``flows``, return a square table (labels sorted),
        as migest returns a matrix for a matrix; otherwise ignored.

    Returns
    -------
    DataFrame
        ``origin``, ``destination``, ``flow``, sorted by origin and destination (with
        ``complete``, as migest: the grid of the table's places and ``"other"`` sorted, then
        the rows outside it, such as ``other_level`` to ``other_level``, sorted, last); or a
        square table (see ``return_matrix``).

    Raises
    ------
    InvalidInputError
        An unknown ``lump``, a ``threshold`` or ``fill`` that is not a finite number, or a
        flow table that is not one.

    Examples
    --------
    >>> import pandas as pd
    >>> r = list("ABC")
    >>> m = pd.DataFrame([[0, 100, 30], [50, 0, 5], [10, 40, 0]], index=r, columns=r)
    >>> float(sum_lump(m, threshold=40).query("origin == 'other'")["flow"].sum())
    45.0
    """
    threshold = float(as_number(threshold, "threshold"))
    fill = float(as_number(fill, "fill"))
    as_flag(complete, "complete")
    as_flag(return_matrix, "return_matrix")
    if not isinstance(other_level, str) or not other_level:
        raise InvalidInputError(f"other_level must be a non-empty text label, got {other_level!r}")
    kinds = [lump] if isinstance(lump, str) else list(lump) if isinstance(lump, Sequence) else None
    if not kinds:
        raise InvalidInputError(
            f"lump must be one or more of {sorted(_LUMP)}, got {lump!r}"
        )
    kinds = [_LUMP[as_choice(k, list(_LUMP), "lump")] for k in kinds]
    square = isinstance(flows, pd.DataFrame) and _is_square(flows)
    d = _long_flows(flows, "sum_lump(flows)")
    origins = list(pd.unique(d["origin"]))
    destinations = list(pd.unique(d["destination"]))
    totals = sum_region(d).set_index("region")
    x = d.copy()
    # labels that are numbers become text once one is other_level (as in R's ifelse)
    x[["origin", "destination"]] = x[["origin", "destination"]].astype(object)
    if "in" in kinds:
        small = set(totals.index[totals["in_mig"] < threshold])
        x.loc[x["destination"].isin(small), "destination"] = other_level
    if "out" in kinds:
        small = set(totals.index[totals["out_mig"] < threshold])
        x.loc[x["origin"].isin(small), "origin"] = other_level
    if "turn" in kinds:
        small = set(totals.index[totals["turn"] < threshold])
        x.loc[x["origin"].isin(small), "origin"] = other_level
        x.loc[x["destination"].isin(small), "destination"] = other_level
    if "flow" in kinds:
        below = x["flow"] < threshold
        x.loc[below, ["origin", "destination"]] = other_level
    places = set(origins) | set(destinations)
    moved = ((x["origin"] != d["origin"]) | (x["destination"] != d["destination"])) & (
        x["flow"] != 0)
    if other_level in places and moved.any():
        warnings.warn(
            f"sum_lump: other_level {other_level!r} is already a place of the table; the lumped "
            f"flows are added to its own flows, as migest does (choose another other_level to "
            "keep them apart)", UserWarning, stacklevel=2,
        )
    out = _r_order(x.groupby(["origin", "destination"], sort=False, as_index=False)["flow"]
                   .sum())
    if complete:
        # as tidyr's complete(): every origin x destination of the table and "other", in R's
        # order, then the summed rows outside that grid (other_level's, when it is not
        # "other" or a place) in their own order, last
        rows = pd.MultiIndex.from_product(
            [_r_sorted(set(origins) | {"other"}), _r_sorted(set(destinations) | {"other"})],
            names=["origin", "destination"])
        have = out.set_index(["origin", "destination"])["flow"]
        outside = have[~have.index.isin(rows)]
        out = pd.concat([have.reindex(rows).fillna(fill), outside]).reset_index()
        if square and return_matrix:
            return _square(out)
    return out.reset_index(drop=True)


def _areas(values: object, labels: list, what: str) -> list:
    """The area of each label: from a sequence (one per label, in order) or a mapping."""
    if isinstance(values, Mapping | pd.Series) and not isinstance(values, str):
        lookup = dict(values.items())
        missing = [lab for lab in labels if lab not in lookup]
        if missing:
            raise InvalidInputError(f"{what} gives no area for {missing[:5]}")
        out = [lookup[lab] for lab in labels]
    elif isinstance(values, Sequence | np.ndarray | pd.Index) and not isinstance(values, str):
        out = list(values)
        if len(out) != len(labels):
            raise InvalidInputError(
                f"{what} has {len(out)} areas for the table's {len(labels)} places "
                "(one per row or column, in order)"
            )
    else:
        raise InvalidInputError(
            f"{what} must be a list of areas (one per row or column of the square table) or a "
            f"mapping place -> area, got {type(values).__name__}"
        )
    gaps = [lab for lab, a in zip(labels, out, strict=True) if a is None or pd.isna(a)]
    if gaps:
        raise InvalidInputError(f"{what} has no area for {gaps[:5]}; a gap is not an area")
    return out


def sum_expand(
    flows: pd.DataFrame,
    orig_area: str | Sequence | Mapping = "orig_area",
    dest_area: str | Sequence | Mapping = "dest_area",
    return_matrix: bool = False,
    guess_order: bool = True,
    area_first: bool = True,
) -> pd.DataFrame:
    """A flow table extended with the totals of larger areas (migest's ``sum_expand``).

    Each flow is counted four times: place to place, place to the destination's area, the
    origin's area to place, and area to area. The result holds every place and every area as
    origins and destinations, so region-to-region, country-to-region and region-to-country
    totals sit next to the country flows.

    Parameters
    ----------
    flows : DataFrame
        Long (``origin``, ``destination``, ``flow`` and the area columns) or square origin x
        destination.
    orig_area, dest_area : str, sequence or mapping
        For a long table, the names of its columns holding the origin's and the destination's
        area (default ``"orig_area"``, ``"dest_area"``). For a square table, the area of each
        row and of each column (in order), or a mapping place -> area.
    return_matrix : bool
        Return a square table instead of a long one.
    guess_order : bool
        Order the places area by area (areas in the order they first appear), each area's
        label next to its places; otherwise labels keep the order they first appear in.
    area_first : bool
        Put each area's label before its places (default) rather than after.

    Returns
    -------
    DataFrame
        ``origin``, ``destination``, ``flow`` in that order, or a square table.

    Raises
    ------
    InvalidInputError
        Areas missing, of the wrong length, a place in two areas, or a label that is both a
        place and an area (its flows would be added to the area's).

    Examples
    --------
    >>> import pandas as pd
    >>> r = list("abc")
    >>> m = pd.DataFrame([[0, 1, 2], [3, 0, 4], [5, 6, 0]], index=r, columns=r)
    >>> e = sum_expand(m, orig_area=["X", "X", "Y"], dest_area=["X", "X", "Y"],
    ...                return_matrix=True)
    >>> float(e.loc["X", "Y"])
    6.0
    """
    for flag, name in ((return_matrix, "return_matrix"), (guess_order, "guess_order"),
                       (area_first, "area_first")):
        as_flag(flag, name)
    if not isinstance(flows, pd.DataFrame):
        raise InvalidInputError(
            f"sum_expand(flows) must be a DataFrame, got {type(flows).__name__}"
        )
    if _is_square(flows):
        d = _long_flows(flows, "sum_expand(flows)")
        rows = _areas(orig_area, list(flows.index), "orig_area")
        cols = _areas(dest_area, list(flows.columns), "dest_area")
        d["orig_area"] = np.tile(rows, flows.shape[1])
        d["dest_area"] = np.repeat(cols, flows.shape[0])
        # _long_flows walks the table column by column, origin fastest, in the table's order
        d["origin"] = np.tile(list(flows.index), flows.shape[1])
        d["destination"] = np.repeat(list(flows.columns), flows.shape[0])
    else:
        for col, what in ((orig_area, "orig_area"), (dest_area, "dest_area")):
            if not isinstance(col, str):
                raise InvalidInputError(
                    f"{what} must name a column of the long table, got {type(col).__name__}"
                )
            if col not in flows.columns:
                raise MissingColumnsError(
                    f"sum_expand(flows) has no column {col!r} ({what}); columns are "
                    f"{list(map(str, flows.columns))[:8]}"
                )
        d = _long_flows(flows, "sum_expand(flows)")
        d["orig_area"] = flows[orig_area].to_numpy()
        d["dest_area"] = flows[dest_area].to_numpy()
        if d[["orig_area", "dest_area"]].isna().any().any():
            raise InvalidInputError("sum_expand(flows) has rows without an area; a gap is "
                                    "not an area")
    pairs = pd.concat([
        d[["origin", "orig_area"]].set_axis(["place", "area"], axis=1),
        d[["destination", "dest_area"]].set_axis(["place", "area"], axis=1),
    ]).drop_duplicates()
    # a place named like an area (its own or another) would add its flows to the area's
    clash = sorted(set(map(str, pairs["place"])) & set(map(str, pairs["area"])))
    several = pairs["place"][pairs["place"].duplicated()]
    if clash or len(several):
        raise InvalidInputError(
            "sum_expand: each place needs one area and no place may share a label with an "
            f"area; check {sorted(set(map(str, several)) | set(clash))[:5]}"
        )
    # each flow four times: place/area x place/area, in the order migest lays them out
    parts = [(o, t) for o in ("origin", "orig_area") for t in ("destination", "dest_area")]
    n = len(d)
    stacked = pd.DataFrame({
        "origin": np.column_stack([d[o].to_numpy(dtype=object) for o, _ in parts]).ravel(),
        "destination": np.column_stack([d[t].to_numpy(dtype=object) for _, t in parts]).ravel(),
        "flow": np.repeat(d["flow"].to_numpy(), 4).reshape(n, 4).ravel(),
    })
    if guess_order:
        area_order = list(pd.unique(pairs["area"]))
        levels: list = []
        for area in area_order:
            places = list(pd.unique(pairs.loc[pairs["area"] == area, "place"]))
            levels += [area, *places] if area_first else [*places, area]
    else:
        levels = list(pd.unique(stacked["origin"]))
        levels_d = list(pd.unique(stacked["destination"]))
    o_levels = levels
    d_levels = levels if guess_order else levels_d
    stacked["origin"] = pd.Categorical(stacked["origin"], categories=o_levels)
    stacked["destination"] = pd.Categorical(stacked["destination"], categories=d_levels)
    out = (stacked.groupby(["origin", "destination"], observed=True, sort=True)["flow"].sum()
           .reset_index())
    if return_matrix:
        wide = out.pivot_table(index="origin", columns="destination", values="flow",
                               aggfunc="sum", fill_value=0.0, observed=False)
        wide = wide.reindex(index=o_levels, columns=d_levels, fill_value=0.0)
        wide.index = pd.Index(list(wide.index), name="origin")
        wide.columns = pd.Index(list(wide.columns), name="destination")
        return wide
    out["origin"] = out["origin"].astype(object)
    out["destination"] = out["destination"].astype(object)
    return out
