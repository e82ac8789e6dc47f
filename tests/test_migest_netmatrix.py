"""Same name, same numbers: migest's estimators from net totals and its cm2 / cm3 / cm_net_tot.

The expected values are in ``tests/fixtures/migest/netmatrix.json``, written by the maintainer's
script ``make_netmatrix_fixtures.R`` with migest 2.0.5 (CVXR 1.0-15 and ECOS for
``net_matrix_entropy``, lpSolve for ``net_matrix_lp``, R's ``optim`` for ``net_matrix_optim``).
Where a linear programme has many optimal tables only what is determined is compared (the
objective and the nets). migdata's own corrected methods (``flows_from_net_l1``, ``_l2``,
``_total``) are checked by their optimality conditions and against a second solver.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migdata.errors import InvalidInputError
from migdata.estimation import (
    MigestFit,
    cm2,
    cm3,
    cm_net_tot,
    flows_from_net,
    flows_from_net_l1,
    flows_from_net_l2,
    flows_from_net_total,
    net_matrix_entropy,
    net_matrix_lp,
    net_matrix_optim,
)

FIXTURE = Path(__file__).parent / "fixtures" / "migest" / "netmatrix.json"
DATA = json.loads(FIXTURE.read_text(encoding="utf-8"))
CASES = DATA["cases"]


def _cases(fn: str) -> list[dict]:
    return [c for c in CASES if c["fn"] == fn]


def _ids(cases: list[dict]) -> list[str]:
    return [c["name"] for c in cases]


def _close(got: np.ndarray, expected: np.ndarray, rel: float) -> float:
    """Largest difference relative to max(|migest's value|, 1); asserts it is within rel."""
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    assert got.shape == expected.shape
    diff = float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1.0)))
    assert diff <= rel, f"largest relative difference {diff:.3g} > {rel:g}"
    return diff


def _nets(flows: np.ndarray) -> np.ndarray:
    flows = np.asarray(flows, float)
    return flows.sum(axis=0) - flows.sum(axis=1)


def _mask(case: dict) -> np.ndarray | None:
    return None if case["zero_mask"] is None else np.array(case["zero_mask"], dtype=bool)


def test_fixture_provenance() -> None:
    assert DATA["migest_version"] == "2.0.5"
    assert DATA["CVXR_version"] == "1.0.15"
    assert len(CASES) > 100
    # every function has migest's examples, edge cases and at least 12 random cases
    for fn in ("net_matrix_entropy", "net_matrix_lp", "net_matrix_optim", "cm2", "cm3",
               "cm_net_tot"):
        assert sum(c["name"].startswith("random") for c in _cases(fn)) >= 12, fn


# ---------------------------------------------------------------- net_matrix_entropy


@pytest.mark.parametrize("case", _cases("net_matrix_entropy"),
                         ids=_ids(_cases("net_matrix_entropy")))
def test_net_matrix_entropy_gives_migests_numbers(case: dict) -> None:
    m = np.array(case["m"], float)
    if "error" in case:
        with pytest.raises(InvalidInputError, match="sum"):
            net_matrix_entropy(case["net"], m, _mask(case))
        return
    size = float(np.abs(case["net"]).sum())
    if not case["convergence"] and case["message"].endswith(": infeasible"):
        # no table under the mask has these nets: migest returns zeros, migdata refuses
        with pytest.raises(InvalidInputError, match="no cell to move through"):
            net_matrix_entropy(case["net"], m, _mask(case))
        return
    if not case["convergence"]:
        # deliberate difference: ECOS stops "optimal_inaccurate" or "solver_error" and migest
        # returns zeros, which miss the nets; migdata returns the optimum (it exists: the
        # prior's zeros count as 1e-10) and warns where migest is likely to fail: a region
        # with no prior flow to move through, nets of a million persons or more (trial F1)
        assert np.all(np.array(case["n"]) == 0)
        expected = {"zero row": ("optimal_inaccurate", "no flow out of"),
                    "example x1e5": ("optimal_inaccurate", "often stops"),
                    "example x1e6": ("solver_error", "often stops")}[case["name"]]
        assert case["message"].endswith(expected[0])
        with pytest.warns(UserWarning, match=expected[1]):
            fit = net_matrix_entropy(case["net"], m, _mask(case))
        assert fit.convergence and fit.message == "optimal"
        assert np.abs(_nets(fit.n) - case["net"]).max() <= 1e-11 * size
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = net_matrix_entropy(case["net"], m, _mask(case))
    assert isinstance(fit, MigestFit) and fit.convergence
    # ECOS's precision: about 1e-8 on the optimality conditions, so 1e-5 persons in a cell
    _close(fit.n.to_numpy(), case["n"], 1e-4)
    np.testing.assert_allclose(_nets(fit.n), case["net"], atol=1e-6)
    # the nets (less their mean, where they sum to 5e-7) are met to 1e-11 of their size, also
    # in thousandths of a person (trial F13)
    target = np.array(case["net"]) - np.mean(case["net"])
    assert np.abs(_nets(fit.n) - target).max() <= max(1e-11 * (size or float(m.sum())),
                                                      1e-14 * fit.n.to_numpy().sum())
    assert fit.value is not None and fit.value < 1e-10 and case["value"] < 1e-8


