"""Time the cold first load of every curated dataset with and without pyarrow, and cached loads.

Run: ``python benchmarks/bench_datasets.py [--runs N] [--repeat N]``.

**Cold first load** (the figure of issue 18). Each measurement is a fresh interpreter that has
imported pandas and migdata (and, where used, pyarrow) and then reads every dataset once, from
disk; ``--runs`` rounds, the modes interleaved in alternating order so that all meet the same
machine load; the medians are printed per dataset and in all. The modes:

* ``pyarrow``: pandas' pyarrow engine reading the same verified bytes (size and sha256 checked
  against ``datapackage.json`` first, rows and columns after, the same int64/bool narrowing;
  a gzip file decompressed by one zlib call): what :func:`migdata.datasets.load` would cost on
  pyarrow;
* ``unchecked``: pandas' pyarrow engine reading the file from its path with no integrity check
  (how migdata read files before issue 12);
* ``no pyarrow``: :func:`migdata.datasets.load` in an interpreter where importing pyarrow fails,
  as on a student's install (pyarrow is no dependency of migdata);
* ``installed``: :func:`migdata.datasets.load` where pyarrow is installed (a researcher's
  machine; pandas then backs text columns with pyarrow).

The line ``ratio`` divides the median total of ``no pyarrow`` by that of ``pyarrow`` (issue 18
asks for at most 1.10) and of ``unchecked``; the next line gives the median of each round's
own ratio (the two runs of a round are back to back), and the last the processor time of each
mode (all threads: pyarrow parses in several). The pyarrow modes are left out when pyarrow is
not installed.

**Cached** (in this process, medians of ``--repeat``): a load of a dataset already read, and a
typical filtered load.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

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

MODES = ("pyarrow", "unchecked", "no pyarrow", "installed")
_PYARROW_MODES = ("pyarrow", "unchecked")


class _BlockPyarrow:
    """A meta-path finder under which ``import pyarrow`` fails, as where it is not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".")[0] == "pyarrow":
            raise ImportError(f"{name} is blocked: this run measures an install without pyarrow")


def _pyarrow_reader(check: bool):
    """Read one dataset with pandas' pyarrow engine, verified (``check``) or not."""
    import io
    import zlib

    import pandas as pd

    from migdata.datasets import integrity
    from migdata.datasets.catalog import resource
    from migdata.datasets.loading import _DTYPES
    from migdata.datasets.paths import datasets_dir

    def read(dataset_id: str) -> pd.DataFrame:
        res = resource(dataset_id)
        path = datasets_dir() / res["path"]
        dtypes = {f["name"]: _DTYPES[f["type"]] for f in res["schema"]["fields"]}
        if check:  # read and hashed once, decompressed in one zlib call (as fast as it gets)
            data = integrity.read_verified(path, dataset_id, res)
            data = zlib.decompress(data, wbits=31) if path.suffix == ".gz" else data
        frame = pd.read_csv(
            io.BytesIO(data) if check else path, engine="pyarrow", dtype=dtypes,
            keep_default_na=False, na_values=res["schema"]["missingValues"],
        )
        if check:
            integrity.check_frame(frame, path, dataset_id, res)
        for name, dtype in dtypes.items():
            if dtype == "Int64" and not frame[name].hasnans:
                frame[name] = frame[name].astype("int64")
            elif dtype == "boolean" and not frame[name].hasnans:
                frame[name] = frame[name].astype(bool)
        return frame

    return read


def _worker(mode: str) -> None:
    """In a fresh interpreter: read every dataset once; print the times (ms) as JSON."""
    if mode == "no pyarrow":
        sys.meta_path.insert(0, _BlockPyarrow())
    import pandas  # noqa: F401 - imports are outside the timings

    from migdata.datasets import list_datasets, load

    if mode in _PYARROW_MODES:
        import pyarrow.csv  # noqa: F401

        read = _pyarrow_reader(check=mode == "pyarrow")
    else:
        read = load
    ids = list_datasets()["id"].tolist()
    times = {}
    cpu = time.process_time()
    for dataset in ids:
        start = time.perf_counter()
        read(dataset)
        times[dataset] = (time.perf_counter() - start) * 1000
    times["cpu"] = (time.process_time() - cpu) * 1000  # all threads of the process
    times["all datasets"] = sum(times.values()) - times["cpu"]
    times["pyarrow loaded"] = float("pyarrow" in sys.modules)
    print(json.dumps(times))


def _cold(runs: int, modes: tuple[str, ...]) -> tuple[dict[str, dict[str, float]], list[float]]:
    """Median ms per mode and dataset over ``runs`` rounds of fresh interpreters, and the
    ratio no pyarrow / pyarrow of each round (empty without pyarrow)."""
    samples: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for run in range(runs):
        for mode in modes if run % 2 == 0 else modes[::-1]:
            out = subprocess.run(
                [sys.executable, __file__, "--worker", mode], capture_output=True, text=True,
                check=True, cwd=Path(__file__).resolve().parent,
            )
            samples[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for mode in modes:  # the modes measured what they say
        loaded = {bool(s.pop("pyarrow loaded")) for s in samples[mode]}
        assert loaded == {mode != "no pyarrow"}, (mode, loaded)
    medians = {
        mode: {key: statistics.median(s[key] for s in samples[mode]) for key in samples[mode][0]}
        for mode in modes
    }
    rounds = [] if "pyarrow" not in modes else [
        none["all datasets"] / arrow["all datasets"]
        for none, arrow in zip(samples["no pyarrow"], samples["pyarrow"], strict=True)
    ]
    return medians, rounds


def _ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds of cold first loads")
    parser.add_argument("--repeat", type=int, default=20, help="runs of the cached timings")
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker)
        return
    has_pyarrow = importlib.util.find_spec("pyarrow") is not None
    modes = MODES if has_pyarrow else ("no pyarrow",)
    cold, rounds = _cold(args.runs, modes)

    from migdata.datasets import load

    print(f"cold first load, ms (median of {args.runs} fresh interpreters per mode)")
    print(f"{'dataset':30s}" + "".join(f"{m:>12s}" for m in modes)
          + f"{'cached ms':>11s}{'filter ms':>11s}")
    for dataset in cold["no pyarrow"]:
        if dataset == "cpu":
            continue
        line = f"{dataset:30s}" + "".join(f"{cold[m][dataset]:12.1f}" for m in modes)
        if dataset != "all datasets":
            load(dataset)
            filters = FILTERS.get(dataset, {})
            cached = _ms(lambda d=dataset: load(d), args.repeat)
            filtered = _ms(lambda d=dataset, f=filters: load(d, **f), args.repeat)
            line += f"{cached:11.3f}{filtered:11.2f}"
        print(line)
    if has_pyarrow:
        total = {m: cold[m]["all datasets"] for m in modes}
        print(f"ratio no pyarrow / pyarrow: {total['no pyarrow'] / total['pyarrow']:.2f} "
              f"(issue 18: at most 1.10); no pyarrow / unchecked: "
              f"{total['no pyarrow'] / total['unchecked']:.2f}; installed / pyarrow: "
              f"{total['installed'] / total['pyarrow']:.2f}")
        print(f"median of the {len(rounds)} rounds' own ratios no pyarrow / pyarrow: "
              f"{statistics.median(rounds):.2f} (from {min(rounds):.2f} to {max(rounds):.2f})")
    else:
        print("pyarrow is not installed: no ratio (install it to compare)")
    print("cpu ms, all datasets (every thread of the process; median): "
          + ", ".join(f"{m} {cold[m]['cpu']:.0f}" for m in modes))


if __name__ == "__main__":
    main()
