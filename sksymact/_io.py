"""File infrastructure: atomic writes, a lock between processes, strict JSON, provenance.

The one place sksymact keeps what every file format of it needs:

- **Atomic writes.**  A file that a crash must not leave half-written (a
  benchmark's results, a saved formula, an activation library, a downloaded
  data file) is written to a hidden temporary file in the same folder, which
  is flushed, synced to disk and renamed onto the target (``os.replace``,
  atomic on POSIX and Windows) only once everything is written; on any error
  the temporary file is deleted and the error passed on
  (:func:`atomic_open`, :func:`atomic_write_text`).
- **A lock between processes** (:class:`FileLock`), so that two processes
  do not read-modify-write one file, or write into one folder, at once.
- **Strict JSON** (:func:`parse_json`, :func:`read_json`): UTF-8, complete,
  no key twice, with messages that say what is wrong.
- **Provenance**: the time now in UTC (:func:`utc_now`), the versions of the
  packages that matter for a formula (:func:`package_versions`), and whether
  a value is a finite number, as a JSON file can hold it
  (:func:`is_finite_number`).

This module imports only the standard library (and sksymact's version string).

Examples
--------
>>> import os, tempfile
>>> from sksymact._io import FileLock, atomic_open, atomic_write_text, read_json
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "note.txt")
>>> atomic_write_text(path, "complete\\n")
>>> try:
...     with atomic_open(path, "w") as out:
...         _ = out.write("half")
...         raise RuntimeError("killed half-way")
... except RuntimeError:
...     pass
>>> open(path).read(), os.listdir(folder)
('complete\\n', ['note.txt'])
>>> with FileLock(path):
...     atomic_write_text(path, '{"a": 1, "a": 2}')
>>> read_json(path)
Traceback (most recent call last):
...
ValueError: a JSON object has the key 'a' twice
"""

import contextlib
import datetime
import errno
import functools
import json
import math
import numbers
import os
import secrets
import time
from importlib import metadata

from ._version import __version__

try:  # POSIX; the standard library has no portable file lock (see FileLock)
    import fcntl as _fcntl
except ImportError:  # pragma: no cover (Windows)
    _fcntl = None

__all__ = [
    "atomic_open",
    "atomic_write_text",
    "FileLock",
    "parse_json",
    "read_json",
    "utc_now",
    "package_versions",
    "is_finite_number",
]

# The lock where fcntl is missing: a lock file created with O_EXCL, tried this
# many times, this many seconds apart (a count, not a deadline).
_LOCK_RETRIES = 1200
_LOCK_RETRY_DELAY = 0.05


# ------------------------------------------------------------------ atomic writes

def _fsync_dir(folder):
    """Make a rename in ``folder`` durable, where the system allows it (not on Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_open(path, mode="wb", *, encoding=None, newline=None):
    """Open a file whose content replaces ``path`` when the ``with`` block succeeds.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.
    mode : {"wb", "w"}, default="wb"
        Binary or text.
    encoding, newline : str, default=None
        As for :func:`open`, in text mode.

    Yields
    ------
    out : file object
        A hidden temporary file beside ``path``.  It is renamed onto ``path``
        after the block ends without an error, and deleted if it raises.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}."
                               f"{secrets.token_hex(4)}.part")
    # 0o666: the umask decides the permissions, as for open(); mkstemp would give 0o600.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as out:
            fd = None  # the file object owns it now
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        tmp = None
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
    _fsync_dir(folder)


