"""Running student notebooks' kernels in a sandbox (bubblewrap), so grading cannot be subverted.

nbgrader runs each submitted notebook in a Jupyter kernel with the grader's own rights: the code
could read the instructor versions, rewrite the gradebook, kill the grading run or reach the
network. Here the kernel -- and only the kernel; nbgrader, the gradebook and the grading processes
stay outside -- is started inside `bubblewrap <https://github.com/containers/bubblewrap>`_
(Debian package ``bubblewrap``) with:

* new user, PID, mount, network, IPC and UTS namespaces (``--unshare-all``): it sees no other
  process, has no network (only its own loopback), and sees a file system made of the Python
  installation and the curated datasets (read-only) plus one throwaway folder holding a copy of
  the notebook being graded, read-only; the only writable space is a private ``/tmp`` in memory,
  capped in size (:data:`TMP_MB`); a write past the cap fails with "No space left on device", and
  the grader reports the notebook as ``disk_full``;
* ``--die-with-parent`` and its own PID namespace: when the kernel ends, everything it started
  (detached, double-forked, ``setsid``) is killed with it; ``--new-session`` so it cannot type into
  the grader's terminal;
* resource limits (``prlimit``): address space, processes, CPU seconds, and a wall-clock limit per
  notebook (``timeout -s KILL``); when grading runs as root the kernel runs as the unprivileged
  user ``nobody`` so that the process limit applies.

The kernel talks to nbgrader over Unix sockets in a folder shared with the sandbox (ZeroMQ
``ipc`` transport): TCP on localhost would not cross the network namespace.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

from migdata.errors import MigdataError

__all__ = [
    "DISK_FULL",
    "NO_SANDBOX_RISK",
    "TMP_MB",
    "SandboxKernelManager",
    "SandboxUnavailableError",
    "check_sandbox",
    "sandbox_command",
]

NOBODY = 65534
"""uid and gid the kernel runs as when grading runs as root."""

SANDBOX_HOME = "/home/student"

TMP_MB = 256
"""Writable space in the sandbox (its private ``/tmp``, in memory), MB."""

DISK_FULL = "No space left on device"
"""What a write past the sandbox's writable space says (the kernel's ``OSError``)."""

NO_SANDBOX_RISK = (
    "without a sandbox every submission's code runs with your rights: it can read the instructor "
    "versions and their model answers, change or delete the gradebook and other students' "
    "submissions, reach the network, leave processes running and stop the grading run"
)

_ETC = ("passwd", "group", "hosts", "nsswitch.conf", "localtime", "fonts", "mime.types",
        "matplotlibrc", "ssl", "ca-certificates", "alternatives")


class SandboxUnavailableError(MigdataError):
    """No working sandbox on this machine (bubblewrap missing or namespaces not allowed)."""


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@functools.lru_cache(maxsize=1)
def _python_paths() -> tuple[str, ...]:
    """Folders the kernel's Python needs (installation, site-packages, editable sources)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; print('\\n'.join(p for p in sys.path if p))"],
        capture_output=True, text=True, cwd="/", check=True,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONNOUSERSITE": "1",
             **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {})},
    )
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(sys.executable).parent)}
    paths.update(line for line in probe.stdout.splitlines() if line.strip())
    try:
        from migdata.datasets import datasets_dir

        paths.add(str(datasets_dir()))
    except (ImportError, FileNotFoundError):  # no datasets: nothing to show the kernel
        pass
    out = []
    for p in sorted(paths):
        real = os.path.realpath(p)
        if p in ("/", "") or not os.path.exists(real):
            continue
        if any(real == top or real.startswith(top + "/") for top in ("/usr", "/proc", "/dev")):
            continue
        out.append(real)
    # drop folders inside another one already listed
    return tuple(p for p in out if not any(p != q and p.startswith(q + "/") for q in out))


