"""Summary indices of a Rogers-Castro model migration schedule: migest's ``index_age_rc``.

Rogers and Castro (1981) describe migration rates by age as a sum of curves: a childhood
component ``a1 exp(-alpha1 x)``, a labour-force component
``a2 exp(-alpha2 (x - mu2) - exp(-lambda2 (x - mu2)))`` and a constant ``c`` (more for
retirement and old age). Their parameters give the schedule's summary indices (Rogers and
Castro 1981, table 4; Rogers and Watkins 1987):

* peaking: ``mu2``, the age at the labour-force peak;
* child dependency: ``a1 / a2``; labour dependency its inverse, ``a2 / a1``;
* labour asymmetry: ``lambda2 / alpha2`` (the rise to the peak against the fall after it);
* regularity: ``alpha1 / alpha2``.

References
----------
Rogers, A. and Castro, L. J. (1981). *Model Migration Schedules*. IIASA Research Report
RR-81-30.

Rogers, A. and Watkins, J. (1987). General versus elderly interstate migration and population
redistribution in the United States. *Research on Aging* 9(4), 483-529.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .._checks import as_flag, as_number
from ..errors import InvalidInputError

__all__ = ["index_age_rc"]

#: The parameters the indices need (childhood and labour-force components).
RC_PARAMETERS = ("a1", "alpha1", "a2", "alpha2", "lambda2", "mu2")


def index_age_rc(pars: Mapping[str, float] | pd.Series, long: bool = True) -> pd.DataFrame:
    """Peaking, dependency, asymmetry and regularity of a Rogers-Castro schedule.

    migest's ``index_age_rc``: the indices are ratios of the schedule's parameters (see the
    module), no fit is involved.

    Parameters
    ----------
    pars : mapping or Series
        Parameter name -> value; ``a1``, ``alpha1``, ``a2``, ``alpha2``, ``lambda2`` and ``mu2``
        are needed (others, e.g. ``c`` or the retirement component's, are ignored). All above 0.
    long : bool
        One row per index (columns ``measure`` and ``value``, migest's default) or one row
        with a column per index.

    Returns
    -------
    DataFrame
        ``peaking``, ``child_dependency``, ``labor_dependency``, ``labor_asymmetry``,
        ``regularity`` (migest's names and order).

    Raises
    ------
    InvalidInputError
        A needed parameter missing (migest stops when only part of a component is given, and
        returns an empty table when a whole component is missing), or one that is not a number
        above 0 (a ratio by 0 is no index).

    Examples
    --------
    >>> p = {"a1": 0.02, "alpha1": 0.1, "a2": 0.06, "alpha2": 0.1, "mu2": 20, "lambda2": 0.4}
    >>> index_age_rc(p)["value"].round(4).tolist()
    [20.0, 0.3333, 3.0, 4.0, 1.0]
    """
    if isinstance(pars, pd.Series):
        if not pars.index.is_unique:
            twice = list(pars.index[pars.index.duplicated()])
            raise InvalidInputError(f"pars names a parameter more than once: {twice}")
        pars = pars.to_dict()
    if not isinstance(pars, Mapping):
        raise InvalidInputError(
            f"pars must map parameter names to values (a dict or a Series), got "
            f"{type(pars).__name__}")
    long = as_flag(long, "long")
    missing = [p for p in RC_PARAMETERS if p not in pars]
    if missing:
        raise InvalidInputError(
            f"pars lacks the Rogers-Castro parameter(s) {missing}; the indices need "
            f"{list(RC_PARAMETERS)}, got {list(pars)}")
    p = {}
    for name in RC_PARAMETERS:
        value = as_number(pars[name], f"pars[{name!r}]")
        if not value > 0:
            raise InvalidInputError(f"pars[{name!r}] must be above 0, got {pars[name]!r}")
        p[name] = value
    child = p["a1"] / p["a2"]
    values = {
        "peaking": p["mu2"],
        "child_dependency": child,
        "labor_dependency": 1 / child,
        "labor_asymmetry": p["lambda2"] / p["alpha2"],
        "regularity": p["alpha1"] / p["alpha2"],
    }
    if long:
        return pd.DataFrame({"measure": list(values), "value": list(values.values())})
    return pd.DataFrame([values])
