"""Loaders of the three UCI benchmark datasets of the paper "Neuro-Symbolic
Activation Discovery": HIGGS, Covertype (binarized) and Spambase."""

import gzip
import io
import itertools
import os

import numpy as np
from sklearn.utils import check_random_state

from . import _base
from ._base import (
    _check_bool,
    _check_labels,
    _check_n_samples,
    _cached_hint,
    _check_row_count,
    _describe_cached,
    _download_atomic,
    _find_cached,
    _finish,
    _fix_hint,
    _parse_block,
    _read_lines,
    _read_numeric_file,
    get_data_home,
)
from ._descr import COVERTYPE_DESCR, HIGGS_DESCR, SPAMBASE_DESCR

# --------------------------------------------------------------------------
# HIGGS

HIGGS_URL = (
    "https://archive.ics.uci.edu/ml/machine-learning-databases/00280/HIGGS.csv.gz"
)
HIGGS_FILENAME = "HIGGS.csv.gz"
HIGGS_SAMPLE_PATTERN = r"HIGGS-(\d+)\.csv\.gz"
HIGGS_N_ROWS = 11_000_000

HIGGS_FEATURE_NAMES = [
    "lepton_pT",
    "lepton_eta",
    "lepton_phi",
    "missing_energy_magnitude",
    "missing_energy_phi",
]
for _jet in range(1, 5):
    HIGGS_FEATURE_NAMES += [
        f"jet{_jet}_pt",
        f"jet{_jet}_eta",
        f"jet{_jet}_phi",
        f"jet{_jet}_b-tag",
    ]
HIGGS_FEATURE_NAMES += ["m_jj", "m_jjj", "m_lv", "m_jlv", "m_bb", "m_wbb", "m_wwbb"]
del _jet
HIGGS_TARGET_NAMES = ["background", "signal"]

# --------------------------------------------------------------------------
# Covertype

COVTYPE_FILENAME = "covtype.data.gz"
COVTYPE_SAMPLE_PATTERN = r"covtype-(\d+)\.data\.gz"
COVTYPE_N_ROWS = 581_012
# Sub-folder of the data home that scikit-learn's own covtype cache goes to.
COVTYPE_SKLEARN_SUBDIR = "scikit_learn_data"

COVTYPE_FEATURE_NAMES = [
    "Elevation",
    "Aspect",
    "Slope",
    "Horizontal_Distance_To_Hydrology",
    "Vertical_Distance_To_Hydrology",
    "Horizontal_Distance_To_Roadways",
    "Hillshade_9am",
    "Hillshade_Noon",
    "Hillshade_3pm",
    "Horizontal_Distance_To_Fire_Points",
]
COVTYPE_FEATURE_NAMES += [f"Wilderness_Area_{i}" for i in range(4)]
COVTYPE_FEATURE_NAMES += [f"Soil_Type_{i}" for i in range(40)]
COVTYPE_CLASS_NAMES = [
    "Spruce/Fir",
    "Lodgepole Pine",
    "Ponderosa Pine",
    "Cottonwood/Willow",
    "Aspen",
    "Douglas-fir",
    "Krummholz",
]
COVTYPE_BINARY_TARGET_NAMES = ["other", "lodgepole_pine"]

# --------------------------------------------------------------------------
# Spambase

SPAMBASE_URL = (
    "https://archive.ics.uci.edu/ml/machine-learning-databases/spambase/spambase.data"
)
SPAMBASE_FILENAME = "spambase.data"
SPAMBASE_N_ROWS = 4_601

_SPAM_WORDS = [
    "make", "address", "all", "3d", "our", "over", "remove", "internet",
    "order", "mail", "receive", "will", "people", "report", "addresses",
    "free", "business", "email", "you", "credit", "your", "font", "000",
    "money", "hp", "hpl", "george", "650", "lab", "labs", "telnet", "857",
    "data", "415", "85", "technology", "1999", "parts", "pm", "direct", "cs",
    "meeting", "original", "project", "re", "edu", "table", "conference",
]  # fmt: skip
SPAMBASE_FEATURE_NAMES = (
    [f"word_freq_{w}" for w in _SPAM_WORDS]
    + [f"char_freq_{c}" for c in ";([!$#"]
    + [
        "capital_run_length_average",
        "capital_run_length_longest",
        "capital_run_length_total",
    ]
)
SPAMBASE_TARGET_NAMES = ["non-spam", "spam"]


