"""Benchmark: sequential `nbgrader autograde` against `migdata-course autograde --workers N`.

Makes N synthetic submissions (mixed: model answers, partly right, untouched, and one each of an
endless loop, a crashing kernel, invalid JSON, a renamed notebook and edited tests), copies them
into two identical temporary courses, grades one with the ``nbgrader autograde`` command and the
other with the kit's parallel command, and reports seconds per submission and the speed-up. It
fails if any student's scores differ between the two.

Usage::

    .venv/bin/python benchmarks/bench_autograde.py     # 40 submissions, CPU cores + 1 workers
    .venv/bin/python benchmarks/bench_autograde.py --n 12 --workers 3 --assignment unit21_concepts
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COURSE_ID = "migdata-module2"


def make_course(base: Path, assignment: str) -> Path:
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "assignments" / "source" / assignment,
                    base / "assignments" / "source" / assignment)
    return course


def cell_scores(course: Path, assignment: str) -> dict[str, dict[str, float | None]]:
    """Per student, every graded cell's autograded score (None when not graded)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        out = {}
        for sub in gb.assignment_submissions(assignment):
            out[sub.student.id] = {
                f"{nb.name}:{g.name}": g.auto_score for nb in sub.notebooks for g in nb.grades
            }
        return out


def _child_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes and their children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="number of submissions (default 40)")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: migdata-course's own, CPU cores + 1)")
    parser.add_argument("--assignment", default="unit22_sources")
    parser.add_argument("--timeout", type=int, default=5, help="cell time limit, seconds")
    args = parser.parse_args()

    from migdata.course.cli import main as course_cli
    from migdata.course.config import ensure_tools_on_path
    from migdata.course.grading import default_workers
    from migdata.course.synthetic import solution_sources, write_submission

    ensure_tools_on_path()
    workers = args.workers or default_workers()
    env = {**os.environ, "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", "")}
    answers = sorted(solution_sources(next(
        (ROOT / "assignments" / "source" / args.assignment).glob("*.ipynb"))))
    code_answers = [a for a in answers if a.endswith("_answer")]
    rng = random.Random(2026)
    special = ["infinite_loop", "kernel_dies", "invalid_json", "renamed", "tampered"]
    kinds = special + [rng.choice(["solution", "partial", "partial", "untouched"])
                       for _ in range(args.n - len(special))]

    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        plain = make_course(Path(tmp) / "plain", args.assignment)
        ours = make_course(Path(tmp) / "kit", args.assignment)
        for course in (plain, ours):
            assert course_cli(["--course-dir", str(course), "generate", args.assignment]) == 0
        for i, kind in enumerate(kinds):
            chosen = rng.sample(code_answers, k=rng.randint(1, len(code_answers) - 1))
            write_submission(plain, args.assignment, f"st{i:03d}", kind, answered=chosen)
        shutil.rmtree(ours / "submitted", ignore_errors=True)
        shutil.copytree(plain / "submitted", ours / "submitted")
        print(f"{args.n} submissions of {args.assignment}: {sorted(set(kinds))}; "
              f"{os.cpu_count()} CPUs; cell time limit {args.timeout} s")

        start, cpu0 = time.perf_counter(), _child_cpu()
        subprocess.run([str(BIN / "nbgrader"), "autograde", args.assignment,
                        f"--Execute.timeout={args.timeout}"],
                       cwd=plain, env=env, capture_output=True, check=False)
        t_plain, c_plain = time.perf_counter() - start, _child_cpu() - cpu0

        start = time.perf_counter()
        done = subprocess.run([str(BIN / "migdata-course"), "--course-dir", str(ours), "autograde",
                               args.assignment, "--workers", str(workers),
                               "--timeout", str(args.timeout), "--quiet"],
                              env=env, capture_output=True, text=True, check=False)
        t_ours = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stdout, done.stderr)
            return 1

        a, b = cell_scores(plain, args.assignment), cell_scores(ours, args.assignment)
        differ = sorted(s for s in set(a) | set(b) if a.get(s) != b.get(s))
        print(f"plain nbgrader autograde : {t_plain:7.1f} s  ({t_plain / args.n:.2f} s/submission;"
              f" CPU work {c_plain / args.n:.2f} s/submission)")
        print(f"migdata-course -w {workers:<7}: {t_ours:7.1f} s  "
              f"({t_ours / args.n:.2f} s/submission)")
        print(f"speed-up                 : {t_plain / t_ours:.2f}x")
        print(f"identical scores         : {not differ} ({len(a)} students compared)")
        print("load average at the end  : {:.2f} {:.2f} {:.2f} (other work on the machine "
              "lowers the speed-up)".format(*os.getloadavg()))
        if differ:
            print("students whose scores differ:", differ)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
