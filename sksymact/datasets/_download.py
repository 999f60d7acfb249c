"""Downloads that leave a complete file or none, and check what they keep.

What to tell the user when a download fails is decided by the loading policy
in ``_base``; this module only moves and checks bytes.
"""

import gzip
import http.client
import io
import logging
import os
import zlib

from .._io import atomic_open
from ._csv_parser import _check_row_count, _read_lines, _text_stream

logger = logging.getLogger(__name__)

# Errors that mean "the transfer did not work" (as opposed to a file whose
# content is wrong, which is reported as a ValueError).
_NETWORK_ERRORS = (OSError, EOFError, zlib.error, http.client.HTTPException)


class _Tee(io.RawIOBase):
    """A readable view of a response that copies every byte read to ``out``."""

    def __init__(self, response, out=None):
        self._response = response
        self._out = out

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._response.read(len(buffer))
        buffer[: len(data)] = data
        if self._out is not None:
            self._out.write(data)
        return len(data)


def _download_writer(spec, n_rows):
    """Writer for :func:`_download_atomic` that checks what it keeps.

    The remote rows of the dataset ``spec`` (a ``_base._DataFiles``) are
    parsed while they arrive, so a file with bad content is never cached.
    With ``n_rows`` None the remote bytes are kept as they are; else only the
    first ``n_rows`` lines are read and kept, recompressed, and the transfer
    stops there (HIGGS is 2.6 GB in full). The writer returns the features
    and the checked labels.
    """

    def writer(response, out):
        raw = io.BufferedReader(_Tee(response, out if n_rows is None else None))
        stream = _text_stream(raw, gz=spec.url.endswith(".gz"))
        if n_rows is None:
            Xy = _read_lines(stream, None, name=spec.url, n_columns=spec.n_columns)
            # Whatever follows the last line (a gzip trailer) belongs to the file.
            while raw.read(1 << 20):
                pass
            _check_row_count(
                Xy.shape[0], spec.n_rows, name=spec.url, why="the size of the UCI file"
            )
            return spec.split(Xy, spec.url)
        # mtime=0 and no name: the same rows always give the same bytes.
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:

            def keep(lines):
                gz.write("".join(line.rstrip("\r\n") + "\n" for line in lines).encode())

            Xy = _read_lines(
                stream, n_rows, name=spec.url, n_columns=spec.n_columns, on_block=keep
            )
        if Xy.shape[0] < n_rows:
            raise ValueError(
                f"{spec.url}: asked for {n_rows:,} rows but the file ends "
                f"after {Xy.shape[0]:,}."
            )
        return spec.split(Xy, spec.url)

    return writer


def _download_atomic(url, path, writer, *, opener, timeout):
    """Download ``url`` into ``path`` so that ``path`` is complete or absent.

    ``opener(url, timeout=timeout)`` must return a readable binary file object
    (an HTTP response, or any stand-in). ``writer(response, out)`` reads from
    the response and writes the bytes to keep into ``out``; what it returns is
    returned. The bytes go through :func:`sksymact._io.atomic_open`: a hidden
    temporary file in the same folder, renamed onto ``path`` only once the
    writer has finished; on any error the temporary file is deleted and the
    error is passed on unchanged.
    """
    logger.info("Downloading %s to %s", url, path)
    # Connect first: when offline, nothing at all is written.
    response = opener(url, timeout=timeout)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with atomic_open(path, "wb") as out:
            return writer(response, out)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()
