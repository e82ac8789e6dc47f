"""Private variants: other synthetic data, so the published answers do not earn the marks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from migdata.errors import InvalidInputError
from migdata.grading.autograde import read_ledger
from migdata.grading.cli import main
from migdata.grading.variants import SEEDED, make_variant, variant_id
from migdata.simulate.submissions import write_submission

A = "unit22_sources"


def _cells(path: Path) -> dict[str, str]:
    nb = nbformat.read(path, as_version=4)
    return {c.metadata.get("nbgrader", {}).get("grade_id", f"md{i}"): c.source
            for i, c in enumerate(nb.cells)}


@pytest.mark.parametrize("assignment", sorted(SEEDED))
def test_a_variant_changes_only_the_seeds_of_the_setup(repo_root, tmp_path, assignment):
    shutil.copytree(repo_root / "assignments" / "source" / assignment, tmp_path / assignment)
    new = make_variant(tmp_path, assignment, 5)
    assert new == variant_id(assignment, 5) == f"{assignment}_s5"
    name = f"{assignment}.ipynb"
    before, after = _cells(tmp_path / assignment / name), _cells(tmp_path / new / name)
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed and all("setup" in k for k in changed), changed
    assert set(before) == set(after)
    meta = json.loads((tmp_path / new / name).read_text())["metadata"]["migdata_variant"]
    assert meta["of"] == assignment and meta["seed"] == 5


def test_variants_of_unseeded_assignments_and_bad_seeds_are_refused(repo_root, tmp_path):
    with pytest.raises(InvalidInputError, match="no seeded data"):
        make_variant(repo_root / "assignments" / "source", "unit23_institutions", 5)
    with pytest.raises(InvalidInputError, match="non-negative"):
        make_variant(repo_root / "assignments" / "source", A, -1)


def _setup_values(notebook: Path) -> dict[str, float]:
    """The answers to A1, A2a and C1a on a notebook's data (computed here from its setup)."""
    import contextlib
    import io

    nb = nbformat.read(notebook, as_version=4)
    ns: dict = {}
    setup = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                 == "setup")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(setup, ns)
    households, permits = ns["households"], ns["permits"]
    return {
        "A1": float(ns["population"]["foreign_born"].mean() * 100),
        "A2a": int(households.emigrants_abroad[~households.whole_household_left].sum()),
        "C1a": int((permits.groupby("holder_id").issued.min().dt.year == 2023).sum()),
    }


@pytest.mark.nbgrader
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_published_answers_fail_a_variant_and_its_own_answers_pass(repo_root, tmp_path):
    base = tmp_path
    course = base / "autograder"
    course.mkdir()
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(repo_root / "assignments" / "source" / A, base / "assignments" / "source" / A)
    assert main(["--course-dir", str(course), "generate", A, "--seed", "11"]) == 0
    variant = variant_id(A, 11)
    assert (course / "release" / variant / f"{A}.ipynb").is_file()
    source = base / "assignments" / "source"
    published = _setup_values(source / A / f"{A}.ipynb")
    mine = _setup_values(source / variant / f"{A}.ipynb")
    assert all(published[k] != mine[k] for k in published), (published, mine)

    # the published model answers, copied into the variant
    write_submission(course, variant, "copier", "solution")
    # answers read from the variant's own tables
    write_submission(course, variant, "reader", "answers",
                     texts={"A1": f"{mine['A1']:.2f}".replace(".", ","),
                            "A2a": f"{mine['A2a']:,}".replace(",", " "), "C1a": str(mine["C1a"])})
    assert main(["--course-dir", str(course), "autograde", variant, "--quiet"]) == 0
    ledger = read_ledger(course, variant)
    # A1 (2 points), A2a (1) and C1a (2) from the variant's data
    assert (ledger["reader"].status, ledger["reader"].score) == ("graded", 5.0)
    # only what does not depend on the data is right: B2a-B2c (3 points) and C1b (1)
    assert (ledger["copier"].status, ledger["copier"].score) == ("graded", 4.0)
