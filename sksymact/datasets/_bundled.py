"""The UCI samples that ship inside the package: ``load_*``, no file and no network.

As scikit-learn separates them, ``load_*`` reads data that ships with the
package and ``fetch_*`` data that is downloaded (or found in a data folder).
sksymact ships three samples of the UCI Machine Learning Repository, which
publishes them under CC BY 4.0 (attribution, below and in each description):

- ``HIGGS-5000.csv.gz``: rows 1-5,000 of ``HIGGS.csv`` (Whiteson, D. (2014),
  *HIGGS*, UCI Machine Learning Repository, doi:10.24432/C5V312);
- ``covtype-20000.data.gz``: rows 1-20,000 of ``covtype.data`` (Blackard, J.
  (1998), *Covertype*, UCI Machine Learning Repository, doi:10.24432/C50K5N);
- ``spambase.data``: all 4,601 rows (Hopkins, M., Reeber, E., Forman, G.,
  Suermondt, J. (1999), *Spambase*, UCI Machine Learning Repository,
  doi:10.24432/C53G6X).

The files are exact copies of the UCI rows; the loaders read them with the
``fetch_*`` parsers, so a bundled row is bit for bit the row ``fetch_*`` gives.
"""

from importlib import resources
from numbers import Integral

from sklearn.utils._param_validation import Interval, validate_params

from ._covertype import fetch_covertype
from ._higgs import fetch_higgs
from ._spambase import fetch_spambase

__all__ = ["load_higgs", "load_covertype", "load_spambase", "BUNDLED_ROWS"]

#: Rows of each bundled sample.
BUNDLED_ROWS = {"higgs": 5_000, "covertype": 20_000, "spambase": 4_601}

_ATTRIBUTION = (
    "\n\nThis copy ships with sksymact: {what} of the UCI file, unchanged, under the "
    "CC BY 4.0 license of the UCI Machine Learning Repository.\n"
)


def _load(fetch, dataset, n_samples, what, **kwargs):
    if n_samples is not None and n_samples > BUNDLED_ROWS[dataset]:
        raise ValueError(
            f"n_samples={n_samples:,} is more than the {BUNDLED_ROWS[dataset]:,} rows of the "
            f"bundled {dataset} sample; fetch_{dataset} reads (or downloads) the full data set."
        )
    with resources.as_file(resources.files(__package__) / "data") as folder:
        result = fetch(data_home=str(folder), download_if_missing=False, n_samples=n_samples,
                       **kwargs)
    if isinstance(result, tuple):
        return result
    result.DESCR = result.DESCR + _ATTRIBUTION.format(what=what)
    return result


_COMMON = {
    "return_X_y": ["boolean"],
    "as_frame": ["boolean"],
    "n_samples": [Interval(Integral, 1, None, closed="left"), None],
}


@validate_params(_COMMON, prefer_skip_nested_validation=True)
def load_higgs(*, return_X_y=False, as_frame=False, n_samples=None):
    """Load the bundled first 5,000 rows of UCI HIGGS (binary classification).

    The same rows, features and names as :func:`fetch_higgs` with
    ``n_samples=5000``, read from the copy that ships with the package.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Data and target as pandas objects.
    n_samples : int or None, default=None
        The first ``n_samples`` rows (at most 5,000); None for all of them.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        As :func:`fetch_higgs` returns it; the description ends with the
        attribution of the bundled copy.

    Examples
    --------
    >>> from sksymact.datasets import load_higgs
    >>> X, y = load_higgs(return_X_y=True)
    >>> X.shape, int(y.sum())
    ((5000, 28), 2670)
    """
    return _load(fetch_higgs, "higgs", 5_000 if n_samples is None else n_samples,
                 "rows 1-5,000", return_X_y=return_X_y, as_frame=as_frame)


@validate_params({**_COMMON, "random_state": ["random_state"], "binary": ["boolean"]},
                 prefer_skip_nested_validation=True)
def load_covertype(*, return_X_y=False, as_frame=False, n_samples=None, random_state=None,
                   binary=True):
    """Load the bundled first 20,000 rows of UCI Covertype, binarized by default.

    The same parsing, features and binarization (Lodgepole Pine against the
    rest) as :func:`fetch_covertype`, read from the copy that ships with the
    package.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Data and target as pandas objects.
    n_samples : int or None, default=None
        A random subsample of that many rows (at most 20,000); None for all.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample.
    binary : bool, default=True
        Lodgepole Pine (class 2) against the rest; False keeps the 7 classes.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        As :func:`fetch_covertype` returns it.

    Examples
    --------
    >>> from sksymact.datasets import load_covertype
    >>> X, y = load_covertype(return_X_y=True)
    >>> X.shape, int(y.sum())
    ((20000, 54), 6022)
    """
    return _load(fetch_covertype, "covertype", n_samples, "rows 1-20,000",
                 return_X_y=return_X_y, as_frame=as_frame, random_state=random_state,
                 binary=binary)


@validate_params({**_COMMON, "random_state": ["random_state"]},
                 prefer_skip_nested_validation=True)
def load_spambase(*, return_X_y=False, as_frame=False, n_samples=None, random_state=None):
    """Load the bundled UCI Spambase (all 4,601 rows; binary classification).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Data and target as pandas objects.
    n_samples : int or None, default=None
        A random subsample of that many rows (at most 4,601); None for all.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        As :func:`fetch_spambase` returns it.

    Examples
    --------
    >>> from sksymact.datasets import load_spambase
    >>> X, y = load_spambase(return_X_y=True)
    >>> X.shape, int(y.sum())
    ((4601, 57), 1813)
    """
    return _load(fetch_spambase, "spambase", n_samples, "all 4,601 rows",
                 return_X_y=return_X_y, as_frame=as_frame, random_state=random_state)
