"""Deprecated: the hand-written HTML preview was replaced by the course site.

Use ``python -m migdata.course.site`` (``make html``); ``python -m migdata.course.preview`` still
works and builds the same site. The notebook helpers live in :mod:`migdata.course.site` and are
re-exported here for code that still imports them.
"""

from __future__ import annotations

import sys

from .site import default_notebooks_dir, execute_notebook, notebook_paths, notebook_title

__all__ = ["default_notebooks_dir", "execute_notebook", "main", "notebook_paths",
           "notebook_title"]


def main(argv: list[str] | None = None) -> int:
    """Build the course site (``python -m migdata.course.site``), with a note to use that."""
    from .site import main as site_main

    print("note: migdata.course.preview is now the course site; use "
          "`make html` or `python -m migdata.course.site`", file=sys.stderr)
    return site_main(argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
