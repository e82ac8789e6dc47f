"""Time the first (from disk) and cached loads of every curated dataset, and a filtered load.

Run: ``python benchmarks/bench_datasets.py [--repeat N] [--first N]``. Prints one table row per
dataset: rows, file size, and in one run:

* ``before ms``: the first load as migdata read files before integrity checks (pandas' pyarrow
  engine, nothing verified); ``-`` when pyarrow is not installed;
* ``after ms``: the first load now (sha256, size, rows and columns checked against
  ``datapackage.json``, parsed with pandas' C engine, no pyarrow), with every cache cleared;
  both are medians of ``--first`` runs, interleaved so that both meet the same machine load;
* ``verify ms``: the part of it spent reading and hashing the file;
* ``after/before``: the ratio;
* ``cached ms``, ``filter ms``: a cached load and a typical filtered load (medians).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path

from migdata.datasets import clear_cache, describe, integrity, list_datasets, load
from migdata.datasets.catalog import resource
from migdata.datasets.paths import datasets_dir

#: A typical filter per dataset (what a notebook asks for).
FILTERS = {
    "wdi": {"country": "GEO", "indicator": "SM.POP.NETM"},
    "un_migrant_stock": {"origin": "ARM", "sex": "total"},
    "un_migrant_stock_aggregates": {"destination_name": "WORLD", "sex": "total"},
    "un_migrant_stock_totals": {"revision": 2020, "country": "AZE"},
    "wpp_net_migration": {"country": ["ARM", "AZE", "GEO"]},
    "geostat_migration": {"sex": "total"},
    "geostat_population": {"year": 2024},
    "unhcr_population": {"asylum": "ARM"},
    "idps": {"source": "UNHCR"},
    "armstat_registered_migration": {"year": 2023},
    "press_figures": {"country": "AZE"},
}

_DTYPES = {"integer": "Int64", "number": "float64", "string": "str", "boolean": "boolean"}


def _before(dataset_id: str) -> object:
    """The reader migdata used before: pyarrow engine, no verification."""
    import pandas as pd

    res = resource(dataset_id)
    dtypes = {f["name"]: _DTYPES[f["type"]] for f in res["schema"]["fields"]}
    frame = pd.read_csv(
        datasets_dir() / res["path"], engine="pyarrow", dtype=dtypes, keep_default_na=False,
        na_values=res["schema"].get("missingValues", [""]),
    )
    for name, dtype in dtypes.items():
        if dtype == "Int64" and not frame[name].hasnans:
            frame[name] = frame[name].astype("int64")
        elif dtype == "boolean" and not frame[name].hasnans:
            frame[name] = frame[name].astype(bool)
    return frame


def _ms(func, repeat: int, setup=None) -> float:
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _verify(dataset_id: str) -> None:
    res = resource(dataset_id)
    integrity.read_verified(datasets_dir() / res["path"], dataset_id, res)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs of the cached timings")
    parser.add_argument("--first", type=int, default=5, help="runs of the first-load timings")
    args = parser.parse_args()
    has_pyarrow = importlib.util.find_spec("pyarrow") is not None
    load("geostat_population")  # import pandas once, outside the timings
    if has_pyarrow:
        _before("geostat_population")  # and pyarrow
    print(f"{'dataset':30s} {'rows':>8s} {'file':>8s} {'before ms':>10s} {'after ms':>9s} "
          f"{'verify ms':>10s} {'after/before':>13s} {'cached ms':>10s} {'filter ms':>10s}")
    total_before = total_after = 0.0
    for dataset in list_datasets()["id"]:
        before_runs, after_runs = [], []
        for _ in range(args.first):  # interleaved, so that both see the same machine load
            if has_pyarrow:
                before_runs.append(_ms(lambda d=dataset: _before(d), 1))
            after_runs.append(_ms(lambda d=dataset: load(d), 1, setup=clear_cache))
        before = statistics.median(before_runs) if has_pyarrow else float("nan")
        after = statistics.median(after_runs)
        verify = _ms(lambda d=dataset: _verify(d), args.first, setup=integrity.forget)
        frame = load(dataset)
        cached = _ms(lambda d=dataset: load(d), args.repeat)
        filters = FILTERS.get(dataset, {})
        filtered = _ms(lambda d=dataset, f=filters: load(d, **f), args.repeat)
        size = Path(describe(dataset)["file"]).stat().st_size / 1024
        total_before += before
        total_after += after
        shown = f"{before:10.1f}" if has_pyarrow else f"{'-':>10s}"
        print(f"{dataset:30s} {len(frame):8d} {size:7.0f}K {shown} {after:9.1f} {verify:10.1f} "
              f"{after / before:13.2f} {cached:10.3f} {filtered:10.2f}")
    if has_pyarrow:
        print(f"{'all datasets':30s} {'':8s} {'':8s} {total_before:10.1f} {total_after:9.1f} "
              f"{'':10s} {total_after / total_before:13.2f}")


if __name__ == "__main__":
    main()
