"""Indicators for Unit 2.4: rates, stock measures, measures of a flow matrix, source comparison.

* :mod:`~migdata.indicators.rates` -- net migration, crude rates per 1,000 mid-year population,
  the demographic balancing equation.
* :mod:`~migdata.indicators.stocks` -- emigrant stock by destination (shares, top N), change of a
  stock between reference years, migrant share of the population.
* :mod:`~migdata.indicators.flow_measures` -- regional net migration, migration effectiveness
  index, crude migration intensity and aggregate net migration rate (Bell et al. 2002).
* :mod:`~migdata.indicators.indices` -- the summary index families of a flow matrix:
  intensity, impact, connectivity and distance (Bell et al. 2002; as in migest 2.0.5).
* :mod:`~migdata.indicators.rogers_castro` -- :func:`index_age_rc`, the summary indices of a
  Rogers-Castro model schedule from its parameters (migest's ``index_age_rc``).
* :mod:`~migdata.indicators.compare` -- :func:`compare_sources`, one quantity from several sources
  with the reason each differs.

Flows estimated from stocks (stock differencing included) are in :mod:`migdata.estimation`;
this package holds measures only and imports nothing from it.

The **population at risk** of the intensity measures (crude migration intensity, the
aggregate net migration rate, ``cmp`` and ``anmr`` of the index families) is one quantity
everywhere: the population of every region the population table lists (the system), whether
or not a flow touches it, as Bell et al. (2002) divide by the population of the whole system.

Inputs are the tidy frames of :mod:`migdata.datasets`, checked by :mod:`migdata._checks`
(numbers finite and real, counts 0 or more, years whole, labels present and of one kind,
options by type). Wrong columns raise
:class:`~migdata.errors.MissingColumnsError`, unknown countries
:class:`~migdata.errors.UnknownCountryError`, absent years or values
:class:`~migdata.errors.UnknownValueError` (listing what is available). Gaps are never filled.
"""

from __future__ import annotations

from .compare import NET_MIGRATION_SOURCES, SourceSpec, compare_sources, source_notes
from .flow_measures import (
    aggregate_net_migration_rate,
    crude_migration_intensity,
    migration_effectiveness_index,
    regional_net_migration,
)
from .indices import (
    connectivity_indices,
    distance_indices,
    impact_indices,
    index_age,
    intensity_indices,
)
from .rates import (
    GEOSTAT_POPULATION_BREAKS,
    balancing_equation,
    crude_migration_rates,
    mid_year_population,
    net_migration,
    net_migration_rate,
    rates_per_1000,
    wdi_wide,
)
from .rogers_castro import index_age_rc
from .stocks import (
    OTHER,
    emigrant_stock_by_destination,
    migrant_share,
    migrant_share_from_totals,
    stock_change,
)

__all__ = [
    "GEOSTAT_POPULATION_BREAKS",
    "NET_MIGRATION_SOURCES",
    "OTHER",
    "SourceSpec",
    "aggregate_net_migration_rate",
    "balancing_equation",
    "compare_sources",
    "connectivity_indices",
    "crude_migration_intensity",
    "crude_migration_rates",
    "distance_indices",
    "emigrant_stock_by_destination",
    "impact_indices",
    "index_age",
    "index_age_rc",
    "intensity_indices",
    "mid_year_population",
    "migrant_share",
    "migrant_share_from_totals",
    "migration_effectiveness_index",
    "net_migration",
    "net_migration_rate",
    "rates_per_1000",
    "regional_net_migration",
    "source_notes",
    "stock_change",
    "wdi_wide",
]
