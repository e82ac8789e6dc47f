"""The rooms of the package (ARCHITECTURE.md) hold: each audience imports only what it may.

Each check runs in a fresh interpreter, so modules imported by other tests cannot hide a leak.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "migdata"


def _loaded_after(code: str) -> set[str]:
    """Top-level and migdata module names loaded by ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _forbidden(loaded: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == p or m.startswith(p + ".") for p in prefixes))


# What a course notebook's kernel runs: every classroom module, and the library it uses.
STUDENT_KERNEL = (
    "import migdata.classroom\n"
    + "".join(f"import migdata.classroom.{p.stem}\n"
              for p in sorted((SRC / "classroom").glob("*.py"))
              if p.stem not in ("__init__", "ipython_kernel_config"))
    + "import migdata.simulate.population, migdata.simulate.instruments\n"
    "import migdata.concepts, migdata.datasets, migdata.indicators, migdata.estimation\n"
    "import migdata.plot, migdata.glossary\n"
)


def test_a_student_kernel_imports_no_grading_publishing_nbgrader_or_sphinx() -> None:
    loaded = _loaded_after(STUDENT_KERNEL)
    assert "migdata.classroom.display" in loaded  # the probe really imported the classroom
    leaked = _forbidden(loaded, ("nbgrader", "sphinx", "myst_nb", "migdata.grading",
                                 "migdata.publish", "migdata.simulate.submissions"))
    assert leaked == [], f"a student's kernel would import {leaked}"


def test_grading_never_imports_publishing() -> None:
    modules = sorted(p.stem for p in (SRC / "grading").glob("*.py") if p.stem != "__init__")
    loaded = _loaded_after("".join(f"import migdata.grading.{m}\n" for m in modules))
    assert "migdata.grading.autograde" in loaded
    assert _forbidden(loaded, ("migdata.publish", "sphinx", "myst_nb")) == []


def _imports(path: Path) -> set[str]:
    """The migdata modules a file imports (absolute, or relative resolved), anywhere in it."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("migdata")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.startswith("migdata"):
                found.add(name)
                found |= {f"{name}.{a.name}" for a in node.names}
    return found


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


#: For each room, the rooms its code may import (ARCHITECTURE.md, "What each room may import").
#: The shared base (errors, countries, _checks, _fitting, glossary, answers) is open to all.
ALLOWED = {
    "concepts": {"concepts"},
    "datasets": {"datasets"},
    "indicators": {"indicators", "datasets"},
    "estimation": {"estimation", "datasets"},
    "sources": {"sources", "datasets"},
    "plot": {"plot", "datasets"},
    "simulate": {"simulate", "concepts", "grading"},  # submissions: grading's course config
    "classroom": {"classroom", "concepts", "datasets", "indicators", "estimation", "plot",
                  "simulate", "sources"},
    "grading": {"grading", "datasets"},
    "publish": {"publish", "classroom", "concepts", "datasets", "indicators", "estimation",
                "plot", "simulate", "sources"},
}
BASE = {"", "errors", "countries", "_checks", "_fitting", "glossary", "answers", "__init__"}


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_each_room_imports_only_the_rooms_it_may(room: str) -> None:
    wrong = []
    for path in sorted((SRC / room).rglob("*.py")):
        for module in _imports(path):
            target = _room(module)
            if target not in BASE and target not in ALLOWED[room]:
                wrong.append(f"{path.relative_to(SRC)} imports {module}")
    assert wrong == []


def test_indicators_import_nothing_from_estimation() -> None:
    """Measures sit below estimation: estimation may use them, never the other way round."""
    for path in (SRC / "indicators").glob("*.py"):
        assert not any(m.startswith("migdata.estimation") for m in _imports(path)), path.name


def test_no_package_imports_itself_in_a_cycle() -> None:
    """The module graph inside migdata has no cycle (site and slides used to import each other)."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        name = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        graph[name] = set()
        for module in _imports(path):
            # `from migdata.x import y` names y, which may be a module or an attribute
            candidates = [module, module.rsplit(".", 1)[0]]
            graph[name] |= {c for c in candidates if c != name}
    modules = set(graph)
    edges = {n: {m for m in targets if m in modules and not n.startswith(m + ".")}
             for n, targets in graph.items()}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if seen.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(edges):
        if node not in seen:
            visit(node)


def test_import_migdata_takes_under_a_tenth_of_a_second() -> None:
    """Best of five fresh interpreters, in processor time (steady on a loaded machine)."""
    probe = ("import time; t = time.process_time(); import migdata; "
             "print(time.process_time() - t)")
    best = min(float(subprocess.run([sys.executable, "-c", probe], capture_output=True,
                                    text=True, check=True, cwd=ROOT).stdout)
               for _ in range(5))
    assert best < 0.1, f"import migdata took {best:.3f} s of processor time"


def _descriptive_texts(package: dict) -> list[str]:
    """Titles, descriptions and caveats of the package, its resources, sources and licences."""
    texts = [package.get("title", ""), package.get("description", "")]
    for res in package["resources"]:
        texts += [res.get("title", ""), res.get("description", ""), res.get("row_mapping", "")]
        texts += res.get("caveats", [])
        for item in res.get("sources", []) + res.get("licenses", []):
            texts.append(item.get("title", ""))
        texts += [field.get("description", "") for field in res["schema"]["fields"]]
    return texts


def _python_strings(path: Path) -> str:
    """Every string literal of a file (adjacent literals joined, as Python joins them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return "\n".join(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str))


def test_dataset_metadata_has_no_python_copy() -> None:
    """datasets/datapackage.json is the one description of the datasets (issue 18): no title or
    caveat of it (longer than 30 characters) is written again in migdata's Python source."""
    package = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
    checked = [res["title"] for res in package["resources"]]
    checked += [c for res in package["resources"] for c in res.get("caveats", [])]
    checked += _descriptive_texts(package)
    checked = sorted({" ".join(t.split()) for t in checked if len(t) > 30})
    assert len(checked) > 100  # the package really was read
    copies = []
    for path in sorted(SRC.rglob("*.py")):
        text = " ".join(path.read_text(encoding="utf-8").split())
        strings = " ".join(_python_strings(path).split())
        copies += [f"{path.relative_to(SRC)}: {t[:60]}..." for t in checked
                   if t in text or t in strings]
    assert copies == [], f"dataset metadata written again in Python: {copies[:5]}"
