"""Benchmark: sequential `nbgrader autograde` against `migdata-course autograde --workers N`.

Makes N synthetic submissions (mixed: model answers, partly right, untouched, and one each of a
code cell of the student's own with an endless loop or a crash, invalid JSON, a renamed notebook
and edited tests), copies them into two identical temporary courses, grades one with the
``nbgrader autograde`` command (which runs the students' notebooks, answer cells through the
``%%answer`` magic) and the other with the kit's command (which runs the notebook it builds from
the release and the answer texts, in its sandbox, as a lecturer runs it) and reports seconds per
submission and the speed-up. It fails if any honest student's scores differ between the two
(plain nbgrader runs the other students' code, so their scores differ on purpose).
It also reports, for the kit's run, the seconds per submission in the first and last quarter of
the class (flat when nothing accumulates) and the peak memory of the whole process tree (grader,
workers, sandboxed kernels).

Usage::

    .venv/bin/python benchmarks/bench_autograde.py     # 40 submissions, CPU cores + 1 workers
    .venv/bin/python benchmarks/bench_autograde.py --n 12 --workers 3 --assignment unit21_concepts
    .venv/bin/python benchmarks/bench_autograde.py --n 200 --skip-plain   # a large class
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
import threading
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


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    import psutil  # comes with ipykernel

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total


def _run_sampled(cmd: list[str], env: dict) -> tuple[subprocess.CompletedProcess, int]:
    """Run ``cmd``; return its result and the peak memory of its process tree (sampled)."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.5)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    done.set()
    thread.join()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), peak[0]


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
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade without the sandbox (to measure what it costs)")
    parser.add_argument("--skip-plain", action="store_true",
                        help="do not run plain nbgrader (for large classes: only the kit)")
    args = parser.parse_args()

    from migdata.grading.autograde import default_workers
    from migdata.grading.cli import main as course_cli
    from migdata.grading.config import ensure_tools_on_path
    from migdata.simulate.submissions import solution_sources, write_submission

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

        if not args.skip_plain:
            start, cpu0 = time.perf_counter(), _child_cpu()
            subprocess.run([str(BIN / "nbgrader"), "autograde", args.assignment,
                            f"--Execute.timeout={args.timeout}"],
                           cwd=plain, env=env, capture_output=True, check=False)
            t_plain, c_plain = time.perf_counter() - start, _child_cpu() - cpu0

        start = time.perf_counter()
        done, peak = _run_sampled(
            [str(BIN / "migdata-course"), "--course-dir", str(ours), "autograde",
             args.assignment, "--workers", str(workers), "--timeout", str(args.timeout),
             "--quiet", *(["--no-sandbox"] if args.no_sandbox else [])], env)
        t_ours = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stdout, done.stderr)
            return 1
        from migdata.grading.autograde import read_ledger

        seconds = [r.seconds for _, r in sorted(read_ledger(ours, args.assignment).items())
                   if r.seconds > 0]
        quarter = max(len(seconds) // 4, 1)
        sandbox = "off" if args.no_sandbox else "on"
        print(f"migdata-course -w {workers} (sandbox {sandbox}): {t_ours:7.1f} s  "
              f"({t_ours / args.n:.2f} s/submission)")
        print(f"grading time per submission, first/last quarter of the class: "
              f"{sum(seconds[:quarter]) / quarter:.2f} / {sum(seconds[-quarter:]) / quarter:.2f} s"
              f" (per worker)")
        print(f"peak memory of the grading process tree: {peak / 2**20:.0f} MB")
        if args.skip_plain:
            return 0

        a, b = cell_scores(plain, args.assignment), cell_scores(ours, args.assignment)
        honest = {f"st{i:03d}" for i, kind in enumerate(kinds)
                  if kind in ("solution", "partial", "untouched")}
        differ = sorted(s for s in honest if a.get(s) != b.get(s))
        print(f"plain nbgrader autograde : {t_plain:7.1f} s  ({t_plain / args.n:.2f} s/submission;"
              f" CPU work {c_plain / args.n:.2f} s/submission)")
        print(f"speed-up                 : {t_plain / t_ours:.2f}x")
        print(f"identical scores         : {not differ} ({len(honest)} honest students "
              "compared)")
        print("load average at the end  : {:.2f} {:.2f} {:.2f} (other work on the machine "
              "lowers the speed-up)".format(*os.getloadavg()))
        if differ:
            print("students whose scores differ:", differ)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
