"""Shared machinery of the dataset loaders: data home, atomic downloads and
strict parsing of the comma-separated UCI files."""

import gzip
import http.client
import io
import itertools
import logging
import numbers
import os
import re
import tempfile
import urllib.request
import zlib

import numpy as np
from sklearn.utils import Bunch

logger = logging.getLogger(__name__)

#: Name of the environment variable that points to a data folder.
DATA_ENV_VAR = "SKSYMACT_DATA"

#: Seconds to wait for the server before a download is given up.
DOWNLOAD_TIMEOUT = 60.0

# Lines are parsed in blocks of this many rows, so memory stays bounded while a
# large file is streamed.
_BLOCK_ROWS = 100_000


def get_data_home(data_home=None):
    """Return the folder that the dataset loaders read from and cache into.

    The folder is, in order of precedence:

    1. ``data_home`` when it is given;
    2. the environment variable ``SKSYMACT_DATA`` when it is set and not empty;
    3. a ``sksymact`` sub-folder of scikit-learn's data home (the environment
       variable ``SCIKIT_LEARN_DATA``, or else ``~/scikit_learn_data``, as in
       :func:`sklearn.datasets.get_data_home`).

    A leading ``~`` is expanded to the user's home folder. Unlike
    :func:`sklearn.datasets.get_data_home`, this function never creates the
    folder: it is only created when a download has to write into it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder to use. If None, use the environment variable or the default
        described above.

    Returns
    -------
    data_home : str
        Path of the data folder (it may not exist yet).

    Raises
    ------
    TypeError
        If ``data_home`` is neither a string nor a path-like object.

    Examples
    --------
    >>> from sksymact.datasets import get_data_home
    >>> get_data_home("/srv/data")
    '/srv/data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_ENV_VAR) or None
    if data_home is None:
        sklearn_home = os.environ.get(
            "SCIKIT_LEARN_DATA", os.path.join("~", "scikit_learn_data")
        )
        data_home = os.path.join(sklearn_home, "sksymact")
    return os.path.expanduser(os.fspath(data_home))


# --------------------------------------------------------------------------
# argument checks


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r}.")
    return bool(value)


def _check_n_samples(n_samples, *, allow_none=True, maximum=None, dataset=None):
    """Validate an ``n_samples`` argument (a positive int, or None)."""
    if n_samples is None:
        if allow_none:
            return None
        raise TypeError("n_samples must be a positive int, got None.")
    if isinstance(n_samples, (bool, np.bool_)) or not isinstance(
        n_samples, numbers.Integral
    ):
        raise TypeError(f"n_samples must be a positive int or None, got {n_samples!r}.")
    n_samples = int(n_samples)
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}.")
    if maximum is not None and n_samples > maximum:
        raise ValueError(
            f"n_samples={n_samples:,} is more than the {maximum:,} rows that the "
            f"whole {dataset} dataset has."
        )
    return n_samples


# --------------------------------------------------------------------------
# cached files


def _find_cached(data_home, full_name, sample_pattern, full_rows):
    """List the files of one dataset in ``data_home``.

    Returns a list of ``(rows, filename, is_full)`` sorted by rows, where the
    rows of a sample file come from its name (``<stem>-<rows><suffix>``) and
    those of the full file are the known size of the dataset.
    """
    try:
        names = os.listdir(data_home)
    except OSError:
        return []
    found = []
    for name in names:
        if not os.path.isfile(os.path.join(data_home, name)):
            continue
        if name == full_name:
            found.append((full_rows, name, True))
            continue
        match = re.fullmatch(sample_pattern, name)
        if match and int(match.group(1)) > 0:
            found.append((int(match.group(1)), name, False))
    found.sort(key=lambda item: (item[0], item[2], item[1]))
    return found


def _describe_cached(data_home, found, what):
    """Say, in words, what a data folder holds for one dataset."""
    if not os.path.isdir(data_home):
        return f"the folder {data_home!r} does not exist"
    if not found:
        return f"{data_home!r} holds no {what} file"
    parts = [
        f"{name} with {rows:,} rows" + (" (the full file)" if full else "")
        for rows, name, full in found
    ]
    return f"{data_home!r} holds " + ", ".join(parts)


def _fix_hint(n_samples, best_rows):
    hints = []
    if n_samples is not None and best_rows:
        hints.append(f"ask for at most {best_rows:,} rows (n_samples={best_rows})")
    hints.append(
        f"point data_home (or the {DATA_ENV_VAR} environment variable) to a "
        "folder that holds the data"
    )
    hints.append("pass download_if_missing=True so the data can be downloaded")
    return "To fix this, " + ", or ".join(hints) + "."


def _cached_hint(data_home, found, what, n_samples, best_rows):
    """What is cached, for a message about a failed download."""
    text = _describe_cached(data_home, found, what)
    if n_samples is not None and best_rows:
        text += f"; ask for at most {best_rows:,} rows (n_samples={best_rows}) to use it"
    return text[0].upper() + text[1:] + "."


# --------------------------------------------------------------------------
# downloading


def _default_opener(url, timeout):
    request = urllib.request.Request(url, headers={"User-Agent": "sksymact"})
    return urllib.request.urlopen(request, timeout=timeout)


# The opener used when none is passed. It is looked up at call time, so tests
# can swap it for a fake network.
_urlopen = _default_opener

# Errors that mean "the transfer did not work" (as opposed to a file whose
# content is wrong, which is reported as a ValueError).
_NETWORK_ERRORS = (OSError, EOFError, zlib.error, http.client.HTTPException)


def _download_atomic(
    url, path, writer, *, opener=None, timeout=DOWNLOAD_TIMEOUT, offline_files=None
):
    """Download ``url`` into ``path`` so that ``path`` is complete or absent.

    ``opener(url, timeout=timeout)`` must return a readable binary file object
    (an HTTP response, or any stand-in). ``writer(response, out)`` reads from
    the response and writes the bytes to keep into ``out``; what it returns is
    returned. The bytes go to a hidden temporary file in the same folder,
    which is flushed, synced to disk and renamed onto ``path`` only once the
    writer has finished; on any error the temporary file is deleted.

    Network and transfer errors become an :class:`OSError` that names the URL
    and says how to work offline (``offline_files`` describes the files to
    provide; default: the name of ``path``); a ``ValueError`` raised by the
    writer (bad content) is passed on unchanged.
    """
    if opener is None:
        opener = _urlopen
    folder = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    if offline_files is None:
        offline_files = name
    logger.info("Downloading %s to %s", url, path)
    tmp_path = None
    try:
        # Connect first: when offline, nothing at all is written.
        response = opener(url, timeout=timeout)
        try:
            os.makedirs(folder, exist_ok=True)
            fd, tmp_path = tempfile.mkstemp(
                dir=folder, prefix=f".{name}.", suffix=".part"
            )
            with os.fdopen(fd, "wb") as out:
                result = writer(response, out)
                out.flush()
                os.fsync(out.fileno())
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()
        os.replace(tmp_path, path)
        tmp_path = None
    except _NETWORK_ERRORS as exc:
        raise OSError(
            f"Downloading {url} failed ({type(exc).__name__}: {exc}); no file "
            f"was kept in {folder!r}. To work offline, put {offline_files} in a "
            f"folder, point data_home or the "
            f"{DATA_ENV_VAR} environment variable to it, and pass "
            f"download_if_missing=False."
        ) from exc
    finally:
        if tmp_path is not None and os.path.exists(tmp_path):
            os.remove(tmp_path)
    return result


# --------------------------------------------------------------------------
# reading and validating comma-separated numeric files


def _open_text(path):
    """Open a plain or gzip-compressed text file (universal newlines)."""
    raw = open(path, "rb")
    if path.endswith(".gz"):
        raw = gzip.GzipFile(fileobj=raw, mode="rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)


def _diagnose(lines, *, name, n_columns, first_line):
    """Raise a ValueError pointing at the first malformed line."""
    for offset, line in enumerate(lines):
        lineno = first_line + offset
        text = line.rstrip("\r\n")
        if not text.strip():
            raise ValueError(f"{name}: line {lineno} is empty.")
        fields = text.split(",")
        if len(fields) != n_columns:
            raise ValueError(
                f"{name}: expected {n_columns} comma-separated columns, "
                f"line {lineno} has {len(fields)}."
            )
        for col, field in enumerate(fields, start=1):
            try:
                value = float(field)
            except ValueError:
                raise ValueError(
                    f"{name}: line {lineno}, column {col} is not a number: "
                    f"{field.strip()[:40]!r}."
                ) from None
            if not np.isfinite(value):
                raise ValueError(
                    f"{name}: line {lineno}, column {col} is not a finite "
                    f"number: {field.strip()[:40]!r}."
                )


def _parse_block(lines, *, name, n_columns, first_line):
    """Parse a list of text lines into a float64 array, strictly."""
    try:
        block = np.loadtxt(
            lines, delimiter=",", dtype=np.float64, comments=None, ndmin=2
        )
    except ValueError:
        _diagnose(lines, name=name, n_columns=n_columns, first_line=first_line)
        raise  # pragma: no cover - the diagnosis always finds the line
    if (
        block.shape != (len(lines), n_columns)
        or not np.isfinite(block).all()
    ):
        _diagnose(lines, name=name, n_columns=n_columns, first_line=first_line)
        raise ValueError(f"{name}: could not parse lines {first_line} onwards.")
    return block


def _read_lines(stream, n_rows, *, name, n_columns):
    """Parse up to ``n_rows`` lines (all when None) from a text stream.

    Only the lines needed are read, so a large compressed file is not
    decompressed past them. Returns a float64 array of shape
    ``(rows_read, n_columns)``.
    """
    blocks = []
    n_read = 0
    while n_rows is None or n_read < n_rows:
        want = _BLOCK_ROWS if n_rows is None else min(_BLOCK_ROWS, n_rows - n_read)
        lines = list(itertools.islice(stream, want))
        if not lines:
            break
        blocks.append(
            _parse_block(lines, name=name, n_columns=n_columns, first_line=n_read + 1)
        )
        n_read += len(lines)
        if len(lines) < want:
            break
    if not blocks:
        return np.empty((0, n_columns), dtype=np.float64)
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def _read_numeric_file(path, n_rows, *, n_columns):
    """Read the first ``n_rows`` rows (all when None) of a data file.

    Raises ValueError for malformed content and OSError when the compressed
    stream is corrupt or cut short; both name the file.
    """
    name = os.path.basename(path)
    try:
        with _open_text(path) as stream:
            return _read_lines(stream, n_rows, name=name, n_columns=n_columns)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise OSError(
            f"{name}: the compressed file is truncated or corrupt "
            f"({type(exc).__name__}: {exc}). Delete it and download it again, "
            f"or replace it with a good copy."
        ) from exc


def _check_labels(labels, allowed, *, name, label_column):
    """Check that every label is one of ``allowed``; return them as int64."""
    bad = ~np.isin(labels, np.asarray(allowed, dtype=np.float64))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        allowed_txt = ", ".join(str(a) for a in allowed)
        raise ValueError(
            f"{name}: line {row + 1} has label {float(labels[row]):g} in column "
            f"{label_column}; expected one of {allowed_txt}."
        )
    return labels.astype(np.int64)


def _check_row_count(n_read, expected, *, name, why):
    if n_read != expected:
        raise ValueError(
            f"{name}: expected {expected:,} rows ({why}), but the file has "
            f"{'only ' if n_read < expected else ''}{n_read:,}."
        )


# --------------------------------------------------------------------------
# results


def _finish(
    X,
    y,
    *,
    feature_names,
    target_names,
    target_column,
    descr,
    return_X_y,
    as_frame,
    **extra,
):
    """Package arrays the way scikit-learn's loaders do."""
    frame = None
    if as_frame:
        import pandas as pd

        data_frame = pd.DataFrame(X, columns=list(feature_names), copy=False)
        frame = data_frame.assign(**{target_column: y})
        X = frame[list(feature_names)]
        y = frame[target_column]
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=list(feature_names),
        target_names=list(target_names),
        DESCR=descr,
        **extra,
    )