def test_net_matrix_entropy_meets_its_optimality_conditions() -> None:
    # second check, independent of R: log(y_ij / m_ij) = u_j - u_i on every allowed cell
    rng = np.random.default_rng(3)
    for _ in range(10):
        n = int(rng.integers(3, 8))
        m = rng.uniform(0, 100, (n, n))
        np.fill_diagonal(m, 0)
        net = rng.normal(0, 50, n)
        net -= net.mean()
        y = net_matrix_entropy(net, m).n.to_numpy()
        off = ~np.eye(n, dtype=bool)
        i, j = np.nonzero(off)
        lhs = np.log(y[i, j] / m[i, j])
        design = np.zeros((len(i), n))
        design[np.arange(len(i)), j] += 1
        design[np.arange(len(i)), i] -= 1
        u = np.linalg.lstsq(design, lhs, rcond=None)[0]
        assert np.abs(design @ u - lhs).max() < 1e-9
        np.testing.assert_allclose(_nets(y), net, atol=1e-8)
        # the same model as flows_from_net (migest's cm_net)
        labels = pd.RangeIndex(n)
        same = flows_from_net(pd.Series(net, index=labels),
                              pd.DataFrame(m, index=labels, columns=labels))
        np.testing.assert_allclose(y, same.to_numpy(), atol=1e-6)


# ---------------------------------------------------------------- net_matrix_lp


@pytest.mark.parametrize("case", _cases("net_matrix_lp"), ids=_ids(_cases("net_matrix_lp")))
def test_net_matrix_lp_gives_migests_objective_and_nets(case: dict) -> None:
    m = np.array(case["m"], float)
    if "error" in case:
        with pytest.raises(InvalidInputError, match="sum"):
            net_matrix_lp(case["net"], m, _mask(case))
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = net_matrix_lp(case["net"], m, _mask(case))
    assert any("ignores m" in str(w.message) for w in caught)
    y, r = fit.n.to_numpy(), np.array(case["n"], float)
    # a second warning exactly when a flow is negative (a move zero_mask forbids)
    assert any("negative flows" in str(w.message) for w in caught) == bool((y < 0).any())
    if not case["convergence"]:
        # deliberate difference: nets summing to 5e-7 pass migest's check (tol 1e-6) but
        # lpSolve finds its equalities inconsistent; migest warns and returns NA. migdata
        # spreads the 5e-7 over the regions and solves
        assert case["name"] == "nets sum to 5e-7" and np.isnan(r).all() and case["warnings"]
        assert np.abs(y).sum() == pytest.approx(70, abs=1e-6)
        return
    # many optimal tables: the objective (sum of |flows|) and the nets are determined
    assert abs(np.abs(y).sum() - np.abs(r).sum()) <= 1e-9 * max(np.abs(r).sum(), 1.0)
    np.testing.assert_allclose(_nets(y), _nets(r), atol=1e-6)
    np.testing.assert_allclose(_nets(y), case["net"], atol=1e-6)
    mask = np.eye(len(m), dtype=bool) if _mask(case) is None else _mask(case)
    assert np.all(y[mask] == 0)
    # migest's value is sum |y - m| of its own vertex; ours of ours
    assert fit.value == pytest.approx(np.abs(y - np.where(mask, 0, m)).sum())


def test_net_matrix_lp_warns_of_migests_negative_flows_through_the_mask() -> None:
    # migest's LP takes signed flows: with D -> A forbidden it moves D's people to A as a flow
    # of -30 from A to D. Same numbers, with a warning; flows_from_net_l1 keeps the mask
    case = next(c for c in _cases("net_matrix_lp") if c["name"] == "zero_mask")
    assert np.array(case["n"])[0, 3] == -30
    with pytest.warns(UserWarning, match="negative flows"), \
            pytest.warns(UserWarning, match="ignores m"):
        fit = net_matrix_lp(case["net"], np.array(case["m"], float), _mask(case))
    assert fit.n.to_numpy()[0, 3] == pytest.approx(-30)
    y = flows_from_net_l1(case["net"], np.array(case["m"], float), _mask(case)).to_numpy()
    assert y.min() >= 0 and y[3, 0] == 0 and y[0, 1] == 0


def test_net_matrix_lp_ignores_the_prior_as_migest_does() -> None:
    case = next(c for c in _cases("net_matrix_lp") if c["name"] == "example")
    with pytest.warns(UserWarning):
        a = net_matrix_lp(case["net"], np.array(case["m"], float))
        b = net_matrix_lp(case["net"], np.ones((4, 4)) * 1000)
    assert np.abs(a.n.to_numpy()).sum() == np.abs(b.n.to_numpy()).sum() == 70