def atomic_write_text(path, text):
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` so that ``path`` is old or complete.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.
    text : str
        Its whole new content.
    """
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)


# ------------------------------------------------------------------------ the lock

class FileLock:
    """An exclusive lock of a file or a folder between processes, held in a ``with`` block.

    Hand-written: the standard library has no portable file lock, and sksymact
    depends on no locking package (``filelock``, which torch installs, is not a
    dependency of sksymact, and it leaves its lock file behind, where this lock
    leaves nothing).

    With fcntl (POSIX) it is ``flock``, which the system releases when the
    process ends however it ends.  A folder is locked through itself (no file
    is made).  A file is locked through its sibling ``path + ".lock"``: the
    file itself cannot carry the lock, since an atomic write replaces it by
    another.  The lock file is deleted while still locked, so none is left
    behind; a process that was waiting on the deleted file finds, once it has
    the lock, that the path no longer names its file, and locks the path
    again.  Without fcntl the lock file ``path + ".lock"`` is created with
    ``O_EXCL`` (tried a fixed number of times when waiting) and deleted
    afterwards; a process killed while holding it leaves it behind, and
    taking the lock then fails with a message that says to delete it.

    Parameters
    ----------
    path : str or path-like
        The file or folder to lock; a file need not exist, its folder must.
    wait : bool, default=True
        Wait while another process holds the lock; else fail at once.

    Raises
    ------
    BlockingIOError
        On entering, with ``wait=False``, when another process holds the lock.
    TimeoutError
        On entering, without fcntl, when the lock file was held through every
        attempt.
    """

    def __init__(self, path, *, wait=True):
        self.path = os.fspath(path)
        self.wait = wait
        self._fd = None
        self._lock_file = None  # the file to delete on release, if any

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def acquire(self):
        """Take the lock (see the class description)."""
        if self._fd is not None:
            raise RuntimeError(f"the lock of {self.path!r} is already held by this object")
        if _fcntl is None:
            self._acquire_lock_file()
        elif os.path.isdir(self.path):
            self._fd = os.open(self.path, os.O_RDONLY)
            self._flock()
        else:
            self._acquire_flock_file()

    def release(self):
        """Give the lock back; nothing happens when it is not held."""
        if self._fd is None:
            return
        fd, lock_file = self._fd, self._lock_file
        self._fd = self._lock_file = None
        try:
            if lock_file is not None:  # deleted while still locked: see the class description
                with contextlib.suppress(FileNotFoundError):
                    os.remove(lock_file)
        finally:
            os.close(fd)  # closing releases an flock

    def _busy(self):
        return BlockingIOError(errno.EWOULDBLOCK,
                               f"{self.path!r} is locked by another process")

    def _flock(self):
        """flock ``self._fd``; on failure it is closed and forgotten."""
        try:
            _fcntl.flock(self._fd, _fcntl.LOCK_EX | (0 if self.wait else _fcntl.LOCK_NB))
        except BaseException as exc:
            os.close(self._fd)
            self._fd = None
            if isinstance(exc, BlockingIOError):
                raise self._busy() from None
            raise

    def _acquire_flock_file(self):
        lock = f"{self.path}.lock"
        while True:
            self._fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                self._flock()
                held = os.path.samestat(os.fstat(self._fd), os.stat(lock))
            except FileNotFoundError:
                held = False
            except BaseException:
                if self._fd is not None:
                    os.close(self._fd)
                    self._fd = None
                raise
            if held:
                self._lock_file = lock
                return
            os.close(self._fd)  # the file was deleted by the process before: lock the new one
            self._fd = None

    def _acquire_lock_file(self):
        lock = f"{self.path}.lock"
        for _ in range(_LOCK_RETRIES if self.wait else 1):
            try:
                self._fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                if self.wait:
                    time.sleep(_LOCK_RETRY_DELAY)
                continue
            self._lock_file = lock
            return
        if not self.wait:
            raise self._busy()
        raise TimeoutError(
            f"{self.path!r} was not written: its lock file {lock!r} was held through "
            f"{_LOCK_RETRIES} attempts. If no other process is writing it (one that was "
            "killed leaves the lock file behind), delete the lock file and try again.")


# -------------------------------------------------------------------- strict JSON

def _no_duplicate_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"a JSON object has the key {key!r} twice")
        out[key] = value
    return out


def parse_json(data):
    """Read a JSON document from bytes, strictly.

    The bytes must be UTF-8 text of one complete JSON value in which no object
    has a key twice.  ``NaN`` and ``Infinity`` are read (as Python's
    :mod:`json` does), so that the reader of a format can refuse them naming
    the field that holds them (see :func:`is_finite_number`).

    Parameters
    ----------
    data : bytes
        The file's content.

    Returns
    -------
    value : dict, list, str, int, float, bool or None
        The document.

    Raises
    ------
    ValueError
        Saying what is wrong, phrased to follow the name of the file (such as
        ``"it is not UTF-8 text (byte 0xe9 at offset 12)"``): the file is
        empty, not UTF-8, not complete JSON (it may have been truncated), has
        a key twice, an integer too long to read, or nesting too deep.
    """
    if not data.strip():
        raise ValueError("the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"it is not UTF-8 text (byte {data[exc.start]:#04x} at offset "
                         f"{exc.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not complete JSON ({exc.msg}, line {exc.lineno} column "
                         f"{exc.colno}); it may have been truncated") from None
    except RecursionError:
        raise ValueError("its JSON is nested too deeply") from None
    # Any other ValueError (a key twice, an integer too long to read) says what it is.


def read_json(path):
    """Read a JSON file strictly (see :func:`parse_json`).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    value : dict, list, str, int, float, bool or None
        The document.

    Raises
    ------
    ValueError
        When the file is not strict JSON, saying why (without the file's
        name, which the caller puts in its own message).
    OSError
        When the file cannot be read (``FileNotFoundError`` and the like).
    """
    with open(path, "rb") as stream:
        return parse_json(stream.read())


# --------------------------------------------------------------------- provenance

def utc_now():
    """The time now, in UTC, to the millisecond, as ISO-8601 text.

    Returns
    -------
    timestamp : str
        Such as ``"2026-01-02T03:04:05.678+00:00"``.
    """
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


@functools.lru_cache(maxsize=1)
def _installed_versions():
    versions = {"sksymact": __version__}
    for key, distribution in (("sklearn", "scikit-learn"), ("gplearn", "gplearn"),
                              ("torch", "torch")):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[key] = metadata.version(distribution)
    return tuple(versions.items())


def package_versions():
    """The versions of the packages that matter for a formula, read without importing them.

    Returns
    -------
    versions : dict of str to str
        ``"sksymact"`` and, of those installed, ``"sklearn"``, ``"gplearn"``
        and ``"torch"`` (read once from the installed packages' metadata); a
        new dict each call.
    """
    return dict(_installed_versions())


def is_finite_number(value):
    """Whether ``value`` is a real number, not a bool, and finite: what JSON can hold.

    Parameters
    ----------
    value : object
        Anything.

    Returns
    -------
    finite : bool
        True for an int or a finite float (numpy's integers and floats
        included); False for a bool, NaN, an infinity, an int too large for a
        float, text or None.
    """
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False