def _root_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def sandbox_command(
    cmd: list[str],
    *,
    workdir: str,
    mount_as: str,
    shared: tuple[str, ...] = (),
    memory_mb: int = 2048,
    processes: int = 256,
    cpu_seconds: int = 900,
    wall_seconds: int = 900,
    env: dict[str, str] | None = None,
    tmp_mb: int = TMP_MB,
    writable_workdir: bool = False,
) -> list[str]:
    """The command line that runs ``cmd`` inside the sandbox.

    Parameters
    ----------
    cmd
        The command to run (a kernel, or anything else for tests).
    workdir
        Host folder mounted read-write at ``mount_as``, the command's working folder.
    mount_as
        Where the sandbox sees ``workdir``.
    shared
        Further host folders mounted read-write at the same path (the kernel's sockets).
    memory_mb, processes, cpu_seconds, wall_seconds
        Limits: address space per process, processes of the sandbox user, CPU seconds per process,
        and wall-clock seconds after which everything is killed.
    tmp_mb
        Size of the private ``/tmp`` (memory-backed), the only writable place besides
        ``shared`` and, if asked, ``workdir``; the rest of the sandbox is read-only.
    writable_workdir
        Mount ``workdir`` read-write (default: read-only; a notebook being graded needs no
        writes there).
    env
        The whole environment inside the sandbox (nothing else is passed).
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailableError("bubblewrap (bwrap) is not installed")
    nproc = processes
    if _as_root():
        # the limit counts every process and thread of nobody: all the sandboxes of a run (a
        # worker per core and more, each with a kernel running and one starting) share it
        nproc = processes * (len(os.sched_getaffinity(0)) + 2)
        # bubblewrap runs privileged (no user namespace, which would keep uid 0 and with it no
        # process limit) and the command drops to nobody, without capabilities, inside it
        unshare = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                   "--unshare-cgroup-try"]
        inner = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                 "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"]
    else:  # the limit counts every process of the user: leave room for those already running
        unshare = ["--unshare-all"]
        inner = []
        nproc += _user_processes()
    limits = ["prlimit", f"--as={memory_mb * 1024 * 1024}", f"--nproc={nproc}",
              f"--cpu={cpu_seconds}", "--core=0", "--"]
    args = [bwrap, *unshare, "--die-with-parent", "--new-session",
            "--hostname", "sandbox", *_root_binds()]
    paths = _python_paths()
    made: set[str] = {"/tmp"}

    def parents(dest: str) -> list[str]:
        # mount points' parent folders, traversable (bubblewrap would copy e.g. /root's 0700)
        out = []
        for parent in reversed(Path(dest).parents[:-1]):
            if str(parent) not in made and str(parent) not in paths:
                made.add(str(parent))
                out += ["--perms", "0755", "--dir", str(parent)]
        return out

    # the private /tmp first: a Python installed under /tmp (a venv made there) is bound over it,
    # not hidden by it
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(int(tmp_mb) * 1024 * 1024),
             "--perms", "1777", "--tmpfs", "/tmp"]
    for path in paths:
        args += [*parents(path), "--ro-bind", path, path]
    args += [*parents(mount_as), "--bind" if writable_workdir else "--ro-bind", workdir, mount_as]
    for path in shared:
        args += [*parents(path), "--bind", path, path]
    # the sandbox's own root (a memory-backed folder tree) becomes read-only: no write outside
    # /tmp, whose size is capped
    args += ["--remount-ro", "/", "--chdir", mount_as, "--clearenv"]
    for key, value in (env or {}).items():
        args += ["--setenv", key, value]
    # bubblewrap is the launching process's own child, so it dies with it (--die-with-parent);
    # the wall-clock limit runs inside the sandbox
    wall = ["timeout", "-s", "KILL", str(wall_seconds)]
    return [*limits, *args, "--", *inner, *wall, *cmd]


def _user_processes() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                continue
    return count


def kernel_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The kernel's whole environment inside the sandbox (none of the grader's variables)."""
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin",
                                 "/bin"]),
        "HOME": SANDBOX_HOME,
        "LANG": "C.UTF-8",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
        "XDG_CACHE_HOME": "/tmp/cache",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "MPLBACKEND": "agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    # the grader's own Python path (e.g. a source checkout): the kernel runs the same kit
    for key in ("NBGRADER_EXECUTION", "MIGDATA_DATASETS_DIR", "TZ", "PYTHONPATH"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra or {})
    return env


