"""Time the first (from disk) and cached loads of every curated dataset, and a filtered load.

Run: ``python benchmarks/bench_datasets.py [--repeat N]``. Prints one table row per dataset:
rows, file size, first load (ms, cache cleared), cached load (median ms) and a typical filtered
load (median ms).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from migdata.datasets import clear_cache, describe, list_datasets, load

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


def _ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    load("geostat_population")  # import pandas/pyarrow once, outside the timings
    print(f"{'dataset':30s} {'rows':>8s} {'file':>9s} {'first ms':>9s} {'cached ms':>10s} "
          f"{'filter ms':>10s}")
    for dataset in list_datasets()["id"]:
        clear_cache()
        start = time.perf_counter()
        frame = load(dataset)
        first = (time.perf_counter() - start) * 1000
        cached = _ms(lambda d=dataset: load(d), args.repeat)
        filters = FILTERS.get(dataset, {})
        filtered = _ms(lambda d=dataset, f=filters: load(d, **f), args.repeat)
        size = Path(describe(dataset)["file"]).stat().st_size / 1024
        print(f"{dataset:30s} {len(frame):8d} {size:8.0f}K {first:9.1f} {cached:10.3f} "
              f"{filtered:10.2f}")


if __name__ == "__main__":
    main()
