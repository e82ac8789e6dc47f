"""migest's ipf2_block, ipf2_stripe, block_matrix, stripe_matrix, block_sum, net_vs and
index_age_rc: same numbers.

The expected values are in ``tests/fixtures/migest/blocks.json``, written by the maintainer's
script ``tests/fixtures/migest/make_blocks_fixtures.R`` (migest 2.0.5 run in R; not run here).
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
    block_matrix,
    block_sum,
    ipf2_block,
    ipf2_stripe,
    net_vs,
    stripe_matrix,
)
from migdata.indicators import index_age_rc

FIXTURE = Path(__file__).parent / "fixtures" / "migest" / "blocks.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


def _of(fn: str) -> list[dict]:
    return [c for c in CASES if c["fn"] == fn]


def _ids(cases: list[dict]) -> list[str]:
    return [c["name"] for c in cases]


def _vec(value: object) -> list:
    """A vector of R's (jsonlite writes a length-one vector as a plain value)."""
    return value if isinstance(value, list) else [value]


BM = _of("block_matrix")


@pytest.mark.parametrize("case", BM, ids=_ids(BM))
def test_block_matrix_matches_migest(case: dict) -> None:
    a = case["args"]
    got = block_matrix(x=_vec(a["x"]), b=_vec(a["b"]), byrow=a["byrow"],
                       dimnames=a.get("dimnames"))
    np.testing.assert_array_equal(got.to_numpy(), case["result"])
    assert [list(got.index), list(got.columns)] == case["dimnames"]


SM = _of("stripe_matrix")


@pytest.mark.parametrize("case", SM, ids=_ids(SM))
def test_stripe_matrix_matches_migest(case: dict) -> None:
    a = case["args"]
    got = stripe_matrix(x=_vec(a["x"]), s=_vec(a["s"]), byrow=a["byrow"],
                        dimnames=a.get("dimnames"))
    np.testing.assert_array_equal(got.to_numpy(), case["result"])
    assert [list(got.index), list(got.columns)] == case["dimnames"]


BS = _of("block_sum")


@pytest.mark.parametrize("case", BS, ids=_ids(BS))
def test_block_sum_matches_migest(case: dict) -> None:
    a = case["args"]
    got = block_sum(a["block"], np.array(a["m"]), np.array(a["block_id"]))
    assert got == pytest.approx(case["result"], rel=1e-12)


def _fit_args(case: dict, tot: str, ids: str) -> dict:
    a = dict(case["args"])
    out = {k: a[k] for k in ("row_tot", "col_tot", "tol", "maxit") if k in a}
    for k in ("row_tot", "col_tot"):
        if k in out:
            out[k] = _vec(out[k])
    out[tot] = np.array(a[tot], dtype=float)
    names = a.get(f"{ids}_dimnames")
    out[ids] = pd.DataFrame(a[ids], index=names[0], columns=names[1]) if names else np.array(
        a[ids])
    if "m" in a:
        out["m"] = np.array(a["m"], dtype=float)
    return out


def _check_fit(got: pd.DataFrame, case: dict) -> None:
    exp = np.array(case["mu"])
    # same loop and stopping rule as migest: same iterations, same table to rounding
    assert got.attrs["it"] == case["it"]
    np.testing.assert_allclose(got.to_numpy(), exp, rtol=1e-9, atol=1e-9)
    assert got.attrs["tol"] == pytest.approx(case["tol"], rel=1e-6, abs=1e-9)
    if case.get("dimnames"):
        assert [list(got.index), list(got.columns)] == case["dimnames"]


def _meets(got: pd.DataFrame, case: dict, tot: str, ids: np.ndarray, tol: float) -> None:
    a = case["args"]
    fit = got.to_numpy()
    if "row_tot" in a:
        np.testing.assert_allclose(fit.sum(axis=1), _vec(a["row_tot"]), atol=tol)
    if "col_tot" in a:
        np.testing.assert_allclose(fit.sum(axis=0), _vec(a["col_tot"]), atol=tol)
    k = ids.max()
    sums = [fit[ids == g].sum() for g in range(1, k + 1)]
    order = "C" if tot == "stripe_tot" and len(np.unique(ids[:, 0])) == ids.shape[0] else "F"
    np.testing.assert_allclose(sums, np.array(a[tot], dtype=float).ravel(order=order),
                               atol=tol)


BLOCK = _of("ipf2_block")


