"""`make lab` serves the course to a student; `make lecturer-lab` keeps nbgrader's tools.

The student's JupyterLab opens ``00_start_here.ipynb``, never shows the news pop-up and has none of
nbgrader's instructor tools, even where nbgrader is installed in the same environment (the test
environment has it). The servers are started from the Makefile's own command lines.
"""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import pytest

from labserver import ROOT, make_command, running_lab

NBGRADER_LAB = "@jupyter/nbgrader"
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


def test_student_and_lecturer_commands() -> None:
    student, cwd = make_command("lab")
    text = " ".join(student)
    assert cwd == ROOT and "--ServerApp.root_dir=notebooks" in text
    assert "--LabApp.default_url=/lab/tree/00_start_here.ipynb" in text
    settings = ROOT / "lab" / "student"
    assert f"--LabApp.app_settings_dir={settings}" in text
    overrides = json.loads((settings / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    disabled = json.loads((settings / "page_config.json").read_text())["disabledExtensions"]
    assert disabled[NBGRADER_LAB] and disabled[NEWS_PLUGIN]
    lecturer, lecturer_cwd = make_command("lecturer-lab")
    assert lecturer_cwd == ROOT / "autograder" and (lecturer_cwd / "nbgrader_config.py").is_file()
    # started in autograder/ (the formgrader's nbgrader_config.py), serving the repository, so
    # assignments/source/ opens too (tests/test_lecturer_commands.py follows the formgrader's link)
    assert f"--ServerApp.root_dir={ROOT}" in lecturer
    assert "app_settings_dir" not in " ".join(lecturer)
    assert "jpserver_extensions" not in " ".join(lecturer)


@pytest.mark.timeout(180)
def test_make_lab_opens_start_here_without_news_or_instructor_tools(tmp_path: Path) -> None:
    with running_lab(tmp_path, "lab") as lab:
        listing = lab.json("/api/contents")
        served = {item["name"] for item in listing["content"]}
        expected = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert expected and expected <= served, f"not served: {sorted(expected - served)}"
        # The server's start page is the first notebook, not the launcher.
        status, _, final = lab.get("/")
        assert status == 200 and final.split("?")[0].endswith("/lab/tree/00_start_here.ipynb")
        status, body, _ = lab.get("/lab/tree/00_start_here.ipynb")
        assert status == 200 and b"JupyterLab" in body
        # No news: the setting defaults to "never" and the announcements plugin is off.
        notification = lab.json("/lab/api/settings/@jupyterlab/apputils-extension:notification")
        assert notification["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert notification["schema"]["properties"]["checkForUpdates"]["default"] is False
        disabled = lab.page_config()["disabledExtensions"]
        assert NEWS_PLUGIN in disabled and NBGRADER_LAB in disabled
        # No instructor tools: nbgrader's lab extension is off and its server side is not loaded.
        with pytest.raises(urllib.error.HTTPError) as missing:
            lab.get("/formgrader")
        assert missing.value.code == 404
        # (tests/test_browser.py checks in a real browser that no Nbgrader menu is shown)


@pytest.mark.timeout(180)
def test_lecturer_lab_keeps_the_formgrader(tmp_path: Path) -> None:
    pytest.importorskip("nbgrader")
    with running_lab(tmp_path, "lecturer-lab") as lab:
        assert NBGRADER_LAB not in lab.page_config().get("disabledExtensions", [])
        status, body, _ = lab.get("/formgrader", timeout=30)
        assert status == 200 and b"formgrader" in body.lower()
