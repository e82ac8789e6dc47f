"""The course notebooks as the publishing tools see them: where they are, their titles, and
running them top to bottom in a fresh kernel (offline), two at a time.

Shared by :mod:`~migdata.publish.site` and :mod:`~migdata.publish.slides`;
:func:`external_references` checks that built pages load nothing from the network.
"""

from __future__ import annotations

import html
import html.parser
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..errors import InvalidInputError

__all__ = ["NPM_PACKAGES", "ExecutedNotebook", "default_notebooks_dir", "execute_all",
           "execute_notebook", "external_references", "notebook_paths", "notebook_title",
           "npm_dir", "repo_root", "strip_widgets"]


#: npm packages the site and the slides bundle (installed by ``make html``/``make slides``).
NPM_PACKAGES = ("mathjax@3.2.2", "reveal.js@5.1.0")


@dataclass(frozen=True)
class ExecutedNotebook:
    """One notebook run top to bottom: where the executed copy is, its title, how long it took."""

    source: Path
    executed: Path
    title: str
    seconds: float


def repo_root() -> Path:
    """The source checkout (the folder holding ``site/``, ``notebooks/`` and ``lecturers/``).

    The current directory if it holds ``site/conf.py``, else the checkout this module lives in.
    """
    here = Path.cwd()
    if (here / "site" / "conf.py").is_file():
        return here
    return Path(__file__).resolve().parents[3]


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
    for attempt in range(1, _START_ATTEMPTS + 1):
        nb = nbformat.read(path, as_version=4)
        if setup_source:
            nb.cells.insert(0, nbformat.v4.new_code_cell(setup_source))
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
        except Exception as exc:
            # Only a kernel that failed to start is tried again: no cell has run yet then.
            started = any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
            if (attempt < _START_ATTEMPTS and not started
                    and any(m in str(exc) for m in _START_RACE)):
                time.sleep(0.5 * attempt)
                continue
            raise
        break
    seconds = time.perf_counter() - start
    if setup_source:
        nb.cells.pop(0)
    return nb, seconds


#: Kernel start-up failures worth a second try: two kernels started at the same moment in two
#: processes can pick the same free port (jupyter_client chooses ports before binding them).
_START_RACE = ("Kernel died before replying to kernel_info", "Address already in use",
               "Kernel didn't respond in")


_START_ATTEMPTS = 3


def _execute_to(source: Path, target: Path, timeout: int) -> ExecutedNotebook:
    import nbformat

    try:
        nb, seconds = execute_notebook(source, timeout=timeout)
    except Exception as exc:
        exc.add_note(f"while executing {source.name}")
        raise
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(strip_widgets(nb), target)
    return ExecutedNotebook(source, target, notebook_title(nb), seconds)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _widget_html(model_id: str, state: dict) -> str:
    """A still picture, in HTML, of an ipywidgets model and its children (pickers disabled)."""
    model = state.get(model_id)
    if not model:
        return ""
    name, st = model.get("model_name", ""), model.get("state", {})
    label = html.escape(str(st.get("description") or ""))
    if name in ("VBoxModel", "HBoxModel"):
        kids = [_widget_html(c.removeprefix("IPY_MODEL_"), state)
                for c in st.get("children", [])]
        flex = "column" if name == "VBoxModel" else "row"
        return (f'<div style="display: flex; flex-direction: {flex}; flex-wrap: wrap; '
                f'gap: 0.5em;">{"".join(kids)}</div>')
    if name in ("SelectMultipleModel", "SelectModel", "DropdownModel"):
        chosen = st.get("index")
        chosen = set(chosen if isinstance(chosen, list) else [chosen])
        options = "".join(f'<option{" selected" if i in chosen else ""}>{html.escape(str(o))}'
                          "</option>" for i, o in enumerate(st.get("_options_labels", [])))
        multiple = " multiple" if name == "SelectMultipleModel" else ""
        return (f"<label>{label} <select disabled{multiple} "
                f'size="{len(st.get("_options_labels", [])) if multiple else 1}">'
                f"{options}</select></label>")
    if name in ("IntRangeSliderModel", "FloatRangeSliderModel"):
        low, high = st.get("value", ["", ""])
        return f"<p>{label}: {low} – {high}</p>"
    if name == "ImageModel":
        data = next((b.get("data") for b in model.get("buffers", [])
                     if b.get("path") == ["value"] and b.get("encoding") == "base64"), None)
        if not data:
            return ""
        return (f'<img src="data:image/{html.escape(str(st.get("format", "png")))};base64,{data}" '
                'alt="The chart of the first choice of the pickers" style="max-width: 100%;">')
    if name == "HTMLModel":
        return str(st.get("value") or "")
    return ""


