"""Any data set of the Penn Machine Learning Benchmarks (PMLB), by name.

PMLB keeps each data set as one gzip-compressed, tab-separated file
``<name>/<name>.tsv.gz``: a header line of column names, numeric values, the
label or target last, in a column named ``target``. :func:`fetch_pmlb` reads
that file from the data home, in PMLB's cache layout
(``<data_home>/pmlb/<name>/<name>.tsv.gz``) or in the layout the ``pmlb``
package writes (``<data_home>/<name>/<name>.tsv.gz``), or else downloads it
from PMLB's repository, through the same policy and messages as the UCI
loaders (``_base``, ``_download``).

PMLB publishes a task for each data set but no file says it, and the loader
must work for names it has never seen, so the task and the kind of each
feature are decided here, by the rules that :func:`fetch_pmlb` documents.
"""

import dataclasses
import gzip
import io
import os
import re
import urllib.error
import zlib

import numpy as np
from sklearn.utils._param_validation import validate_params

from . import _base
from ._base import FETCH_PARAMETERS, _finish, get_data_home, load_descr
from ._csv_parser import _open_text, _read_lines, _text_stream
from ._download import _NETWORK_ERRORS, _Tee, _download_atomic

#: Where PMLB's own package downloads from (``GITHUB_URL`` in ``pmlb/pmlb.py``);
#: a data set is ``{PMLB_URL}/<name>/<name>.tsv.gz``. The files are in Git LFS,
#: which this address redirects to.
PMLB_URL = "https://github.com/EpistasisLab/pmlb/raw/master/datasets"

#: Sub-folder of the data home that holds PMLB's cache layout.
PMLB_SUBDIR = "pmlb"

#: The name of the label (classification) or target (regression) column.
TARGET_COLUMN = "target"

# A name becomes a folder, a file name and part of a URL, so only what PMLB's
# names use is accepted: letters, digits, "_", "-", and also "." and "+"
# ("GAMETES_Epistasis_2_Way_20atts_0.1H_EDM_1_1", "parity5+5"). The first
# character may not be "." or "-", so "." and ".." (and options) are refused;
# no character separates folders.
_NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")

# -- task ----------------------------------------------------------------------
#
# PMLB decides the task per data set (the "task" of its metadata, listed in
# ``pmlb/all_summary_stats.tsv`` and exported as ``classification_dataset_names``
# and ``regression_dataset_names``). Its regression sets come in named
# families: OpenML's numbered sets ("537_houses", also under "_deprecated_"),
# the Feynman, first-principles and Strogatz equations, Nikuradse. These
# patterns and the three names below cover every regression name of PMLB's
# lists (checked against the lists of August 2020 and of February 2025), and no
# classification name matches them.
_REGRESSION_NAME = re.compile(
    r"(_deprecated_)?\d+_.*|(feynman|first_principles|strogatz|nikuradse)_.*"
)
_REGRESSION_NAMES = frozenset({"auto_insurance_losses", "auto_insurance_price", "solar_flare"})

# For any other name the values decide: classification when every target
# value is a whole number and there are few distinct ones, at most
# _MAX_CLASSES and at most one per _ROWS_PER_CLASS rows (two always qualify).
# Every classification set of PMLB passes (the most classes: letter, 26; the
# fewest rows per class: confidence, 72 rows for 6).
_MAX_CLASSES = 100
_ROWS_PER_CLASS = 10

# -- feature kinds -------------------------------------------------------------
#
# A feature with exactly two distinct values is binary; one whose values are
# all whole numbers, with at most _MAX_CATEGORIES distinct ones, categorical
# (PMLB stores categories as integer codes); any other continuous.
_MAX_CATEGORIES = 10

FEATURE_KINDS = ("continuous", "binary", "categorical")

