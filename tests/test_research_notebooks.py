"""Research notebooks (outside the four-class course): committed clean, run offline top to bottom.

They live in ``notebooks/research/`` so that the course checks of ``test_notebooks.py`` (which
look at ``notebooks/*.ipynb`` only) do not apply to them.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from migdata.publish import notebooks as course_notebooks

ROOT = Path(__file__).resolve().parents[1]
RESEARCH = sorted((ROOT / "notebooks" / "research").glob("*.ipynb"))
IDS = [p.stem for p in RESEARCH]

#: Any connection that is not to this machine fails inside the kernel.
NO_NETWORK = '''
import socket as _socket
_connect = _socket.socket.connect
def _no_connect(self, address):
    if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"network access is disabled while the notebooks are tested: {address!r}")
    return _connect(self, address)
_socket.socket.connect = _no_connect
'''


def test_the_research_notebook_is_there() -> None:
    assert "flows_from_stocks_south_caucasus" in IDS


def test_the_south_caucasus_notebook_draws_the_chord_diagram() -> None:
    """Issue 23: migest's mig_chord figure, drawn by migdata.plot.mig_chord, with its reading
    guide and a figure caption (the site's alt text)."""
    nb = nbformat.read(ROOT / "notebooks" / "research" / "flows_from_stocks_south_caucasus.ipynb",
                       as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "from migdata.plot import mig_chord" in code and "mig_chord(" in code
    assert "How to read it" in md and "*Figure: chord diagram" in md


@pytest.mark.parametrize("path", RESEARCH, ids=IDS)
def test_committed_without_outputs_and_offline(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: clear them"
            assert cell.execution_count is None
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for pattern in (r"\bimport\s+requests\b", r"\burllib\b", r"migdata\.sources", r"https?://"):
        assert not re.search(pattern, code), f"{path.name} matches {pattern!r}"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", RESEARCH, ids=IDS)
def test_research_notebook_runs_offline_top_to_bottom(path: Path) -> None:
    nb, _ = course_notebooks.execute_notebook(path, setup_source=NO_NETWORK, timeout=300)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [o for o in outputs if "image/png" in o.get("data", {})], "no figure drawn"
    text = "\n".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs
    )
    if path.stem == "flows_from_stocks_south_caucasus":
        # it states what it lacks, estimates every period and compares with differencing
        md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "births and deaths by place of birth" in md
        for period in ("1990-1995", "2010-2015", "2015-2019"):
            assert period in text
        assert "stock difference" in text and "'rescale' without births and deaths" in text
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        assert len(images) >= 2, "the bar chart and the chord diagram"
