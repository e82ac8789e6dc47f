"""The same quantity from several sources, side by side, with the reason each one differs.

Net migration of a country is published by several bodies that count different things. This
module puts the series next to each other, in one unit, with the differences and a ``reason``
text per source: definition, residence rule, data origin and coverage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .._checks import (
    as_year,
    check_frame,
    require_columns,
    require_frame,
    require_positive,
    select_country,
)
from ..countries import to_iso3
from ..errors import InvalidInputError, UnknownValueError
from .rates import GEOSTAT_POPULATION_BREAKS, mid_year_population, net_migration

__all__ = [
    "NET_MIGRATION_SOURCES",
    "QUANTITIES",
    "UNIT_FACTORS",
    "SourceSpec",
    "compare_sources",
    "source_notes",
]

#: Quantities :func:`compare_sources` can put side by side, with their unit.
QUANTITIES: dict[str, str] = {
    "net_migration": "persons",
    "net_migration_rate": "per 1,000 mid-year population",
}

Getter = Callable[[str], pd.DataFrame]

#: Units a count column may be declared in (``datasets/datapackage.json``), as persons.
UNIT_FACTORS: dict[str, float] = {"persons": 1.0, "thousand persons": 1000.0}


def _in_persons(values: pd.Series, dataset_id: str, column: str) -> pd.Series:
    """``values`` of ``dataset_id.column`` converted to persons, by the unit its schema declares.

    The unit is read from the data package, never assumed, so WPP's thousands are multiplied
    by 1,000 and a count in an unexpected unit is an error rather than a wrong figure. Frames
    passed to :func:`compare_sources` through ``data=`` are taken to be in the bundled units.
    """
    from .. import datasets

    fields = datasets.describe(dataset_id).get("schema", {}).get("fields", [])
    unit = next((f.get("unit") for f in fields if f.get("name") == column), None)
    if unit not in UNIT_FACTORS:
        raise InvalidInputError(
            f"{dataset_id}.{column} is declared in {unit!r}; compare_sources converts only "
            f"{list(UNIT_FACTORS)} to persons"
        )
    factor = UNIT_FACTORS[unit]
    converted = values.astype("float64") * factor
    # 1,000 x a figure in thousands with three decimals is a whole number of persons; the
    # rounding only removes binary noise such as -5411.999999999999.
    return converted.round(6) if factor != 1.0 else converted


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """How one source's net migration series is read, and why it differs from the others.

    Attributes
    ----------
    id : str
        Short id used as column name (``"geostat"``, ``"wpp"``, ``"wdi"``).
    datasets : tuple of str
        The :mod:`migdata.datasets` ids the series is read from.
    label : str
        Name for charts and tables.
    unit_in_dataset : str
        Unit as stored, before conversion.
    reason : str
        Why this series differs from the others (definition, rule, data origin, coverage).
    rate_note : str
        How the rate per 1,000 is obtained for this source (its denominator).
    countries : tuple of str or None
        ISO3 codes covered, or None for every country in the dataset.
    extract : callable
        ``extract(get, iso3, quantity, options) -> Series`` indexed by year.
    """

    id: str
    datasets: tuple[str, ...]
    label: str
    unit_in_dataset: str
    reason: str
    rate_note: str
    countries: tuple[str, ...] | None
    extract: Callable[[Getter, str, str, Mapping[str, object]], pd.Series]


def _geostat(get: Getter, iso3: str, quantity: str, options: Mapping[str, object]) -> pd.Series:
    what = "geostat_migration"
    frame = get("geostat_migration")
    require_columns(frame, ["year", "flow", "sex", "citizenship", "persons"], what)
    rows = frame[(frame["sex"] == "total") & (frame["citizenship"] == "all")]
    if "country" in rows.columns:
        rows = select_country(rows, iso3, "country", what)
    net = net_migration(rows, by=["year"]).set_index("year")["net_migration"]
    net = _in_persons(net, "geostat_migration", "persons")
    if quantity == "net_migration":
        return net
    population = get("geostat_population")
    require_columns(population, ["year", "population"], "geostat_population")
    if "country" in population.columns:
        population = select_country(population, iso3, "country", "geostat_population")
    mid = mid_year_population(
        population[["year", "population"]], series_breaks=GEOSTAT_POPULATION_BREAKS,
    ).set_index("year")["population"]
    mid = _in_persons(mid, "geostat_population", "population")
    return net / mid.reindex(net.index) * 1000


def _wpp(get: Getter, iso3: str, quantity: str, options: Mapping[str, object]) -> pd.Series:
    what = "wpp_net_migration"
    frame = get("wpp_net_migration")
    require_columns(frame, ["country", "year", "variant", "net_migration",
                            "net_migration_rate"], what)
    rows = select_country(frame, iso3, "country", what)
    variants = list(options.get("wpp_variants", ("estimates",)))  # type: ignore[call-overload]
    present = sorted({str(v) for v in rows["variant"].dropna().unique()})
    unknown = [v for v in variants if v not in present]
    if unknown:
        raise UnknownValueError(
            f"wpp_variants: {unknown} not in {what}; variants present: {present}"
        )
    rows = rows[rows["variant"].isin(variants)]
    if quantity == "net_migration_rate":
        return rows.set_index("year")["net_migration_rate"].astype("float64")
    # WPP publishes net migration in thousands: the declared unit converts it to persons.
    return _in_persons(rows.set_index("year")["net_migration"], what, "net_migration")


def _wdi(get: Getter, iso3: str, quantity: str, options: Mapping[str, object]) -> pd.Series:
    what = "wdi"
    frame = get("wdi")
    require_columns(frame, ["country", "year", "indicator", "value"], what)
    rows = select_country(frame, iso3, "country", what)

    def indicator(code: str) -> pd.Series:
        part = rows[rows["indicator"] == code]
        if part.empty:
            raise UnknownValueError(f"{what} has no {code} rows for {iso3}")
        return _in_persons(part.set_index("year")["value"], what, "value")

    net = indicator("SM.POP.NETM")
    if quantity == "net_migration":
        return net
    population = indicator("SP.POP.TOTL")
    frame = population.rename("population").reset_index()
    require_positive(frame, "population", "wdi SP.POP.TOTL", ["year"])
    return net / population.reindex(net.index) * 1000


_RECS = "UN DESA, Recommendations on Statistics of International Migration, Rev. 1 (1998)"

#: The sources :func:`compare_sources` knows for net migration, by id.
NET_MIGRATION_SOURCES: dict[str, SourceSpec] = {
    "geostat": SourceSpec(
        id="geostat",
        datasets=("geostat_migration", "geostat_population"),
        label="Geostat (immigrants - emigrants)",
        unit_in_dataset="persons",
        reason=(
            "Counted, not modelled: immigrants minus emigrants of Geostat table 33, all "
            "citizenships, both sexes, from border police data (the Ministry of Internal "
            "Affairs' records of border crossings). A person counts as an immigrant (emigrant) "
            "when those records show 183 days or more spent in (away from) Georgia within 12 "
            "months (the 183-days-in-12-months rule, Geostat metadata 0902). That is about half "
            f"the 12 months of usual residence that define a long-term migrant in {_RECS}, so "
            "shorter moves count and yearly swings are larger. Border data see every crossing "
            "but not the purpose of the stay. Covers only the territory where Geostat collects "
            "data; Georgia only."
        ),
        rate_note=(
            "rate computed here: net migration / mean of the 1 January populations of the year "
            "and the next (Geostat) x 1,000; 2024 is left missing because 1 January 2025 rests "
            "on the 2024 census"
        ),
        countries=("GEO",),
        extract=_geostat,
    ),
    "wpp": SourceSpec(
        id="wpp",
        datasets=("wpp_net_migration",),
        label="UN WPP 2024 (estimates)",
        unit_in_dataset="thousand persons (multiplied by 1,000 here); rate per 1,000",
        reason=(
            "Modelled: UN DESA Population Division, World Population Prospects 2024. Net "
            "migration is an estimate chosen so that the population, births and deaths of the "
            "demographic balancing equation fit together, using national flow data, censuses "
            "and partner-country data; it is smoothed and revised with every WPP revision. "
            "Published in thousands (converted to persons here). Only the 'estimates' variant is "
            "used by default: from 2024 WPP figures are projections, not observations."
        ),
        rate_note="rate as published by WPP (crude net migration rate per 1,000 population)",
        countries=None,
        extract=_wpp,
    ),
    "wdi": SourceSpec(
        id="wdi",
        datasets=("wdi",),
        label="World Bank WDI (SM.POP.NETM)",
        unit_in_dataset="persons",
        reason=(
            "Republished, not a separate measurement: World Bank WDI indicator SM.POP.NETM "
            "(bulk file of 2025-04-15), which the World Bank credits to the UN Population "
            "Division's World Population Prospects. Which WPP revision is not confirmed: no "
            "indicator metadata came with the bulk file (see the WDI raw folder's "
            "PROVENANCE.md). A difference from the WPP column therefore points to another "
            "revision rather than another definition. Its latest years can be WPP projections "
            "rather than estimates (compare with wpp_variants=('estimates', 'medium "
            "projection')). In persons."
        ),
        rate_note=(
            "rate computed here: SM.POP.NETM / SP.POP.TOTL (mid-year population, WDI) x 1,000; "
            "the denominator differs from WPP's, so rates can differ where counts agree"
        ),
        countries=None,
        extract=_wdi,
    ),
}


def _spec(source: str) -> SourceSpec:
    try:
        return NET_MIGRATION_SOURCES[source]
    except (KeyError, TypeError):
        raise UnknownValueError(
            f"unknown source {source!r}; known sources: {list(NET_MIGRATION_SOURCES)}"
        ) from None


def source_notes(sources: Iterable[str] | None = None) -> pd.DataFrame:
    """The definitional notes of the net migration sources, one row per source.

    Parameters
    ----------
    sources : iterable of str, optional
        Source ids (default: all of :data:`NET_MIGRATION_SOURCES`).

    Returns
    -------
    DataFrame
        ``source``, ``datasets``, ``label``, ``unit_in_dataset``, ``coverage``, ``reason`` and
        ``rate_note``.
    """
    if isinstance(sources, str):
        sources = [sources]
    if sources is not None and not isinstance(sources, Iterable):
        raise InvalidInputError(f"sources must be a list of source ids, got {sources!r}")
    ids = list(NET_MIGRATION_SOURCES) if sources is None else list(sources)
    rows = []
    for sid in ids:
        spec = _spec(sid)
        coverage = "all countries" if spec.countries is None else ", ".join(spec.countries)
        rows.append(
            {
                "source": spec.id,
                "datasets": ", ".join(spec.datasets),
                "label": spec.label,
                "unit_in_dataset": spec.unit_in_dataset,
                "coverage": coverage,
                "reason": spec.reason,
                "rate_note": spec.rate_note,
            }
        )
    return pd.DataFrame(rows)


#: Roles of the columns of each dataset a caller may pass in ``data`` (see check_frame).
_ROLES: dict[str, dict[str, Any]] = {
    "geostat_migration": {"years": ["year"], "counts": ["persons"]},
    "geostat_population": {"years": ["year"], "positive": ["population"]},
    "wpp_net_migration": {"years": ["year"], "signed": ["net_migration", "net_migration_rate"],
                          "labels": ["country", "variant"],
                          "unique": ["country", "variant", "year"]},
    "wdi": {"years": ["year"], "signed": ["value"], "labels": ["country", "indicator"],
            "unique": ["country", "indicator", "year"]},
}


def _iterable(value: object, what: str) -> list[object]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError(f"{what} must be a list of years, got {value!r}")
    return list(value)


def compare_sources(
    country: str = "GEO",
    *,
    sources: Sequence[str] = ("geostat", "wpp", "wdi"),
    quantity: str = "net_migration",
    years: Iterable[int] | None = None,
    data: Mapping[str, pd.DataFrame] | None = None,
    wpp_variants: Sequence[str] = ("estimates",),
) -> pd.DataFrame:
    """Net migration (or its rate) of one country from several sources, side by side.

    Parameters
    ----------
    country : str
        Country (any form :func:`migdata.countries.to_iso3` accepts). Geostat covers Georgia only.
    sources : sequence of str
        Source ids from :data:`NET_MIGRATION_SOURCES`; the first is the reference for the
        differences.
    quantity : {"net_migration", "net_migration_rate"}
        Net migration in persons (WPP's thousands are converted), or the rate per 1,000 mid-year
        population (each source's denominator is in ``attrs["rate_notes"]``).
    years : iterable of int, optional
        Years to keep. Each must be present in at least one source (else an error lists the
        years available). Default: the years the reference source (the first) has a figure for.
    data : mapping of str to DataFrame, optional
        Frames to use instead of loading them, keyed by dataset id (e.g. ``"wdi"``,
        ``"geostat_population"``): for tests and for refreshed data.
    wpp_variants : sequence of str
        WPP variants to include; add ``"medium projection"`` to show projected years as well.

    Returns
    -------
    DataFrame
        ``year``, one column per source, then ``<source>_minus_<ref>`` for each other source. A
        source without a figure for a year has ``NaN`` there, and so has the difference: nothing
        is filled in. ``attrs`` holds ``reasons`` (source -> definitional note), ``labels``,
        ``rate_notes``, ``unit``, ``quantity`` and ``country``; :func:`source_notes` gives the
        notes as a table.

    Raises
    ------
    UnknownCountryError
        If ``country`` is not a country.
    UnknownValueError
        For an unknown source, a source that does not cover the country, or absent years.

    Examples
    --------
    >>> table = compare_sources("Georgia", years=[2019])
    >>> [int(table.loc[0, s]) for s in ("geostat", "wpp", "wdi")]
    [-8243, -5412, -5412]
    """
    iso3 = to_iso3(country)
    if not isinstance(quantity, str) or quantity not in QUANTITIES:
        raise InvalidInputError(f"quantity must be one of {list(QUANTITIES)}, got {quantity!r}")
    if isinstance(sources, str):
        sources = [sources]
    if isinstance(sources, str | bytes) or not isinstance(sources, Iterable):
        raise InvalidInputError(
            f"sources must be a list of source ids such as ['geostat', 'wdi'], got {sources!r}"
        )
    sources = list(sources)
    if not sources:
        raise InvalidInputError("sources must name at least one source")
    specs = [_spec(s) for s in sources]
    if len(set(sources)) != len(sources):
        raise InvalidInputError(f"sources must not repeat, got {sources}")
    if isinstance(wpp_variants, str):
        wpp_variants = [wpp_variants]
    if not isinstance(wpp_variants, Iterable):
        raise InvalidInputError(f"wpp_variants must be a list of variants, got {wpp_variants!r}")
    wpp_variants = list(wpp_variants)
    if not wpp_variants or not all(isinstance(v, str) for v in wpp_variants):
        raise InvalidInputError(
            f"wpp_variants must be a list of variant names such as ['estimates'], got "
            f"{wpp_variants!r}")
    if data is not None and not isinstance(data, Mapping):
        raise InvalidInputError(
            f"data must map dataset ids to DataFrames, e.g. {{'wdi': frame}}, got {data!r:.80}")
    options = {"wpp_variants": tuple(wpp_variants)}

    def get(dataset_id: str) -> pd.DataFrame:
        if data is not None and dataset_id in data:
            frame = require_frame(data[dataset_id], f"data[{dataset_id!r}]")
            return check_frame(frame, f"data[{dataset_id!r}]", **_ROLES.get(dataset_id, {}))
        from .. import datasets

        return datasets.load(dataset_id)

    columns: dict[str, pd.Series] = {}
    for spec in specs:
        if spec.countries is not None and iso3 not in spec.countries:
            raise UnknownValueError(
                f"source {spec.id!r} covers {list(spec.countries)} only, not {iso3!r}"
            )
        series = spec.extract(get, iso3, quantity, options)
        series.index = series.index.astype("int64")
        columns[spec.id] = series
    table = pd.DataFrame(columns)
    table.index.name = "year"
    table = table.sort_index()
    if years is not None:
        wanted = sorted({as_year(y, "years") for y in _iterable(years, "years")})
        missing = [y for y in wanted if y not in table.index]
        if missing:
            raise UnknownValueError(
                f"no source has {quantity} of {iso3} for year(s) {missing}; "
                f"available years: {[int(y) for y in table.index]}"
            )
        table = table.loc[wanted]
    else:
        table = table[table[sources[0]].notna()]
    ref = sources[0]
    for sid in sources[1:]:
        table[f"{sid}_minus_{ref}"] = table[sid] - table[ref]
    out = table.reset_index()
    out.attrs.update(
        {
            "country": iso3,
            "quantity": quantity.replace("_", " "),
            "unit": QUANTITIES[quantity],
            "reference": ref,
            "reasons": {s.id: s.reason for s in specs},
            "labels": {s.id: s.label for s in specs},
            "rate_notes": {s.id: s.rate_note for s in specs},
        }
    )
    return out
