"""Shared machinery of the dataset loaders: the data home, the descriptions,
and the one policy by which every UCI loader finds its rows in the data home
or downloads them, with all of that policy's messages."""

import dataclasses
import os
import re
import urllib.request
from importlib import resources
from numbers import Integral

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    validate_params,
)

from ._csv_parser import _check_labels, _check_row_count, _read_numeric_file
from ._download import _NETWORK_ERRORS, _download_atomic, _download_writer

#: Name of the environment variable that points to a data folder.
DATA_ENV_VAR = "SKSYMACT_DATA"

#: Seconds to wait for the server before a download is given up.
DOWNLOAD_TIMEOUT = 60.0

#: The parameters every fetcher shares, for ``@validate_params``.
FETCH_PARAMETERS = {
    "data_home": [str, os.PathLike, None],
    "download_if_missing": ["boolean"],
    "return_X_y": ["boolean"],
    "as_frame": ["boolean"],
    "n_samples": [Interval(Integral, 1, None, closed="left"), None],
}


def _default_opener(url, timeout):
    request = urllib.request.Request(url, headers={"User-Agent": "sksymact"})
    return urllib.request.urlopen(request, timeout=timeout)


# The opener of every download. It is looked up at call time, so tests can
# swap it for a fake network.
_urlopen = _default_opener


@validate_params(
    {"data_home": [str, os.PathLike, None]}, prefer_skip_nested_validation=True
)
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


def load_descr(descr_file_name):
    """Return the text of ``descr/<descr_file_name>``, shipped with the package.

    Parameters
    ----------
    descr_file_name : str
        Name of the reStructuredText file, for example ``"higgs.rst"``.

    Returns
    -------
    descr : str
        Content of the file.
    """
    path = resources.files(__package__) / "descr" / descr_file_name
    return path.read_text(encoding="utf-8")


@dataclasses.dataclass(frozen=True)
class _DataFiles:
    """The files of one UCI dataset, as the loading policy needs them.

    ``sample_file`` is a pattern such as ``"HIGGS-{rows}.csv.gz"`` naming a
    file of the leading rows of the full file, or None when only the full
    file is used. With ``leading_rows`` (HIGGS), ``n_samples`` means the
    first rows, so the smallest file holding them is read, only as far as
    needed, and a download keeps just those rows; otherwise rows are drawn
    from all those available, so the largest file is read whole.
    """

    name: str
    full_file: str
    n_rows: int
    n_columns: int
    label_column: int
    labels: tuple
    url: str | None = None
    sample_file: str | None = None
    leading_rows: bool = False

    def sample_name(self, rows):
        return self.sample_file.format(rows=rows)

    def files_text(self):
        if self.sample_file is None:
            return self.full_file
        return f"{self.full_file} or {self.sample_name('<rows>')}"

    def offline_text(self):
        if self.sample_file is None:
            return self.full_file
        return f"{self.full_file}, or a file {self.sample_name('<rows>')} of its first rows,"

    def split(self, Xy, name):
        """Features and checked labels of parsed rows; ``name`` for errors."""
        col = self.label_column % self.n_columns
        y = _check_labels(Xy[:, col], self.labels, name=name, label_column=col + 1)
        return np.ascontiguousarray(np.delete(Xy, col, axis=1)), y


# --------------------------------------------------------------------------
# arguments that validate_params cannot check


def _check_not_bool(**params):
    # bool subclasses int, so validate_params takes True for the number 1; a
    # count or a fraction given as a bool is a mistake, not a request.
    for name, value in params.items():
        if isinstance(value, bool):
            raise InvalidParameterError(
                f"The {name!r} parameter must be a number, not a bool. "
                f"Got {value!r} instead."
            )


def _check_n_samples(spec, n_samples):
    """The bound of ``n_samples`` that the dataset sets; an int or None."""
    _check_not_bool(n_samples=n_samples)
    if n_samples is None:
        return None
    n_samples = int(n_samples)
    if n_samples > spec.n_rows:
        raise ValueError(
            f"n_samples={n_samples:,} is more than the {spec.n_rows:,} rows that "
            f"the whole {spec.name} dataset has."
        )
    return n_samples


# --------------------------------------------------------------------------
# cached files and what to say about them
#
# _describe_cached, _not_found, _download_failed and _cached_hint also word
# fetch_pmlb's messages; its data sets are not known in advance, so it passes
# a spec of its own (_pmlb._PMLBFiles), and they must use only spec.name,
# spec.sample_file, spec.files_text() and spec.offline_text().


def _find_cached(spec, data_home):
    """``(rows, filename, is_full)`` of the dataset's files, sorted by rows.

    The rows of a sample file come from its name; those of the full file are
    the known size of the dataset.
    """
    try:
        names = os.listdir(data_home)
    except OSError:
        return []
    pattern = None
    if spec.sample_file is not None:
        head, tail = spec.sample_file.split("{rows}")
        pattern = re.escape(head) + r"(\d+)" + re.escape(tail)
    found = []
    for name in names:
        if not os.path.isfile(os.path.join(data_home, name)):
            continue
        if name == spec.full_file:
            found.append((spec.n_rows, name, True))
            continue
        match = pattern and re.fullmatch(pattern, name)
        if match and int(match.group(1)) > 0:
            found.append((int(match.group(1)), name, False))
    found.sort(key=lambda item: (item[0], item[2], item[1]))
    return found