@pytest.mark.parametrize("case", BLOCK, ids=_ids(BLOCK))
def test_ipf2_block_matches_migest(case: dict) -> None:
    args = _fit_args(case, "block_tot", "block")
    ids = np.asarray(args["block"])
    if "error" in case:
        # migest 2.0.5 stops when col_tot is NULL (t(NULL)); migdata fits rows and blocks
        assert "col_tot" not in case["args"]
        got = ipf2_block(**args)
        _meets(got, case, "block_tot", ids, 1e-4)
        return
    if case["tol"] > case["args"].get("tol", 1e-5):
        with pytest.warns(UserWarning, match="maxit=3"):
            got = ipf2_block(**args)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = ipf2_block(**args)
        _meets(got, case, "block_tot", ids, 1e-4)
    _check_fit(got, case)


STRIPE = _of("ipf2_stripe")


@pytest.mark.parametrize("case", STRIPE, ids=_ids(STRIPE))
def test_ipf2_stripe_matches_migest(case: dict) -> None:
    args = _fit_args(case, "stripe_tot", "stripe")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ipf2_stripe(**args)
    _check_fit(got, case)
    _meets(got, case, "stripe_tot", np.asarray(args["stripe"]), 1e-4)


def test_ipf2_block_labels_and_seed_frame() -> None:
    ids = block_matrix(x=[1, 2, 3, 4], b=[1, 2], dimnames=[list("abc"), list("abc")])
    seed = pd.DataFrame(np.ones((3, 3)), index=list("xyz"), columns=list("xyz"))
    rows = pd.Series([8.0, 4.0, 6.0], index=list("yxz"))  # aligned on m's labels
    got = ipf2_block(row_tot=rows, col_tot=[5, 6, 7], block_tot=[[1, 3], [4, 10]],
                     block=ids, m=seed)
    assert list(got.index) == list("xyz")
    np.testing.assert_allclose(got.sum(axis=1), [4, 8, 6], atol=1e-5)
    with pytest.raises(InvalidInputError, match="row_tot labels"):
        ipf2_block(row_tot=rows.rename({"x": "q"}), col_tot=[5, 6, 7],
                   block_tot=[[1, 3], [4, 10]], block=ids, m=seed)


def test_ipf2_block_numbers_each_block_by_its_own_number() -> None:
    """A block table numbered row by row: migest scales the wrong blocks (it assumes column
    by column numbering and never converges); migdata meets every total."""
    ids = block_matrix(x=list(range(1, 10)), b=[1, 2, 1], byrow=True)
    truth = np.arange(1.0, 17.0).reshape(4, 4)
    totals = [truth[ids.to_numpy() == k].sum() for k in range(1, 10)]
    got = ipf2_block(row_tot=truth.sum(axis=1), col_tot=truth.sum(axis=0), block_tot=totals,
                     block=ids)
    np.testing.assert_allclose(
        [got.to_numpy()[ids.to_numpy() == k].sum() for k in range(1, 10)], totals, atol=1e-4)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"block_tot": [1, 2, 3]}, "block_tot holds 3 totals"),
    ({"row_tot": [1, 2, 3]}, "grand total"),
    ({"block_tot": [1, 2, 3, 100]}, "grand total"),
    ({"tol": 0}, "tol"),
    ({"maxit": 0}, "maxit"),
    ({"m": np.ones((2, 2))}, "shape"),
    ({"block": None}, "block is needed"),
    ({"row_tot": [4, -8, 22]}, "negative"),
])
def test_ipf2_block_refuses(kwargs: dict, match: str) -> None:
    args = {"row_tot": [4, 8, 6], "col_tot": [5, 6, 7], "block_tot": [1, 4, 3, 10],
            "block": block_matrix(x=[1, 2, 3, 4], b=[1, 2])} | kwargs
    with pytest.raises(InvalidInputError, match=match):
        ipf2_block(**args)


def test_tools_refuse() -> None:
    with pytest.raises(InvalidInputError, match="x must hold 4"):
        block_matrix(x=[1, 2, 3], b=[1, 2])
    with pytest.raises(InvalidInputError, match="b: each size"):
        block_matrix(x=[1, 2, 3, 4], b=[1, 0])
    with pytest.raises(InvalidInputError, match="x must hold 6"):
        stripe_matrix(x=[1, 2, 3], s=[1, 2])
    with pytest.raises(InvalidInputError, match="block 9 is in no cell"):
        block_sum(9, np.ones((3, 3)), block_matrix(x=[1, 2, 3, 4], b=[1, 2]))
    with pytest.raises(InvalidInputError, match="shape"):
        block_sum(1, np.ones((2, 2)), block_matrix(x=[1, 2, 3, 4], b=[1, 2]))


