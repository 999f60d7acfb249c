"""The UCI Spambase dataset: e-mail, spam or not, from word frequencies."""


from sklearn.utils._param_validation import validate_params

from ._base import (
    FETCH_PARAMETERS,
    _DataFiles,
    _finish,
    _load_or_download,
    _subsample,
    load_descr,
)

SPAMBASE_URL = (
    "https://archive.ics.uci.edu/ml/machine-learning-databases/spambase/spambase.data"
)

# Small enough (700 kB) to be used whole: no files of leading rows.
SPAMBASE = _DataFiles(
    name="Spambase",
    full_file="spambase.data",
    url=SPAMBASE_URL,
    n_rows=4_601,
    n_columns=58,
    label_column=-1,
    labels=(0, 1),
)

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


@validate_params(
    {
        **FETCH_PARAMETERS,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
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
        The ``data`` and ``target`` described above (a DataFrame and a
        Series when ``as_frame=True``).

    Raises
    ------
    OSError
        If the file is absent and ``download_if_missing`` is False, or the
        download fails.
    ValueError
        If ``n_samples`` is larger than 4,601, or the file does not have
        4,601 rows of 58 numeric columns with a 0/1 label (a downloaded file
        that fails these checks is not kept).
    TypeError
        If a parameter has the wrong type.

    Examples
    --------
    >>> from sksymact.datasets import fetch_spambase
    >>> bunch = fetch_spambase()  # doctest: +SKIP
    >>> bunch.data.shape, int(bunch.target.sum())  # doctest: +SKIP
    ((4601, 57), 1813)
    """
    X, y, path = _load_or_download(SPAMBASE, data_home, n_samples, download_if_missing)
    X, y = _subsample(X, y, n_samples, random_state, name=SPAMBASE.full_file)
    return _finish(
        X,
        y,
        feature_names=SPAMBASE_FEATURE_NAMES,
        target_names=SPAMBASE_TARGET_NAMES,
        target_column="spam",
        descr=load_descr("spambase.rst"),
        return_X_y=return_X_y,
        as_frame=as_frame,
        filename=path,
    )
