"""The same quantity from several sources, side by side, with the reason each one differs.

Net migration of a country is published by several bodies that count different things. This
module puts the series next to each other, in one unit (persons), with the differences and a
``reason`` text per source: definition, residence rule, data origin and coverage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..countries import to_iso3
from ..errors import InvalidInputError, UnknownValueError
from ._checks import require_columns, require_frame, select_country
from .rates import net_migration

__all__ = ["NET_MIGRATION_SOURCES", "SourceSpec", "compare_sources", "source_notes"]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """How one source's net migration series is read, and why it differs from the others.

    Attributes
    ----------
    id : str
        Short id used as column name (``"geostat"``, ``"wpp"``, ``"wdi"``).
    dataset : str
        The :mod:`migdata.datasets` id the series is read from.
    label : str
        Name for charts and tables.
    unit_in_dataset : str
        Unit as stored, before conversion to persons.
    reason : str
        Why this series differs from the others (definition, rule, data origin, coverage).
    countries : tuple of str or None
        ISO3 codes covered, or None for every country in the dataset.
    """

    id: str
    dataset: str
    label: str
    unit_in_dataset: str
    reason: str
    countries: tuple[str, ...] | None
    extract: Callable[[pd.DataFrame, str, Mapping[str, object]], pd.Series]


def _geostat(frame: pd.DataFrame, iso3: str, options: Mapping[str, object]) -> pd.Series:
    what = "geostat_migration"
    require_columns(frame, ["year", "flow", "sex", "citizenship", "persons"], what)
    rows = frame[(frame["sex"] == "total") & (frame["citizenship"] == "all")]
    if "country" in rows.columns:
        rows = select_country(rows, iso3, "country", what)
    net = net_migration(rows, by=["year"])
    return net.set_index("year")["net_migration"]


def _wpp(frame: pd.DataFrame, iso3: str, options: Mapping[str, object]) -> pd.Series:
    what = "wpp_net_migration"
    require_columns(frame, ["country", "year", "variant", "net_migration"], what)
    rows = select_country(frame, iso3, "country", what)
    variants = options.get("wpp_variants", ("estimates",))
    rows = rows[rows["variant"].isin(list(variants))]  # type: ignore[arg-type]
    # WPP publishes net migration in thousands: convert to persons.
    series = rows.set_index("year")["net_migration"].astype("float64") * 1000
    return series.round(6)


def _wdi(frame: pd.DataFrame, iso3: str, options: Mapping[str, object]) -> pd.Series:
    what = "wdi"
    require_columns(frame, ["country", "year", "indicator", "value"], what)
    rows = frame[frame["indicator"] == "SM.POP.NETM"]
    rows = select_country(rows, iso3, "country", what + " (SM.POP.NETM)")
    return rows.set_index("year")["value"].astype("float64")


_RECS = "UN DESA, Recommendations on Statistics of International Migration, Rev. 1 (1998)"

#: The sources :func:`compare_sources` knows for net migration, by id.
NET_MIGRATION_SOURCES: dict[str, SourceSpec] = {
    "geostat": SourceSpec(
        id="geostat",
        dataset="geostat_migration",
        label="Geostat (immigrants - emigrants)",
        unit_in_dataset="persons",
        reason=(
            "Counted, not modelled: immigrants minus emigrants of Geostat table 33, all "
            "citizenships, both sexes. A person counts when the border-crossing records of the "
            "Ministry of Internal Affairs show a stay in (or away from) Georgia of 183 days or "
            "more within 12 months. That is a six-month residence rule, shorter than the 12 "
            f"months that define a long-term migrant in {_RECS}, so more short moves count and "
            "yearly swings are larger. Border data see every crossing but not the purpose of "
            "the stay. Covers only the territory where Geostat collects data; Georgia only."
        ),
        countries=("GEO",),
        extract=_geostat,
    ),
    "wpp": SourceSpec(
        id="wpp",
        dataset="wpp_net_migration",
        label="UN WPP 2024 (estimates)",
        unit_in_dataset="thousand persons (multiplied by 1,000 here)",
        reason=(
            "Modelled: UN DESA Population Division, World Population Prospects 2024. Net "
            "migration is an estimate chosen so that the population, births and deaths of the "
            "demographic balancing equation fit together, using national flow data, censuses "
            "and partner-country data; it is smoothed and revised with every WPP revision. "
            "Published in thousands (converted to persons here). Only the 'estimates' variant is "
            "used by default: from 2024 WPP figures are projections, not observations."
        ),
        countries=None,
        extract=_wpp,
    ),
    "wdi": SourceSpec(
        id="wdi",
        dataset="wdi",
        label="World Bank WDI (SM.POP.NETM)",
        unit_in_dataset="persons",
        reason=(
            "Republished: World Bank WDI indicator SM.POP.NETM (bulk file of 2025-04-15), which "
            "the World Bank takes from the UN Population Division's World Population Prospects. "
            "The bundled file does not state which WPP revision, so a difference from the WPP "
            "column points to a different revision rather than a different definition. Its "
            "latest years can be WPP projections rather than estimates (compare with "
            "wpp_variants=('estimates', 'medium projection')). In persons."
        ),
        countries=None,
        extract=_wdi,
    ),
}


def source_notes(sources: Iterable[str] | None = None) -> pd.DataFrame:
    """The definitional notes of the net migration sources, one row per source.

    Parameters
    ----------
    sources : iterable of str, optional
        Source ids (default: all of :data:`NET_MIGRATION_SOURCES`).

    Returns
    -------
    DataFrame
        ``source``, ``dataset``, ``label``, ``unit_in_dataset``, ``coverage`` and ``reason``.
    """
    ids = list(NET_MIGRATION_SOURCES) if sources is None else list(sources)
    rows = []
    for sid in ids:
        spec = _spec(sid)
        rows.append(
            {
                "source": spec.id,
                "dataset": spec.dataset,
                "label": spec.label,
                "unit_in_dataset": spec.unit_in_dataset,
                "coverage": "all countries" if spec.countries is None else ", ".join(
                    spec.countries
                ),
                "reason": spec.reason,
            }
        )
    return pd.DataFrame(rows)


def _spec(source: str) -> SourceSpec:
    try:
        return NET_MIGRATION_SOURCES[source]
    except KeyError:
        raise UnknownValueError(
            f"unknown source {source!r}; known sources: {list(NET_MIGRATION_SOURCES)}"
        ) from None


def compare_sources(
    country: str = "GEO",
    *,
    sources: Sequence[str] = ("geostat", "wpp", "wdi"),
    years: Iterable[int] | None = None,
    data: Mapping[str, pd.DataFrame] | None = None,
    wpp_variants: Sequence[str] = ("estimates",),
) -> pd.DataFrame:
    """Net migration of one country from several sources, side by side, in persons.

    Parameters
    ----------
    country : str
        Country (any form :func:`migdata.countries.to_iso3` accepts). Geostat covers Georgia only.
    sources : sequence of str
        Source ids from :data:`NET_MIGRATION_SOURCES`; the first is the reference for the
        differences.
    years : iterable of int, optional
        Years to keep. Each must be present in at least one source (else an error lists the
        years available). Default: the years the reference source (the first) has a figure for.
    data : mapping of str to DataFrame, optional
        Frames to use instead of loading them, keyed by source id or dataset id (for tests and
        for refreshed data).
    wpp_variants : sequence of str
        WPP variants to include; add ``"medium projection"`` to show projected years as well.

    Returns
    -------
    DataFrame
        ``year``, one column per source (net migration, persons), then ``<source>_minus_<ref>``
        for each other source. A source without a figure for a year has ``NaN`` there, and so
        has the difference: nothing is filled in. ``attrs["reasons"]`` maps each source to its
        definitional note, ``attrs["labels"]`` to its label; :func:`source_notes` gives the notes
        as a table.

    Raises
    ------
    UnknownCountryError
        If ``country`` is not a country.
    UnknownValueError
        For an unknown source, a source that does not cover the country, or absent years.

    Examples
    --------
    >>> table = compare_sources("Georgia", years=[2019])   # doctest: +SKIP
    >>> table[["year", "geostat", "wpp", "wdi"]]           # doctest: +SKIP
    """
    iso3 = to_iso3(country)
    sources = list(sources)
    if not sources:
        raise InvalidInputError("sources must name at least one source")
    if len(set(sources)) != len(sources):
        raise InvalidInputError(f"sources must not repeat, got {sources}")
    specs = [_spec(s) for s in sources]
    options = {"wpp_variants": tuple(wpp_variants)}
    columns: dict[str, pd.Series] = {}
    for spec in specs:
        if spec.countries is not None and iso3 not in spec.countries:
            raise UnknownValueError(
                f"source {spec.id!r} covers {list(spec.countries)} only, not {iso3!r}"
            )
        frame = _frame_for(spec, data)
        series = spec.extract(frame, iso3, options)
        series.index = series.index.astype("int64")
        columns[spec.id] = series
    table = pd.DataFrame(columns)
    table.index.name = "year"
    table = table.sort_index()
    if years is not None:
        wanted = sorted({int(y) for y in years})
        missing = [y for y in wanted if y not in table.index]
        if missing:
            raise UnknownValueError(
                f"no source has net migration of {iso3} for year(s) {missing}; "
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
            "quantity": "net migration",
            "unit": "persons",
            "reference": ref,
            "reasons": {s.id: s.reason for s in specs},
            "labels": {s.id: s.label for s in specs},
        }
    )
    return out


def _frame_for(spec: SourceSpec, data: Mapping[str, pd.DataFrame] | None) -> pd.DataFrame:
    if data is not None:
        for key in (spec.id, spec.dataset):
            if key in data:
                return require_frame(data[key], f"data[{key!r}]")
    from .. import datasets

    return datasets.load(spec.dataset)
