"""Deprecated: the hand-written HTML preview was replaced by the course site.

Use ``python -m migdata.course.site`` (``make html``). The notebook helpers live in
:mod:`migdata.course.site` and are re-exported here for code that still imports them.
"""

from __future__ import annotations

from .site import default_notebooks_dir, execute_notebook, notebook_paths, notebook_title

__all__ = ["default_notebooks_dir", "execute_notebook", "notebook_paths", "notebook_title"]
