"""Curated South Caucasus migration datasets that load offline.

Every dataset is a tidy CSV in the bundled ``datasets`` folder, described (sources, licence,
vintage, caveats, units) by its Frictionless ``datapackage.json``.

Functions
---------
list_datasets
    One row per dataset: id, title, source, vintage, licence, rows.
load
    A dataset as a DataFrame, filtered with ``column=value`` keywords.
describe
    A dataset's metadata as a dict.

Examples
--------
>>> from migdata.datasets import load
>>> stock = load("un_migrant_stock", origin="ARM", destination="RUS", year=2019, sex="total")
>>> int(stock["stock"].iloc[0])
527163
"""

from __future__ import annotations

from .catalog import describe, list_datasets
from .loading import clear_cache, load
from .paths import datasets_dir

__all__ = ["clear_cache", "datasets_dir", "describe", "list_datasets", "load"]