@functools.lru_cache(maxsize=1)
def check_sandbox() -> str:
    """Check that a sandbox can be made here; return a one-line description of it.

    Raises
    ------
    SandboxUnavailableError
        If bubblewrap is missing or cannot create the namespaces (the reason is in the message).
    """
    for tool in ("bwrap", "prlimit", "timeout") + (("setpriv",) if _as_root() else ()):
        if shutil.which(tool) is None:
            package = {"bwrap": "bubblewrap", "prlimit": "util-linux", "setpriv": "util-linux",
                       "timeout": "coreutils"}[tool]
            raise SandboxUnavailableError(
                f"{tool} is not installed (Debian/Ubuntu: apt-get install {package})")
    with tempfile.TemporaryDirectory(prefix="migdata-sandbox-check-") as tmp:
        os.chmod(tmp, 0o777)
        cmd = sandbox_command([sys.executable, "-c", "import os; print(os.getpid())"],
                              workdir=tmp, mount_as=SANDBOX_HOME + "/check", wall_seconds=60,
                              env=kernel_env())
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailableError(f"bubblewrap did not run: {exc}") from exc
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        why = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SandboxUnavailableError(f"bubblewrap cannot make a sandbox here: {why}")
    user = "nobody" if _as_root() else "your user"
    return f"bubblewrap {shutil.which('bwrap')}, namespaces user/pid/mount/net, as {user}"


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run inside the bubblewrap sandbox.

    nbclient passes the notebook's folder as ``cwd``; the kernel gets a throwaway copy of it
    instead, mounted at ``/home/student/<folder name>``. The copy, the sockets and the connection
    file live in a private folder under :attr:`scratch_dir`, removed when the kernel is shut down.
    """

    scratch_dir = Unicode("", help="folder for the sandboxes' throwaway folders").tag(config=True)
    memory_mb = Integer(2048, help="address space per kernel process, MB").tag(config=True)
    processes = Integer(256, help="processes the sandbox user may run").tag(config=True)
    wall_seconds = Integer(1800, help="wall-clock seconds a notebook's kernel may live").tag(
        config=True)

    _sandbox_base: str | None = None
    _ipc_dir: str | None = None
    _work: str | None = None
    mount_name: str | None = None
    uses: int = 0
    started: float = 0.0

    def give_files(self, source: str) -> None:
        """Copy a notebook folder into the throwaway folder of a kernel started without it."""
        assert self._work is not None
        for entry in os.listdir(source):
            if entry == ".ipynb_checkpoints":
                continue
            src, dst = os.path.join(source, entry), os.path.join(self._work, entry)
            if os.path.isdir(src):
                shutil.copytree(src, dst, symlinks=False, dirs_exist_ok=True)
            else:
                shutil.copyfile(src, dst)
        _own(self._work)

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        base = tempfile.mkdtemp(prefix="sbx-", dir=self.scratch_dir or None)
        self._sandbox_base = base
        self.started = time.monotonic()
        ipc = os.path.join(base, "ipc")
        work = os.path.join(base, "work")
        if len(ipc) > 80:  # a Unix socket's path has at most 107 bytes
            ipc = tempfile.mkdtemp(prefix="mdk-", dir="/tmp" if os.path.isdir("/tmp") else None)
            self._ipc_dir = ipc
        else:
            os.mkdir(ipc)
        source = kw.pop("cwd", None)
        if source and os.path.isdir(source):
            shutil.copytree(source, work, symlinks=False,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            os.mkdir(work)
        self._work = work
        name = self.mount_name or (os.path.basename(os.path.normpath(source)) if source
                                   else "work")
        self.transport = "ipc"
        self.ip = os.path.join(ipc, "k")
        self.connection_file = os.path.join(ipc, "kernel.json")
        # a signal cannot reach into the sandbox's PID namespace: interrupt by message
        self.kernel_spec.interrupt_mode = "message"
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        _own(base)
        if self._ipc_dir:
            _own(self._ipc_dir)
        os.chmod(base, 0o711)  # the grader (owner or root) reaches the sockets; nobody else
        env = kernel_env({"JPY_PARENT_PID": "1"})
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        kw["cwd"] = base
        wall = self.wall_seconds
        cmd = sandbox_command(cmd, workdir=work, mount_as=f"{SANDBOX_HOME}/{name}",
                              shared=(ipc,), memory_mb=self.memory_mb,
                              processes=self.processes, cpu_seconds=wall, wall_seconds=wall,
                              env=env)
        return cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            for folder in (self._sandbox_base, self._ipc_dir):
                if folder:
                    shutil.rmtree(folder, ignore_errors=True)
            self._sandbox_base = self._ipc_dir = None


def _own(folder: str) -> None:
    """Give a throwaway folder to the sandbox user (nobody when grading as root), private."""
    for root, _dirs, files in os.walk(folder):
        for entry in [root, *(os.path.join(root, f) for f in files)]:
            if _as_root():
                os.chown(entry, NOBODY, NOBODY)
            os.chmod(entry, 0o700 if entry == root else 0o600)


_SPARE: dict[str, SandboxKernelManager] = {}
"""Per worker process: the sandboxed kernel kept for the next notebook."""

REUSE_NOTEBOOKS = 25
"""Notebooks one sandboxed kernel grades before it is replaced by a fresh one."""


@functools.lru_cache(maxsize=1)
def sandboxed_execute_class() -> type:
    """nbgrader's ``Execute`` preprocessor, with its kernels started by
    :class:`SandboxKernelManager` and kept for the next notebook of the same assignment.

    A graded notebook holds no student code (the grader builds it from the released notebook and
    the answer texts, :mod:`migdata.grading.submissions`), and every answer is given again by each
    notebook (an answer not given is given as empty text), so a kernel can grade the next
    notebook as a fresh one would: its set-up cells run again, and every answer is replaced. A
    kernel is not kept after a cell timed out or failed to finish, when it died, after
    :data:`REUSE_NOTEBOOKS` notebooks, or past half of its wall-clock limit.
    """
    from collections.abc import Iterator
    from contextlib import contextmanager

    from nbgrader.preprocessors import Execute

    class SandboxedExecute(Execute):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
            super().__init__(*args, **kwargs)

        def _adopt_spare(self, name: str, source: str | None) -> None:
            spare = _SPARE.pop(self.kernel_name or "", None)
            if spare is None:
                return
            process = getattr(spare.provisioner, "process", None)
            if (spare.mount_name != name or source is None or process is None
                    or process.poll() is not None):
                _discard(spare)
                return
            spare.give_files(source)
            self.km = spare

        def _reusable(self) -> bool:
            km = self.km
            process = getattr(getattr(km, "provisioner", None), "process", None)
            if km is None or process is None or process.poll() is not None:
                return False
            if km.uses >= REUSE_NOTEBOOKS or (
                    time.monotonic() - km.started > km.wall_seconds / 2):
                return False
            for cell in self.nb.cells:
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error" and out.get("ename") in (
                            "CellTimeoutError", "DeadKernelError"):
                        return False
            return True

        @contextmanager
        def setup_kernel(self, **kwargs: Any) -> Iterator[None]:
            source = self.resources.get("metadata", {}).get("path") or None
            name = os.path.basename(os.path.normpath(source)) if source else "work"
            if self.km is None:
                if not self.kernel_name:
                    self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name", "")
                self._adopt_spare(name, source)
            kwargs["cleanup_kc"] = False
            finished = False
            try:
                with super().setup_kernel(**kwargs):
                    yield
                finished = True
            finally:
                km = self.km
                if finished and km is not None and self._reusable():
                    km.uses += 1
                    km.mount_name = name
                    if self.kc is not None:
                        self.kc.stop_channels()
                    self.kc = None
                    self.km = None
                    _SPARE[self.kernel_name or ""] = km
                elif km is not None:
                    self._cleanup_kernel()

    return SandboxedExecute


def _discard(km: SandboxKernelManager) -> None:
    """Throw a spare kernel away: kill its sandbox (everything in it dies) and its folders."""
    process = getattr(km.provisioner, "process", None)
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
    for folder in (km._sandbox_base, km._ipc_dir):
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