# ---------------------------------------------------------------- net_matrix_optim


@pytest.mark.parametrize("case", _cases("net_matrix_optim"),
                         ids=_ids(_cases("net_matrix_optim")))
def test_net_matrix_optim_gives_migests_numbers(case: dict) -> None:
    m = np.array(case["m"], float)
    if "error" in case:
        with pytest.raises(InvalidInputError, match="sum"):
            net_matrix_optim(case["net"], m, _mask(case))
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # the not-least-squares warning is tested below
        fit = net_matrix_optim(case["net"], m, _mask(case))
    assert fit.convergence == case["convergence"]
    messages = " ".join(str(w.message) for w in caught)
    r = np.array(case["n"], float)
    # R's messages: the same L-BFGS-B rules (before version 3.0), so the same stop (trial F2:
    # scipy's version 3.0 projects the subspace step and stopped 1.4% of a flow away)
    assert fit.message == case["message"]
    if case["name"] in ("example x1e5", "example x1e6"):
        # flows in the millions: R's difference-quotient gradient carries rounding noise of
        # about eps * loss / 1e-3, which moves R's stopping point along the tables with these
        # nets; migdata's gradient is exact. Both meet the nets; cells agree to 4e-6 of the
        # largest flow
        assert np.abs(fit.n.to_numpy() - r).max() <= 1e-5 * np.abs(r).max()
        assert fit.value < 1e-12 and case["value"] < 1e-12
    else:
        # every other case, the trial's "flow to 0 with zero_mask" included
        _close(fit.n.to_numpy(), r, 1e-7)
        assert abs(fit.value - case["value"]) < 1e-6
    # migest's table misses the nets (no table under the mask has them, or tol is large beside
    # thousandths of a person): the same table, never without a warning (trial F3, F13)
    size = float(np.abs(case["net"]).sum()) or float(np.where(np.eye(len(m)), 0, m).sum())
    misses = np.abs(_nets(r) - case["net"]).max() > 1e-4 * size
    assert ("misses the nets" in messages) == misses
    if case["name"] == "mask rules the nets out":
        assert misses and np.all(r == 0) and "no table of flows >= 0" in messages


def test_net_matrix_optim_warns_where_it_is_not_least_squares() -> None:
    case = next(c for c in _cases("net_matrix_optim") if c["name"] == "example")
    m = np.array(case["m"], float)
    with pytest.warns(UserWarning, match="flows_from_net_l2"):
        fit = net_matrix_optim(case["net"], m)
    best = flows_from_net_l2(case["net"], m).to_numpy()
    assert ((best - m) ** 2).sum() < ((fit.n.to_numpy() - m) ** 2).sum() - 1
    # where no flow reaches 0, migest's answer is the least-squares table: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small = net_matrix_optim([3, -1, -2], [[0, 50, 50], [50, 0, 50], [50, 50, 0]])
    np.testing.assert_allclose(
        small.n.to_numpy(),
        flows_from_net_l2([3, -1, -2], [[0, 50, 50], [50, 0, 50], [50, 50, 0]]).to_numpy(),
        atol=1e-4)


# ---------------------------------------------------------------- corrected methods


def _feasible_tables(case: dict) -> list[np.ndarray]:
    return [np.array(c["n"], float) for c in CASES
            if c["name"] == case["name"] and c["fn"].startswith("net_matrix") and "n" in c
            and c.get("convergence") and np.all(np.array(c["n"]) >= 0)]


@pytest.mark.parametrize("case", _cases("net_matrix_optim")[:12],
                         ids=_ids(_cases("net_matrix_optim")[:12]))
def test_flows_from_net_l1_and_l2_beat_every_other_table(case: dict) -> None:
    m = np.array(case["m"], float)
    if "error" in case or case["name"] == "nets sum to 5e-7":
        # migdata's own methods want nets that sum to 0 (to 1e-9 of their size)
        with pytest.raises(InvalidInputError, match="not 0"):
            flows_from_net_l1(case["net"], m, _mask(case))
        with pytest.raises(InvalidInputError, match="not 0"):
            flows_from_net_l2(case["net"], m, _mask(case))
        return
    mask = np.eye(len(m), dtype=bool) if _mask(case) is None else _mask(case)
    prior = np.where(mask, 0, m)
    y1 = flows_from_net_l1(case["net"], m, _mask(case)).to_numpy()
    y2 = flows_from_net_l2(case["net"], m, _mask(case)).to_numpy()
    for y in (y1, y2):
        assert y.min() >= 0 and np.all(y[mask] == 0)
        np.testing.assert_allclose(_nets(y), case["net"], atol=1e-6)
    for other in _feasible_tables(case):
        assert np.abs(y1 - prior).sum() <= np.abs(other - prior).sum() + 1e-6
        assert ((y2 - prior) ** 2).sum() <= ((other - prior) ** 2).sum() + 1e-6


