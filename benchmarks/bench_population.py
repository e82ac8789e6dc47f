"""Benchmark: time to generate the SYNTHETIC population, before and after vectorisation.

Run with ``python benchmarks/bench_population.py [n_persons]`` (default 1,000,000) from a git
checkout. It loads the generator as it was before issue 24 (``git show`` of commit
:data:`BEFORE`) next to today's, times both on the same machine in the same run, and prints
the seconds and their ratio. Not a test: the seconds depend on the machine and its load; the
ratio is the figure to compare.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migdata.simulate.population import synthetic_population

#: The last commit with the one-person-at-a-time generator.
BEFORE = "bf771f0"
ROOT = Path(__file__).resolve().parents[1]


def _before_module() -> object:
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:src/migdata/simulate/population.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    folder = Path(tempfile.mkdtemp())
    path = folder / "population_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("migdata.simulate._population_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "migdata.simulate"
    spec.loader.exec_module(module)
    return module


def _seconds(func: object, n: int) -> tuple[float, int]:
    start = time.perf_counter()
    frame = func(n)  # type: ignore[operator]
    return time.perf_counter() - start, len(frame)


def main(n: int = 1_000_000) -> None:
    before = _before_module()
    t_old, rows_old = _seconds(before.synthetic_population, n)  # type: ignore[attr-defined]
    t_new, rows_new = _seconds(synthetic_population, n)
    print(f"synthetic_population({n:,}): before {t_old:.2f} s ({rows_old:,} stays), "
          f"now {t_new:.2f} s ({rows_new:,} stays); {t_old / t_new:.1f} times faster")
    print(f"now / before = {t_new / t_old:.3f}; the issue's 18 s scaled by it: "
          f"{18 * t_new / t_old:.1f} s (target: at most 5 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
