"""Statistics over seeds: the mean ± sample std, and the paired t-test.

Every table of the benchmark (the paper's, the regression one, the transfer
matrix) and the efficiency plot compare configurations with these two
functions only.  This module imports only numpy and scipy, so that modules
below the benchmark (:mod:`sksymact.plotting`) can use it too.
"""

import math
import warnings

import numpy as np
from scipy.stats import ttest_rel

__all__ = ["mean_std", "paired_p_value"]


def mean_std(values):
    """The mean and the sample standard deviation (ddof=1) of the values over seeds.

    Parameters
    ----------
    values : array-like of float
        One score per seed.

    Returns
    -------
    mean : float
        Their mean.
    std : float or None
        Their sample standard deviation; None for a single value.
    """
    values = np.asarray(values, dtype=float)
    std = float(values.std(ddof=1)) if len(values) > 1 else None
    return float(values.mean()), std


def paired_p_value(rows_a, rows_b, metric="roc_auc"):
    """Two-sided paired t-test of ``metric`` on the seeds both sets of rows have.

    Parameters
    ----------
    rows_a, rows_b : iterable of dict
        Result rows with a ``seed`` and ``metric``.
    metric : str, default="roc_auc"
        The score compared (``"r2"`` for a regression data set).

    Returns
    -------
    p_value : float or None
        ``scipy.stats.ttest_rel``'s p-value; None for fewer than two shared
        seeds, or when it is not finite (every difference is the same).
    """
    score_a = {r["seed"]: r[metric] for r in rows_a}
    score_b = {r["seed"]: r[metric] for r in rows_b}
    seeds = sorted(set(score_a) & set(score_b))
    if len(seeds) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # identical samples: nan
        p = ttest_rel([score_a[s] for s in seeds], [score_b[s] for s in seeds]).pvalue
    return float(p) if math.isfinite(p) else None