def test_flows_from_net_l2_meets_its_optimality_conditions_and_a_second_solver() -> None:
    from scipy.optimize import minimize

    rng = np.random.default_rng(5)
    for _ in range(6):
        n = int(rng.integers(3, 6))
        m = rng.uniform(0, 60, (n, n)) * (rng.uniform(size=(n, n)) > 0.2)
        np.fill_diagonal(m, 0)
        net = rng.normal(0, 40, n)
        net -= net.mean()
        y = flows_from_net_l2(net, m).to_numpy()
        i, j = np.nonzero(~np.eye(n, dtype=bool))
        pos = y[i, j] > 1e-9
        design = np.zeros((len(i), n))
        design[np.arange(len(i)), j] += 1
        design[np.arange(len(i)), i] -= 1
        u = np.linalg.lstsq(design[pos], (y[i, j] - m[i, j])[pos], rcond=None)[0]
        assert np.abs(design[pos] @ u - (y[i, j] - m[i, j])[pos]).max() < 1e-7
        assert np.all(m[i, j][~pos] + design[~pos] @ u <= 1e-7)
        start, a_eq, b_eq = m[i, j], design.T[1:], net[1:]  # one net follows from the others
        res = minimize(lambda x, s=start: ((x - s) ** 2).sum(), start, method="SLSQP",
                       jac=lambda x, s=start: 2 * (x - s),
                       bounds=[(0, None)] * len(i),
                       constraints={"type": "eq", "fun": lambda x, a=a_eq, b=b_eq: a @ x - b,
                                    "jac": lambda x, a=a_eq: a},
                       options={"ftol": 1e-12, "maxiter": 1000})
        assert res.success
        np.testing.assert_allclose(y[i, j], res.x, atol=1e-4)


@pytest.mark.parametrize("case", [c for c in _cases("cm_net_tot")
                                  if not c["options"] and "sum" not in c["name"]],
                         ids=lambda c: c["name"])
def test_flows_from_net_total_fits_cm_net_tots_model(case: dict) -> None:
    m = np.ones((len(case["net"]),) * 2) if case["m"] is None else np.array(case["m"], float)
    y = flows_from_net_total(case["net"], case["tot"], m).to_numpy()
    assert y.sum() == pytest.approx(case["tot"], rel=1e-9)
    np.testing.assert_allclose(_nets(y), case["net"], atol=1e-7)
    r = np.array(case["n"], float)
    if case["name"] in ("m by default", "random 2"):
        # migest's iteration collapses to a table of zeros here (tested below)
        assert r.sum() < 1e-3
    else:
        _close(y, r, 1e-5)  # migest stops at parameter changes of 1e-6


# ---------------------------------------------------------------- cm2, cm3, cm_net_tot


@pytest.mark.parametrize("case", _cases("cm2"), ids=_ids(_cases("cm2")))
def test_cm2_gives_migests_numbers(case: dict) -> None:
    m = None if case["m"] is None else np.array(case["m"], float)
    opts = case["options"] or {}
    if "error" in case:
        with pytest.raises(InvalidInputError, match=r"sum|no cell"):
            cm2(case["row_tot"], case["col_tot"], m, **opts)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cm2(case["row_tot"], case["col_tot"], m, **opts)
    _close(fit.n.to_numpy(), case["n"], 1e-11)
    _close(fit.theta["alpha"], case["alpha"], 1e-11)
    _close(fit.theta["beta"], case["beta"], 1e-11)
    assert fit.convergence == (not caught)
    if case["name"] == "maxit 3":
        assert not fit.convergence and "maxit=3" in str(caught[0].message)


@pytest.mark.parametrize("case", _cases("cm3"), ids=_ids(_cases("cm3")))
def test_cm3_gives_migests_numbers(case: dict) -> None:
    m = np.array(case["m"], float)
    if case["name"] == "three tables":
        # deliberate difference: migest's own example gives 3 origin totals for a 2 x 2 x 3
        # offset and R silently uses the first 2; migdata refuses the mismatch
        with pytest.raises(InvalidInputError, match="3 value"):
            cm3(case["row_tot"], case["col_tot"], m)
        return
    fit = cm3(case["row_tot"], case["col_tot"], m)
    assert isinstance(fit.n, np.ndarray) and fit.n.ndim == 3
    _close(fit.n, case["n"], 1e-11)
    _close(fit.theta["alpha"], case["alpha"], 1e-11)
    np.testing.assert_allclose(fit.n.sum(axis=(1, 2)), case["row_tot"], rtol=1e-5)


