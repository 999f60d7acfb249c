"""Strict reading of delimited numeric files: UCI's (commas) and PMLB's (tabs).

Every value must be a finite number and every line must have the same number
of columns; the first line that breaks a rule is named in the error, so a
damaged copy is found at once instead of surfacing as odd results later.
"""

import gzip
import io
import itertools
import os
import zlib

import numpy as np

# Lines are parsed in blocks of this many rows, so memory stays bounded while a
# large file is streamed.
_BLOCK_ROWS = 100_000


def _text_stream(binary, *, gz):
    """Decode a binary stream (gzip-compressed when ``gz``) as text lines."""
    if gz:
        binary = gzip.GzipFile(fileobj=binary, mode="rb")
    # Universal newlines: Spambase ends its lines in CRLF, the others in LF.
    return io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline=None)


def _open_text(path):
    """Open a plain or gzip-compressed text file."""
    if path.endswith(".gz"):
        # gzip.open owns the file, so closing the text stream closes it too.
        return _text_stream(gzip.open(path, "rb"), gz=False)
    return _text_stream(open(path, "rb"), gz=False)


_SEPARATORS = {",": "comma", "\t": "tab"}


def _diagnose(lines, *, name, n_columns, first_line, delimiter=","):
    """Raise a ValueError pointing at the first malformed line."""
    for offset, line in enumerate(lines):
        lineno = first_line + offset
        text = line.rstrip("\r\n")
        if not text.strip():
            raise ValueError(f"{name}: line {lineno} is empty.")
        fields = text.split(delimiter)
        if len(fields) != n_columns:
            raise ValueError(
                f"{name}: expected {n_columns} {_SEPARATORS[delimiter]}-separated columns, "
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


def _parse_block(lines, *, name, n_columns, first_line, delimiter=","):
    """Parse a list of text lines into a float64 array, strictly."""
    # np.loadtxt is fast but its errors do not say where (and it skips empty
    # lines); the slow diagnosis runs only once something is known to be wrong.
    diagnose = dict(name=name, n_columns=n_columns, first_line=first_line,
                    delimiter=delimiter)
    try:
        block = np.loadtxt(
            lines, delimiter=delimiter, dtype=np.float64, comments=None, ndmin=2
        )
    except ValueError:
        _diagnose(lines, **diagnose)
        raise  # pragma: no cover - the diagnosis always finds the line
    if block.shape != (len(lines), n_columns) or not np.isfinite(block).all():
        _diagnose(lines, **diagnose)
        raise ValueError(f"{name}: could not parse lines {first_line} onwards.")
    return block


def _read_lines(stream, n_rows, *, name, n_columns, on_block=None, delimiter=",",
                first_line=1):
    """Parse up to ``n_rows`` lines (all when None) from a text stream.

    Only the lines needed are read, so a large compressed file is not
    decompressed past them. ``on_block(lines)``, when given, is called with
    the text of each block once it has parsed. Returns a float64 array of
    shape ``(rows_read, n_columns)``.  ``first_line`` is the file's line number
    of the stream's first line (2 after a header), for the messages.
    """
    blocks = []
    n_read = 0
    while n_rows is None or n_read < n_rows:
        want = _BLOCK_ROWS if n_rows is None else min(_BLOCK_ROWS, n_rows - n_read)
        lines = list(itertools.islice(stream, want))
        if not lines:
            break
        blocks.append(_parse_block(lines, name=name, n_columns=n_columns,
                                   first_line=first_line + n_read, delimiter=delimiter))
        if on_block is not None:
            on_block(lines)
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
    """Refuse a file whose number of rows is not the one it should have."""
    if n_read != expected:
        raise ValueError(
            f"{name}: expected {expected:,} rows ({why}), but the file has "
            f"{'only ' if n_read < expected else ''}{n_read:,}."
        )
