"""Size and set-up time of each environment: what `make lab` installs against the bigger set-ups.

Run: ``python benchmarks/bench_environment.py [--sets lab course ...] [--before REF] [--keep]``.

For each set of extras, a fresh virtual environment is made in a temporary folder and the kit is
installed into it (editable, like the Makefile: ``pip install -e ".[extras]"``). The baseline,
"before", is what ``make lab`` installed before issue 11: ``.[course]`` of the kit as it was at
commit ``REF`` (default :data:`BEFORE`, taken with ``git archive``). The script
reports the environment's size on disk (every file under the venv, as ``du`` counts it), the
number of installed distributions and the set-up time (venv creation + pip install). All sets are
measured in the same run, so the ratios compare like with like.

The pip cache is used as pip normally does: after the first run (or on a machine where the
packages were installed before) it is warm, and the times measure unpacking and installing rather
than downloading. The report says whether the cache held wheels when the run started.

Before issue 11 ``make lab`` installed the kit with plotly, frictionless and pyarrow, JupyterLab
and nbgrader. Now it installs ``.[lab]``: the kit, JupyterLab and ipywidgets. Lecturers install
``.[course]`` (plus nbgrader).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The set-ups measured by default: the student's (`make lab`) and the lecturer's (`make
#: lecturer-lab`), both against "before".
DEFAULT_SETS = ("lab", "course")
#: main when issue 11 was started: its `make lab` installed `.[course]`.
BEFORE = "8859daa"
BASELINE = "before"


def _size(path: Path) -> int:
    """Bytes of every file under ``path`` (symbolic links not followed)."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def _pip_cache_state(python: str) -> str:
    out = subprocess.run([python, "-m", "pip", "cache", "info"], capture_output=True, text=True)
    lines = [line.strip() for line in out.stdout.splitlines() if "Number of" in line
             or "size" in line.lower()]
    return "; ".join(lines) or "unknown (pip cache info failed)"


def _source_at(ref: str, workdir: Path) -> Path:
    """The kit's files at git commit ``ref``, unpacked into ``workdir/source-<ref>``."""
    target = workdir / f"source-{ref}"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def measure(extras: str, workdir: Path, progress: bool = True, source: Path = ROOT,
            label: str | None = None) -> dict[str, object]:
    """Make a venv in ``workdir`` and install ``-e "source[extras]"``; return size and times."""
    label = label or extras
    venv = workdir / f"venv-{label.replace(',', '-')}"
    if venv.exists():
        shutil.rmtree(venv)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    made = time.perf_counter()
    if progress:
        print(f"  {label}: installing {source.name}[{extras}] ...", file=sys.stderr, flush=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-e", f"{source}[{extras}]"], check=True)
    done = time.perf_counter()
    listing = subprocess.run([python, "-m", "pip", "list", "--format", "json"],
                             capture_output=True, text=True, check=True)
    names = sorted(d["name"].lower() for d in json.loads(listing.stdout))
    return {
        "label": label,
        "extras": extras,
        "bytes": _size(venv),
        "packages": len(names),
        "names": names,
        "venv_seconds": made - start,
        "install_seconds": done - made,
        "total_seconds": done - start,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS),
                        help="sets of extras to measure, e.g. lab course (default: %(default)s)")
    parser.add_argument("--before", default=BEFORE,
                        help="git commit whose .[course] is the baseline (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the environments (prints where)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="migdata-bench-env-"))
    print(f"pip cache at start: {_pip_cache_state(sys.executable)}", flush=True)
    results = []
    try:
        results.append(measure("course", workdir, source=_source_at(args.before, workdir),
                               label=BASELINE))
        for extras in args.sets:
            results.append(measure(extras, workdir))
    finally:
        if args.keep:
            print(f"environments kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    base = results[0]
    print(f"\n{'set-up':<28} {'size (MB)':>10} {'packages':>9} {'set-up (s)':>11} "
          f"{'size vs before':>15} {'time vs before':>15}")
    for r in results:
        name = (f"before ({args.before} .[course])" if r is base else f".[{r['extras']}]")
        print(f"{name:<28} {r['bytes'] / 1e6:>10.0f} {r['packages']:>9} "
              f"{r['total_seconds']:>11.1f} {r['bytes'] / base['bytes']:>15.0%} "
              f"{r['total_seconds'] / base['total_seconds']:>15.0%}")
    small = min(results, key=lambda r: r["bytes"])
    gone = sorted(set(base["names"]) - set(small["names"]))  # type: ignore[arg-type]
    print(f"\nin before but not in .[{small['extras']}] ({len(gone)}): " + ", ".join(gone))
    print("set-up time = python -m venv + pip install -e with the pip cache as found (see above); "
          "sizes are every file under the venv.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