@pytest.mark.parametrize("case", _cases("cm_net_tot"), ids=_ids(_cases("cm_net_tot")))
def test_cm_net_tot_gives_migests_numbers(case: dict) -> None:
    m = None if case["m"] is None else np.array(case["m"], float)
    opts = case["options"] or {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cm_net_tot(case["net"], case["tot"], m, **opts)
    _close(fit.n.to_numpy(), case["n"], 1e-10)
    _close(fit.theta["alpha"], case["alpha"], 1e-10)
    assert float(fit.theta["lambda"][0]) == pytest.approx(case["lambda"], rel=1e-10, abs=1e-30)
    messages = " ".join(str(w.message) for w in caught)
    if "sum" in case["name"]:
        assert "not 0" in messages
    if case["name"] in ("m by default", "random 2", "maxit 5"):
        # migest's iteration does not settle (in the first two it collapses to zeros): same
        # numbers, with a warning naming the corrected fit
        assert not fit.convergence and "maxit" in messages
    else:
        assert fit.convergence


# ---------------------------------------------------------------- inputs


def test_labelled_inputs_give_labelled_tables_in_the_tables_order() -> None:
    labels = ["AZE", "GEO", "ARM"]
    m = pd.DataFrame([[0, 5, 5], [5, 0, 5], [5, 5, 0]], index=labels, columns=labels, dtype=float)
    net = pd.Series({"ARM": -20.0, "AZE": 30.0, "GEO": -10.0})
    with pytest.warns(UserWarning, match="not the one nearest m"):
        optim = net_matrix_optim(net, m).n
    for fit in (net_matrix_entropy(net, m).n, optim,
                flows_from_net_l1(net, m), flows_from_net_l2(net, m),
                cm_net_tot(net, 60, m).n, flows_from_net_total(net, 60, m)):
        assert list(fit.index) == labels and list(fit.columns) == labels
        np.testing.assert_allclose(_nets(fit.to_numpy()), [30, -10, -20], atol=1e-3)
    fit2 = cm2(pd.Series({"B": 20.0, "A": 18.0}), pd.Series({"A": 16.0, "B": 22.0}),
               pd.DataFrame([[5.0, 2.0], [1.0, 7.0]], index=["A", "B"], columns=["A", "B"]))
    assert fit2.n.loc["B"].sum() == pytest.approx(20.0, rel=1e-6)


@pytest.mark.parametrize("call, match", [
    (lambda: net_matrix_entropy([1, -1], np.ones((3, 3))), "2 value"),
    (lambda: net_matrix_optim([1, -1, 0], [[0, -1, 1], [1, 0, 1], [1, 1, 0]]), "negative"),
    (lambda: net_matrix_lp([1, -1, 0], np.ones((3, 3)), np.ones((3, 3))), "True"),
    (lambda: net_matrix_entropy([1, -1, 0], np.ones((3, 2))), "square"),
    (lambda: net_matrix_entropy([1, float("nan"), 0], np.ones((3, 3))), "missing"),
    (lambda: net_matrix_entropy(pd.Series({"A": 1.0, "B": -1.0}),
                                pd.DataFrame(np.ones((2, 2)), index=["A", "C"],
                                             columns=["A", "C"])), "same regions"),
    (lambda: flows_from_net_l1([-5, 5, 0], np.ones((3, 3)),
                               np.array([[True, True, True], [False, True, False],
                                         [False, False, True]])), "no table"),
    (lambda: flows_from_net_total([10, -10], 5), "not above what these nets need"),
    (lambda: cm2([1, 2], [1, 2], np.ones((3, 2))), "2 value"),
    (lambda: cm3([1, 2], [1, 2], np.ones((2, 2))), "3 dimensions"),
    (lambda: cm_net_tot([1, -1], 10, alpha0=[1, 0]), "alpha0"),
])
def test_bad_input_is_refused_clearly(call, match) -> None:
    with pytest.raises(InvalidInputError, match=match):
        call()


def test_a_labelled_zero_mask_is_aligned_by_label() -> None:
    labels = ["A", "B", "C"]
    m = pd.DataFrame(10.0, index=labels, columns=labels)
    forbid = pd.DataFrame(np.eye(3, dtype=bool), index=labels, columns=labels)
    forbid.loc["C", "A"] = True  # no one moves from C to A
    shuffled = forbid.loc[["C", "A", "B"], ["B", "C", "A"]]
    net = pd.Series({"A": 12.0, "B": -4.0, "C": -8.0})
    for fit in (net_matrix_entropy(net, m, shuffled).n, flows_from_net_l2(net, m, shuffled),
                flows_from_net_l1(net, m, shuffled)):
        assert fit.loc["C", "A"] == 0 and fit.loc["A", "A"] == 0
        np.testing.assert_allclose(_nets(fit.to_numpy()), [12, -4, -8], atol=1e-8)


def test_forty_regions_are_fitted_and_meet_the_nets() -> None:
    rng = np.random.default_rng(11)
    n = 40
    m = rng.uniform(1, 500, (n, n))
    np.fill_diagonal(m, 0)
    net = np.round(rng.normal(0, 300, n))
    net[-1] -= net.sum()
    for y in (net_matrix_entropy(net, m).n, flows_from_net_l1(net, m),
              flows_from_net_l2(net, m), flows_from_net_total(net, 1.2 * m.sum(), m)):
        np.testing.assert_allclose(_nets(y.to_numpy()), net, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = net_matrix_optim(net, m)
    np.testing.assert_allclose(_nets(fit.n.to_numpy()), net, atol=1e-2)


def test_docstring_examples_run() -> None:
    import doctest

    from migdata.estimation import netmatrix

    result = doctest.testmod(netmatrix, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10 and result.failed == 0


def test_flows_from_net_meets_nets_whose_last_digits_the_objective_cannot_resolve() -> None:
    # found with migest's net_matrix_entropy fixtures ("random 14"): flows_from_net (migest's
    # cm_net) stopped 1e-7 persons short and refused a well-posed case, as its objective's
    # change fell below rounding before the nets were met to 1e-10
    case = next(c for c in _cases("net_matrix_entropy") if c["name"] == "random 14")
    labels = list("ABCDEF")
    y = flows_from_net(pd.Series(case["net"], index=labels),
                       pd.DataFrame(case["m"], index=labels, columns=labels, dtype=float))
    np.testing.assert_allclose(_nets(y.to_numpy()), case["net"], atol=1e-8)
    _close(y.to_numpy(), case["n"], 1e-4)


def test_without_scipy_the_optimisers_say_what_to_install(monkeypatch) -> None:
    """scipy is the `research` extra, not in a student's kit: a clear error, never a traceback."""
    import sys

    from migdata.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    nets = np.array([30.0, -10.0, -20.0])
    with pytest.raises(MissingDependencyError, match=r"migdata\[research\]"):
        net_matrix_lp(nets, np.ones((3, 3)))
    with pytest.raises(MissingDependencyError, match=r"migdata\[research\]"):
        flows_from_net_l1(nets, np.ones((3, 3)))
    # net_matrix_optim runs its own L-BFGS-B (R's rules): no scipy needed
    with pytest.warns(UserWarning, match="not the one nearest m"):
        fit = net_matrix_optim(nets, np.ones((3, 3)))
    np.testing.assert_allclose(_nets(fit.n.to_numpy()), nets, atol=1e-3)


# ---------------------------------------------------------------- outside parity trial (issue 23)


def test_flows_from_net_meets_the_nets_that_migests_cm_net_misses_with_two_regions() -> None:
    # trial F5: with 2 regions migest's cm_net returns m unchanged, missing the nets; migdata's
    # flows_from_net (the same model) meets them, as docs/migest.md says
    case = next(c for c in CASES if c["fn"] == "cm_net" and c["name"] == "two regions")
    m, r = np.array(case["m"], float), np.array(case["n"], float)
    np.testing.assert_array_equal(r, m)
    assert np.abs(_nets(r) - case["net"]).max() > 40
    labels = ["A", "B"]
    y = flows_from_net(pd.Series(case["net"], index=labels),
                       pd.DataFrame(m, index=labels, columns=labels))
    np.testing.assert_allclose(_nets(y.to_numpy()), case["net"], atol=1e-9)
    # the cell ratio is the model's: m_ij c_j / c_i, one factor per region
    assert y.iloc[0, 1] * y.iloc[1, 0] == pytest.approx(146 * 95)


@pytest.mark.parametrize("scale", [1e-8, 1e-4, 1.0, 1e6])
def test_tolerances_follow_the_datas_scale(scale: float) -> None:
    # trial F13: at 1e-8 flows_from_net missed the nets by 0.4% silently; net_matrix_entropy
    # met them to 1.3e-8 of their size at 1e-4
    m = np.array([[0, 100, 30, 70], [50, 0, 45, 5], [60, 35, 0, 40], [20, 25, 20, 0]]) * scale
    net = np.array([30.0, 40, -15, -55]) * scale
    labels = list("ABCD")
    y = flows_from_net(pd.Series(net, index=labels), pd.DataFrame(m, index=labels,
                                                                  columns=labels))
    size = np.abs(net).sum()
    assert np.abs(_nets(y.to_numpy()) - net).max() <= 1e-10 * size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nets of millions: the ECOS warning
        e = net_matrix_entropy(net, m).n.to_numpy()
        t = flows_from_net_total(net, 1.5 * m.sum(), m).to_numpy()
    assert np.abs(_nets(e) - net).max() <= 1e-11 * size
    assert np.abs(_nets(t) - net).max() <= 1e-10 * size
    np.testing.assert_allclose(e, y.to_numpy(), rtol=1e-7, atol=1e-12 * scale)


def test_net_matrix_entropy_leaks_no_numpy_warning() -> None:
    # trial F11: "invalid value encountered in subtract" leaked for all-zero priors and nets in
    # thousandths (the trial's seed 22); only migdata's own warning remains
    net = [-0.000701187852865317, 0.000409620353027497, 0.000291567499837821]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = net_matrix_entropy(net, np.zeros((3, 3)))
    assert [w.category for w in caught] == [UserWarning]
    assert np.abs(_nets(fit.n) - net).max() <= 1e-11 * np.abs(net).sum()


def test_messages_name_what_is_wrong() -> None:
    # trial F11: all-zero totals said "no cell in row(s) [] or column(s) []"; an impossible
    # seed in flows_from_net_total blamed "zero_mask", which it does not have
    for fit in (lambda: cm2([0, 0], [0, 0], [[1, 2], [3, 4]]),
                lambda: cm3([0, 0], [0, 0], np.ones((2, 2, 2)))):
        with pytest.raises(InvalidInputError, match="all 0") as info:
            fit()
        assert "[]" not in str(info.value)
    with pytest.raises(InvalidInputError, match=r"row\(s\) \[0\] and column\(s\) \[1\]"):
        cm2([5, 0], [0, 5], [[1, 0], [3, 4]])
    seed = np.zeros((4, 4))
    seed[1, 0] = 5.0  # only B -> A, but A must lose people
    with pytest.raises(InvalidInputError, match="seed") as info:
        flows_from_net_total([-5, 5, 0, 0], 100, seed)
    assert "zero_mask" not in str(info.value)
    # a cycle A -> B -> C -> A: B's 5 persons reach A through C, 10 moves at the least; a
    # total of 7 is too small (the least was counted over signed flows, 5, and the fit then
    # failed blaming zero_mask)
    cycle = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], float)
    with pytest.raises(InvalidInputError, match=r"not above what these nets need \(10 "):
        flows_from_net_total([5, -5, 0], 7, cycle)
    y = flows_from_net_total([5, -5, 0], 12, cycle).to_numpy()
    assert y.sum() == pytest.approx(12) and np.allclose(_nets(y), [5, -5, 0], atol=1e-9)


def test_net_matrix_optim_warns_where_no_table_has_the_nets() -> None:
    # trial F3: migest (and migdata) returned zeros with convergence TRUE, silently
    m = np.array([[0, 100, 30, 70], [50, 0, 45, 5], [60, 35, 0, 40], [20, 25, 20, 0]], float)
    zm = np.ones((4, 4), bool)
    zm[1, 0] = False
    with pytest.warns(UserWarning, match="no table of flows >= 0 under zero_mask"):
        fit = net_matrix_optim([-5, 5, 0, 0], m, zero_mask=zm)
    assert np.all(fit.n.to_numpy() == 0)  # migest's numbers
    for other in (flows_from_net_l2, flows_from_net_l1, net_matrix_entropy):
        with pytest.raises(InvalidInputError):
            other([-5, 5, 0, 0], m, zm)


def test_small_nets_beside_a_large_prior_are_met_to_their_own_size() -> None:
    # the tolerance follows the nets, not the prior: nets of 1e-6 persons beside flows of
    # hundreds are met to 1e-11 of the nets (or to the rounding of the flows' sums)
    m = np.array([[0, 100, 30, 70], [50, 0, 45, 5], [60, 35, 0, 40], [20, 25, 20, 0]], float)
    net = np.array([3.0, 4, -1.5, -5.5]) * 1e-6
    y = net_matrix_entropy(net, m).n.to_numpy()
    assert np.abs(_nets(y) - net).max() <= max(1e-11 * np.abs(net).sum(), 1e-14 * y.sum())
    assert np.abs(_nets(y) - net).max() <= 1e-4 * np.abs(net).sum()


def test_net_matrix_optim_on_random_tables_is_never_silently_wrong() -> None:
    # its own L-BFGS-B on 300 random tables (2 to 8 regions, 1e-3 to 1e4 persons, zeros, masks):
    # flows 0 or more, and the nets met to 1e-4 of their size unless a warning says otherwise
    rng = np.random.default_rng(0)
    for _ in range(300):
        n = int(rng.integers(2, 9))
        scale = 10.0 ** rng.integers(-3, 5)
        m = rng.exponential(1, (n, n)) * scale * (rng.uniform(size=(n, n))
                                                   > rng.choice([0, 0.3, 0.6]))
        np.fill_diagonal(m, 0)
        net = rng.normal(0, 1, n) * scale * rng.choice([0.1, 1, 5])
        net -= net.mean()
        zm = None
        if rng.uniform() < 0.3:
            zm = np.eye(n, dtype=bool)
            zm[rng.integers(n), rng.integers(n)] = True
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = net_matrix_optim(net, m, zm).n.to_numpy()
        assert y.min() >= 0
        if np.abs(_nets(y) - net).max() > 1e-4 * np.abs(net).sum():
            assert any("misses the nets" in str(w.message) or "did not converge"
                       in str(w.message) for w in caught)


@pytest.mark.parametrize("size", [1e5, 1e6, 1e7, 1e9, 1e12])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_net_matrix_entropy_solves_an_all_zero_prior_at_any_scale(size: float, n: int) -> None:
    # re-trial F3: with m all 0 (every cell counts as 1e-10) and nets of +-1e6 the Newton step
    # overshot beyond what the line search could shorten, and the error blamed the default
    # zero_mask; a table exists at every scale (migest returns zeros, convergence FALSE)
    net = np.zeros(n)
    net[0], net[-1] = -size, size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = net_matrix_entropy(net, np.zeros((n, n)))
    y = fit.n.to_numpy()
    assert np.abs(_nets(y) - net).max() <= 1e-11 * 2 * size
    assert (y >= 0).all() and fit.convergence


def test_net_matrix_entropy_solves_priors_of_mixed_scales() -> None:
    # priors from 1e-10 (its zeros count as 1e-10) to 1e10 in one table, nets from 1e-8 to 1e11
    rng = np.random.default_rng(2323)
    for _ in range(60):
        n = int(rng.integers(2, 7))
        m = np.where(rng.random((n, n)) < 0.5, 0.0, rng.random((n, n)) * 10.0 ** rng.integers(
            -10, 10, (n, n)))
        net = rng.normal(size=n) * 10 ** float(rng.integers(-8, 12))
        net -= net.mean()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = net_matrix_entropy(net, m, tol=1e-9 * np.abs(net).sum()).n.to_numpy()
        gap = np.abs(_nets(y) - net).max()
        assert gap <= max(1e-11 * np.abs(net).sum(), 64 * np.finfo(float).eps * y.sum())


def test_net_matrix_entropy_blames_only_a_zero_mask_the_user_set() -> None:
    # only B -> A allowed while A must lose 5: the user's zero_mask rules the nets out
    m = np.ones((4, 4))
    zm = np.ones((4, 4), bool)
    zm[1, 0] = False
    with pytest.raises(InvalidInputError, match="zero_mask"):
        net_matrix_entropy([-5, 5, 0, 0], m, zm)


def test_net_matrix_entropy_refuses_tiny_nets_a_zero_mask_rules_out() -> None:
    # only A -> B allowed while A gains 6.7e-9 persons: HiGHS's absolute tolerance (1e-7) took
    # a table of zeros as meeting nets that small, so the check said "feasible"
    m = np.array([[0.0, 2.95e-3], [4.88e-2, 36.0]])
    zm = np.array([[True, False], [True, True]])
    with pytest.raises(InvalidInputError, match="zeros of zero_mask"):
        net_matrix_entropy([6.7e-9, -6.7e-9], m, zm)
    seed = np.array([[992.0, 0.0], [3.4e-4, 4.2e-3]])  # A must lose, but only B -> A
    with pytest.raises(InvalidInputError, match="seed's zeros rule these nets out"):
        flows_from_net_total([-8e-11, 8e-11], 992.14, seed)


@pytest.mark.parametrize("net, m, expected", [
    # only the flow the nets need is non-zero: migest 2.0.5's cm_net moves it to the net
    ([40, -40], [[0, 0], [100, 0]], [[0, 0], [40, 0]]),
    ([-40, 40], [[0, 100], [0, 0]], [[0, 40], [0, 0]]),
])
def test_flows_from_net_meets_cm_nets_two_region_tables_it_moves(net, m, expected) -> None:
    # re-trial F5: docs/migest.md said cm_net never moves a 2-region table; it does here
    # (R: cm_net(net_tot = c(40, -40), m = matrix(c(0, 100, 0, 0), 2))$n), and migdata agrees
    labels = ["A", "B"]
    y = flows_from_net(pd.Series(net, index=labels, dtype=float),
                       pd.DataFrame(m, index=labels, columns=labels, dtype=float))
    np.testing.assert_allclose(y.to_numpy(), expected, atol=1e-9)


def test_flows_from_net_total_refuses_a_total_the_seed_cannot_reach() -> None:
    # a seed whose non-zero cells form no cycle and no diagonal bounds the table's total: the
    # bisection on the scale ran it to 1e205 and the fit failed, blaming the seed's zeros
    with pytest.raises(InvalidInputError, match=r"at the most"):
        flows_from_net_total([5.0, -5.0], 50.0, [[0.0, 0.0], [100.0, 0.0]])
    dag = np.array([[0.0, 1, 1], [0, 0, 1], [0, 0, 0]])  # A -> B -> C and A -> C
    with pytest.raises(InvalidInputError, match=r"\(20 persons at the most"):
        flows_from_net_total([-10.0, 0.0, 10.0], 25.0, dag)
    y = flows_from_net_total([-10.0, 0.0, 10.0], 15.0, dag).to_numpy()
    assert y.sum() == pytest.approx(15.0) and np.allclose(_nets(y), [-10, 0, 10], atol=1e-9)
    # a diagonal or a cycle lets the total grow without bound
    y = flows_from_net_total([-10.0, 0.0, 10.0], 500.0, dag + np.eye(3)).to_numpy()
    assert y.sum() == pytest.approx(500.0)