@dataclasses.dataclass(frozen=True)
class _PMLBFiles:
    """What the messages of the loading policy in ``_base`` say about a data set.

    ``_base._not_found``, ``_download_failed`` and ``_cached_hint`` only use
    ``name``, ``sample_file``, ``files_text()`` and ``offline_text()``; a PMLB
    data set has no known size or columns before it is read, so it is not a
    ``_base._DataFiles``.
    """

    dataset: str
    sample_file = None

    @property
    def name(self):
        return f"PMLB {self.dataset}"

    def relative_paths(self):
        """The file in PMLB's cache layout, then in the pmlb package's layout."""
        file_name = self.dataset + ".tsv.gz"
        return (
            os.path.join(PMLB_SUBDIR, self.dataset, file_name),
            os.path.join(self.dataset, file_name),
        )

    def files_text(self):
        return " or ".join(self.relative_paths())

    def offline_text(self):
        pmlb_layout, package_layout = self.relative_paths()
        return f"{pmlb_layout} (or {package_layout}, as the pmlb package caches it)"

    @property
    def url(self):
        return f"{PMLB_URL}/{self.dataset}/{self.dataset}.tsv.gz"


def _check_name(name):
    if not _NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"name={name!r} is not a PMLB data set name: PMLB names are made of "
            "letters, digits and '_', '-', '.', '+', and do not start with '.' or "
            "'-' (for example 'adult' or '537_houses'). The name becomes a folder, "
            "a file name and part of the download address, so nothing else is "
            "accepted. PMLB lists its names at https://epistasislab.github.io/pmlb/ "
            "and in pmlb.dataset_names."
        )


# --------------------------------------------------------------------------
# reading PMLB's files


def _unique_names(names):
    # pandas (and so pmlb.fetch_data) reads a repeated column name as
    # "name.1", "name.2"; the same here, so the names can label a DataFrame.
    # "target" is taken by the last column: a feature of that name is renamed.
    seen = {TARGET_COLUMN: 1}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name}.{count}")
    return unique


def _parse_header(line, *, source):
    """Feature names of a header line; checks that the last one is ``target``."""
    if not line:
        raise ValueError(
            f"{source}: the file is empty; a PMLB file starts with a header line of "
            "column names. Delete it so that it can be downloaded again, or replace "
            "it with a good copy."
        )
    names = line.rstrip("\r\n").lstrip("\ufeff").split("\t")
    if names[-1].strip() != TARGET_COLUMN:
        where = (
            f"; 'target' is column {names.index(TARGET_COLUMN) + 1} of {len(names)}"
            if TARGET_COLUMN in names
            else ""
        )
        raise ValueError(
            f"{source}: the last column of the header is {names[-1][:40]!r}, not "
            f"'target'{where}. A PMLB file has the label or target last, in a "
            "column named 'target'; is this a PMLB file? Delete it so that it can "
            "be downloaded again, or fix its header."
        )
    if len(names) < 2:
        raise ValueError(f"{source}: the file has a 'target' column but no feature column.")
    return _unique_names(names[:-1])


def _parse_stream(stream, *, source):
    """``(X, y, feature_names)`` of a PMLB file, from a text stream."""
    feature_names = _parse_header(stream.readline(), source=source)
    # The project's strict reader of delimited numbers, with tabs; the header is line 1.
    Xy = _read_lines(stream, None, name=source, n_columns=len(feature_names) + 1,
                     delimiter="\t", first_line=2)
    if not len(Xy):
        raise ValueError(f"{source}: the file has a header but no rows.")
    return np.ascontiguousarray(Xy[:, :-1]), Xy[:, -1].copy(), feature_names


def _read_file(path):
    source = os.path.basename(path)
    try:
        with _open_text(path) as stream:
            return _parse_stream(stream, source=source)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise OSError(
            f"{path}: the compressed file is truncated or corrupt "
            f"({type(exc).__name__}: {exc}). Delete it and download it again, or "
            f"replace it with a good copy."
        ) from exc


