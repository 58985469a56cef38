"""Replacing a folder so that every path of the old or the new one is there at every moment.

`exchange(a, b)` swaps two paths in one system call where the kernel has one (Linux `renameat2` with
`RENAME_EXCHANGE`, macOS `renamex_np` with `RENAME_SWAP`); elsewhere (or on a file system without it) it
says so and the caller falls back to two renames. `Claim` marks a working folder as in use by a live
process with a lock the kernel drops when that process dies, however it dies, so the next run can tell
a dead build's leftovers from a build still running.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux
_RENAME_SWAP = 2  # macOS
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def exchange(a: Path, b: Path) -> bool:
    """Swap `a` and `b` (both must exist) atomically; False when this system or file system cannot.
    Any other failure (permission, busy mount point…) is an OSError naming `b`."""
    libc = _libc()
    if libc is None:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), _RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(b))


class Claim:
    """A lock file beside `folder` (`folder` + '.lock'), held while this process works in the folder."""

    def __init__(self, folder: Path) -> None:
        self.path = lock_path(folder)
        self.fd: int | None = os.open(self.path, os.O_CREAT | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass  # no flock (Windows): leftovers are then recognised by their age only

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            with contextlib.suppress(OSError):
                self.path.unlink()


def lock_path(folder: Path) -> Path:
    return folder.with_name(folder.name + ".lock")


def abandoned(folder: Path) -> bool | None:
    """True when the process that claimed `folder` is gone, False while it lives, None when unknown
    (no lock file, or no flock on this system)."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(lock_path(folder), os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def die_with_parent(parent: int) -> None:
    """In a forked worker: end when the process that started it ends, even by `kill -9`."""
    libc = _libc()
    if sys.platform.startswith("linux") and libc is not None and hasattr(libc, "prctl"):
        import signal

        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    else:
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


__all__ = ["Claim", "abandoned", "die_with_parent", "exchange", "lock_path"]
