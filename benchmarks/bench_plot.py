"""Time the chord diagram (``migdata.plot.mig_chord``) of a 20-region flow table.

Run: ``python benchmarks/bench_plot.py [--repeat N] [--regions 20]``.

The table is *synthetic* (seeded, labelled synthetic): 20 regions, about a fifth of the flows
0. Each figure is built and drawn to a PNG in memory (``savefig`` to a ``BytesIO`` at 100 dpi),
then closed; the median of N runs is reported, after one warm-up run (so the import of
matplotlib is not counted). References measured in the same run, on the same data:

* a plain matplotlib bar chart of the regions' totals (moves out + moves in);
* the kit's ``top_destinations`` bars of the same totals;
* the kit's ``emigrant_sankey`` static fallback: one bar per non-zero flow.

The ratio chord / reference is printed for each. The target (issue 23): the 20-region chord
diagram in under 2 s. Not a test; the machine may be shared, so timings vary.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import migdata.plot as mp


def synthetic_flows(n: int = 20, seed: int = 23) -> pd.DataFrame:
    """SYNTHETIC square origin x destination table (fixed seed); not data."""
    rng = np.random.default_rng(seed)
    labels = [f"Synthetic region {i + 1}" for i in range(n)]
    m = np.round(rng.gamma(0.6, 40_000, (n, n)) * (rng.random((n, n)) < 0.8))
    np.fill_diagonal(m, 0.0)
    return pd.DataFrame(m, index=labels, columns=labels)


def _png(fig) -> int:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return len(buf.getvalue())


def _median_seconds(func, repeat: int) -> float:
    func()  # warm-up: imports, font cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regions", type=int, default=20)
    args = parser.parse_args()
    square = synthetic_flows(args.regions)
    source = f"SYNTHETIC table of {args.regions} regions (seed 23), not data"
    totals = square.sum(axis=1) + square.sum(axis=0)
    dest = pd.DataFrame({"destination": totals.index, "stock": totals.to_numpy()})
    long = square.rename_axis(index="origin", columns=None).reset_index().melt(
        id_vars="origin", var_name="destination", value_name="stock")
    long = long[(long["origin"] != long["destination"]) & (long["stock"] > 0)]

    def chord() -> int:
        return _png(mp.mig_chord(square, source=source))

    def chord_build() -> None:
        plt.close(mp.mig_chord(square, source=source))

    def plain_bars() -> int:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(totals) + 2))
        ax.barh([str(x) for x in totals.index], totals.to_numpy())
        ax.set_title("Moves out + in")
        return _png(fig)

    def kit_bars() -> int:
        return _png(mp.top_destinations(dest, source=source, title="Moves out + in"))

    def kit_sankey_fallback() -> int:
        return _png(mp.emigrant_sankey(long, source=source, backend="matplotlib"))

    n_links = int((square.to_numpy() > 0).sum())
    t_chord = _median_seconds(chord, args.repeat)
    t_build = _median_seconds(chord_build, args.repeat)
    print(f"chord diagram, {args.regions} regions, {n_links} ribbons "
          f"(median of {args.repeat} runs)")
    print(f"  build + draw to PNG: {t_chord:.3f} s (build only {t_build:.3f} s); "
          f"target under 2 s: {'met' if t_chord < 2.0 else 'NOT met'}")
    print(f"{'reference (same data, same run)':48s} {'seconds':>8s} {'chord / ref':>12s}")
    for name, func in (
        (f"plain matplotlib bar chart ({len(totals)} bars)", plain_bars),
        (f"top_destinations ({len(totals)} bars)", kit_bars),
        (f"emigrant_sankey fallback ({len(long)} bars)", kit_sankey_fallback),
    ):
        t = _median_seconds(func, args.repeat)
        print(f"{name:48s} {t:8.3f} {t_chord / t:12.2f}")


if __name__ == "__main__":
    main()
