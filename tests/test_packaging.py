"""The set-up contract: pyproject.toml and environment.yml agree, and the import stays light."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _extras() -> dict[str, list[str]]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def _pyproject_packages() -> set[str]:
    """What a student installs: the dependencies and the `lab` extra (environment.yml's list)."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in meta["dependencies"]}
    names |= {_name(r) for r in _extras()["lab"]}
    return names


def _all_packages() -> set[str]:
    """Every package of the dependencies and the extras, except the test tools."""
    names = _pyproject_packages()
    for extra, requirements in _extras().items():
        if extra != "test":
            names |= {_name(r) for r in requirements}
    return names - {"migdata"}


def test_a_student_installs_no_lecturer_maintainer_or_test_tools() -> None:
    student = _pyproject_packages()
    for heavy in ("nbgrader", "frictionless", "pyarrow", "plotly", "scipy", "pytest", "playwright",
                  "ruff"):
        assert heavy not in student, f"{heavy} is installed by `make lab`: move it to an extra"
    assert {"jupyterlab", "ipywidgets"} <= student
    assert "nbgrader" in {_name(r) for r in _extras()["course"]}
    assert {"frictionless", "pyarrow"} <= {_name(r) for r in _extras()["data"]}


def _conda_packages() -> set[str]:
    names: set[str] = set()
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        match = re.match(r"^  - ([A-Za-z0-9_.\-]+)", line)
        if in_deps and match:
            names.add(_name(match.group(1)))
    return names - {"python", "pip"}


def test_environment_yml_names_the_same_packages_as_pyproject() -> None:
    pyproject, conda = _pyproject_packages(), _conda_packages()
    assert pyproject, "no dependencies read from pyproject.toml"
    assert conda == pyproject, (
        f"only in pyproject.toml: {sorted(pyproject - conda)}; "
        f"only in environment.yml: {sorted(conda - pyproject)}"
    )


def test_readme_names_every_dependency_and_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    missing = [name for name in _all_packages() if f"`{name}`" not in readme]
    assert not missing, f"README does not say what these dependencies are for: {missing}"


def test_import_migdata_does_not_import_plotting_or_network_libraries() -> None:
    code = (
        "import sys, migdata; "
        "heavy = [m for m in ('matplotlib', 'plotly', 'requests', 'frictionless', 'pandas') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import migdata pulled in: {out.stdout.strip()}"


def test_ci_script_runs_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script and "set -e" in script


def test_wheel_bundles_the_data_package(tmp_path: Path) -> None:
    """A non-editable install carries datasets/ as migdata/_bundled_datasets."""
    import json
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("migdata-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = json.loads((ROOT / "datasets" / "datapackage.json").read_text())
    expected = {"migdata/_bundled_datasets/datapackage.json"} | {
        f"migdata/_bundled_datasets/{resource['path']}" for resource in package["resources"]
    }
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    assert "migdata/concepts/__init__.py" in names
    # every kernel of the environment loads the %%answer magic (answer cells before Run All)
    config = "migdata-0.1.0.data/data/etc/ipython/ipython_kernel_config.py"
    assert config in names
    text = zipfile.ZipFile(wheel).read(config).decode()
    assert 'extensions.append("migdata.classroom.answering")' in text


def test_code_is_ruff_clean() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    out = subprocess.run(
        [str(ruff), "check", "--no-cache", "src", "tests", "benchmarks", "autograder"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
