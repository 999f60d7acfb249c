"""The UCI Covertype dataset: forest cover type from cartographic variables."""

import os

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._base import (
    FETCH_PARAMETERS,
    _check_n_samples,
    _DataFiles,
    _find_cached,
    _finish,
    _load_or_download,
    _subsample,
    get_data_home,
    load_descr,
)
from ._csv_parser import _check_labels

# The file names are UCI's (and scikit-learn's), hence "covtype". No URL: a
# download goes through scikit-learn's fetch_covtype (a checksummed copy),
# whose cache scikit-learn itself can then reuse.
COVERTYPE = _DataFiles(
    name="Covertype",
    full_file="covtype.data.gz",
    sample_file="covtype-{rows}.data.gz",
    n_rows=581_012,
    n_columns=55,
    label_column=-1,
    labels=tuple(range(1, 8)),
)
# Sub-folder of the data home that scikit-learn's own covtype cache goes to.
COVERTYPE_SKLEARN_SUBDIR = "scikit_learn_data"

COVERTYPE_FEATURE_NAMES = [
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
COVERTYPE_FEATURE_NAMES += [f"Wilderness_Area_{i}" for i in range(4)]
COVERTYPE_FEATURE_NAMES += [f"Soil_Type_{i}" for i in range(40)]
COVERTYPE_CLASS_NAMES = [
    "Spruce/Fir",
    "Lodgepole Pine",
    "Ponderosa Pine",
    "Cottonwood/Willow",
    "Aspen",
    "Douglas-fir",
    "Krummholz",
]
COVERTYPE_BINARY_TARGET_NAMES = ["other", "lodgepole_pine"]


def _fetch_sklearn_covtype(data_home, download_if_missing):
    """scikit-learn's own covtype loader (downloads into ``data_home``)."""
    from sklearn.datasets import fetch_covtype as sklearn_fetch_covtype

    return sklearn_fetch_covtype(
        data_home=data_home, download_if_missing=download_if_missing, return_X_y=True
    )


def _check_arrays(X, y, path):
    """Features and labels of the whole dataset, from a file or scikit-learn."""
    name = os.path.basename(path)
    X = np.ascontiguousarray(X, dtype=np.float64)
    n_features = COVERTYPE.n_columns - 1
    if X.ndim != 2 or X.shape[1] != n_features or np.shape(y) != (X.shape[0],):
        raise ValueError(
            f"{name}: expected {n_features} feature columns and one label per row, "
            f"got data of shape {X.shape} and labels of shape {np.shape(y)}."
        )
    y = _check_labels(
        np.asarray(y, dtype=np.float64),
        COVERTYPE.labels,
        name=name,
        label_column=COVERTYPE.n_columns,
    )
    return X, y, name


@validate_params(
    {
        **FETCH_PARAMETERS,
        "random_state": ["random_state"],
        "binary": ["boolean"],
    },
    prefer_skip_nested_validation=True,
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
        The ``data`` and ``target`` described above (a DataFrame and a
        Series when ``as_frame=True``).

    Raises
    ------
    OSError
        If the data home holds fewer rows than asked for and
        ``download_if_missing`` is False, if the download fails, or if the
        cached gzip file is truncated or corrupt.
    ValueError
        If ``n_samples`` is larger than the dataset, or a file has the wrong
        number of columns, a non-numeric value or a label outside 1 to 7.
    TypeError
        If a parameter has the wrong type.

    Examples
    --------
    >>> from sksymact.datasets import fetch_covertype
    >>> X, y = fetch_covertype(n_samples=10_000, random_state=0,
    ...                        return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (10000, 54)
    """
    n_samples = _check_n_samples(COVERTYPE, n_samples)
    home = get_data_home(data_home)
    sklearn_home = os.path.join(home, COVERTYPE_SKLEARN_SUBDIR)

    arrays = None
    has_full_file = any(is_full for _, _, is_full in _find_cached(COVERTYPE, home))
    if not has_full_file and os.path.isdir(os.path.join(sklearn_home, "covertype")):
        # The full dataset, cached earlier by scikit-learn's loader: no network.
        try:
            arrays = (*_fetch_sklearn_covtype(sklearn_home, False), sklearn_home)
        except OSError:
            pass
    if arrays is None:
        arrays = _load_or_download(
            COVERTYPE,
            home,
            n_samples,
            download_if_missing,
            download=lambda: (*_fetch_sklearn_covtype(sklearn_home, True), sklearn_home),
            download_source=(
                f"the Covertype dataset with scikit-learn's fetch_covtype into "
                f"{sklearn_home!r}"
            ),
        )
    X, y, path = arrays
    X, y, name = _check_arrays(X, y, path)
    X, y = _subsample(X, y, n_samples, random_state, name=name)
    if binary:
        y = (y == 2).astype(np.int64)
        target_names = COVERTYPE_BINARY_TARGET_NAMES
        target_column = "lodgepole_pine"
    else:
        target_names = COVERTYPE_CLASS_NAMES
        target_column = "Cover_Type"

    return _finish(
        X,
        y,
        feature_names=COVERTYPE_FEATURE_NAMES,
        target_names=target_names,
        target_column=target_column,
        descr=load_descr("covertype.rst"),
        return_X_y=return_X_y,
        as_frame=as_frame,
        filename=path,
    )
