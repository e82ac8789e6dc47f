"""Private variants of an assignment, so that the public model answers do not give the marks.

The instructor versions are in a public repository: their model answers, and the values those
answers produce, are there for anyone to read. A variant is made from the released assignment by
changing only the *data* it works on -- the seed of its synthetic population -- in the locked
setup cells; questions, model answers and tests are left as they are. Hidden tests that compute
the expected values from the data then check the variant's own answers, and a student who copies
the published numbers fails them. (The model answers in a variant's instructor version are those
of the published data: for questions about the data they are the copier's answers, not the
variant's.)

Only assignments whose data come from a seed can be varied this way (see :data:`SEEDED`): Unit
2.2 (synthetic census, survey and permit register) and Unit 2.1 (synthetic persons). Unit 2.3 asks
about institutions and Unit 2.4 about published figures, which a seed cannot change.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from migdata.errors import InvalidInputError

__all__ = ["SEEDED", "make_variant", "variant_id"]

SEEDED: dict[str, list[tuple[str, str]]] = {
    # regular expression in a locked setup cell -> replacement ({seed}, {seed2} filled in)
    "unit22_sources": [
        (r"np\.random\.default_rng\(\s*\d+\s*\)", "np.random.default_rng({seed})"),
        (r"random_state\s*=\s*\d+", "random_state={seed2}"),
    ],
    "unit21_concepts": [
        (r"(synthetic_persons\([^)]*seed\s*=\s*)\d+", r"\g<1>{seed}"),
    ],
}
"""Assignments that can be varied, and how their setup cells take the seed."""


def variant_id(assignment: str, seed: int) -> str:
    """The assignment id of a variant (a folder next to the original in the source directory)."""
    return f"{assignment}_s{seed}"


def make_variant(source_dir: str | Path, assignment: str, seed: int) -> str:
    """Write the instructor version of a variant of ``assignment`` made with ``seed``.

    Parameters
    ----------
    source_dir
        The course's source directory (holding ``<assignment>/``).
    assignment
        An assignment of :data:`SEEDED`.
    seed
        A non-negative integer other than the published one.

    Returns
    -------
    str
        The variant's assignment id (see :func:`variant_id`).

    Raises
    ------
    migdata.errors.InvalidInputError
        If the assignment cannot be varied, the seed is not usable, or the setup cells no longer
        hold what the variant changes (the assignment was rewritten: update :data:`SEEDED`).
    """
    if assignment not in SEEDED:
        raise InvalidInputError(
            f"assignment {assignment!r} has no seeded data to vary; variants exist for "
            f"{sorted(SEEDED)}"
        )
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InvalidInputError(f"seed must be a non-negative integer, got {seed!r}")
    source_dir = Path(source_dir)
    original = source_dir / assignment
    notebooks = sorted(original.glob("*.ipynb"))
    if not notebooks:
        raise InvalidInputError(f"no instructor notebooks in {original}")
    new_id = variant_id(assignment, seed)
    dest = source_dir / new_id
    dest.mkdir(parents=True, exist_ok=True)
    values = {"seed": str(seed), "seed2": str((seed * 7919 + 13) % 2**31)}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        done = {pattern: 0 for pattern, _ in SEEDED[assignment]}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("locked") or meta.get("grade") \
                    or meta.get("solution"):
                continue
            for pattern, replacement in SEEDED[assignment]:
                new, count = re.subn(pattern, replacement.format(**values), cell.source)
                if count:
                    done[pattern] += count
                    cell.source = new
        missing = [p for p, n in done.items() if n == 0]
        if missing:
            raise InvalidInputError(
                f"{path.name}: no setup cell matches {missing}; the assignment changed, so the "
                "variant cannot be made (update migdata.grading.variants.SEEDED)"
            )
        nb.metadata["migdata_variant"] = {"of": assignment, "seed": seed,
                                          "note": "synthetic data regenerated with another seed"}
        nbformat.write(nb, dest / path.name)
    return new_id
