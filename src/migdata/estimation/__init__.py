"""Estimation of migration flows: from stocks, by IPF, from net totals, and residual methods.

* :func:`flows_from_stocks` -- bilateral flows from two place-of-birth x residence stock tables
  by demographic accounting (Abel 2013; Abel and Sander 2014), and :func:`od_matrix` to sum
  them into an origin-destination matrix.
* :func:`ipf`, :func:`ipf3`, :func:`ipf_nway` -- iterative proportional fitting to two-way,
  three-way or any margins (Willekens 1999; Raymer, Abel and Smith 2007).
* :func:`flows_from_net` -- flows that reproduce given net migration totals.
* :mod:`.netmatrix` -- migest's ``net_matrix_entropy``, ``net_matrix_lp``,
  ``net_matrix_optim``, ``cm2``, ``cm3`` and ``cm_net_tot``, and migdata's own
  :func:`flows_from_net_l1`, :func:`flows_from_net_l2`, :func:`flows_from_net_total`.
* :func:`flows_from_stock_differences` -- stock differencing: the change of each bilateral
  stock read as a net flow (no births, deaths or stayers).
* :func:`bilateral_stock_table` -- a square birthplace x residence table for one year from the
  bundled UN origin-destination stocks and a population series.
* :func:`balancing_equation` -- net migration as the residual of population change over any
  interval and grouping; :func:`survival_ratio_net_migration` -- net migration by cohort
  with forward, reverse and average survival ratios; :func:`net_sr` the same laid out as
  migest's ``net_sr`` (one row per cohort), with children's net migration from their mothers'.

:mod:`.toolbox` has small tools of migest's with migest's names (``sum_region``, ``sum_net``,
``sum_bilat``, ``rescale_net``, ``rescale_integer_sum``), and :func:`ffs_diff` migest's stock
differencing of two square tables.
:mod:`.sums` has migest's ``sum_unilat``, ``sum_lump`` and ``sum_expand``; :func:`dict_ims`
the UN DESA countries with their regions, laid out like migest's ``dict_ims`` (built from the
UN's workbooks).
:mod:`.blocks` has migest's ``ipf2_block`` and ``ipf2_stripe`` (IPF with totals over blocks or
stripes of the table) and their tools ``block_matrix``, ``stripe_matrix`` and ``block_sum``;
:func:`net_vs` is migest's vital-statistics residual laid out one row per population.

Everything here is implemented from the papers cited in each module; the R package migest
(G. J. Abel, GPL) was used only through its published documentation.
"""

from __future__ import annotations

from .blocks import block_matrix, block_sum, ipf2_block, ipf2_stripe, stripe_matrix
from .differencing import DECREASE_RULES, ffs_diff, flows_from_stock_differences
from .ipf import flows_from_net, ipf, ipf3, ipf_nway
from .netmatrix import (
    MigestFit,
    cm2,
    cm3,
    cm_net_tot,
    flows_from_net_l1,
    flows_from_net_l2,
    flows_from_net_total,
    net_matrix_entropy,
    net_matrix_lp,
    net_matrix_optim,
)
from .regions import dict_ims
from .residual import balancing_equation, net_sr, survival_ratio_net_migration
from .stocks import MATCH_BIRTHPLACE, MATCH_GLOBAL, flows_from_stocks, od_matrix
from .sums import sum_expand, sum_lump, sum_unilat, sum_unilateral
from .tables import UNKNOWN_BIRTHPLACE, bilateral_stock_table
from .toolbox import ffs_rates, rescale_integer_sum, rescale_net, sum_bilat, sum_net, sum_region
from .vital import net_vs

__all__ = [
    "DECREASE_RULES",
    "MATCH_BIRTHPLACE",
    "MATCH_GLOBAL",
    "UNKNOWN_BIRTHPLACE",
    "MigestFit",
    "balancing_equation",
    "bilateral_stock_table",
    "block_matrix",
    "block_sum",
    "cm2",
    "cm3",
    "cm_net_tot",
    "dict_ims",
    "ffs_diff",
    "ffs_rates",
    "flows_from_net",
    "flows_from_net_l1",
    "flows_from_net_l2",
    "flows_from_net_total",
    "flows_from_stock_differences",
    "flows_from_stocks",
    "ipf",
    "ipf2_block",
    "ipf2_stripe",
    "ipf3",
    "ipf_nway",
    "net_matrix_entropy",
    "net_matrix_lp",
    "net_matrix_optim",
    "net_sr",
    "net_vs",
    "od_matrix",
    "rescale_integer_sum",
    "rescale_net",
    "stripe_matrix",
    "sum_bilat",
    "sum_expand",
    "sum_lump",
    "sum_net",
    "sum_region",
    "sum_unilat",
    "sum_unilateral",
    "survival_ratio_net_migration",
]