def _subsample(X, y, n_samples, random_state):
    """Rows drawn at random without replacement, kept in file order."""
    if n_samples is None:
        return X, y
    rng = check_random_state(random_state)
    idx = np.sort(rng.choice(X.shape[0], size=n_samples, replace=False))
    return X[idx], y[idx]


def _not_found(*, looked_for, data_home, found, what, n_samples, best_rows):
    """OSError for data that is absent and may not be downloaded."""
    asked = "" if n_samples is None else f" with at least {n_samples:,} rows"
    return OSError(
        f"Data not found and `download_if_missing` is False: looked for "
        f"{looked_for}{asked} in {data_home!r}; "
        f"{_describe_cached(data_home, found, what)}. "
        f"{_fix_hint(n_samples, best_rows)}"
    )


# --------------------------------------------------------------------------
# HIGGS


def _higgs_split(Xy, name):
    y = _check_labels(Xy[:, 0], (0, 1), name=name, label_column=1)
    return np.ascontiguousarray(Xy[:, 1:]), y


def _higgs_download_head(n_samples):
    """Writer that keeps the first ``n_samples`` lines of the remote gzip."""

    def writer(response, out):
        remote = io.TextIOWrapper(
            gzip.GzipFile(fileobj=response, mode="rb"),
            encoding="utf-8",
            errors="replace",
            newline=None,
        )
        blocks = []
        n_read = 0
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
            # Block by block, so memory holds parsed rows, not text.
            while n_read < n_samples:
                want = min(_base._BLOCK_ROWS, n_samples - n_read)
                lines = list(itertools.islice(remote, want))
                if not lines:
                    break
                blocks.append(
                    _parse_block(
                        lines, name=HIGGS_URL, n_columns=29, first_line=n_read + 1
                    )
                )
                gz.write("".join(line.rstrip("\r\n") + "\n" for line in lines).encode())
                n_read += len(lines)
        if n_read < n_samples:
            raise ValueError(
                f"{HIGGS_URL}: asked for {n_samples:,} rows but the file ends "
                f"after {n_read:,}."
            )
        return _higgs_split(np.concatenate(blocks), HIGGS_URL)

    return writer


def _copy_raw(response, out):
    while True:
        chunk = response.read(1 << 20)
        if not chunk:
            return None
        out.write(chunk)