def strip_widgets(nb: object) -> object:
    """Replace interactive widgets of an executed notebook by a still picture (in place).

    Widgets need a live kernel, and rendering their saved state would load the widget manager
    from a CDN. So the notebook's widget state goes; an output that is only a widget becomes an
    HTML picture of its first state, made from that saved state (the explorer's pickers shown
    disabled, with the chart and table of their first choice: issue 20), or goes when the state
    says nothing; an output that also has an image or HTML keeps those.
    """
    metadata = nb.metadata  # type: ignore[attr-defined]
    state = (metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}))
    metadata.pop("widgets", None)
    for cell in nb.cells:  # type: ignore[attr-defined]
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                view = data.pop(WIDGET_VIEW)
                if not set(data) - {"text/plain"}:
                    picture = _widget_html(str(view.get("model_id", "")), state)
                    if not picture:
                        continue
                    data["text/html"] = (
                        f'<div class="migdata-still">{picture}<p><em>In the running notebook '
                        "you can change the choice; this page shows the first one.</em></p></div>")
            kept.append(output)
        cell.outputs = kept
    return nb


def execute_all(notebooks_dir: Path, out: Path, *, jobs: int = 2, timeout: int = 300
                ) -> list[ExecutedNotebook]:
    """Execute every notebook of ``notebooks_dir`` and write the executed copies to ``out``.

    Parameters
    ----------
    notebooks_dir : pathlib.Path
        Folder of ``.ipynb`` files (see :func:`notebook_paths`).
    out : pathlib.Path
        Folder receiving one executed ``.ipynb`` per notebook, same file names.
    jobs : int
        Notebooks run at the same time (each in its own process and kernel).
    timeout : int
        Seconds allowed for any single cell.

    Returns
    -------
    list of ExecutedNotebook
        In course order.
    """
    from tqdm import tqdm

    if jobs < 1:
        raise InvalidInputError(f"jobs must be 1 or more, got {jobs!r}")
    paths = notebook_paths(notebooks_dir)
    out = Path(out)
    done: dict[Path, ExecutedNotebook] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        futures = [pool.submit(_execute_to, p, out / p.name, timeout) for p in paths]
        for future in tqdm(as_completed(futures), total=len(futures),
                           desc="executing notebooks", unit="notebook"):
            result = future.result()
            done[result.source] = result
    return [done[p] for p in paths]


class _RefParser(html.parser.HTMLParser):
    """Collects src/href of the tags a browser loads by itself (script, link, img, ...)."""

    LOADED: ClassVar[dict[str, tuple[str, ...]]] = {
        "script": ("src",), "link": ("href",), "img": ("src", "srcset"),
        "iframe": ("src",), "source": ("src", "srcset"), "video": ("src",),
        "audio": ("src",), "embed": ("src",), "object": ("data",)}

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = self.LOADED.get(tag)
        if not names:
            return
        for name, value in attrs:
            if name in names and value:
                self.refs.append(value.strip())


def external_references(folder: Path) -> list[tuple[Path, str]]:
    """Scripts, style sheets, images and frames that pages of ``folder`` load from the network.

    Every ``.html`` file is parsed; the ``src``/``href`` of script, link, img, iframe, source,
    video, audio, embed and object tags that start with ``http:``, ``https:`` or ``//`` are
    returned (ordinary ``<a href>`` links to sources are fine: they are not loaded). Style
    sheets (``.css``) are also searched for ``url(http...)`` and ``@import`` of remote files.

    Returns
    -------
    list of (pathlib.Path, str)
        The file and the reference; empty when the site is self-contained.
    """
    import re

    folder = Path(folder)
    found: list[tuple[Path, str]] = []
    remote = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
    for page in sorted(folder.rglob("*.html")):
        parser = _RefParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        found += [(page, ref) for ref in parser.refs if remote.match(ref)]
    css_remote = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""",
                            re.IGNORECASE)
    for sheet in sorted(folder.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        found += [(sheet, m.group(1)) for m in css_remote.finditer(text)]
    return found


def npm_dir() -> Path:
    """Where ``make html``/``make slides`` install the npm packages (``build/npm``)."""
    return repo_root() / "build" / "npm" / "node_modules"
