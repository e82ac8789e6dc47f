"""Square birthplace x residence stock tables from the bundled UN origin-destination stocks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import require_columns, require_single, require_unique, require_years
from ..errors import InvalidInputError

__all__ = ["bilateral_stock_table"]


def bilateral_stock_table(
    stock: pd.DataFrame,
    population: pd.DataFrame,
    year: int,
    *,
    sex: str = "total",
    revision: int | str | None = None,
    drop_inconsistent: bool = False,
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

    Returns
    -------
    DataFrame
        Square table, index = birthplace, columns = residence, same ISO3 labels, sorted.
        A pair absent from the UN matrix is 0 (the UN leaves those cells empty). Places without
        an ISO3 code or without a population are left out and listed in
        ``attrs["dropped"]``; people born there are then not in the table, so its column totals
        are the populations minus them.

    Raises
    ------
    InvalidInputError
        If a place's foreign-born stock exceeds its population (the two sources disagree), or
        for repeated rows, mixed revisions, a missing year.
    """
    what = "bilateral_stock_table(stock)"
    require_columns(stock, ["year", "origin", "destination", "stock"], what)
    require_years(stock, [year], what)
    rows = stock[stock["year"] == year]
    rows, _ = require_single(rows, "revision", what, revision)
    if "sex" in rows.columns:
        rows, _ = require_single(rows, "sex", what, sex)
    rows = rows.dropna(subset=["origin", "destination"])
    require_unique(rows, ["origin", "destination"], what)
    require_columns(population, ["country", "population"], "bilateral_stock_table(population)")
    require_unique(population, ["country"], "bilateral_stock_table(population)")
    pop = population.dropna(subset=["population"]).set_index("country")["population"]
    places_all = sorted(set(rows["origin"]) | set(rows["destination"]))
    kept = [p for p in places_all if p in pop.index]
    dropped = [p for p in places_all if p not in pop.index]
    foreign_total = (
        rows.astype({"stock": "float64"}).groupby("destination")["stock"].sum()
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
    table.attrs["dropped"] = dropped
    table.attrs["inconsistent"] = inconsistent if drop_inconsistent else []
    return table