def _describe_cached(spec, data_home, found):
    if not os.path.isdir(data_home):
        return f"the folder {data_home!r} does not exist"
    if not found:
        return f"{data_home!r} holds no {spec.name} file"
    parts = [
        f"{name} with {rows:,} rows" + (" (the full file)" if full else "")
        for rows, name, full in found
    ]
    return f"{data_home!r} holds " + ", ".join(parts)


def _smaller_request_hint(n_samples, found):
    if n_samples is None or not found:
        return None
    best = found[-1][0]
    return f"ask for at most {best:,} rows (n_samples={best})"


def _not_found(spec, data_home, found, n_samples):
    """OSError for data that is absent and may not be downloaded."""
    asked = ""
    if n_samples is not None and spec.sample_file is not None:
        asked = f" with at least {n_samples:,} rows"
    hints = [
        hint
        for hint in (
            _smaller_request_hint(n_samples, found),
            f"point data_home (or the {DATA_ENV_VAR} environment variable) to a "
            "folder that holds the data",
            "pass download_if_missing=True so the data can be downloaded",
        )
        if hint
    ]
    return OSError(
        f"Data not found and `download_if_missing` is False: looked for "
        f"{spec.files_text()}{asked} in {data_home!r}; "
        f"{_describe_cached(spec, data_home, found)}. "
        f"To fix this, {', or '.join(hints)}."
    )


def _download_failed(source, exc, spec, *, kept_nothing_in=None):
    """Text of a failed download: what failed, and how to work offline."""
    kept = "." if kept_nothing_in is None else f"; no file was kept in {kept_nothing_in!r}."
    return (
        f"Downloading {source} failed ({type(exc).__name__}: {exc}){kept} To work "
        f"offline, put {spec.offline_text()} in a folder, point data_home or the "
        f"{DATA_ENV_VAR} environment variable to it, and pass "
        f"download_if_missing=False."
    )


def _cached_hint(spec, data_home, found, n_samples):
    """What is cached, appended to the message of a failed download."""
    text = _describe_cached(spec, data_home, found)
    hint = _smaller_request_hint(n_samples, found)
    if hint:
        text += f"; {hint} to use it"
    return text[0].upper() + text[1:] + "."


# --------------------------------------------------------------------------
# the policy


def _load_or_download(
    spec, data_home, n_samples, download_if_missing, *, download=None, download_source=None
):
    """Rows of a dataset from the data home, downloaded first if need be.

    A cached file is used when it holds enough rows (see :class:`_DataFiles`);
    else, if ``download_if_missing``, the rows are downloaded from
    ``spec.url`` into the data home, or fetched by ``download()`` for a
    dataset that another loader downloads (``download_source`` says which,
    for messages); else an OSError says what was looked for and what was
    found.

    Returns ``(X, y, path)``: float64 features, int64 checked labels, and the
    path read; what ``download()`` returns is passed on as it is.
    """
    n_samples = _check_n_samples(spec, n_samples)
    home = get_data_home(data_home)
    found = _find_cached(spec, home)
    usable = found[-1:] if n_samples is None else [f for f in found if f[0] >= n_samples]
    if usable:
        rows, name, is_full = usable[0] if spec.leading_rows else usable[-1]
        path = os.path.join(home, name)
        n_read = n_samples if spec.leading_rows else None
        Xy = _read_numeric_file(path, n_read, n_columns=spec.n_columns)
        if Xy.shape[0] != (rows if n_read is None else n_read):
            why = "the size of the UCI file" if is_full else "from its name"
            _check_row_count(Xy.shape[0], rows, name=name, why=why)
        return (*spec.split(Xy, name), path)
    if not download_if_missing:
        raise _not_found(spec, home, found, n_samples)

    context = _cached_hint(spec, home, found, n_samples)
    if download is not None:
        try:
            return download()
        except Exception as exc:
            message = _download_failed(download_source, exc, spec)
            raise OSError(f"{message} {context}") from exc
    head = n_samples if spec.leading_rows and spec.sample_file else None
    path = os.path.join(home, spec.full_file if head is None else spec.sample_name(head))
    try:
        X, y = _download_atomic(
            spec.url, path, _download_writer(spec, head), opener=_urlopen,
            timeout=DOWNLOAD_TIMEOUT,
        )
    except _NETWORK_ERRORS as exc:
        folder = os.path.dirname(os.path.abspath(path))
        message = _download_failed(spec.url, exc, spec, kept_nothing_in=folder)
        raise OSError(f"{message} {context}") from exc
    return X, y, path


# --------------------------------------------------------------------------
# results


def _subsample(X, y, n_samples, random_state, *, name):
    """Rows drawn at random without replacement, kept in file order."""
    if n_samples is None:
        return X, y
    if n_samples > X.shape[0]:
        raise ValueError(f"{name}: asked for {n_samples:,} rows but it holds {X.shape[0]:,}.")
    rng = check_random_state(random_state)
    idx = np.sort(rng.choice(X.shape[0], size=n_samples, replace=False))
    return X[idx], y[idx]


def _finish(
    X, y, *, feature_names, target_names, target_column, descr, return_X_y, as_frame, **extra
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
