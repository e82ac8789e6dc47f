"""Code in a submission that could change how the tests run, found before anything runs.

Test cells run in the same Python as the student's code, so that code could make a failing test
pass without answering: install an IPython input or AST transformer, register an event hook,
patch a builtin or ``math.isclose``/``numpy.isclose``, or redefine a name the hidden tests use
(``math``, ``np``, the data the tests compare against). nbgrader restores the test cells' text
but not the world they run in. This module reads every cell the student could write (and any
``.py`` file handed in) with Python's own parser and reports each such construct with its place;
a notebook with findings scores 0 and its submission is reported as tampered.

One kind of finding is softer. Reassigning a *data* name the setup gives and the hidden tests
compare against (``population = population[population["year"] > 2000]``) is something an honest
student may well write, and it cannot make a test pass by itself except through the data the
test reads. Such a finding has ``review=True``: the notebook keeps its score and the submission is
reported "to review" with the cell and line, for the lecturer to read. Redefining a name the
tests *call* or that is a module, a class, a function or a builtin (``math``, ``np``,
``isinstance``, ``usual_residence``), and changing the given data in place
(``population["foreign_born"] = False``), still scores 0.

The check is deliberately strict about the tools tampering needs (``get_ipython``, ``builtins``,
``exec``/``eval``, ``setattr``, dunder attributes, ``sys.modules``, imports of code the check
cannot see) since the course's exercises never need them; ordinary magics (``%matplotlib``,
``%time``, shell ``!`` lines) are allowed.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Finding", "check_notebook", "check_submission", "data_names", "protected_names",
           "review_submission"]

FORBIDDEN_NAMES = {
    "get_ipython": "reaches IPython (transformers, hooks, the kernel)",
    "__builtins__": "changes builtins",
    "__import__": "imports by name, hidden from this check",
    "exec": "runs code hidden from this check",
    "eval": "runs code hidden from this check",
    "compile": "compiles code hidden from this check",
    "execfile": "runs code hidden from this check",
    "setattr": "changes attributes by name",
    "delattr": "deletes attributes by name",
    "globals": "changes the notebook's names behind the tests' back",
    "vars": "changes names or attributes behind the tests' back",
    "breakpoint": "starts the debugger",
}
FORBIDDEN_MODULES = {
    "builtins", "IPython", "ipykernel", "jupyter_client", "zmq", "traitlets", "ctypes", "cffi",
    "gc", "inspect", "importlib", "runpy", "code", "codeop", "pickle", "marshal", "dill",
    "cloudpickle", "shelve", "types", "unittest", "mock", "pytest", "nbgrader", "nbclient",
    "atexit", "sitecustomize", "usercustomize", "site",
}
FORBIDDEN_SYS = {
    "modules", "meta_path", "path_hooks", "path_importer_cache", "settrace", "setprofile",
    "displayhook", "excepthook", "addaudithook", "_getframe", "__dict__", "builtin_module_names",
    "setrecursionlimit", "monitoring",
}
ALLOWED_DUNDERS = {"__name__", "__doc__", "__init__", "__version__", "__len__", "__repr__",
                   "__str__", "__file__", "__all__", "__qualname__"}
ALLOWED_MAGICS = {"matplotlib", "time", "timeit", "capture", "precision", "who", "whos", "pwd",
                  "ls", "pip", "conda", "bash", "sh", "html", "markdown", "latex", "javascript",
                  "svg", "pinfo", "pinfo2", "pdoc"}  # pinfo: Jupyter's help, ``name?``
CELL_MAGICS_WITH_CODE = {"time", "timeit", "capture"}
BUILTIN_NAMES = set(dir(builtins))
#: Imports a student may repeat in an answer cell: they bind the name to what it already is.
USUAL_IMPORTS = {"np": "numpy", "numpy": "numpy", "pd": "pandas", "pandas": "pandas",
                 "math": "math", "plt": "matplotlib.pyplot"}
#: Modules of a forbidden package that are harmless to import from (``from X import name``).
ALLOWED_FROM = {"IPython.display"}


@dataclass(frozen=True)
class Finding:
    """One construct that could change how tests run."""

    where: str
    line: int
    what: str
    review: bool = False
    """True for a finding reported for the lecturer to read, which does not zero the notebook."""

    def __str__(self) -> str:
        return f"{self.where}, line {self.line}: {self.what}"


@functools.lru_cache(maxsize=2048)
def _parse(source: str) -> ast.Module:
    """A cell's code as Python reads it after IPython's transforms (cached: the instructor
    notebook's cells are read for every submission; callers never change the tree)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def _module_level(tree: ast.AST) -> list[ast.AST]:
    """Statements that run at the notebook's top level (not inside functions or classes)."""
    out: list[ast.AST] = []
    todo = list(getattr(tree, "body", []))
    while todo:
        node = todo.pop(0)
        out.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            todo.extend(getattr(node, field, []) or [])
        if isinstance(node, ast.Match):
            for case in node.cases:
                todo.extend(case.body)
    return out


def _own_nodes(stmt: ast.AST) -> list[ast.AST]:
    """The nodes of a statement, without the statements nested in it (they are visited apart)."""
    out: list[ast.AST] = []
    todo = [stmt]
    while todo:
        node = todo.pop()
        out.append(node)
        todo.extend(child for child in ast.iter_child_nodes(node)
                    if not isinstance(child, ast.stmt | ast.excepthandler | ast.match_case))
    return out


def _bound_names(tree: ast.AST, *, top_level_only: bool = True) -> dict[str, list[ast.AST]]:
    """Names a piece of code binds (at the top level, plus ``global`` ones in functions)."""
    bound: dict[str, list[ast.AST]] = {}

    def add(name: str, node: ast.AST) -> None:
        bound.setdefault(name, []).append(node)

    nodes = _module_level(tree) if top_level_only else list(ast.walk(tree))
    for stmt in nodes:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            add(stmt.name, stmt)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            for alias in stmt.names:
                add((alias.asname or alias.name).split(".")[0], stmt)
        for node in _own_nodes(stmt) if not isinstance(
                stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else ():
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                add(node.id, stmt)
            elif isinstance(node, ast.NamedExpr):
                add(node.target.id, stmt)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            for name in node.names:
                add(name, node)
    return bound


def _loaded_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _cells(nb: dict) -> list[tuple[str, dict]]:
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        cell = {**cell, "source": "".join(src) if isinstance(src, list) else src}
        out.append((cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or
                    f"cell {i + 1}", cell))
    return out


def _parsed_cells(nb: dict) -> list[tuple[str, dict, ast.Module]]:
    """The code cells that parse, with their trees (a cell that does not parse fails when run)."""
    out = []
    for gid, cell in _cells(nb):
        try:
            out.append((gid, cell, _parse(cell["source"])))
        except SyntaxError:
            continue
    return out


def _is_locked(cell: dict) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


def protected_names(instructor_nb: dict) -> set[str]:
    """Names the tests use that the student's code must not rebind.

    Every name a test cell reads (hidden tests included) that the test itself does not define, that
    the notebook's locked cells or Python's builtins provide, and that no model answer defines.
    """
    locked_bound: set[str] = set()
    solution_bound: set[str] = set()
    used: set[str] = set()
    for _, cell, tree in _parsed_cells(instructor_nb):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            solution_bound |= set(_bound_names(tree, top_level_only=False))
        elif _is_locked(cell):
            locked_bound |= set(_bound_names(tree))
            if meta.get("grade"):
                used |= _loaded_names(tree) - set(_bound_names(tree, top_level_only=False))
    return (used & (locked_bound | BUILTIN_NAMES)) - solution_bound


def data_names(instructor_nb: dict) -> set[str]:
    """Protected names that are plain data: reassigning one is reported for review, not zeroed.

    A protected name (see :func:`protected_names`) is data when the locked cells bind it only by
    assignment (not ``def``, ``class`` or ``import``), it is not a builtin or an imported module,
    and no test cell calls it.
    """
    strict: set[str] = set(BUILTIN_NAMES)
    for _, cell, tree in _parsed_cells(instructor_nb):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                strict |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                strict.add(node.name)
            elif meta.get("grade") and isinstance(node, ast.Call):
                func = node.func
                while isinstance(func, ast.Call):
                    func = func.func
                if isinstance(func, ast.Name):
                    strict.add(func.id)
    return protected_names(instructor_nb) - strict


def _import_bindings(tree: ast.AST) -> dict[str, str]:
    """What each top-level import binds: ``{'np': 'numpy', 'Stay': 'migdata.concepts:Stay'}``."""
    out: dict[str, str] = {}
    for node in _module_level(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                    a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}:{a.name}"
    return out


def _magic(call: ast.Call) -> tuple[str, str] | None:
    """('line'|'cell'|'system', name) for ``get_ipython().run_*_magic('name', ...)`` calls."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"
            and not func.value.args):
        return None
    if func.attr in ("system", "getoutput"):
        return ("system", "")
    if func.attr in ("run_line_magic", "run_cell_magic") and call.args and isinstance(
            call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return (func.attr.split("_")[1], call.args[0].value.lstrip("%"))
    return None


def _check_tree(tree: ast.AST, where: str, protected: set[str], modules: set[str],
                local_modules: set[str], data: frozenset[str] | set[str] = frozenset(),
                given: dict[str, str] | None = None) -> list[Finding]:
    found: list[Finding] = []

    def flag(node: ast.AST, what: str, review: bool = False) -> None:
        found.append(Finding(where, getattr(node, "lineno", 0), what, review))

    allowed_calls: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            magic = _magic(node)
            if magic is None:
                continue
            kind, name = magic
            if kind == "system" or name in ALLOWED_MAGICS:
                allowed_calls.add(id(node.func.value))
                if kind == "cell" and name in CELL_MAGICS_WITH_CODE and len(node.args) == 3 \
                        and isinstance(node.args[2], ast.Constant):
                    try:
                        body = _parse(str(node.args[2].value))
                    except SyntaxError:
                        continue
                    found += _check_tree(body, where, protected, modules, local_modules, data,
                                         given)
            else:
                flag(node, f"runs the magic %{name}, which can change how later cells run")
                allowed_calls.add(id(node.func.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) in allowed_calls:
            continue
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            if node.id == "get_ipython" and any(
                    id(c) in allowed_calls for c in ast.walk(tree) if isinstance(c, ast.Call)
                    and c.func is node):
                continue
            flag(node, f"uses {node.id} ({FORBIDDEN_NAMES[node.id]})")
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr.endswith("__") \
                    and node.attr not in ALLOWED_DUNDERS:
                flag(node, f"uses the attribute {node.attr} (reaches Python's internals)")
            elif isinstance(node.value, ast.Name) and node.value.id == "sys" \
                    and node.attr in FORBIDDEN_SYS:
                flag(node, f"uses sys.{node.attr} (changes how Python runs code)")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if node.__class__ is ast.ImportFrom and node.level:
                    flag(node, "imports from a relative package")
                elif node.__class__ is ast.ImportFrom and name in ALLOWED_FROM:
                    continue
                elif top in FORBIDDEN_MODULES or name in ("numpy.testing", "pandas.testing"):
                    flag(node, f"imports {name} (a tool that can change how tests run)")
                elif top in local_modules:
                    continue  # a .py file handed in: checked itself
                elif top and importlib.util.find_spec(top) is None:
                    flag(node, f"imports {name}, which is not installed: code this check "
                               "cannot see (e.g. a file the notebook wrote)")
        # changing other modules' attributes: math.isclose = ..., np.testing.x = ..., del ...
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Attribute | ast.Subscript) and isinstance(
                            sub.ctx, ast.Store | ast.Del):
                        root = sub
                        while isinstance(root, ast.Attribute | ast.Subscript):
                            root = root.value
                        if isinstance(root, ast.Name) and root.id in modules:
                            flag(node, f"changes the module {root.id} "
                                       f"({ast.unparse(sub)[:60]}), which the tests use")
                        elif isinstance(root, ast.Name) and root.id in protected:
                            flag(node, f"changes {root.id}, which the tests use "
                                       f"({ast.unparse(sub)[:60]})")
    # rebinding names the hidden tests read
    same = {name for name, what in _import_bindings(tree).items()
            if (given or {}).get(name) == what}
    for name, nodes in _bound_names(tree).items():
        if name not in protected:
            continue
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom) and name in same:
                continue  # the same import as the given cells': the name keeps its meaning
            innocent = name in BUILTIN_NAMES and isinstance(node, ast.Assign) and isinstance(
                node.value, ast.Constant | ast.List | ast.Tuple | ast.Dict | ast.Set | ast.BinOp)
            if innocent:
                continue
            if name in data and isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                flag(node, f"reassigns {name}, the given data the hidden tests compare against: "
                           "read whether the answer still uses the given data", review=True)
            else:
                flag(node, f"redefines {name}, which the tests use")
            break
    return found


def check_notebook(student_nb: dict, instructor_nb: dict, *, name: str = "notebook",
                   local_modules: set[str] | None = None) -> list[Finding]:
    """Findings in the cells a student could write (every code cell that is not locked).

    Findings with ``review=True`` (a given data name reassigned) are for the lecturer to read;
    the others make the notebook score 0.

    Parameters
    ----------
    student_nb
        The submitted notebook (JSON as a dict).
    instructor_nb
        The instructor version (source) of the same notebook, with its hidden tests.
    name
        File name, for the messages.
    local_modules
        Module names the submission ships as ``.py`` files (checked separately).
    """
    protected = protected_names(instructor_nb)
    data = data_names(instructor_nb)
    locked_ids = {gid for gid, cell in _cells(instructor_nb) if _is_locked(cell)}
    modules: set[str] = set()
    given = dict(USUAL_IMPORTS)
    for _, cell, tree in _parsed_cells(instructor_nb):
        if _is_locked(cell) and not cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            given.update(_import_bindings(tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
    modules |= {"math", "numpy", "np", "pandas", "pd", "migdata", "sys", "os", "builtins"}
    modules -= protected_names_solution(instructor_nb)
    found: list[Finding] = []
    for gid, _, tree in _parsed_cells(student_nb):
        if gid in locked_ids:
            continue  # nbgrader puts the released text back before running it
        found += _check_tree(tree, f"{name} {gid}", protected, modules, local_modules or set(),
                             data, given)
    return found


def protected_names_solution(instructor_nb: dict) -> set[str]:
    """Names the model answers define (a student may define them too)."""
    names: set[str] = set()
    for _, cell, tree in _parsed_cells(instructor_nb):
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            names |= set(_bound_names(tree, top_level_only=False))
    return names


def _submission_findings(folder: Path, source_dir: Path, notebooks: list[str],
                         release_dir: Path | None) -> dict[str, list[Finding]]:
    folder, source_dir = Path(folder), Path(source_dir)
    py_files = sorted(p for p in folder.rglob("*.py") if p.is_file())
    local = {p.stem for p in py_files} | {p.name for p in folder.iterdir() if p.is_dir()}
    shared: list[Finding] = []
    for py in py_files:
        try:
            tree = ast.parse(py.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        shared += _check_tree(tree, str(py.relative_to(folder)), set(),
                              {"math", "numpy", "np", "pandas", "pd", "migdata", "sys"}, local)
    out: dict[str, list[Finding]] = {}
    for name in notebooks:
        path, source = folder / name, source_dir / name
        if not source.is_file() and release_dir is not None:
            source = Path(release_dir) / name
        if not path.is_file() or not source.is_file():
            continue
        try:
            student = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # reported as an invalid notebook
        instructor = json.loads(source.read_text(encoding="utf-8"))
        found = check_notebook(student, instructor, name=name, local_modules=local) + shared
        if found:
            out[name] = found
    return out


def check_submission(folder: Path, source_dir: Path, notebooks: list[str],
                     release_dir: Path | None = None) -> dict[str, list[str]]:
    """Check every notebook of a submission folder; notebook file name -> findings (as text).

    Only findings that zero a notebook are returned (see :func:`review_submission` for the
    others). The instructor version in ``source_dir`` tells which names the hidden tests use;
    without it, the released version in ``release_dir`` (visible tests only) is used. ``.py``
    files handed in are checked too; a finding in one counts against every notebook.
    """
    out = {}
    for name, found in _submission_findings(folder, source_dir, notebooks, release_dir).items():
        if texts := [str(f) for f in found if not f.review]:
            out[name] = texts
    return out


def review_submission(folder: Path, source_dir: Path, notebooks: list[str],
                      release_dir: Path | None = None) -> dict[str, list[str]]:
    """Findings of a submission folder for the lecturer to read, which do not zero a notebook.

    Same arguments as :func:`check_submission`; notebook file name -> findings (as text).
    """
    out = {}
    for name, found in _submission_findings(folder, source_dir, notebooks, release_dir).items():
        if texts := [str(f) for f in found if f.review]:
            out[name] = texts
    return out
