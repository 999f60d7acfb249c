"""Files replaced atomically: on disk, a file is its old complete version or the new one.

The one way sksymact writes a file that a crash must not leave half-written
(a benchmark's results, a saved formula, a downloaded data file): the bytes go
to a hidden temporary file in the same folder, which is flushed, synced to
disk and renamed onto the target (``os.replace``, atomic on POSIX and
Windows) only once everything is written; on any error the temporary file is
deleted and the error passed on.  This module imports only the standard
library.

Examples
--------
>>> import os, tempfile
>>> from sksymact._io import atomic_open, atomic_write_text
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
"""

import contextlib
import os
import secrets

__all__ = ["atomic_open", "atomic_write_text"]


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