def fetch_higgs(
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
    n_samples=100_000,
    random_state=None,
):
    """Load the first rows of the UCI HIGGS dataset (binary classification).

    =================   =====================================
    Classes                                                2
    Samples total       11,000,000 (first 100,000 by default)
    Dimensionality                                        28
    Features                                            real
    =================   =====================================

    The rows are read from the data home (see :func:`get_data_home`), from
    either the full UCI file ``HIGGS.csv.gz`` or a file
    ``HIGGS-<rows>.csv.gz`` holding its first ``<rows>`` rows (for example
    ``HIGGS-5000.csv.gz``). The smallest such file with at least
    ``n_samples`` rows is used, and only the rows needed are decompressed.

    When no cached file is large enough and ``download_if_missing`` is True,
    the first ``n_samples`` rows are streamed from UCI (the 2.6 GB file is
    not downloaded in full: reading stops after the rows needed) and saved as
    ``HIGGS-<n_samples>.csv.gz``. With ``n_samples=None`` the whole file is
    downloaded as ``HIGGS.csv.gz``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder to read from and cache into. None means
        :func:`get_data_home` (the ``SKSYMACT_DATA`` environment variable,
        or a sub-folder of scikit-learn's data home).

    download_if_missing : bool, default=True
        If False, raise an OSError when the data home does not hold enough
        rows, instead of downloading them.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with the feature names as
        columns, ``target`` a Series named ``"label"``, and ``frame`` a
        DataFrame holding both.

    n_samples : int or None, default=100_000
        Number of leading rows to return, as in the paper (its first 100,000
        rows). None means every row of the largest file available. Rows are
        never subsampled at random: the result is exactly the first
        ``n_samples`` rows of ``HIGGS.csv``, in file order.

    random_state : object, default=None
        Accepted for symmetry with the other loaders and ignored: HIGGS rows
        are taken in file order.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, 28), dtype float64
            The 21 low-level then 7 high-level features. The file stores
            float32 values; they are returned exactly, as float64.
        target : ndarray of shape (n_samples,), dtype int64
            1 for signal, 0 for background.
        frame : DataFrame of shape (n_samples, 29) or None
            Only when ``as_frame=True``: data and target together.
        feature_names : list of str
            The 28 UCI feature names (``lepton_pT`` ... ``m_wwbb``).
        target_names : list of str
            ``["background", "signal"]``.
        DESCR : str
            Description of the dataset, its source, license and citation.
        filename : str
            Path of the file the rows were read from.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    OSError
        If the data home holds fewer rows than asked for and
        ``download_if_missing`` is False, if the download fails, or if the
        cached gzip file is truncated or corrupt. The message says which
        files were looked for, where, and what was found.
    ValueError
        If ``n_samples`` is larger than the dataset, or a file has the wrong
        number of columns, a non-numeric value or a label other than 0 or 1.

    See Also
    --------
    make_collider_events : Simulated collider events, with no download.

    Examples
    --------
    >>> from sksymact.datasets import fetch_higgs
    >>> X, y = fetch_higgs(n_samples=5000, return_X_y=True)  # doctest: +SKIP
    >>> X.shape, int(y.sum())  # doctest: +SKIP
    ((5000, 28), 2670)
    """
    n_samples = _check_n_samples(n_samples, maximum=HIGGS_N_ROWS, dataset="HIGGS")
    download_if_missing = _check_bool(download_if_missing, "download_if_missing")
    return_X_y = _check_bool(return_X_y, "return_X_y")
    as_frame = _check_bool(as_frame, "as_frame")

    home = get_data_home(data_home)
    found = _find_cached(home, HIGGS_FILENAME, HIGGS_SAMPLE_PATTERN, HIGGS_N_ROWS)
    best_rows = found[-1][0] if found else 0
    if n_samples is None:
        usable = found[-1:]
    else:
        usable = [item for item in found if item[0] >= n_samples]
    looked_for = f"{HIGGS_FILENAME} or HIGGS-<rows>.csv.gz"

    if usable:
        rows, name, is_full = usable[0]
        path = os.path.join(home, name)
        Xy = _read_numeric_file(path, n_samples, n_columns=29)
        if Xy.shape[0] != (rows if n_samples is None else n_samples):
            why = "the size of the UCI file" if is_full else "from its name"
            _check_row_count(Xy.shape[0], rows, name=name, why=why)
        X, y = _higgs_split(Xy, name)
    elif not download_if_missing:
        raise _not_found(
            looked_for=looked_for,
            data_home=home,
            found=found,
            what="HIGGS",
            n_samples=n_samples,
            best_rows=best_rows,
        )
    else:
        context = _cached_hint(home, found, "HIGGS", n_samples, best_rows)
        offline_files = f"{HIGGS_FILENAME}, or a file HIGGS-<rows>.csv.gz of its first rows,"
        if n_samples is None:
            path = os.path.join(home, HIGGS_FILENAME)
            try:
                _download_atomic(
                    HIGGS_URL, path, _copy_raw, offline_files=offline_files
                )
            except OSError as exc:
                raise OSError(f"{exc} {context}") from exc.__cause__
            Xy = _read_numeric_file(path, None, n_columns=29)
            X, y = _higgs_split(Xy, HIGGS_FILENAME)
        else:
            path = os.path.join(home, f"HIGGS-{n_samples}.csv.gz")
            try:
                X, y = _download_atomic(
                    HIGGS_URL,
                    path,
                    _higgs_download_head(n_samples),
                    offline_files=offline_files,
                )
            except OSError as exc:
                raise OSError(f"{exc} {context}") from exc.__cause__

    return _finish(
        X,
        y,
        feature_names=HIGGS_FEATURE_NAMES,
        target_names=HIGGS_TARGET_NAMES,
        target_column="label",
        descr=HIGGS_DESCR,
        return_X_y=return_X_y,
        as_frame=as_frame,
        filename=path,
    )


