"""Time flows_from_stocks on the whole UN origin-destination matrix, one five-year period.

Run: ``python benchmarks/bench_estimation.py [--repeat N] [--period 2010 2015] [--baseline REF]``.

The real case: the bundled UN stocks (Rev. 2019) for the two years, with the native-born from
WDI SP.POP.TOTL (places without a WDI population, or whose UN foreign-born exceed it, left
out: about 213 places). The size case: a seeded *synthetic* table of 232 places (the UN
matrix's size), labelled synthetic. Each method is timed (median of N runs). Then, with a
seeded synthetic distance prior (so that IPF iterates), the design used (an IPF per
birthplace over only the places that lose or gain people of that birthplace) is compared with
one batched IPF over every birthplace and every place; the ratio of the two is reported.
With ``--baseline REF`` (default ``bf771f0``, the version before migest's options were
added; needs git) that version's ``flows_from_stocks`` and IPF core are loaded from git and
timed in the same run on the same tables, and the ratio new / baseline is reported for each
method (the baseline's "open" is the present "open-native"). The target: "rescale" on the UN
table in at most 1 s. Not a test. The machine may be shared: timings vary.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from migdata.datasets import load
from migdata.estimation import bilateral_stock_table, flows_from_stocks, od_matrix
from migdata.estimation.ipf import _ipf2_layers


def _median_seconds(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline(ref: str):
    """flows_from_stocks of an earlier commit (with that commit's IPF core), loaded from git."""
    root = Path(__file__).resolve().parents[1]
    modules = {}
    for key, path in (("fitting", "src/migdata/_fitting.py"),
                      ("stocks", "src/migdata/estimation/stocks.py")):
        try:
            code = subprocess.run(
                ["git", "show", f"{ref}:{path}"],
                cwd=root, check=True, capture_output=True, text=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"baseline {ref!r} not available ({exc}); no ratios")
            return None
        file = Path(tempfile.mkdtemp()) / f"_baseline_{key}.py"
        file.write_text(code, encoding="utf-8")
        name = ("migdata._baseline_fitting" if key == "fitting"
                else "migdata.estimation._baseline_stocks")
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[key] = module
    # the old flows_from_stocks with the old IPF core, not today's
    modules["stocks"]._ipf2_layers = modules["fitting"]._ipf2_layers
    return modules["stocks"].flows_from_stocks


def _un_tables(start: int, end: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    stock = load("un_migrant_stock", sex="total")
    wdi = load("wdi", indicator="SP.POP.TOTL")
    wdi = wdi[wdi["is_aggregate"].eq(False).fillna(False)]

    def pop(year: int) -> pd.DataFrame:
        rows = wdi[wdi["year"] == year]
        return rows[["country", "value"]].rename(columns={"value": "population"})

    a = bilateral_stock_table(stock, pop(start), start, drop_inconsistent=True)
    b = bilateral_stock_table(stock, pop(end), end, drop_inconsistent=True)
    common = sorted(set(a.index) & set(b.index))
    return a.loc[common, common], b.loc[common, common]


def _synthetic(n: int = 232, seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SYNTHETIC stock tables (fixed seed), the size of the UN matrix."""
    rng = np.random.default_rng(seed)
    labels = [f"SYN{i:03d}" for i in range(n)]
    s1 = rng.gamma(0.3, 2000, (n, n)) * (rng.random((n, n)) < 0.6)
    s2 = s1 * rng.uniform(0.6, 1.5, (n, n))
    idx = np.arange(n)
    s1[idx, idx] = rng.integers(10**5, 10**8, n)
    s2[idx, idx] = s1[idx, idx] * rng.uniform(0.95, 1.1, n)
    frame = lambda a: pd.DataFrame(a, index=labels, columns=labels)  # noqa: E731
    return frame(s1), frame(s2)


def _synthetic_seed(labels: list, seed: int = 7) -> pd.DataFrame:
    """SYNTHETIC prior: inverse distances between random points (fixed seed)."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 10_000, (len(labels), 2))
    dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)) + 1.0
    return pd.DataFrame(1.0 / dist, index=labels, columns=labels)


def _open_tables(s1: pd.DataFrame, s2: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The tables after the 'open' adjustment (birthplace totals made equal)."""
    a1, a2 = s1.to_numpy(), s2.to_numpy()
    r1, r2 = a1.sum(axis=1), a2.sum(axis=1)
    keep1 = np.divide(np.minimum(r1, r2), r1, out=np.zeros_like(r1), where=r1 > 0)
    keep2 = np.divide(np.minimum(r1, r2), r2, out=np.zeros_like(r2), where=r2 > 0)
    return a1 * keep1[:, None], a2 * keep2[:, None]


def _batched_all_birthplaces(s1: pd.DataFrame, s2: pd.DataFrame, prior: pd.DataFrame) -> float:
    """Alternative design: one batched IPF over all birthplaces and all places (sums only)."""
    a1, a2 = _open_tables(s1, s2)
    stay = np.minimum(a1, a2)
    seed = prior.to_numpy().copy()
    np.fill_diagonal(seed, 0.0)
    rows, cols = a1 - stay, a2 - stay
    cols = cols * np.divide(rows.sum(axis=1), cols.sum(axis=1), out=np.zeros(len(rows)),
                            where=cols.sum(axis=1) > 0)[:, None]
    a, b, _ = _ipf2_layers(seed, rows, cols, tol=1e-10)
    return float((a @ seed * b).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", type=int, nargs=2, default=(2010, 2015))
    parser.add_argument("--baseline", default="bf771f0")
    args = parser.parse_args()
    start, end = args.period
    cases = {
        f"UN {start}-{end}": _un_tables(start, end),
        "synthetic 232": _synthetic(),
    }
    before = _baseline(args.baseline) if args.baseline else None
    old_name = {"open-native": "open", "open-dr": None, "open": None, "rescale": "rescale"}
    print(f"{'case':18s} {'places':>6s} {'method':>11s} {'seconds':>8s} {'flows (M)':>10s} "
          f"{'baseline s':>10s} {'ratio':>6s}")

    for name, (s1, s2) in cases.items():
        for method in ("open", "open-dr", "open-native", "rescale"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # rescale without births and deaths warns
                result = flows_from_stocks(s1, s2, match_birthplace=method)
                secs = _median_seconds(
                    lambda m=method, a=s1, b=s2: od_matrix(
                        flows_from_stocks(a, b, match_birthplace=m)
                    ),
                    args.repeat,
                )
                old = old_name[method]
                base = (
                    _median_seconds(
                        lambda m=old, a=s1, b=s2: od_matrix(before(a, b, match_birthplace=m)),
                        args.repeat,
                    )
                    if before is not None and old is not None
                    else float("nan")
                )
            print(f"{name:18s} {len(s1):6d} {method:>11s} {secs:8.2f} "
                  f"{result['flow'].sum() / 1e6:10.2f} {base:10.2f} {secs / base:6.2f}")
            if name.startswith("UN") and method == "rescale" and secs > 1.0:
                print(f"  above the 1 s target for 'rescale' on the UN table ({secs:.2f} s)")
        prior = _synthetic_seed(list(s1.index))
        batched = _median_seconds(
            lambda a=s1, b=s2, p=prior: _batched_all_birthplaces(a, b, p), args.repeat
        )
        blocks = _median_seconds(
            lambda a=s1, b=s2, p=prior: flows_from_stocks(
                a, b, match_birthplace="open-native", seed=p, stayer_assumption="seeded"
            ),
            args.repeat,
        )
        print(f"{name:18s} distance seed: flows_from_stocks (IPF by birthplace on sender x "
              f"receiver blocks, output included) {blocks:.2f} s; one batched IPF over all "
              f"birthplaces and places (IPF only) {batched:.2f} s: ratio {batched / blocks:.1f}x")


if __name__ == "__main__":
    main()