VS = _of("net_vs")


@pytest.mark.parametrize("case", VS, ids=_ids(VS))
def test_net_vs_matches_migest(case: dict) -> None:
    data = pd.DataFrame(case["data"])
    got = net_vs(data, **case["args"])
    assert list(got.columns) == case["columns"]
    for col in ("pop_change", "natural_inc", "net"):
        np.testing.assert_allclose(got[col], case["result"][col])
    assert list(data.columns) == list(case["data"])  # the input is left alone


def test_net_vs_keeps_a_gap() -> None:
    d = pd.DataFrame({"pop0": [10.0, 20.0], "pop1": [12.0, 25.0], "births": [1.0, None],
                      "deaths": [0.0, 1.0]})
    got = net_vs(d)
    assert got["net"].iloc[0] == 1.0 and np.isnan(got["net"].iloc[1])


RC = [c for c in _of("index_age_rc") if "result" in c]


@pytest.mark.parametrize("case", RC, ids=_ids(RC))
def test_index_age_rc_matches_migest(case: dict) -> None:
    got = index_age_rc(case["pars"])
    assert got["measure"].tolist() == case["result"]["measure"]
    np.testing.assert_allclose(got["value"], case["result"]["value"], rtol=1e-12)
    wide = index_age_rc(pd.Series(case["pars"]), long=False)
    assert list(wide.columns) == list(case["result_wide"])
    np.testing.assert_allclose(wide.iloc[0], list(case["result_wide"].values()), rtol=1e-12)


def test_index_age_rc_refuses_a_missing_component() -> None:
    (case,) = [c for c in _of("index_age_rc") if "rows" in c]
    assert case["rows"] == 0  # migest: an empty table
    with pytest.raises(InvalidInputError, match="a1"):
        index_age_rc(case["pars"])


def test_ipf2_totals_labelled_by_the_group_table_or_themselves() -> None:
    ids = block_matrix(x=[1, 2, 3, 4], b=[1, 2], dimnames=[list("abc"), list("abc")])
    rows = pd.Series([8.0, 4.0, 6.0], index=list("bac"))
    got = ipf2_block(row_tot=rows, col_tot=[5, 6, 7], block_tot=[1, 4, 3, 10], block=ids)
    np.testing.assert_allclose(got.loc[["a", "b", "c"]].sum(axis=1), [4, 8, 6], atol=1e-5)
    with pytest.raises(InvalidInputError, match="block's rows"):
        ipf2_block(row_tot=rows.rename({"a": "z"}), col_tot=[5, 6, 7],
                   block_tot=[1, 4, 3, 10], block=ids)
    plain = ids.to_numpy()
    got = ipf2_block(row_tot=pd.Series([4.0, 8.0, 6.0], index=list("xyz")), col_tot=[5, 6, 7],
                     block_tot=[1, 4, 3, 10], block=plain)
    assert list(got.index) == list("xyz") and list(got.columns) == [0, 1, 2]


def test_ipf2_verbose_prints_each_iteration(capsys: pytest.CaptureFixture[str]) -> None:
    ids = stripe_matrix(x=list(range(1, 7)), s=[1, 2], byrow=True)
    got = ipf2_stripe(row_tot=[6, 6, 6], col_tot=[6, 6, 6], stripe_tot=[[2, 4]] * 3,
                      stripe=ids, m=np.arange(1.0, 10.0).reshape(3, 3), verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == got.attrs["it"]
    assert float(lines[-1].split()[1]) == pytest.approx(got.attrs["tol"])


@pytest.mark.parametrize("module", ["migdata.estimation.blocks", "migdata.estimation.vital",
                                    "migdata.indicators.rogers_castro"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module),
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_block_matrix_refuses_repeated_labels() -> None:
    # re-trial F8, a deliberate difference (docs/migest.md): R's block_matrix(1:4, b = c(1, 2),
    # dimnames = list(c("x", "y", "y"), c("x", "y", "y"))) returns the table; migdata's tables
    # are aligned by label, so a label must name one row and one column
    with pytest.raises(InvalidInputError, match="repeats the label"):
        block_matrix([1, 2, 3, 4], [1, 2], dimnames=[["x", "y", "y"], ["x", "y", "y"]])
    with pytest.raises(InvalidInputError, match="repeats the label"):
        stripe_matrix([1, 2, 3, 4, 5, 6], [1, 2], dimnames=[["x", "y", "y"], ["x", "y", "y"]])
