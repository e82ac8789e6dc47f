"""What a course leaves in the repository stays out of the students' image and out of git.

``docker build -f autograder/k8s/Dockerfile .`` copies the build context into the image every
student's server runs. A lecturer who grades in the clone has there the gradebook, the hand-ins,
the feedback, the kit's records (``.migdata-course/``: rosters, hand-in times), the class list
and private variants (``generate --seed`` writes ``assignments/source/<name>_s<seed>/``). The
test makes such a course with the kit's own commands, adds the paths the kit's modules name, and
checks each against ``.dockerignore`` (read as Docker reads it) and the ``.gitignore`` files
(``git check-ignore``); what the image needs must still be in the context.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
A = "unit22_sources"


def _docker_patterns(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """``.dockerignore`` lines as Docker reads them: (is an exception ``!``, compiled pattern)."""
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        line = line[1:].strip() if keep else line
        line = re.sub(r"/+", "/", line).strip("/")  # Docker cleans the path, drops a leading /
        regex, i = "", 0
        while i < len(line):
            ch = line[i]
            if line.startswith("**", i):
                i += 2
                while i < len(line) and line[i] == "*":
                    i += 1
                if i < len(line) and line[i] == "/":
                    i += 1
                regex += ".*" if i >= len(line) else "(.*/)?"
                continue
            regex += {"*": "[^/]*", "?": "[^/]"}.get(ch, ch if ch in "[]-^" else re.escape(ch))
            i += 1
        out.append((keep, re.compile(f"^{regex}$")))
    return out


def _docker_ignores(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its folders decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for keep, pattern in patterns:
        if keep != ignored:  # an exclusion matters only if not yet ignored, and the reverse
            continue
        if any(pattern.match(c) for c in candidates):
            ignored = not keep
    return ignored


def test_the_matcher_reads_patterns_as_docker_does():
    pats = _docker_patterns("*\n!src\n**/*.log\n!src/keep.log\ndocs/*_s[0-9]*\n/top.txt\n")
    assert _docker_ignores("anything.txt", pats) and _docker_ignores("lib/x.py", pats)
    assert not _docker_ignores("src/a/b.py", pats)
    assert _docker_ignores("src/a/run.log", pats) and not _docker_ignores("src/keep.log", pats)
    assert _docker_ignores("top.txt", pats)
    pats = _docker_patterns("docs/*_s[0-9]*\n")
    assert _docker_ignores("docs/u22_s41/u22_s41.ipynb", pats)
    assert not _docker_ignores("docs/u22_sources/u22_sources.ipynb", pats)


def _course_written_by_the_kit(tmp_path: Path) -> tuple[Path, list[str]]:
    """A course in a copy of the repository's layout, with what the kit writes into it."""
    from nbgrader.coursedir import CourseDirectory

    from migdata.grading.autograde import ledger_path
    from migdata.grading.cli import main
    from migdata.grading.handin_times import times_ledger_path
    from migdata.grading.moodle import _roster_path

    repo = tmp_path / "clone"
    shutil.copytree(ROOT / "assignments" / "source" / A, repo / "assignments" / "source" / A)
    course = repo / "autograder"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", course)
    before = {p for p in repo.rglob("*") if p.is_file()}
    # a private variant and its student version, the gradebook, the due date
    assert main(["--course-dir", str(course), "generate", A, "--seed", "41",
                 "--due", "2026-03-02 20:00"]) == 0
    written = {p for p in repo.rglob("*") if p.is_file()} - before
    assert any(f"{A}_s41" in p.parts for p in written)  # the variant is among them
    # what later steps write, named by nbgrader's and the kit's own settings
    traits = CourseDirectory.class_traits()
    for name in ("submitted_directory", "autograded_directory", "feedback_directory",
                 "release_directory"):
        written.add(course / traits[name].default_value / "100231" / A / f"{A}.ipynb")
    written |= {ledger_path(course, A), _roster_path(course), times_ledger_path(course),
                course / ".migdata-course" / f"{A}.marks.json",
                course / "downloaded" / A / "archive" / "moodle.zip",
                repo / "students.csv", repo / "worksheet.csv", repo / "grades_unit22.csv"}
    return repo, sorted(p.relative_to(repo).as_posix() for p in written)


@pytest.mark.nbgrader
def test_no_course_state_reaches_the_image_or_git(tmp_path):
    ignore = ROOT / ".dockerignore"
    assert ignore.is_file(), "no .dockerignore: docker build copies the whole clone"
    patterns = _docker_patterns(ignore.read_text(encoding="utf-8"))
    _, written = _course_written_by_the_kit(tmp_path)
    assert "autograder/gradebook.db" in written
    assert f"assignments/source/{A}_s41/{A}.ipynb" in written
    copied = [p for p in written if not _docker_ignores(p, patterns)]
    assert not copied, f"docker build would copy into the students' image: {copied}"
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git checkout: the .gitignore files are not checked")
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT,
                          input="\n".join(written), capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    kept = sorted(set(written) - set(done.stdout.split()))
    assert not kept, f"git would offer to commit: {kept}"


def test_the_image_still_gets_what_it_needs():
    patterns = _docker_patterns((ROOT / ".dockerignore").read_text(encoding="utf-8"))
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    needed = [p for p in tracked if p in ("pyproject.toml", "README.md")
              or p.startswith(("src/", "datasets/", "assignments/", "autograder/"))]
    assert any(p.startswith("datasets/") for p in needed)
    left_out = [p for p in needed if _docker_ignores(p, patterns)
                and p != "autograder/.gitignore"]
    assert not left_out, f"the image needs these; .dockerignore leaves them out: {left_out}"
    # nothing else of the repository goes in (tests, notebooks, the lecturers' notes, .git)
    for other in ("tests/test_k8s_config.py", "lecturers/class2_unit22.md", ".git/HEAD",
                  ".venv/bin/python", "notebooks/22_primary_sources.ipynb"):
        assert _docker_ignores(other, patterns), other