def _download_writer(url):
    """Writer for ``_download_atomic``: keeps PMLB's bytes, parses them on the way.

    The file is kept exactly as PMLB serves it (so its checksum is PMLB's),
    and only once it has parsed: a file with bad content is never cached.
    """

    def writer(response, out):
        raw = io.BufferedReader(_Tee(response, out))
        parsed = _parse_stream(_text_stream(raw, gz=True), source=url)
        # Whatever follows the last line (the gzip trailer) belongs to the file.
        while raw.read(1 << 20):
            pass
        return parsed

    return writer


def _load_or_download(files, data_home, download_if_missing):
    """``(X, y, feature_names, path)``: the cached file, or a download into the cache.

    The data home's PMLB layout is tried first, then the pmlb package's; a
    download goes to the first.
    """
    home = get_data_home(data_home)
    paths = [os.path.join(home, relative) for relative in files.relative_paths()]
    for path in paths:
        if os.path.isfile(path):
            return (*_read_file(path), path)
    if not download_if_missing:
        error = _base._not_found(files, home, [], None)
        raise OSError(
            f"{error} PMLB's file is {files.url}; the pmlb package's "
            f"fetch_data({files.dataset!r}, local_cache_dir=<data_home>) also writes "
            f"it where it is looked for."
        )
    path = paths[0]
    try:
        X, y, feature_names = _download_atomic(
            files.url,
            path,
            _download_writer(files.url),
            opener=_base._urlopen,
            timeout=_base.DOWNLOAD_TIMEOUT,
        )
    except _NETWORK_ERRORS as exc:
        folder = os.path.dirname(os.path.abspath(path))
        message = _base._download_failed(files.url, exc, files, kept_nothing_in=folder)
        if isinstance(exc, urllib.error.HTTPError) and exc.code == 404:
            message += (
                f" PMLB has no file at that address: is {files.dataset!r} one of "
                "its names (https://epistasislab.github.io/pmlb/, pmlb.dataset_names)?"
            )
        raise OSError(f"{message} {_base._cached_hint(files, home, [], None)}") from exc
    return X, y, feature_names, path


# --------------------------------------------------------------------------
# what the values say


def _integer_valued(values, axis=None):
    return np.all(values == np.floor(values), axis=axis)


def _n_distinct(X):
    """Number of distinct values in each column of a 2-D array."""
    ordered = np.sort(X, axis=0)
    return 1 + np.count_nonzero(np.diff(ordered, axis=0), axis=0)


def _feature_kinds(X):
    """``"binary"``, ``"categorical"`` or ``"continuous"`` for each column of X."""
    n_distinct = _n_distinct(X)
    integer = _integer_valued(X, axis=0)
    return [
        "binary" if n == 2 else "categorical" if whole and n <= _MAX_CATEGORIES
        else "continuous"
        for n, whole in zip(n_distinct.tolist(), integer.tolist())
    ]


