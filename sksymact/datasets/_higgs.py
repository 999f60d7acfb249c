"""The UCI HIGGS dataset: simulated LHC collisions, signal against background."""

from sklearn.utils._param_validation import validate_params

from ._base import FETCH_PARAMETERS, _DataFiles, _finish, _load_or_download, load_descr

HIGGS_URL = (
    "https://archive.ics.uci.edu/ml/machine-learning-databases/00280/HIGGS.csv.gz"
)

# Label in column 0, then the 28 features. The file's rows are read in order,
# so a file of its first rows serves any request for fewer rows.
HIGGS = _DataFiles(
    name="HIGGS",
    full_file="HIGGS.csv.gz",
    sample_file="HIGGS-{rows}.csv.gz",
    url=HIGGS_URL,
    n_rows=11_000_000,
    n_columns=29,
    label_column=0,
    labels=(0, 1),
    leading_rows=True,
)

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


@validate_params(
    {
        **FETCH_PARAMETERS,
    },
    prefer_skip_nested_validation=True,
)
def fetch_higgs(
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
    n_samples=100_000,
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
        ``n_samples`` rows of ``HIGGS.csv``, in file order (hence no
        ``random_state`` parameter).

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
        The ``data`` and ``target`` described above (a DataFrame and a
        Series when ``as_frame=True``).

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
        (A file is never cached when its downloaded rows fail these checks.)
    TypeError
        If a parameter has the wrong type.

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
    X, y, path = _load_or_download(HIGGS, data_home, n_samples, download_if_missing)
    return _finish(
        X,
        y,
        feature_names=HIGGS_FEATURE_NAMES,
        target_names=HIGGS_TARGET_NAMES,
        target_column="label",
        descr=load_descr("higgs.rst"),
        return_X_y=return_X_y,
        as_frame=as_frame,
        filename=path,
    )
