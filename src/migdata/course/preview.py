"""Executed HTML preview of the course notebooks, for lecturers.

``python -m migdata.course.preview --out build/html`` runs every notebook of ``notebooks/`` top to
bottom in a fresh kernel (offline: the notebooks only read the bundled datasets), writes an HTML
copy of each with its outputs, and an ``index.html`` that lists them in course order with the time
each took. The committed notebooks are not changed.

The same :func:`execute_notebook` is used by ``tests/test_notebooks.py``, so what the tests run is
what lecturers see.
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError

__all__ = ["PreviewPage", "build", "default_notebooks_dir", "execute_notebook", "main",
           "notebook_paths", "notebook_title"]


@dataclass(frozen=True)
class PreviewPage:
    """One rendered notebook of the preview."""

    notebook: Path
    html: Path
    title: str
    seconds: float


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the current directory if it exists, else of the source checkout."""
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "notebooks"


def notebook_paths(folder: Path) -> list[Path]:
    """The course notebooks of ``folder`` in course order (sorted by file name).

    Raises
    ------
    InvalidInputError
        If the folder does not exist or holds no notebook.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInputError(f"notebooks folder not found: {folder}")
    paths = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not paths:
        raise InvalidInputError(f"no .ipynb notebooks in {folder}")
    return paths


def notebook_title(nb: object) -> str:
    """The first Markdown heading of a notebook (its title), without the ``#`` marks."""
    for cell in nb.cells:  # type: ignore[attr-defined]
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "(untitled)"


def execute_notebook(path: Path, *, timeout: int = 300, setup_source: str | None = None
                     ) -> tuple[object, float]:
    """Run a notebook top to bottom in a fresh kernel, in the notebook's own folder.

    Parameters
    ----------
    path : pathlib.Path
        The ``.ipynb`` file. It is read, not modified.
    timeout : int
        Seconds allowed for any single cell.
    setup_source : str, optional
        Code run in a hidden first cell before the notebook (tests use it to forbid network
        access); the cell is removed from the returned notebook.

    Returns
    -------
    (nbformat.NotebookNode, float)
        The executed notebook and the wall-clock seconds it took (kernel start included).

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        If a cell raises; the message shows the cell and the traceback.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if setup_source:
        nb.cells.insert(0, nbformat.v4.new_code_cell(setup_source))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if setup_source:
        nb.cells.pop(0)
    return nb, seconds


def _index_html(pages: list[PreviewPage]) -> str:
    rows = "\n".join(
        f'<li><a href="{html.escape(p.html.name)}">{html.escape(p.title)}</a> '
        f"<small>({html.escape(p.notebook.name)}, ran in {p.seconds:.1f} s)</small></li>"
        for p in pages
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>migdata: Module 2 course preview</title></head><body>\n"
        "<h1>Module 2 \"Migration Data and Data Management\": course preview</h1>\n"
        "<p>Each notebook below was run top to bottom in a fresh kernel when this preview was "
        "built. Figures labelled SYNTHETIC come from simulated data; all other figures come from "
        "the datasets bundled with migdata (see each notebook's sources).</p>\n"
        f"<ol>\n{rows}\n</ol>\n</body></html>\n"
    )


def build(out: Path, notebooks_dir: Path | None = None, *, timeout: int = 300
          ) -> list[PreviewPage]:
    """Execute every notebook and write the HTML preview.

    Parameters
    ----------
    out : pathlib.Path
        Output folder (created if needed); receives one ``.html`` per notebook and ``index.html``.
    notebooks_dir : pathlib.Path, optional
        Where the notebooks are; default :func:`default_notebooks_dir`.
    timeout : int
        Seconds allowed for any single cell.

    Returns
    -------
    list of PreviewPage
        One entry per notebook, in course order.
    """
    from nbconvert import HTMLExporter
    from tqdm import tqdm

    paths = notebook_paths(notebooks_dir or default_notebooks_dir())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    pages = []
    for path in tqdm(paths, desc="executing notebooks", unit="notebook"):
        try:
            nb, seconds = execute_notebook(path, timeout=timeout)
        except Exception as exc:
            exc.add_note(f"while executing {path.name}")
            raise
        body, _ = exporter.from_notebook_node(nb)
        target = out / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        pages.append(PreviewPage(path, target, notebook_title(nb), seconds))
    (out / "index.html").write_text(_index_html(pages), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m migdata.course.preview --out build/html``."""
    parser = argparse.ArgumentParser(
        prog="python -m migdata.course.preview",
        description="Execute every course notebook in a fresh kernel and write an HTML preview "
                    "with an index page.",
    )
    parser.add_argument("--out", type=Path, default=Path("build/html"),
                        help="output folder (default: build/html)")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="folder of notebooks (default: ./notebooks)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    from nbclient.exceptions import CellExecutionError

    try:
        pages = build(args.out, args.notebooks, timeout=args.timeout)
    except InvalidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CellExecutionError as exc:
        lines = [line for line in str(exc).splitlines() if line.strip()]
        print(f"error: a notebook cell failed: {lines[-1] if lines else exc}", file=sys.stderr)
        return 1
    total = sum(p.seconds for p in pages)
    print(f"wrote {len(pages)} notebooks to {args.out / 'index.html'} ({total:.1f} s)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
