"""Writing files whole or not at all: the one way graphgrad writes a file.

``write_atomic(path, content, who)`` writes ``content`` (bytes, or a function that writes to a
binary file) to a temporary file of its own in the destination's folder, flushes it to disk and
moves it over ``path`` in one step (``os.replace``). So at every moment ``path`` holds either the
old file or the whole new one: a crash, a full disk, Ctrl-C or a second process saving to the
same path at the same time never leaves a mix or a half-written file, and a file of the user's
named like a temporary file (``model.npz.partial``) is never touched.

What the old file was stays: an existing file keeps its permissions (a ``0600`` checkpoint stays
private) and a symlink stays a symlink, the new content going to the file it points to. A new
file gets the permissions ``open()`` would give it (``0666`` less the umask).

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
>>> write_atomic(path, b"hello", "example").read_bytes()
b'hello'
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Union

Content = Union[bytes, Callable[[BinaryIO], object]]


def destination(path: str | os.PathLike[str], who: str, example: str) -> Path:
    """The file that writing ``path`` changes, checked: a symlink's target, never a folder.

    Raises ``ValueError`` for an empty path, ``IsADirectoryError`` for a folder and
    ``FileNotFoundError`` when the folder it would go in does not exist; each names ``who`` and
    suggests a name like ``example``.

    >>> destination("model.npz", "save", "model.npz").name
    'model.npz'
    """
    text = os.fspath(path)
    if not text:
        raise ValueError(f"{who}: the path is empty; give a file name like {example}")
    target = Path(os.path.realpath(text)) if os.path.islink(text) else Path(text)
    if target.is_dir():
        raise IsADirectoryError(f"{who}: {text!r} is a folder; give a file name like {example}")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{who}: the folder {str(target.parent)!r} does not exist; create it first")
    return target


def write_atomic(path: str | os.PathLike[str], content: Content, who: str, example: str = "") -> Path:
    """Write ``content`` to ``path`` whole or not at all; returns ``path`` as a ``Path``.

    ``content`` is bytes, or a function that writes the file's bytes to the binary file it is
    given. The bytes go to a temporary file of its own in the same folder (``tempfile.mkstemp``),
    are flushed to disk (``fsync``) and moved over the destination with ``os.replace``; on any
    error, Ctrl-C included, the temporary file is removed and the destination is as it was. An
    existing file keeps its permissions and a symlink its link (the file it points to gets the
    new content). Errors name ``who``: see ``destination`` for the path's own checks; an
    ``OSError`` while writing (a full disk) says that the file was left as it was.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "numbers.bin"
    >>> write_atomic(path, lambda f: f.write(bytes([1, 2, 3])), "example").read_bytes()
    b'\\x01\\x02\\x03'
    """
    target = destination(path, who, example or Path(os.fspath(path)).name or "file.bin")
    mode = _mode_for(target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _write_error(exc, who, path) from None
    try:
        with os.fdopen(fd, "wb") as file:
            if isinstance(content, bytes):
                file.write(content)
            else:
                content(file)
            file.flush()
            os.fchmod(file.fileno(), mode)
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise _write_error(exc, who, path) from None
    except BaseException:
        _remove(temporary)
        raise
    _sync_folder(target.parent)
    return Path(os.fspath(path))


def _mode_for(target: Path) -> int:
    """The permission bits the written file gets: the existing file's, else ``0666`` less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system tells (Linux), else swapped."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_error(exc: OSError, who: str, path: str | os.PathLike[str]) -> OSError:
    """``exc`` again (the same type and errno), naming ``who`` and the destination, not a temporary file."""
    message = f"{who}: could not write {os.fspath(path)!r} ({exc.strerror or exc}); nothing was changed there"
    return type(exc)(message) if exc.errno is None else type(exc)(exc.errno, message)


def _remove(temporary: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry of the new file to disk too (where the system allows it)."""
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