# --------------------------------------------------------------------------
# Covertype


def _fetch_sklearn_covtype(data_home, download_if_missing):
    """scikit-learn's own covtype loader (downloads into ``data_home``)."""
    from sklearn.datasets import fetch_covtype as sklearn_fetch_covtype

    return sklearn_fetch_covtype(
        data_home=data_home, download_if_missing=download_if_missing, return_X_y=True
    )


def fetch_covertype(
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
    n_samples=None,
    random_state=None,
    binary=True,
):
    """Load the UCI Covertype dataset, binarized by default.

    =================   ================================
    Classes             2 (``binary=True``) or 7
    Samples total       581,012
    Dimensionality      54
    Features            int (returned as float64)
    =================   ================================

    The rows are read from the data home (see :func:`get_data_home`), from
    the full UCI file ``covtype.data.gz`` or a file ``covtype-<rows>.data.gz``
    holding its first ``<rows>`` rows. If neither is there and
    ``download_if_missing`` is True, :func:`sklearn.datasets.fetch_covtype`
    downloads the full dataset into the ``scikit_learn_data`` sub-folder of
    the data home (and is reused from there afterwards).

    .. warning::

       The UCI file is ordered: its first 15,120 rows are class-balanced
       training and validation blocks. A file of leading rows therefore has a
       class mix unlike the full file (30.1 % Lodgepole Pine in the first
       20,000 rows against 48.8 % overall), and so has any subsample of it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder to read from and cache into. None means
        :func:`get_data_home`.

    download_if_missing : bool, default=True
        If False, raise an OSError when the data home does not hold enough
        rows, instead of downloading the dataset.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with the feature names as
        columns, ``target`` a Series (named ``"lodgepole_pine"`` when binary,
        ``"Cover_Type"`` otherwise), and ``frame`` a DataFrame holding both.

    n_samples : int or None, default=None
        If given, return a random subsample of this many rows, drawn without
        replacement from all the rows available (the paper used 100,000), and
        kept in file order. None returns every row available: the full
        dataset, or all rows of the largest file of leading rows if only such
        a file is cached.

    random_state : int, RandomState instance or None, default=None
        Seed of the subsample when ``n_samples`` is given. Pass an int for
        reproducible output.

    binary : bool, default=True
        If True, the target is 1 for Lodgepole Pine (Cover_Type == 2) and 0
        otherwise, as in the paper. If False, it is the Cover_Type, 1 to 7,
        as in :func:`sklearn.datasets.fetch_covtype`.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, 54), dtype float64
            10 quantitative, 4 Wilderness_Area and 40 Soil_Type columns.
        target : ndarray of shape (n_samples,), dtype int64
            0/1 when ``binary``, else 1 to 7.
        frame : DataFrame of shape (n_samples, 55) or None
            Only when ``as_frame=True``: data and target together.
        feature_names : list of str
            The 54 feature names, as in :func:`sklearn.datasets.fetch_covtype`.
        target_names : list of str
            ``["other", "lodgepole_pine"]`` when binary; else the 7 UCI cover
            type names, in the order of the values 1 to 7.
        DESCR : str
            Description of the dataset, its source, license and citation.
        filename : str
            Path of the file (or scikit-learn cache folder) read.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    OSError
        If the data home holds fewer rows than asked for and
        ``download_if_missing`` is False, if the download fails, or if the
        cached gzip file is truncated or corrupt.
    ValueError
        If ``n_samples`` is larger than the dataset, or a file has the wrong
        number of columns, a non-numeric value or a label outside 1 to 7.

    Examples
    --------
    >>> from sksymact.datasets import fetch_covertype
    >>> X, y = fetch_covertype(n_samples=10_000, random_state=0,
    ...                        return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (10000, 54)
    """
    n_samples = _check_n_samples(
        n_samples, maximum=COVTYPE_N_ROWS, dataset="Covertype"
    )
    download_if_missing = _check_bool(download_if_missing, "download_if_missing")
    return_X_y = _check_bool(return_X_y, "return_X_y")
    as_frame = _check_bool(as_frame, "as_frame")
    binary = _check_bool(binary, "binary")

    home = get_data_home(data_home)
    found = _find_cached(
        home, COVTYPE_FILENAME, COVTYPE_SAMPLE_PATTERN, COVTYPE_N_ROWS
    )
    best_rows = found[-1][0] if found else 0
    sklearn_home = os.path.join(home, COVTYPE_SKLEARN_SUBDIR)

    path = None
    has_full_file = any(is_full for _, _, is_full in found)
    if not has_full_file and os.path.isdir(os.path.join(sklearn_home, "covertype")):
        # The full dataset, cached earlier by scikit-learn's loader: no network.
        try:
            X, y = _fetch_sklearn_covtype(sklearn_home, False)
            path = sklearn_home
        except OSError:
            pass
    if path is None:
        if n_samples is None:
            usable = found[-1:]
        else:
            usable = [item for item in found if item[0] >= n_samples]
        if usable:
            rows, name, is_full = usable[-1]
            path = os.path.join(home, name)
            Xy = _read_numeric_file(path, None, n_columns=55)
            why = "the size of the UCI file" if is_full else "from its name"
            _check_row_count(Xy.shape[0], rows, name=name, why=why)
            X, y = Xy[:, :-1], Xy[:, -1]
        elif not download_if_missing:
            raise _not_found(
                looked_for=f"{COVTYPE_FILENAME} or covtype-<rows>.data.gz",
                data_home=home,
                found=found,
                what="Covertype",
                n_samples=n_samples,
                best_rows=best_rows,
            )
        else:
            try:
                X, y = _fetch_sklearn_covtype(sklearn_home, True)
            except Exception as exc:
                raise OSError(
                    f"Downloading the Covertype dataset with scikit-learn's "
                    f"fetch_covtype into {sklearn_home!r} failed "
                    f"({type(exc).__name__}: {exc}). To work offline, put "
                    f"{COVTYPE_FILENAME} in a folder, point data_home or the "
                    f"{_base.DATA_ENV_VAR} environment variable to it, and pass "
                    f"download_if_missing=False. "
                    f"{_cached_hint(home, found, 'Covertype', n_samples, best_rows)}"
                ) from exc
            path = sklearn_home

    name = os.path.basename(path)
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 54 or np.shape(y) != (X.shape[0],):
        raise ValueError(
            f"{name}: expected 54 feature columns and one label per row, got "
            f"data of shape {X.shape} and labels of shape {np.shape(y)}."
        )
    if n_samples is not None and n_samples > X.shape[0]:
        raise ValueError(
            f"{name}: asked for {n_samples:,} rows but it holds {X.shape[0]:,}."
        )
    y = _check_labels(
        np.asarray(y, dtype=np.float64), tuple(range(1, 8)), name=name, label_column=55
    )
    X, y = _subsample(X, y, n_samples, random_state)
    if binary:
        y = (y == 2).astype(np.int64)
        target_names = COVTYPE_BINARY_TARGET_NAMES
        target_column = "lodgepole_pine"
    else:
        target_names = COVTYPE_CLASS_NAMES
        target_column = "Cover_Type"

    return _finish(
        X,
        y,
        feature_names=COVTYPE_FEATURE_NAMES,
        target_names=target_names,
        target_column=target_column,
        descr=COVERTYPE_DESCR,
        return_X_y=return_X_y,
        as_frame=as_frame,
        filename=path,
    )


