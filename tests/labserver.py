"""Start the JupyterLab of `make lab` (or `make lecturer-lab`) on 127.0.0.1 for a test.

Not a test module: ``test_lab.py`` and ``test_browser.py`` import it. The command line is read from
``make -n``, so the tests start exactly what the student's command starts, with a free port, a
token, no browser and the Jupyter config and runtime folders in a temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "migdata-test"


def make_command(target: str = "lab") -> tuple[list[str], Path]:
    """The ``jupyter lab`` command line of a make target, and the folder it runs in."""
    out = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", target],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    lines = [line for line in out.splitlines() if re.search(r"jupyter lab\b", line)]
    assert len(lines) == 1, f"expected one 'jupyter lab' line in `make -n {target}`, got: {out}"
    line, cwd = lines[0], ROOT
    match = re.match(r"^cd (\S+) && (.*)$", line)
    if match:
        cwd, line = ROOT / match.group(1), match.group(2)
    words = shlex.split(line)
    # settings before the command (PATH="...": lecturer-lab puts the kit's commands on PATH)
    # are the environment, not the command; the test runs the same environment's jupyter
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]
    return words, cwd


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab: its base URL, token and command line."""

    url: str
    token: str
    command: list[str]
    process: subprocess.Popen

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes, str]:
        """(status, body, final URL) of a GET, with the token."""
        sep = "&" if "?" in path else "?"
        with urllib.request.urlopen(f"{self.url}{path}{sep}token={self.token}",
                                    timeout=timeout) as answer:
            return answer.status, answer.read(), answer.geturl()

    def json(self, path: str) -> dict:
        return json.loads(self.get(path)[1])

    def page_config(self) -> dict:
        """The page configuration JupyterLab sends to the browser (disabled extensions...)."""
        html = self.get("/lab")[1].decode()
        found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)'
                          r"</script>", html, flags=re.DOTALL)
        assert found, "no jupyter-config-data in the /lab page"
        return json.loads(found.group(1))


@contextlib.contextmanager
def running_lab(tmp_path: Path, target: str = "lab", extra: tuple[str, ...] = (),
                wait: float = 90, copy_notebooks: bool = False) -> Iterator[Lab]:
    """Start the make target's JupyterLab with the test's Python and stop it afterwards.

    With ``copy_notebooks`` the server works on a copy of ``notebooks/`` in ``tmp_path``, so a
    browser that runs, edits and autosaves them never changes the committed files.
    """
    command, cwd = make_command(target)
    if copy_notebooks:
        import shutil

        copy = tmp_path / "notebooks"
        shutil.copytree(ROOT / "notebooks", copy)
        assert "--ServerApp.root_dir=notebooks" in command, command
        command = [f"--ServerApp.root_dir={copy}" if part == "--ServerApp.root_dir=notebooks"
                   else part for part in command]
    port = free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    args = [str(jupyter), *command[1:], "--no-browser", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", *extra]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", TOKEN, command, server)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                lab.get("/api/status", timeout=5)
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(
                        f"jupyter lab exited: {(tmp_path / 'lab.log').read_text()[-2000:]}"
                    ) from None
                if time.monotonic() > deadline:
                    raise AssertionError(f"jupyter lab did not answer within {wait} s") from None
                time.sleep(0.5)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
