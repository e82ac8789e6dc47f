"""Square birthplace x residence stock tables from the bundled UN origin-destination stocks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import (
    as_choice,
    as_flag,
    as_year,
    check_frame,
    label_column,
    require_columns,
    require_single,
    require_unique,
    require_years,
)
from ..errors import InvalidInputError

__all__ = ["UNKNOWN_BIRTHPLACE", "bilateral_stock_table"]

#: Label of the row that holds the people born in a place without an ISO3 code (the UN
#: matrix gives them an M49 code only, e.g. the Channel Islands, 830).
UNKNOWN_BIRTHPLACE = "unknown birthplace"
_UNKNOWN_CHOICES = ("row", "raise")


def bilateral_stock_table(
    stock: pd.DataFrame,
    population: pd.DataFrame,
    year: int,
    *,
    sex: str = "total",
    revision: int | str | None = None,
    drop_inconsistent: bool = False,
    unknown_birthplace: str = "row",
) -> pd.DataFrame:
    """Birthplace x residence table for one year: UN foreign-born stocks plus the native-born.

    The UN matrix (``migdata.datasets.load("un_migrant_stock")``) gives foreign-born stocks
    only. The native-born population of each place (the diagonal) is its total population
    minus its foreign-born, so a population is needed for every place kept.

    Parameters
    ----------
    stock : DataFrame
        Tidy UN stocks: ``year``, ``origin`` (birthplace), ``destination`` (residence),
        ``stock``, and ``sex`` / ``revision`` when present.
    population : DataFrame
        ``country`` (ISO3) and ``population`` (persons) for that year, e.g. WDI SP.POP.TOTL
        (a different source and vintage than the UN stocks: say so when you use it).
    year : int
        Reference year of the stocks.
    sex, revision
        One sex and one revision (never mixed).
    drop_inconsistent : bool
        If a place's foreign-born stock exceeds its population (the sources disagree), leave
        the place out and list it in ``attrs["inconsistent"]`` instead of raising.
    unknown_birthplace : {"row", "raise"}
        What to do with people living in a place kept whose birthplace has no ISO3 code in the
        UN matrix (a missing ``origin``, e.g. the Channel Islands): ``"row"`` (default) puts
        them in a row :data:`UNKNOWN_BIRTHPLACE` (with an empty column of the same name, so
        that the table stays square; nobody lives "there"); ``"raise"`` refuses them. They are
        never counted as native-born.

    Returns
    -------
    DataFrame
        Square table, index = birthplace, columns = residence, same ISO3 labels, sorted.
        A pair absent from the UN matrix is 0 (the UN leaves those cells empty). Places with
        an ISO3 code but without a population are left out and listed in
        ``attrs["dropped"]``; people born there are then not in the table, so its column totals
        are the populations minus them. People born in a place without an ISO3 code are in the
        row :data:`UNKNOWN_BIRTHPLACE` (``attrs["unknown_birthplace"]`` gives them by place of
        residence), never in the native-born cell.

    Raises
    ------
    InvalidInputError
        If a place's foreign-born stock exceeds its population (the two sources disagree), or
        for repeated rows, mixed revisions, a missing year, negative or non-numeric stocks,
        a stock of people born where they live (the UN matrix holds the foreign-born only),
        or (with ``unknown_birthplace="raise"``) people of unknown birthplace.
    """
    what = "bilateral_stock_table(stock)"
    year = as_year(year, "year")
    as_flag(drop_inconsistent, "drop_inconsistent")
    as_choice(unknown_birthplace, _UNKNOWN_CHOICES, "unknown_birthplace")
    if not isinstance(sex, str):
        raise InvalidInputError(f"sex must be a value of the sex column such as 'total', "
                                f"got {sex!r}")
    require_columns(stock, ["year", "origin", "destination", "stock"], what)
    stock = check_frame(stock, what, years=["year"], counts=["stock"])
    require_years(stock, [year], what)
    rows = stock[stock["year"] == year]
    rows, _ = require_single(rows, "revision", what, revision)
    rows, _ = require_single(rows, "sex", what, sex, absent="total")
    for column in ("origin", "destination"):  # a missing code is a place without ISO3
        label_column(rows.dropna(subset=[column]), column, what, ["origin", "destination"])
    native_rows = rows["origin"].notna() & (rows["origin"] == rows["destination"])
    if native_rows.any():
        shown = rows.loc[native_rows, ["origin", "destination", "stock"]].head(3)
        raise InvalidInputError(
            f"{what} has stocks of people born where they live, e.g. "
            f"{shown.to_dict('records')}; the UN matrix holds the foreign-born only (the "
            "native-born are computed here)"
        )
    unknown = rows[rows["origin"].isna() & rows["destination"].notna()]
    rows = rows.dropna(subset=["origin", "destination"])
    require_unique(rows, ["origin", "destination"], what)
    what_pop = "bilateral_stock_table(population)"
    require_columns(population, ["country", "population"], what_pop)
    population = check_frame(population, what_pop, labels=["country"], positive=["population"],
                             unique=["country"])
    pop = population.dropna(subset=["population"]).set_index("country")["population"]
    places_all = sorted(set(rows["origin"]) | set(rows["destination"]))
    kept = [p for p in places_all if p in pop.index]
    dropped = [p for p in places_all if p not in pop.index]
    unknown = unknown[unknown["destination"].isin(kept)]
    unknown_by_place = unknown.groupby("destination")["stock"].sum(min_count=1)
    unknown_by_place = unknown_by_place[unknown_by_place > 0]
    if len(unknown_by_place) and unknown_birthplace == "raise":
        raise InvalidInputError(
            f"{what} has people of unknown birthplace (no ISO3 origin code) living in "
            f"{unknown_by_place.round(0).to_dict()}; they cannot be placed in a birthplace row "
            "(pass unknown_birthplace='row' to keep them in a row of their own)"
        )
    foreign_total = (
        pd.concat([rows, unknown]).groupby("destination")["stock"].sum()
        .reindex(kept).fillna(0.0)
    )
    sub = rows[rows["origin"].isin(kept) & rows["destination"].isin(kept)].astype(
        {"stock": "float64"}
    )
    table = (
        sub.pivot_table(index="origin", columns="destination", values="stock", aggfunc="sum")
        .reindex(index=kept, columns=kept)
        .fillna(0)
        .astype("float64")
    )
    native = pop.reindex(kept).astype("float64") - foreign_total.astype("float64")
    inconsistent = sorted(native.index[native < 0])
    if inconsistent and drop_inconsistent:
        kept = [p for p in kept if p not in set(inconsistent)]
        native = native.reindex(kept)
        table = table.reindex(index=kept, columns=kept)
    if (native < 0).any():
        bad = native[native < 0].head(5).round(0).to_dict()
        raise InvalidInputError(
            f"foreign-born stocks exceed the population for {bad} (population minus "
            "foreign-born); the two sources do not fit together for that year (pass "
            "drop_inconsistent=True to leave such places out)"
        )
    values = table.to_numpy(dtype="float64", copy=True)
    values[np.arange(len(kept)), np.arange(len(kept))] = native.to_numpy()
    table = pd.DataFrame(
        values,
        index=pd.Index(kept, name="birthplace"),
        columns=pd.Index(kept, name="residence"),
    )
    unknown_by_place = unknown_by_place.reindex(kept).dropna()
    if len(unknown_by_place):
        labels = [*kept, UNKNOWN_BIRTHPLACE]
        table = table.reindex(index=labels, columns=labels, fill_value=0.0)
        table.loc[UNKNOWN_BIRTHPLACE, unknown_by_place.index] = unknown_by_place.to_numpy()
        table.index.name, table.columns.name = "birthplace", "residence"
    table.attrs["unknown_birthplace"] = {str(k): float(v) for k, v in unknown_by_place.items()}
    table.attrs["dropped"] = dropped
    table.attrs["inconsistent"] = inconsistent if drop_inconsistent else []
    return table