# --------------------------------------------------------------------------
# Spambase


def _spambase_split(Xy, name):
    y = _check_labels(Xy[:, -1], (0, 1), name=name, label_column=58)
    return np.ascontiguousarray(Xy[:, :-1]), y


def _spambase_download(response, out):
    """Writer that checks the whole file before it is kept."""
    content = response.read()
    text = io.TextIOWrapper(
        io.BytesIO(content), encoding="utf-8", errors="replace", newline=None
    )
    Xy = _read_lines(text, None, name=SPAMBASE_URL, n_columns=58)
    _check_row_count(
        Xy.shape[0], SPAMBASE_N_ROWS, name=SPAMBASE_URL, why="the size of the UCI file"
    )
    _spambase_split(Xy, SPAMBASE_URL)
    out.write(content)
    return None


def fetch_spambase(
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
    n_samples=None,
    random_state=None,
):
    """Load the UCI Spambase dataset (binary classification).

    =================   ===========================
    Classes                                       2
    Samples total       4,601 (1,813 spam, 39.4 %)
    Dimensionality                               57
    Features                        real, positive
    =================   ===========================

    The file ``spambase.data`` (the UCI file, CRLF line ends) is read from
    the data home (see :func:`get_data_home`). If it is not there and
    ``download_if_missing`` is True, it is downloaded from UCI (700 kB).

    Parameters
    ----------
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
        columns, ``target`` a Series named ``"spam"``, and ``frame`` a
        DataFrame holding both.

    n_samples : int or None, default=None
        If given, return a random subsample of this many rows, drawn without
        replacement and kept in file order. None returns all 4,601 rows.

    random_state : int, RandomState instance or None, default=None
        Seed of the subsample when ``n_samples`` is given.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, 57), dtype float64
            48 word frequencies, 6 character frequencies and 3 statistics
            of runs of capital letters.
        target : ndarray of shape (n_samples,), dtype int64
            1 for spam, 0 for non-spam.
        frame : DataFrame of shape (n_samples, 58) or None
            Only when ``as_frame=True``: data and target together.
        feature_names : list of str
            The 57 UCI feature names (``word_freq_make`` ...
            ``capital_run_length_total``).
        target_names : list of str
            ``["non-spam", "spam"]``.
        DESCR : str
            Description of the dataset, its source, license and citation.
        filename : str
            Path of the file read.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    OSError
        If the file is absent and ``download_if_missing`` is False, or the
        download fails.
    ValueError
        If ``n_samples`` is larger than 4,601, or the file does not have
        4,601 rows of 58 numeric columns with a 0/1 label.

    Examples
    --------
    >>> from sksymact.datasets import fetch_spambase
    >>> bunch = fetch_spambase()  # doctest: +SKIP
    >>> bunch.data.shape, int(bunch.target.sum())  # doctest: +SKIP
    ((4601, 57), 1813)
    """
    n_samples = _check_n_samples(
        n_samples, maximum=SPAMBASE_N_ROWS, dataset="Spambase"
    )
    download_if_missing = _check_bool(download_if_missing, "download_if_missing")
    return_X_y = _check_bool(return_X_y, "return_X_y")
    as_frame = _check_bool(as_frame, "as_frame")

    home = get_data_home(data_home)
    path = os.path.join(home, SPAMBASE_FILENAME)
    if not os.path.isfile(path):
        if not download_if_missing:
            where = (
                f"{home!r} holds no such file"
                if os.path.isdir(home)
                else f"the folder {home!r} does not exist"
            )
            raise OSError(
                f"Data not found and `download_if_missing` is False: looked for "
                f"{SPAMBASE_FILENAME} in {home!r}; {where}. "
                f"{_fix_hint(None, 0)}"
            )
        _download_atomic(SPAMBASE_URL, path, _spambase_download)
    Xy = _read_numeric_file(path, None, n_columns=58)
    _check_row_count(
        Xy.shape[0], SPAMBASE_N_ROWS, name=SPAMBASE_FILENAME, why="the size of the UCI file"
    )
    X, y = _spambase_split(Xy, SPAMBASE_FILENAME)
    X, y = _subsample(X, y, n_samples, random_state)

    return _finish(
        X,
        y,
        feature_names=SPAMBASE_FEATURE_NAMES,
        target_names=SPAMBASE_TARGET_NAMES,
        target_column="spam",
        descr=SPAMBASE_DESCR,
        return_X_y=return_X_y,
        as_frame=as_frame,
        filename=path,
    )
