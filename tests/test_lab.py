"""`make lab` serves the course: the JupyterLab command of the Makefile lists the notebooks."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lab_command() -> list[str]:
    """The JupyterLab command line that `make lab` runs, read from `make -n`."""
    out = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "lab"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    lines = [line for line in out.splitlines() if re.search(r"jupyter lab\b", line)]
    assert len(lines) == 1, f"expected one 'jupyter lab' line in `make -n lab`, got: {out}"
    return lines[0].split()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.timeout(120)
def test_make_lab_serves_the_notebooks_folder(tmp_path: Path) -> None:
    command = _lab_command()
    assert any("root_dir=notebooks" in part for part in command), command
    port, token = _free_port(), "migdata-test"
    jupyter = Path(sys.executable).with_name("jupyter")
    args = [str(jupyter), *command[1:], "--no-browser", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path)}
    server = subprocess.Popen(args, cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        listing = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and listing is None:
            try:
                url = f"http://127.0.0.1:{port}/api/contents?token={token}"
                with urllib.request.urlopen(url, timeout=5) as answer:
                    listing = json.load(answer)
            except OSError:
                assert server.poll() is None, "jupyter lab exited before serving"
                time.sleep(0.5)
        assert listing is not None, "jupyter lab did not answer within 90 s"
        served = {item["name"] for item in listing["content"]}
        expected = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert expected, "no notebooks in notebooks/"
        assert expected <= served, f"not served: {sorted(expected - served)}"
        lab_page = f"http://127.0.0.1:{port}/lab?token={token}"
        with urllib.request.urlopen(lab_page, timeout=10) as answer:
            assert answer.status == 200 and b"JupyterLab" in answer.read()
    finally:
        server.terminate()
        server.wait(timeout=20)
