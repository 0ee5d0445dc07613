"""Atomic file and folder writes that never follow a link planted at the output path.

A file is written to a temporary file created beside it with an unpredictable name and
``O_EXCL`` (:func:`tempfile.mkstemp`), flushed to disk, then renamed over the target with
:func:`os.replace`. The rename replaces whatever is at the target, a symbolic link
included, and never writes through it; an interruption leaves the old file or the new one.

A folder (the Markdown report: text, data and charts that belong together) is built in a
temporary folder beside it (:func:`tempfile.mkdtemp`) and swapped in whole. On Linux the
swap is one ``renameat2(RENAME_EXCHANGE)`` call; elsewhere two renames, with the old folder
kept under a temporary name in between, so the path holds the old set, the new set or
(for an instant) nothing, never a mix.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from contextlib import contextmanager

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _umask_mode(base: int) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def open_atomic(path: str, mode: str = "w", encoding: str | None = "utf-8"):
    """A handle on a fresh temporary file beside ``path``; renamed onto ``path`` when the
    block ends without an error, removed otherwise. ``mode`` is ``"w"`` or ``"wb"``."""
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=folder)
    try:
        os.fchmod(fd, _umask_mode(0o666))  # mkstemp makes 0600; a report is for reading
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding,
                       newline=None if "b" in mode else "") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(folder)


def write_text(path: str, text: str) -> str:
    """Write ``text`` (UTF-8, line endings as given) to ``path`` atomically."""
    with open_atomic(path, "w") as handle:
        handle.write(text)
    return path


def write_bytes(path: str, data: bytes) -> str:
    with open_atomic(path, "wb") as handle:
        handle.write(data)
    return path


def _exchange(a: str, b: str) -> bool:
    """Swap two paths in one system call (Linux ``renameat2``); False where unavailable."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot swap
        return False
    raise OSError(errno, os.strerror(errno), b)


def _remove(path: str) -> None:
    """Remove what an old output path held: a folder (its content), or a file or link."""
    if os.path.islink(path) or not os.path.isdir(path):
        os.unlink(path)
    else:
        shutil.rmtree(path)


def _discard(path: str) -> None:
    """Remove the replaced content; the new content is in place whatever happens here, so a
    failure leaves a hidden ``.NAME.*`` folder beside it rather than failing the write."""
    try:
        _remove(path)
    except OSError:
        pass


@contextmanager
def replace_dir(path: str, exchange=_exchange):
    """A fresh temporary folder beside ``path`` to write into; when the block ends without
    an error it takes the place of ``path`` whole (a folder, or a link planted there, is
    replaced, never written through). On an error the temporary folder is removed and
    ``path`` is left as it was."""
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)
    try:
        os.chmod(tmp, _umask_mode(0o777))  # mkdtemp makes 0700
        yield tmp
        _fsync_dir(tmp)
        if not os.path.lexists(path):
            os.rename(tmp, path)
        elif exchange(tmp, path):
            _discard(tmp)  # now the old content
        else:
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".old",
                                   dir=parent)
            os.rmdir(old)  # a fresh unpredictable name, free for the rename below
            os.rename(path, old)
            try:
                os.rename(tmp, path)
            except BaseException:
                os.rename(old, path)
                raise
            _discard(old)
        _fsync_dir(parent)
    except BaseException:
        if os.path.lexists(tmp):
            _remove(tmp)
        raise
