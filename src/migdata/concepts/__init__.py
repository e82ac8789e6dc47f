"""The UN definitions of international migration (Unit 2.1) as executable, tested rules.

* :data:`CONCEPTS` -- every concept (flows, stocks, temporary mobility, usual-residence rules) with
  a summary in plain words and its UN source.
* :class:`Stay`, :class:`Person` -- a person's history of stays, validated on creation.
* Per-person rules (the reference semantics): :func:`usual_residence`, :func:`flow_events`,
  :func:`stock_categories`, :func:`temporary_mobility`.
* Table level, vectorised, for a list of persons or a long data frame of stays: :func:`stocks`,
  :func:`flows`, :func:`emigrants`, :func:`mobility`; converters :func:`to_frame`,
  :func:`to_persons`.
* :data:`CATEGORY_CONCEPTS` -- the concept id behind every label those functions return
  (``"returning_citizen"`` -> ``"returning_citizens"``, ``"usual_residents"`` ->
  ``"usual_residence"``...).

pandas is imported only when a table function is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .definitions import CONCEPTS, KINDS, Concept
from .model import PURPOSES, Person, Stay
from .rules import (
    CATEGORY_CONCEPTS,
    FLOW_CATEGORIES,
    RULES,
    STOCK_CATEGORIES,
    TEMPORARY_CATEGORIES,
    flow_events,
    merged_stays,
    qualifies,
    stock_categories,
    temporary_mobility,
    threshold_days,
    usual_residence,
)

if TYPE_CHECKING:  # pragma: no cover
    from .tables import STAY_COLUMNS, emigrants, flows, mobility, stocks, to_frame, to_persons

_TABLE_NAMES = (
    "STAY_COLUMNS",
    "emigrants",
    "flows",
    "mobility",
    "stocks",
    "to_frame",
    "to_persons",
)

__all__ = [
    "CATEGORY_CONCEPTS",
    "CONCEPTS",
    "FLOW_CATEGORIES",
    "KINDS",
    "PURPOSES",
    "RULES",
    "STAY_COLUMNS",
    "STOCK_CATEGORIES",
    "TEMPORARY_CATEGORIES",
    "Concept",
    "Person",
    "Stay",
    "emigrants",
    "flow_events",
    "flows",
    "merged_stays",
    "mobility",
    "qualifies",
    "stock_categories",
    "stocks",
    "temporary_mobility",
    "threshold_days",
    "to_frame",
    "to_persons",
    "usual_residence",
]


def __getattr__(name: str) -> Any:
    if name in _TABLE_NAMES:
        from . import tables

        return getattr(tables, name)
    raise AttributeError(f"module 'migdata.concepts' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