def _task(name, y):
    """``(task, reason)``: ``"classification"`` or ``"regression"``, and why."""
    if name in _REGRESSION_NAMES or _REGRESSION_NAME.fullmatch(name):
        return "regression", "a regression set by PMLB's naming"
    if not _integer_valued(y):
        return "regression", "target values that are not all whole numbers"
    n_classes = np.unique(y).size
    if n_classes <= max(2, min(_MAX_CLASSES, y.size // _ROWS_PER_CLASS)):
        return "classification", f"whole-number target with {n_classes} distinct values"
    return "regression", f"whole-number target with {n_classes:,} distinct values"


def _describe(name, *, task, reason, n_rows, feature_kinds, target_names):
    counts = ", ".join(f"{feature_kinds.count(kind)} {kind}" for kind in FEATURE_KINDS)
    title = f"PMLB data set ``{name}``"
    rows = [
        ("Task", f"{task} ({reason})"),
        ("Classes", str(len(target_names)) if task == "classification" else "-"),
        ("Samples total", f"{n_rows:,}"),
        ("Dimensionality", str(len(feature_kinds))),
        ("Features", counts),
    ]
    table = "\n".join(f"{key:<17}   {value}" for key, value in rows)
    rule = "=================   " + "=" * max(len(value) for _, value in rows)
    return (
        f"{title}\n{'-' * len(title)}\n\n**Data Set Characteristics:**\n\n"
        f"{rule}\n{table}\n{rule}\n\n"
        "Source, license and the meaning of each column: PMLB's\n"
        f"``datasets/{name}/metadata.yaml``,\n"
        f"https://github.com/EpistasisLab/pmlb/tree/master/datasets/{name}\n\n"
        + load_descr("pmlb.rst")
    )


@validate_params(
    {
        "name": [str],
        **{key: value for key, value in FETCH_PARAMETERS.items() if key != "n_samples"},
    },
    prefer_skip_nested_validation=True,
)
def fetch_pmlb(
    name,
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
):
    """Load a data set of the Penn Machine Learning Benchmarks (PMLB) by name.

    PMLB collects several hundred classification and regression data sets,
    each stored as one gzip-compressed, tab-separated file: a header line of
    column names, numeric values (categories as integer codes), the label or
    target last, in a column named ``target``. Any of them can be loaded by
    its name (``"adult"``, ``"letter"``, ``"537_houses"``).

    The file is read from the data home (see :func:`get_data_home`), in
    PMLB's cache layout ``<data_home>/pmlb/<name>/<name>.tsv.gz``, or else in
    the layout that ``pmlb.fetch_data(name, local_cache_dir=<data_home>)``
    writes, ``<data_home>/<name>/<name>.tsv.gz``. If it is in neither and
    ``download_if_missing`` is True, it is downloaded from PMLB's repository
    into the first, unchanged, and kept only once it has been read whole.

    The task is PMLB's for the names of its regression families (a number
    and an underscore, ``"537_houses"``; ``feynman_``, ``first_principles_``,
    ``strogatz_``, ``nikuradse_``; and ``auto_insurance_losses``,
    ``auto_insurance_price``, ``solar_flare``): regression. For any other
    name it is classification when every target value is a whole number and
    the number ``k`` of distinct values is small, ``k <= max(2, min(100,
    n_samples // 10))`` (at most 100 classes, at least 10 rows per class on
    average); else regression. Every classification set of PMLB passes.

    Each feature's kind is decided from its values: ``"binary"`` if it takes
    exactly 2 distinct values; else ``"categorical"`` if all its values are
    whole numbers and there are at most 10 distinct ones; else
    ``"continuous"``. PMLB's own counts, which its metadata and summary
    statistics give, follow other rules that have changed over time (from
    how a column is written, ``1`` or ``1.0``, and from the values), so they
    can differ.

    Parameters
    ----------
    name : str
        The PMLB name of the data set, for example ``"adult"``. Letters,
        digits and ``_``, ``-``, ``.``, ``+`` only, not starting with ``.``
        or ``-``: the name is a folder, a file name and part of a URL.

    data_home : str or path-like, default=None
        Folder to read from and cache into. None means
        :func:`get_data_home`.

    download_if_missing : bool, default=True
        If False, raise an OSError when the file is not in the data home,
        instead of downloading it.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with the feature names as
        columns, ``target`` a Series named ``"target"``, and ``frame`` a
        DataFrame holding both. Needs pandas.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, n_features), dtype float64
            The features, in the order of the file.
        target : ndarray of shape (n_samples,)
            Classification: the labels encoded as 0 to k-1 (int64), in the
            order of ``target_names``. Regression: the target (float64).
        frame : DataFrame of shape (n_samples, n_features + 1) or None
            Only when ``as_frame=True``: data and target together.
        feature_names : list of str
            The column names of the file's header (a repeated name gets a
            suffix ``.1``, ``.2``, as pandas gives it).
        target_names : list
            Classification: the original label values, as ints, sorted;
            ``target == i`` is the label ``target_names[i]``. Regression:
            ``["target"]``.
        task : str
            ``"classification"`` or ``"regression"``.
        feature_kinds : list of str
            For each feature, ``"continuous"``, ``"binary"`` or
            ``"categorical"``.
        DESCR : str
            The data set's name, size, task and feature kinds, and a
            description of PMLB with its citation.
        filename : str
            Path of the file read.

    (data, target) : tuple if ``return_X_y`` is True
        The ``data`` and ``target`` described above (a DataFrame and a
        Series when ``as_frame=True``).

    Raises
    ------
    OSError
        If the file is absent and ``download_if_missing`` is False, if the
        download fails, or if the file is not gzip or is cut short.
    ValueError
        If ``name`` is not a possible PMLB name, or the file's last column
        is not named ``target``, a line has the wrong number of columns, or a
        value is not a finite number (a downloaded file that fails these
        checks is not kept).
    TypeError
        If a parameter has the wrong type.

    See Also
    --------
    fetch_spambase : A UCI data set that PMLB holds too (``"spambase"``).

    References
    ----------
    .. [1] Romano, J. D., Le, T. T., La Cava, W., et al. (2021). PMLB v1.0:
       an open-source dataset collection for benchmarking machine learning
       methods. Bioinformatics, 38(3), 878-880.
    .. [2] Olson, R. S., La Cava, W., Orzechowski, P., Urbanowicz, R. J.,
       Moore, J. H. (2017). PMLB: a large benchmark suite for machine
       learning evaluation and comparison. BioData Mining, 10, 36.

    Examples
    --------
    A file in PMLB's layout, written here so that the example needs no
    network:

    >>> import gzip, os, tempfile
    >>> from sksymact.datasets import fetch_pmlb
    >>> home = tempfile.mkdtemp()
    >>> os.makedirs(os.path.join(home, "pmlb", "toy"))
    >>> with gzip.open(os.path.join(home, "pmlb", "toy", "toy.tsv.gz"), "wt") as f:
    ...     _ = f.write("size\\tflag\\ttarget\\n0.5\\t1\\t2.0\\n1.5\\t0\\t1.0\\n"
    ...                 "2.5\\t1\\t2.0\\n")
    >>> toy = fetch_pmlb("toy", data_home=home, download_if_missing=False)
    >>> toy.data.shape, toy.task, toy.feature_kinds
    ((3, 2), 'classification', ['continuous', 'binary'])
    >>> toy.target, toy.target_names
    (array([1, 0, 1]), [1, 2])

    A data set of PMLB, downloaded the first time:

    >>> adult = fetch_pmlb("adult")  # doctest: +SKIP
    >>> adult.data.shape, adult.task, adult.target_names  # doctest: +SKIP
    ((48842, 14), 'classification', [0, 1])
    """
    _check_name(name)
    files = _PMLBFiles(name)
    X, y, feature_names, path = _load_or_download(files, data_home, download_if_missing)
    task, reason = _task(name, y)
    if task == "classification":
        classes, y = np.unique(y, return_inverse=True)
        y = y.astype(np.int64, copy=False)
        target_names = [int(value) for value in classes]
    else:
        target_names = [TARGET_COLUMN]
    feature_kinds = _feature_kinds(X)
    descr = _describe(
        name,
        task=task,
        reason=reason,
        n_rows=X.shape[0],
        feature_kinds=feature_kinds,
        target_names=target_names,
    )
    return _finish(
        X,
        y,
        feature_names=feature_names,
        target_names=target_names,
        target_column=TARGET_COLUMN,
        descr=descr,
        return_X_y=return_X_y,
        as_frame=as_frame,
        task=task,
        feature_kinds=feature_kinds,
        filename=path,
    )
