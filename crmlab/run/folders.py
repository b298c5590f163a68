"""Where a run writes, so that nothing good is ever lost.

- :func:`check_destination`: before any kernel starts, refuse an ``--out`` that is a regular file
  or cannot be written, naming it and saying what to do.
- :class:`RunLock`: one run at a time per destination; a second run into the same ``--out``
  refuses at once with who holds it (the first run is never disturbed).
- :func:`place`: move a finished run into place. A run that failed, into a destination that
  holds a complete run, replaces nothing: it lands beside it as ``<out>.failed-<run-id>``.
- :func:`set_aside_interrupted`: what an interrupted run leaves, ``<out>.interrupted-<run-id>``.
- :class:`Interrupted` and :func:`stop_processes`: SIGTERM/SIGINT stop the workers and their
  kernels; the command exits 143/130.
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import signal
from pathlib import Path

from crmlab.core.errors import CrmlabError, ParameterError


class RunLockedError(CrmlabError):
    """Another ``crmlab run`` is writing the same destination."""


class Interrupted(BaseException):
    """The run was stopped by a signal (SIGTERM, SIGINT); ``code`` is the exit code (143, 130)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.code = 128 + signum


def check_destination(out: Path) -> None:
    """Refuse a destination that cannot take a run, before anything runs.

    Raises
    ------
    ParameterError
        ``out`` is an existing file (not a folder), or it or its parent cannot be written.
    """
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out}: this is an existing file, not a folder; choose a folder "
                             f"(it is created if missing)")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"--out {out}: cannot create its folder {parent} ({exc.strerror}); "
                             f"choose a writable --out") from None
    probe = parent / f".crmlab-write-test-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise ParameterError(f"--out {out}: cannot write in {parent} ({exc.strerror}); choose a writable --out "
                             f"or fix the folder's permissions") from None
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise ParameterError(f"--out {out}: the existing folder is not writable, so a new run could not replace "
                             f"it; choose another --out or fix its permissions")


class RunLock:
    """An exclusive lock on a destination for the length of a run (``flock`` on ``.<name>.lock``).

    The lock is released when the process ends, however it ends, so a crashed run never
    blocks the next one.
    """

    def __init__(self, out: Path, run_id: str):
        self.out, self.run_id = out, run_id
        self.path = out.parent / f".{out.name}.lock"
        self._fh = None

    def __enter__(self) -> RunLock:
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                fh.close()
                raise
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise RunLockedError(f"--out {self.out}: another crmlab run is writing there ({holder}); wait for it to "
                                 f"finish or choose another --out") from None
        fh.seek(0)
        fh.truncate()
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        fh.write(f"run {self.run_id}, pid {os.getpid()}, since {stamp}")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def is_complete_run(folder: Path) -> bool:
    """True when ``folder`` holds a run whose manifest says every study finished ``ok``."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("status") == "ok"


def place(partial: Path, out: Path, run_id: str, status: str) -> Path:
    """Move the finished run from ``partial`` into place; return where it landed.

    An ``ok`` run replaces ``out`` (the old run stays until the new one is in place). A failed
    run replaces ``out`` only when ``out`` holds no complete run; otherwise it lands beside it
    as ``<out>.failed-<run-id>`` and the complete run is left exactly as it was.
    """
    if status != "ok" and is_complete_run(out):
        target = out.parent / f"{out.name}.failed-{run_id}"
        os.replace(partial, target)
        return target
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    os.replace(partial, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out


def set_aside_interrupted(partial: Path, out: Path, run_id: str, reason: str) -> Path | None:
    """Name what an interrupted run wrote ``<out>.interrupted-<run-id>`` (nothing complete is touched)."""
    if not partial.exists() or not any(partial.iterdir()):
        shutil.rmtree(partial, ignore_errors=True)
        return None
    target = out.parent / f"{out.name}.interrupted-{run_id}"
    (partial / "INTERRUPTED.txt").write_text(
        f"This run ({run_id}) was interrupted ({reason}) before it finished; its studies are incomplete.\n",
        encoding="utf-8")
    os.replace(partial, target)
    return target


def stop_processes(pids) -> int:
    """Terminate the processes ``pids`` and everything they started (Jupyter kernels); return how many.

    SIGTERM first, SIGKILL for what is still alive after ``grace`` seconds.
    """
    import psutil

    procs = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            procs.extend(p.children(recursive=True))
            procs.append(p)
        except psutil.NoSuchProcess:
            pass
    for p in procs:
        try:
            p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=3.0)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=3.0)
    return len(procs)


def raise_on_signals():
    """Make SIGTERM (and SIGINT) raise :class:`Interrupted` in this process; return the old handlers."""
    def handler(signum, frame):
        raise Interrupted(signum)

    old = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        old[sig] = signal.signal(sig, handler)
    return old


def restore_signals(old) -> None:
    for sig, h in old.items():
        signal.signal(sig, h)


def worker_ignores_sigint() -> None:
    """Pool initializer: a terminal's Ctrl-C reaches every process of the group; only the parent decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
