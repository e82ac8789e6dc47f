"""migdata: a teaching kit for migration data (Module 2 of the Migration Curriculum).

Submodules
----------
concepts
    The UN definitions of migrant stocks, flows and temporary mobility, as executable rules.
datasets
    Curated, sourced South Caucasus datasets that load offline.
sources
    Live refresh of the datasets from the publishers' APIs.
indicators
    Net migration rates, stock measures, flows from stocks and source comparison.
plot
    Charts in one consistent look (matplotlib and plotly).

Submodules are imported on first use, so ``import migdata`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBMODULES = ("concepts", "datasets", "sources", "indicators", "plot", "errors", "countries")

__all__ = ["__version__", *_SUBMODULES]

if TYPE_CHECKING:  # pragma: no cover
    from . import concepts, countries, datasets, errors, indicators, plot, sources  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'migdata' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
