"""migdata.estimation: flows from stocks, IPF, flows from net totals, residual methods.

Worked examples come from the papers' toy tables as printed in the examples of the ``ffs_demo``
reference page of the R package migest (G. J. Abel; the tables of Abel 2013, Demographic
Research 28(18), and Abel 2018, International Migration Review 52(3)). That page prints no
results, so the expected flows are worked by hand from the method (stayers = the smaller of
the two stocks; the remaining moves spread by IPF) and the reasoning is in each test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from migdata.errors import InvalidInputError, MissingColumnsError
from migdata.estimation import (
    MATCH_BIRTHPLACE,
    balancing_equation,
    bilateral_stock_table,
    flows_from_net,
    flows_from_stocks,
    ipf,
    ipf3,
    ipf_nway,
    od_matrix,
    survival_ratio_net_migration,
)

R4 = list("ABCD")


def _frame(values, labels=R4, byrow=True) -> pd.DataFrame:
    arr = np.asarray(values, dtype=float).reshape(len(labels), len(labels))
    if not byrow:  # R's s[,] <- c(...) fills column by column
        arr = arr.T
    return pd.DataFrame(arr, index=labels, columns=labels)


# Abel (2013) and Abel and Sander (2014): the tables of migest's ffs_demo example "e0".
S1 = _frame([1000, 100, 10, 0, 55, 555, 50, 5, 80, 40, 800, 40, 20, 25, 20, 200])
S2 = _frame([950, 100, 60, 0, 80, 505, 75, 5, 90, 30, 800, 40, 40, 45, 0, 180])


def _array(flows: pd.DataFrame, labels=R4) -> np.ndarray:
    """Birthplace x origin x destination array of a long flow table."""
    pos = {p: i for i, p in enumerate(labels)}
    out = np.zeros((len(labels),) * 3)
    for row in flows.itertuples(index=False):
        out[pos[row.birthplace], pos[row.origin], pos[row.destination]] += row.flow
    return out


# --- flows_from_stocks: published toy tables, worked by hand ---------------------------------


def test_abel_2013_example_flows_by_hand() -> None:
    # Birthplace A: stocks (1000, 100, 10, 0) -> (950, 100, 60, 0). Stayers 950, 100, 10, 0;
    # A loses 50 and C gains 50, so 50 A-born move A -> C. Birthplace B: B loses 50, A and C
    # gain 25 each. Birthplace C: B loses 10, A gains 10. Birthplace D: C and D lose 20 each,
    # A and B gain 20 each; with a uniform seed each sender sends half to each receiver (10).
    f = flows_from_stocks(S1, S2)
    od = od_matrix(f)
    expected = pd.DataFrame(
        [[0, 0, 50, 0], [35, 0, 25, 0], [10, 10, 0, 0], [10, 10, 0, 0]],
        index=pd.Index(R4, name="origin"), columns=pd.Index(R4, name="destination"),
        dtype=float,
    )
    pd.testing.assert_frame_equal(od.round(8), expected)
    arr = _array(f)
    assert arr[0, 0, 2] == pytest.approx(50)  # A-born, A -> C
    assert arr[1, 1, 0] == pytest.approx(25) and arr[1, 1, 2] == pytest.approx(25)
    assert arr[2, 1, 0] == pytest.approx(10)
    assert arr[3, 2, 0] == pytest.approx(10) and arr[3, 3, 1] == pytest.approx(10)
    assert f.attrs["movers"] == pytest.approx(150)
    assert f.attrs["stayers"] == pytest.approx(S1.to_numpy().sum() - 150)
    assert list(f.columns) == ["birthplace", "origin", "destination", "flow"]


def test_abel_2013_example_is_the_same_for_every_method_when_totals_match() -> None:
    # No births or deaths and equal birthplace totals: nothing to reconcile.
    base = od_matrix(flows_from_stocks(S1, S2))
    for method in MATCH_BIRTHPLACE:
        other = od_matrix(flows_from_stocks(S1, S2, match_birthplace=method))
        np.testing.assert_allclose(other.to_numpy(), base.to_numpy(), atol=1e-8)


def test_abel_2018_imr_example_margins() -> None:
    # Abel (2018, IMR) example "e1" of the same page (tables filled by column, as in R).
    s1 = _frame([100, 20, 10, 20, 10, 55, 40, 25, 10, 25, 140, 20, 0, 10, 65, 200], byrow=False)
    s2 = _frame([70, 25, 10, 40, 30, 60, 55, 45, 10, 10, 140, 0, 10, 15, 50, 180], byrow=False)
    arr = _array(flows_from_stocks(s1, s2))
    a1, a2 = s1.to_numpy(), s2.to_numpy()
    # Each birthplace's out-moves from i are its losses there, in-moves to j its gains.
    np.testing.assert_allclose(arr.sum(axis=2), np.maximum(a1 - a2, 0), atol=1e-8)
    np.testing.assert_allclose(arr.sum(axis=1), np.maximum(a2 - a1, 0), atol=1e-8)
    # Birthplace A (row 1): A loses 30 and gains nothing else but B +20, D +10 (worked by hand:
    # 100 -> 70 at A, 10 -> 30 at B, 0 -> 10 at D), so 20 go A -> B and 10 A -> D.
    assert arr[0, 0, 1] == pytest.approx(20) and arr[0, 0, 3] == pytest.approx(10)


def test_abel_cohen_2019_scientific_data_example_by_hand() -> None:
    # Example "e7" of the same page (Abel and Cohen 2019), tables filled by column as in R.
    s1 = _frame([100, 80, 30, 60, 10, 180, 10, 70, 10, 10, 140, 10, 0, 90, 40, 160], byrow=False)
    s2 = _frame([95, 75, 55, 35, 5, 225, 0, 25, 15, 5, 115, 25, 5, 55, 50, 215], byrow=False)
    # Birthplace totals are equal (120, 360, 220, 300) at both dates: a closed system.
    np.testing.assert_array_equal(s1.sum(axis=1), s2.sum(axis=1))
    arr = _array(flows_from_stocks(s1, s2))
    # A-born: (100, 10, 10, 0) -> (95, 5, 15, 5): A and B lose 5 each, C and D gain 5 each;
    # a uniform seed splits each loss equally: 2.5 to C and 2.5 to D from both A and B.
    np.testing.assert_allclose(arr[0], [[0, 0, 2.5, 2.5], [0, 0, 2.5, 2.5], [0] * 4, [0] * 4])
    # B-born: (80, 180, 10, 90) -> (75, 225, 5, 55): A, C, D lose 5, 5, 35; B gains 45.
    np.testing.assert_allclose(arr[1][:, 1], [5, 0, 5, 35])
    # total moves = the sum of every birthplace's losses
    assert arr.sum() == pytest.approx(np.maximum(s1.to_numpy() - s2.to_numpy(), 0).sum())


def test_distance_seed_moves_flows_towards_large_seed() -> None:
    # Abel (2018) supplementary example "e2": the seed shifts moves between receivers.
    s1 = _frame([100, 20, 10, 20, 10, 55, 40, 25, 10, 25, 140, 20, 0, 10, 65, 200], byrow=False)
    s2 = _frame([70, 25, 10, 40, 30, 60, 55, 45, 10, 10, 140, 0, 10, 15, 50, 180], byrow=False)
    dist = _frame([0, 5, 50, 500, 5, 0, 45, 495, 50, 45, 0, 450, 500, 495, 450, 0])
    seed = 1 / dist.where(dist > 0, 1)
    # migest (and so the default here) ignores a seed under the stayer assumption ...
    with pytest.warns(UserWarning, match="seed is not used"):
        ignored = od_matrix(flows_from_stocks(s1, s2, seed=seed))
    plain = od_matrix(flows_from_stocks(s1, s2))
    np.testing.assert_allclose(ignored.to_numpy(), plain.to_numpy())
    # ... stayer_assumption="seeded" keeps the stayers and uses it.
    near_f = flows_from_stocks(s1, s2, seed=seed, stayer_assumption="seeded")
    near = od_matrix(near_f)
    # Same margins by birthplace, so the same total, but another split.
    assert near.to_numpy().sum() == pytest.approx(plain.to_numpy().sum())
    assert not np.allclose(near.to_numpy(), plain.to_numpy())
    # Within a birthplace the fit is a_i * seed_ij * b_j: every 2 x 2 block of positive flows
    # keeps the seed's odds ratio.
    arr = _array(near_f)
    sd = seed.to_numpy()
    checked = 0
    for layer in arr:
        senders = np.flatnonzero(layer.sum(axis=1) > 0)
        receivers = np.flatnonzero(layer.sum(axis=0) > 0)
        if len(senders) >= 2 and len(receivers) >= 2:
            (i, k), (j, m) = senders[:2], receivers[:2]
            got = layer[i, j] * layer[k, m] / (layer[i, m] * layer[k, j])
            assert got == pytest.approx(sd[i, j] * sd[k, m] / (sd[i, m] * sd[k, j]))
            checked += 1
    assert checked >= 1


def test_births_and_deaths_are_taken_out_before_the_flows() -> None:
    # One birthplace per place, no migration at all: the native-born change only by births
    # and deaths, so no flow may be estimated.
    s1 = _frame(np.diag([100.0, 200.0, 300.0, 400.0]))
    s2 = _frame(np.diag([110.0, 190.0, 300.0, 420.0]))
    births = pd.Series([20.0, 10.0, 30.0, 40.0], index=R4)
    deaths = pd.Series([10.0, 20.0, 30.0, 20.0], index=R4)
    for method in MATCH_BIRTHPLACE:
        f = flows_from_stocks(s1, s2, births, deaths, match_birthplace=method)
        assert f["flow"].sum() == pytest.approx(0, abs=1e-6), method


def test_rescale_reproduces_each_places_net_migration() -> None:
    # With a closed world (stock change = births - deaths), each residence's net migration in
    # the flows is its population change minus natural increase.
    rng = np.random.default_rng(7)
    n = 6
    labels = [f"P{i}" for i in range(n)]
    s1 = rng.integers(0, 200, (n, n)).astype(float) + np.diag(rng.integers(5000, 9000, n))
    s2 = rng.integers(0, 200, (n, n)).astype(float) + np.diag(rng.integers(5000, 9000, n))
    births = rng.integers(100, 400, n).astype(float)
    deaths = rng.integers(100, 400, n).astype(float)
    # make the world balance: adjust one place's native-born at the end
    s2[0, 0] += (births.sum() - deaths.sum()) - (s2.sum() - s1.sum())
    assert s2[0, 0] > 0
    frame = lambda a: pd.DataFrame(a, index=labels, columns=labels)  # noqa: E731
    b, d = pd.Series(births, index=labels), pd.Series(deaths, index=labels)
    od = od_matrix(flows_from_stocks(frame(s1), frame(s2), b, d))
    net = od.sum(axis=0) - od.sum(axis=1)
    expected = (s2.sum(axis=0) - s1.sum(axis=0)) - births + deaths
    np.testing.assert_allclose(net.to_numpy(), expected, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("seed_value", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("method", ["rescale", "open-dr", "open-native", "open-outside"])
def test_properties_on_random_tables(seed_value: int, method: str) -> None:
    rng = np.random.default_rng(seed_value)
    n = int(rng.integers(3, 12))
    labels = [f"R{i}" for i in range(n)]
    s1 = rng.gamma(0.5, 300, (n, n)) * (rng.random((n, n)) < 0.7)
    s2 = rng.gamma(0.5, 300, (n, n)) * (rng.random((n, n)) < 0.7)
    s1[np.arange(n), np.arange(n)] = rng.integers(10_000, 50_000, n)
    s2[np.arange(n), np.arange(n)] = rng.integers(10_000, 50_000, n)
    births = pd.Series(rng.integers(500, 2000, n).astype(float), index=labels)
    deaths = pd.Series(rng.integers(500, 2000, n).astype(float), index=labels)
    frame = lambda a: pd.DataFrame(a, index=labels, columns=labels)  # noqa: E731
    f = flows_from_stocks(frame(s1), frame(s2), births, deaths, match_birthplace=method)
    assert (f["flow"] > 0).all()
    assert (f["origin"] != f["destination"]).all()
    assert set(f["birthplace"].cat.categories) == set(labels)
    od = od_matrix(f)
    assert (np.diag(od.to_numpy()) == 0).all()
    assert od.to_numpy().sum() == pytest.approx(f["flow"].sum())
    # the moves of a birthplace never exceed the people of that birthplace
    per_bp = f.groupby("birthplace", observed=False)["flow"].sum().reindex(labels)
    assert (per_bp.to_numpy() <= s1.sum(axis=1) + s2.sum(axis=1)).all()


def test_flows_are_fast_enough_for_a_world_sized_table() -> None:
    # A seeded synthetic table the size of the UN matrix (not a timing test: it must finish and
    # keep its margins).
    rng = np.random.default_rng(0)
    n = 120
    labels = [f"X{i:03d}" for i in range(n)]
    s1 = rng.gamma(0.3, 1000, (n, n)) * (rng.random((n, n)) < 0.5)
    s2 = s1 * rng.uniform(0.7, 1.3, (n, n))
    idx = np.arange(n)
    s1[idx, idx] = 1e6
    s2[idx, idx] = 0.0
    s2[idx, idx] = s1.sum(axis=1) - s2.sum(axis=1)  # same birthplace totals at both dates
    frame = lambda a: pd.DataFrame(a, index=labels, columns=labels)  # noqa: E731
    f = flows_from_stocks(frame(s1), frame(s2), match_birthplace="none")
    arr = np.zeros((n, n, n))
    arr[f["birthplace"].cat.codes, f["origin"].cat.codes, f["destination"].cat.codes] = f["flow"]
    np.testing.assert_allclose(arr.sum(axis=2), np.maximum(s1 - s2, 0), atol=1e-5)
    np.testing.assert_allclose(arr.sum(axis=1), np.maximum(s2 - s1, 0), atol=1e-5)


def test_open_methods_report_moves_outside_the_system() -> None:
    s2 = S2.copy()
    s2.loc["A", "A"] += 40  # 40 more A-born at the end: they came from outside
    s2.loc["D", "D"] -= 30  # 30 fewer D-born: they left the system
    for method in ("open", "open-dr", "open-native", "open-outside"):
        f = flows_from_stocks(S1, s2, match_birthplace=method)
        assert f.attrs["moves_outside"] == {"left": pytest.approx(30), "entered": pytest.approx(40)}
    with pytest.raises(InvalidInputError, match="'A'"):
        flows_from_stocks(S1, s2, match_birthplace="none")


def test_migest_open_warns_when_it_leaves_negative_stayers() -> None:
    # migest's "open" takes a birthplace's loss from its start stocks spread like its *end*
    # stocks: A-born (100, 10, 0) -> (80, 0, 10) lose 20, taken as 80/90 and 10/90 of 20 from
    # cells A and C; cell C holds 0 at the start, so its stayers go below zero.
    r = list("ABC")
    s1 = pd.DataFrame([[100, 10, 0], [0, 100, 0], [0, 0, 100]], index=r, columns=r)
    s2 = pd.DataFrame([[80, 0, 10], [0, 100, 0], [0, 0, 100]], index=r, columns=r)
    with pytest.warns(UserWarning, match="negative stayer"):
        f = flows_from_stocks(s1, s2, match_birthplace="open")
    assert f.attrs["stayers"] < s1.to_numpy().sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in ("open-dr", "open-native"):
            flows_from_stocks(s1, s2, match_birthplace=method)


def test_rescale_without_births_warns_when_totals_differ() -> None:
    s2 = S2.copy()
    s2.loc["A", "A"] += 40
    with pytest.warns(UserWarning, match="births"):
        flows_from_stocks(S1, s2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flows_from_stocks(S1, S2)  # equal totals: no warning


# --- flows_from_stocks: bad input ----------------------------------------------------------


def test_bad_stock_tables_are_refused_with_the_value_named() -> None:
    with pytest.raises(InvalidInputError, match="not square"):
        flows_from_stocks(S1.iloc[:, :3], S2)
    other = S2.rename(index={"D": "E"}, columns={"D": "E"})
    with pytest.raises(InvalidInputError, match="different places"):
        flows_from_stocks(S1, other)
    mixed = S1.rename(columns={"D": "E"})
    with pytest.raises(InvalidInputError, match="different row and column labels"):
        flows_from_stocks(mixed, S2)
    neg = S1.copy()
    neg.loc["B", "C"] = -5
    with pytest.raises(InvalidInputError, match=r"-5\.0.*'B'.*'C'"):
        flows_from_stocks(neg, S2)
    gap = S1.copy()
    gap.loc["C", "A"] = np.nan
    with pytest.raises(InvalidInputError, match="missing value"):
        flows_from_stocks(gap, S2)
    with pytest.raises(InvalidInputError, match="square DataFrame"):
        flows_from_stocks(S1.to_numpy(), S2)
    with pytest.raises(InvalidInputError, match="numbers"):
        flows_from_stocks(S1.astype(object).where(S1 != 555, "n/a"), S2)
    with pytest.raises(InvalidInputError, match="match_birthplace"):
        flows_from_stocks(S1, S2, match_birthplace="closed")


def test_bad_births_and_deaths_are_refused() -> None:
    b = pd.Series([1.0, 2.0, 3.0, 4.0], index=R4)
    with pytest.raises(InvalidInputError, match=r"negative.*'C'"):
        flows_from_stocks(S1, S2, b.where(b != 3, -3), b)
    with pytest.raises(InvalidInputError, match="both births and deaths"):
        flows_from_stocks(S1, S2, births=b)
    with pytest.raises(InvalidInputError, match="missing"):
        flows_from_stocks(S1, S2, b.drop("A"), b)
    with pytest.raises(InvalidInputError, match="deaths in 'D'"):
        flows_from_stocks(S1, S2, b, b.where(b != 4, 10_000))
    with pytest.raises(InvalidInputError, match="Series"):
        flows_from_stocks(S1, S2, [1, 2, 3, 4], b)


def test_od_matrix_checks_columns_and_keeps_every_place() -> None:
    f = pd.DataFrame({"origin": pd.Categorical(["A"], categories=R4),
                      "destination": pd.Categorical(["B"], categories=R4), "flow": [5.0]})
    od = od_matrix(f)
    assert od.shape == (4, 4) and od.loc["A", "B"] == 5 and od.to_numpy().sum() == 5
    with pytest.raises(MissingColumnsError, match="flow"):
        od_matrix(f.drop(columns="flow"))
    with pytest.raises(InvalidInputError, match="negative"):
        od_matrix(f.assign(flow=-1.0))


# --- IPF -------------------------------------------------------------------------------------


def test_ipf_two_way_hand_worked() -> None:
    # Independence: x_ij = row_i * col_j / total = 30 * 40 / 100 = 12, etc.
    fit = ipf(np.ones((2, 2)), [30, 70], [40, 60])
    np.testing.assert_allclose(fit, [[12, 18], [28, 42]])
    # A structural zero: rows (10, 20), cols (10, 20), seed [[0, 1], [1, 1]]: x_11 = 0 forces
    # x_12 = 10, then x_21 = 10 and x_22 = 10.
    fit = ipf(np.array([[0.0, 1.0], [1.0, 1.0]]), [10, 20], [10, 20])
    np.testing.assert_allclose(fit, [[0, 10], [10, 10]], atol=1e-6)


def test_ipf_keeps_labels_and_meets_margins() -> None:
    rng = np.random.default_rng(3)
    seed = pd.DataFrame(rng.random((5, 4)) + 0.1, index=list("abcde"), columns=list("wxyz"))
    rows = pd.Series(rng.integers(1, 100, 5).astype(float), index=list("abcde"))
    cols = pd.Series(rng.random(4), index=list("wxyz"))
    cols = cols / cols.sum() * rows.sum()
    fit = ipf(seed, rows.iloc[::-1], cols)
    assert list(fit.index) == list("abcde")
    np.testing.assert_allclose(fit.sum(axis=1), rows, rtol=1e-9)
    np.testing.assert_allclose(fit.sum(axis=0), cols, rtol=1e-9)
    # odds ratios of the seed are preserved (the log-linear model has no interaction)
    ratio = lambda t: t.iloc[0, 0] * t.iloc[1, 1] / (t.iloc[0, 1] * t.iloc[1, 0])  # noqa: E731
    assert ratio(fit) == pytest.approx(ratio(seed))


def test_ipf_without_seed_labels_the_fit_by_the_totals() -> None:
    rows = pd.Series({"x": 30.0, "y": 70.0})
    cols = pd.Series({"u": 40.0, "v": 60.0})
    fit = ipf(None, rows, cols)
    assert list(fit.index) == ["x", "y"] and list(fit.columns) == ["u", "v"]
    assert fit.loc["y", "v"] == pytest.approx(42.0)


def test_ipf_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="same grand total"):
        ipf(np.ones((2, 2)), [1, 2], [1, 1])
    with pytest.raises(InvalidInputError, match="negative"):
        ipf(-np.ones((2, 2)), [1, 1], [1, 1])
    with pytest.raises(InvalidInputError, match="shape"):
        ipf(np.ones((3, 2)), [1, 1], [1, 1])
    with pytest.raises(InvalidInputError, match="did not meet"):
        ipf(np.array([[1.0, 0.0], [0.0, 1.0]]), [2, 0], [1, 1], max_iter=50)
    with pytest.raises(InvalidInputError, match="labels"):
        ipf(pd.DataFrame(np.ones((2, 2)), index=["a", "b"], columns=["c", "d"]),
            pd.Series([1.0, 1.0], index=["a", "x"]), pd.Series([1.0, 1.0], index=["c", "d"]))


def test_ipf3_and_nway_meet_three_way_margins() -> None:
    rng = np.random.default_rng(11)
    truth = rng.gamma(1.0, 10.0, (4, 5, 3))
    fit = ipf3(
        ij=truth.sum(axis=2), ik=truth.sum(axis=1), jk=truth.sum(axis=0),
    )
    np.testing.assert_allclose(fit.sum(axis=2), truth.sum(axis=2), rtol=1e-8)
    np.testing.assert_allclose(fit.sum(axis=1), truth.sum(axis=1), rtol=1e-8)
    np.testing.assert_allclose(fit.sum(axis=0), truth.sum(axis=0), rtol=1e-8)
    # layer-wise two-way fits (origin x birthplace and destination x birthplace)
    fit2 = ipf_nway(np.ones((4, 5, 3)), {(0, 2): truth.sum(axis=1), (1, 2): truth.sum(axis=0)})
    np.testing.assert_allclose(fit2.sum(axis=1), truth.sum(axis=1), rtol=1e-8)
    with pytest.raises(InvalidInputError, match="shape"):
        ipf_nway(np.ones((2, 2)), {(0,): np.ones(3)})
    with pytest.raises(InvalidInputError, match="shape="):
        ipf3(ik=np.ones((2, 2)))


# --- flows from net totals ------------------------------------------------------------------


def test_flows_from_net_meets_the_nets_and_follows_the_seed() -> None:
    net = pd.Series({"A": 120.0, "B": -20.0, "C": -60.0, "D": -40.0})
    seed = pd.DataFrame(
        [[0, 50, 10, 5], [40, 0, 20, 10], [30, 20, 0, 0], [20, 10, 5, 0]],
        index=list("ABCD"), columns=list("ABCD"), dtype=float,
    )
    f = flows_from_net(net, seed)
    np.testing.assert_allclose((f.sum(axis=0) - f.sum(axis=1)).to_numpy(), net.to_numpy(),
                               atol=1e-6)
    assert (f.to_numpy() >= 0).all()
    assert f.loc["C", "D"] == 0 and f.loc["D", "D"] == 0  # zeros of the seed stay zero
    # the form x_ij = seed_ij c_j / c_i: x_ij x_ji = seed_ij seed_ji
    assert f.loc["A", "B"] * f.loc["B", "A"] == pytest.approx(50 * 40)
    with pytest.raises(InvalidInputError, match="sum to"):
        flows_from_net(pd.Series({"A": 1.0, "B": 1.0}))
    with pytest.raises(InvalidInputError, match="Series"):
        flows_from_net({"A": 1.0, "B": -1.0})


# --- residual methods -----------------------------------------------------------------------


def test_balancing_equation_intercensal_and_annual_and_grouped() -> None:
    pop = pd.DataFrame({
        "country": ["X", "X", "X", "Y", "Y", "Y"],
        "year": [2000, 2010, 2020] * 2,
        "population": [1000.0, 1100.0, 1150.0, 500.0, 480.0, 470.0],
    })
    ev = pd.DataFrame({
        "country": ["X", "X", "Y", "Y"], "start": [2000, 2010] * 2, "end": [2010, 2020] * 2,
        "births": [150.0, 140.0, 60.0, 50.0], "deaths": [100.0, 110.0, 70.0, 60.0],
    })
    out = balancing_equation(pop, ev, by=["country"])
    # X 2000-2010: 1100 - 1000 - (150 - 100) = 50; Y 2010-2020: 470 - 480 - (50 - 60) = 0
    assert out["net_migration"].tolist() == [50.0, 20.0, -10.0, 0.0]
    assert out["length"].tolist() == [10.0] * 4
    # person-years with exponential growth: 10 * (1100 - 1000) / ln(1.1)
    assert out.loc[0, "person_years"] == pytest.approx(10 * 100 / np.log(1.1))
    assert out.loc[0, "net_migration_rate"] == pytest.approx(1000 * 50 / (1000 / np.log(1.1)))
    # annual births and deaths summed over an intercensal interval; a missing year gives NaN
    annual = pd.DataFrame({"year": range(2000, 2010), "births": 15.0, "deaths": 10.0})
    p = pd.DataFrame({"year": [2000, 2010], "population": [1000.0, 1100.0]})
    assert balancing_equation(p, annual)["net_migration"].tolist() == [50.0]
    assert np.isnan(balancing_equation(p, annual.iloc[1:])["net_migration"].iloc[0])
    # any interval, e.g. 2000-2020 at once
    one = balancing_equation(pop[pop.country == "X"], pd.DataFrame(
        {"start": [2000], "end": [2020], "births": [290.0], "deaths": [210.0]}),
        periods=[(2000, 2020)])
    assert one["net_migration"].tolist() == [70.0]


def test_balancing_equation_bad_input() -> None:
    p = pd.DataFrame({"year": [2000, 2010], "population": [1000.0, 1100.0]})
    ev = pd.DataFrame({"start": [2000], "end": [2010], "births": [-1.0], "deaths": [1.0]})
    with pytest.raises(InvalidInputError, match="negative births"):
        balancing_equation(p, ev)
    with pytest.raises(MissingColumnsError, match="deaths"):
        balancing_equation(p, ev.drop(columns="deaths"))
    with pytest.raises(InvalidInputError, match="end after"):
        balancing_equation(p, ev.assign(births=1.0), periods=[(2010, 2000)])


def test_survival_ratio_forward_reverse_average_by_hand() -> None:
    p1 = pd.Series({0: 1000.0, 10: 900.0, 20: 800.0})
    p2 = pd.Series({0: 1100.0, 10: 1000.0, 20: 850.0})
    s = pd.Series({0: 0.99, 10: 0.98})
    out = survival_ratio_net_migration(p1, p2, s)
    # cohort 0-9 -> 10-19: forward 1000 - 0.99 * 1000 = 10; reverse 1000 / 0.99 - 1000
    assert out["forward"].tolist() == pytest.approx([10.0, 850 - 0.98 * 900])
    assert out["reverse"].tolist() == pytest.approx([1000 / 0.99 - 1000, 850 / 0.98 - 900])
    np.testing.assert_allclose(out["average"], (out["forward"] + out["reverse"]) / 2)
    assert out["age_end"].tolist() == [10, 20]
    # census survival ratios above 1 are legitimate (migest's Alabama and Manila examples)
    above = survival_ratio_net_migration(p1, p2, pd.Series({0: 1.2, 10: 0.9}))
    assert above["forward"].iloc[0] == pytest.approx(1000 - 1.2 * 1000)
    with pytest.raises(InvalidInputError, match="> 0"):
        survival_ratio_net_migration(p1, p2, pd.Series({0: 0.0, 10: 0.9}))
    with pytest.raises(InvalidInputError, match="same age groups"):
        survival_ratio_net_migration(p1, p2.iloc[:2], s)
    with pytest.raises(InvalidInputError, match="equal width"):
        survival_ratio_net_migration(p1.rename({20: 35}), p2.rename({20: 35}), s)
    with pytest.raises(InvalidInputError, match="negative"):
        survival_ratio_net_migration(p1.where(p1 != 900, -1), p2, s)


# --- the bundled UN origin-destination stocks ------------------------------------------------


def test_bilateral_stock_table_from_the_bundled_un_stocks() -> None:
    from migdata.datasets import load

    stock = load("un_migrant_stock", destination=["ARM", "AZE", "GEO"], sex="total")
    stock = stock[stock["origin"].isin(["ARM", "AZE", "GEO", "RUS"])]
    pop = pd.DataFrame({"country": ["ARM", "AZE", "GEO"],
                        "population": [3_000_000.0, 9_000_000.0, 4_000_000.0]})
    table = bilateral_stock_table(stock, pop, 2015)
    assert list(table.index) == ["ARM", "AZE", "GEO"] == list(table.columns)
    assert table.attrs["dropped"] == ["RUS"]
    rows = stock[(stock.year == 2015)]
    fb_aze = float(rows.loc[rows.destination == "AZE", "stock"].sum())
    assert table.loc["AZE", "AZE"] == pytest.approx(9_000_000 - fb_aze)
    assert table.loc["ARM", "GEO"] == float(
        rows.loc[(rows.origin == "ARM") & (rows.destination == "GEO"), "stock"].iloc[0])
    small = pop.assign(population=[1.0, 1.0, 1.0])
    with pytest.raises(InvalidInputError, match="exceed the population"):
        bilateral_stock_table(stock, small, 2015)
    assert bilateral_stock_table(stock, small, 2015, drop_inconsistent=True).empty


@pytest.mark.parametrize("module", ["ipf", "stocks", "residual", "tables", "sums", "regions"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    mod = importlib.import_module(f"migdata.estimation.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_infeasible_rescale_gives_finite_flows_with_a_warning() -> None:
    # Birthplace P2 lives only in P2 and P1 at the start, and the tables' zeros make equal
    # birthplace totals impossible: IPF's factors run off to infinity there. The closest fit
    # is used (as in migest), with a warning, and no NaN or negative flow comes out.
    r = [f"P{i}" for i in range(5)]
    s1 = pd.DataFrame([[386, 17, 0, 0, 0], [0, 391, 0, 24, 0], [0, 26, 356, 0, 0],
                       [0, 0, 23, 240, 20], [0, 21, 24, 22, 158]], index=r, columns=r)
    s2 = pd.DataFrame([[98, 0, 0, 0, 17], [27, 132, 19, 0, 27], [17, 23, 134, 25, 0],
                       [0, 16, 0, 352, 0], [17, 23, 20, 24, 21]], index=r, columns=r)
    births = pd.Series([39.0, 23, 14, 16, 24], index=r)
    deaths = pd.Series([26.0, 31, 21, 0, 16], index=r)
    with pytest.warns(UserWarning, match="closest fit"):
        f = flows_from_stocks(s1, s2, births, deaths, match_global="after-demo-adjust",
                              output="account")
    assert np.isfinite(f["flow"]).all()
    assert (f["flow"] >= 0).all()


def test_options_are_checked() -> None:
    for bad in ({"stayer_assumption": "yes"}, {"match_global": "never"},
                {"birth_method": "x"}, {"death_method": "x"}, {"output": "classic"}):
        with pytest.raises(InvalidInputError, match=next(iter(bad))):
            flows_from_stocks(S1, S2, **bad)
    # no native-born at all: nothing can absorb a world imbalance
    r = list("AB")
    s1 = pd.DataFrame([[0, 10], [10, 0]], index=r, columns=r)
    s2 = pd.DataFrame([[0, 15], [10, 0]], index=r, columns=r)
    zero = pd.Series(0.0, index=r)
    for glob in ("before-demo-adjust", "after-demo-adjust"):
        with pytest.raises(InvalidInputError, match="native-born"):
            flows_from_stocks(s1, s2, zero, zero, match_global=glob)


def test_ipf_accepts_grand_totals_equal_up_to_rounding() -> None:
    """Totals rounded to 6 decimals (438 vs 437.999999) are fitted, as ipf2/ipf3 in migest do."""
    from migdata import estimation as est
    from migdata.errors import InvalidInputError

    rows, cols = np.array([200.0, 238.0]), np.array([100.0, 137.999999, 200.0])
    fit = est.ipf(None, rows, cols)
    np.testing.assert_allclose(fit.sum(axis=1), rows, rtol=1e-9)
    np.testing.assert_allclose(fit.sum(axis=0), cols, rtol=1e-6)
    fit3 = est.ipf3(ik=np.array([[10.0, 0.0], [5.0, 5.0]]),
                    jk=np.array([[4.0, 2.0], [11.0, 3.0000001]]))
    np.testing.assert_allclose(fit3.sum(axis=(0, 1)), [15.0, 5.0], rtol=1e-6)
    with pytest.raises(InvalidInputError, match="totals sum to"):
        est.ipf(None, rows, cols * 1.001)
    with pytest.raises(InvalidInputError, match="disagree on their common axes"):
        est.ipf3(ik=np.array([[10.0, 0.0], [5.0, 5.0]]),
                 jk=np.array([[4.0003, 2.0], [11.0, 2.9997]]))
