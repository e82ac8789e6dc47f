"""Benchmark: classify a SYNTHETIC population of 100,000 persons by stocks and flows.

Run with ``python benchmarks/bench_concepts.py [n_persons] [subsample]``. Prints the seconds taken
by the vectorised table functions on the whole population for both usual-residence rules, and the
speed-up over the per-person reference functions measured on a subsample. Not a test: the figures
depend on the machine.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from tqdm import tqdm

from migdata.concepts import RULES, flow_events, flows, stock_categories, stocks, to_persons
from migdata.simulate.population import synthetic_population

COUNTRY, ON, YEAR = "AZE", "2020-01-01", 2019


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def per_person(persons: list, rule: str) -> tuple[Counter, Counter]:
    stock: Counter = Counter()
    flow: Counter = Counter()
    for p in tqdm(persons, desc=f"per-person loop ({rule})", leave=False):
        stock.update(stock_categories(p, COUNTRY, ON, rule))
        flow.update(flow_events(p, COUNTRY, YEAR, rule))
    return stock, flow


def main(n: int = 100_000, sub: int = 20_000) -> None:
    seconds, frame = timed(synthetic_population, n)
    print(
        f"synthetic population: {n:,} persons, {len(frame):,} stays, generated in {seconds:.2f} s"
    )
    for rule in RULES:
        t_stocks, _ = timed(stocks, frame, COUNTRY, ON, rule)
        t_flows, _ = timed(flows, frame, COUNTRY, YEAR, rule)
        print(
            f"[{rule}] vectorised on {n:,} persons: stocks {t_stocks:.3f} s, "
            f"flows {t_flows:.3f} s, "
            f"total {t_stocks + t_flows:.3f} s"
        )
    sample = frame[frame["person_id"] < sub]
    t_build, persons = timed(to_persons, sample)
    print(
        f"subsample: {sub:,} persons; building Person objects from the frame took {t_build:.2f} s"
    )
    for rule in RULES:
        t_vec = sum(
            timed(fn, sample, COUNTRY, when, rule)[0] for fn, when in ((stocks, ON), (flows, YEAR))
        )
        t_loop, (stock, flow) = timed(per_person, persons, rule)
        # the two must agree, or the ratio means nothing
        vec_stock = stocks(sample, COUNTRY, ON, rule).drop("usual_residents")
        assert vec_stock.to_dict() == {k: stock[k] for k in vec_stock.index}
        vec_flow = flows(sample, COUNTRY, YEAR, rule)
        assert vec_flow.to_dict() == {k: flow[k] for k in vec_flow.index}
        print(
            f"[{rule}] subsample: vectorised stocks+flows {t_vec:.3f} s; per-person loop "
            f"{t_loop:.3f} s (ratio {t_loop / t_vec:.1f}x), or {t_build + t_loop:.2f} s counting "
            f"the Person objects built from the frame (ratio {(t_build + t_loop) / t_vec:.0f}x)"
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
