"""Mean ranks over data sets, the Friedman test with Iman-Davenport's F, the Nemenyi CD.

Demšar (JMLR 2006): configurations are ranked on each data set, the mean
ranks are compared with the Friedman test, and the Nemenyi critical
difference says which mean ranks are too close to tell apart.  The rows and
scores are read as in :mod:`sksymact.benchmark._across`.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._across import _higher, _scores, _seed_means

__all__ = ["FriedmanResult", "MeanRanks", "cliques", "friedman", "iman_davenport",
           "mean_ranks", "nemenyi_cd"]


# ---------------------------------------------------------------------------
# Ranks and the Friedman test
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MeanRanks:
    """The mean rank of each configuration over the data sets that have them all.

    What :func:`mean_ranks` returns.  A rank is robust to the scale of each
    data set's scores, and the mean rank is what the Friedman test and the
    critical-difference diagram compare.

    Parameters
    ----------
    ranks : dict
        ``{configuration: mean rank}``, best (lowest) first, ties by name.
    per_dataset : dict
        ``{dataset: {configuration: rank}}``: rank 1 is the best seed-mean,
        tied configurations share the mean of their ranks.
    datasets : tuple of str
        The data sets ranked: those where every configuration has a score.
    dropped : dict
        ``{dataset: (configurations without a score, ...)}``: the data sets
        left out, and why.
    scores : ndarray of shape (n_datasets, n_configurations)
        The seed-means ranked, rows in the order of ``datasets``, columns in
        the order of ``ranks``' keys sorted by name.

    See Also
    --------
    mean_ranks : What makes it.
    FriedmanResult : The test of the mean ranks.

    Examples
    --------
    >>> rows = [{"dataset": "a", "configuration": c, "seed": 0, "r2": v}
    ...         for c, v in (("X", 0.5), ("Y", 0.7))]
    >>> result = mean_ranks(rows, "r2")
    >>> result.ranks, result.datasets, result.scores.tolist()
    ({'Y': 1.0, 'X': 2.0}, ('a',), [[0.5, 0.7]])
    """

    ranks: dict
    per_dataset: dict
    datasets: tuple
    dropped: dict
    scores: np.ndarray


def mean_ranks(rows, metric, *, higher_is_better=None, configurations=None):
    """Rank the configurations on each data set, then average the ranks over data sets.

    Parameters
    ----------
    rows : iterable of dict, or a DataFrame
        Result rows with ``dataset``, ``configuration``, ``seed`` and ``metric``.
    metric : str
        The score ranked.
    higher_is_better : bool, default=None
        Whether a higher ``metric`` is better; None: looked up in
        :data:`HIGHER_IS_BETTER`.
    configurations : list of str, default=None
        The configurations ranked; None: every one in ``rows``.  Ranks need a
        score of every configuration on a data set: naming fewer keeps the data
        sets that only some configurations ran.

    Returns
    -------
    ranks : MeanRanks
        The mean ranks, the ranks on each data set, and the data sets dropped.

    Raises
    ------
    ValueError
        If no data set has a score of every configuration.

    Examples
    --------
    >>> rows = [{"dataset": d, "configuration": c, "seed": 0, "rmse": v}
    ...         for d, values in (("a", (1.0, 2.0, 2.0)), ("b", (3.0, 1.0, 2.0)),
    ...                           ("c", (1.0, None, 2.0)))
    ...         for c, v in zip(("X", "Y", "Z"), values)]
    >>> result = mean_ranks(rows, "rmse")
    >>> result.ranks
    {'Y': 1.75, 'X': 2.0, 'Z': 2.25}
    >>> result.per_dataset["a"]
    {'X': 1.0, 'Y': 2.5, 'Z': 2.5}
    >>> result.dropped
    {'c': ('Y',)}
    """
    higher = _higher(metric, higher_is_better)
    cells, datasets, found = _scores(rows, metric)
    configurations = sorted(found if configurations is None else configurations)
    means = _seed_means(cells)
    kept, dropped = [], {}
    for dataset in datasets:
        missing = tuple(c for c in configurations if (dataset, c) not in means)
        if missing:
            dropped[dataset] = missing
        else:
            kept.append(dataset)
    if not kept:
        raise ValueError(f"no data set has a {metric!r} of every configuration "
                         f"({', '.join(configurations)})")
    scores = np.array([[means[(d, c)] for c in configurations] for d in kept])
    # rankdata ranks ascending: negate where higher is better, so rank 1 is
    # the best; method="average" gives tied configurations their mean rank.
    per_row = stats.rankdata(-scores if higher else scores, axis=1, method="average")
    average = per_row.mean(axis=0)
    order = sorted(range(len(configurations)), key=lambda j: (average[j], configurations[j]))
    return MeanRanks(
        ranks={configurations[j]: float(average[j]) for j in order},
        per_dataset={d: {c: float(r) for c, r in zip(configurations, row)}
                     for d, row in zip(kept, per_row)},
        datasets=tuple(kept), dropped=dropped, scores=scores)


def nemenyi_cd(n_configurations, n_datasets, alpha=0.05):
    """The Nemenyi critical difference of mean ranks (Demšar 2006, section 3.2.2).

    ``CD = q_alpha * sqrt(k (k + 1) / (6 N))``, with ``q_alpha`` the
    Studentized range quantile for k groups and infinite degrees of freedom,
    divided by sqrt(2).  Two mean ranks that differ by at least CD differ
    significantly.

    Parameters
    ----------
    n_configurations : int
        The number k of configurations compared (at least 2).
    n_datasets : int
        The number N of data sets they are ranked on.
    alpha : float, default=0.05
        The family-wise significance level.

    Returns
    -------
    cd : float
        The critical difference.
    q_alpha : float
        Its critical value (Demšar's Table 5(a)).

    Examples
    --------
    >>> cd, q = nemenyi_cd(4, 14)
    >>> round(q, 3), round(cd, 2)
    (2.569, 1.25)
    """
    k, n = int(n_configurations), int(n_datasets)
    if k < 2 or n < 1:
        raise ValueError(f"a critical difference needs 2 configurations and 1 data set, "
                         f"got {k} and {n}")
    q = float(stats.studentized_range.ppf(1.0 - alpha, k, np.inf)) / math.sqrt(2.0)
    return q * math.sqrt(k * (k + 1) / (6.0 * n)), q


def iman_davenport(statistic, n_datasets, n_configurations):
    """The Iman–Davenport F form of Friedman's χ² (Demšar 2006, equation after (3)).

    ``F_F = (N - 1) χ² / (N (k - 1) - χ²)``, distributed as F with ``k - 1``
    and ``(k - 1)(N - 1)`` degrees of freedom; less conservative than the χ²
    approximation, which is why Demšar recommends it.

    Parameters
    ----------
    statistic : float
        Friedman's χ².
    n_datasets : int
        The number N of data sets.
    n_configurations : int
        The number k of configurations.

    Returns
    -------
    f : float
        F_F; inf where the χ² is its largest possible value (every data set
        ranks the configurations alike).
    p_value : float
        Its upper tail probability.

    Examples
    --------
    >>> f, p = iman_davenport(9.28, 14, 4)
    >>> round(f, 2), round(p, 3)
    (3.69, 0.02)
    """
    n, k = int(n_datasets), int(n_configurations)
    denominator = n * (k - 1) - statistic
    if denominator <= 0:
        return math.inf, 0.0
    f = (n - 1) * statistic / denominator
    return float(f), float(stats.f.sf(f, k - 1, (k - 1) * (n - 1)))


@dataclass(frozen=True)
class FriedmanResult:
    """The Friedman test over data sets, its Iman–Davenport form and the Nemenyi CD.

    What :func:`friedman` returns.  The test asks whether the configurations'
    mean ranks differ more than chance allows; the CD then says which pairs
    of mean ranks are far enough apart to differ.

    Parameters
    ----------
    statistic : float
        Friedman's χ², corrected for tied ranks (``scipy.stats.friedmanchisquare``).
    p_value : float
        Its p-value (χ² with k - 1 degrees of freedom).
    statistic_uncorrected : float
        Demšar's equation, from the mean ranks without the tie correction:
        ``12 N / (k (k + 1)) * (sum R_j² - k (k + 1)² / 4)``; equal to
        ``statistic`` when no data set ties two configurations.
    iman_davenport : float
        F_F from ``statistic`` (:func:`iman_davenport`).
    iman_davenport_p_value : float
        Its p-value, F with ``df`` degrees of freedom.
    df : tuple of int
        ``(k - 1, (k - 1)(N - 1))``.
    cd : float
        The Nemenyi critical difference at ``alpha`` (:func:`nemenyi_cd`).
    q_alpha : float
        Its critical value.
    alpha : float
        The level of ``cd``.
    n_datasets : int
        The number N of data sets, those that have every configuration.
    n_configurations : int
        The number k of configurations.
    ranks : MeanRanks
        The mean ranks tested.

    See Also
    --------
    friedman : What makes it.
    critical_difference_diagram : The mean ranks and the CD drawn.

    Examples
    --------
    >>> rows = [{"dataset": d, "configuration": c, "seed": 0, "r2": v}
    ...         for d in "abc" for c, v in (("X", 0.9), ("Y", 0.5), ("Z", 0.1))]
    >>> result = friedman(rows, "r2")
    >>> result.statistic, result.df, result.iman_davenport
    (6.0, (2, 4), inf)
    """

    statistic: float
    p_value: float
    statistic_uncorrected: float
    iman_davenport: float
    iman_davenport_p_value: float
    df: tuple
    cd: float
    q_alpha: float
    alpha: float
    n_datasets: int
    n_configurations: int
    ranks: MeanRanks


def friedman(rows, metric, *, higher_is_better=None, alpha=0.05, configurations=None):
    """Test that all configurations rank alike over data sets (Friedman), with Nemenyi's CD.

    Parameters
    ----------
    rows : iterable of dict, or a DataFrame
        Result rows with ``dataset``, ``configuration``, ``seed`` and ``metric``.
    metric : str
        The score compared: the test runs on each configuration's seed-mean
        per data set.
    higher_is_better : bool, default=None
        Whether a higher ``metric`` is better; None: looked up in
        :data:`HIGHER_IS_BETTER`.
    alpha : float, default=0.05
        The level of the critical difference.
    configurations : list of str, default=None
        The configurations compared; None: every one in ``rows``.

    Returns
    -------
    result : FriedmanResult
        The χ² and its p-value, the Iman–Davenport F and its p-value, the CD and
        the mean ranks.

    Raises
    ------
    ValueError
        With fewer than 3 configurations (compare two with a paired test) or
        fewer than 2 data sets that have all of them.

    Notes
    -----
    Only the data sets with a score of every configuration are tested (see
    ``result.ranks.dropped``).  Where every data set ties every configuration
    the statistic is 0 and its p-value 1.

    Examples
    --------
    >>> rows = [{"dataset": d, "configuration": c, "seed": 0, "r2": v}
    ...         for d, values in (("a", (0.9, 0.8, 0.7)), ("b", (0.5, 0.4, 0.6)),
    ...                           ("c", (0.3, 0.2, 0.1)), ("d", (0.9, 0.7, 0.8)))
    ...         for c, v in zip(("X", "Y", "Z"), values)]
    >>> result = friedman(rows, "r2")
    >>> result.ranks.ranks
    {'X': 1.25, 'Z': 2.25, 'Y': 2.5}
    >>> round(result.statistic, 2), round(result.p_value, 3), result.df
    (3.5, 0.174, (2, 6))
    """
    ranks = mean_ranks(rows, metric, higher_is_better=higher_is_better,
                       configurations=configurations)
    n, k = ranks.scores.shape
    if k < 3:
        raise ValueError(f"the Friedman test needs 3 configurations or more, got {k}: "
                         "compare two with a paired test")
    if n < 2:
        raise ValueError(f"the Friedman test needs 2 data sets or more with every "
                         f"configuration, got {n}")
    mean = np.array(list(ranks.ranks.values()))
    uncorrected = 12.0 * n / (k * (k + 1)) * (np.sum(mean ** 2) - k * (k + 1) ** 2 / 4.0)
    if np.all(ranks.scores == ranks.scores[:, :1]):
        # scipy's tie correction divides by zero here; no data set tells the
        # configurations apart, which is no evidence of a difference.
        statistic, p_value = 0.0, 1.0
    else:
        result = stats.friedmanchisquare(*ranks.scores.T)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    f, f_p = iman_davenport(statistic, n, k)
    cd, q = nemenyi_cd(k, n, alpha)
    return FriedmanResult(
        statistic=statistic, p_value=p_value, statistic_uncorrected=float(uncorrected),
        iman_davenport=f, iman_davenport_p_value=f_p, df=(k - 1, (k - 1) * (n - 1)),
        cd=cd, q_alpha=q, alpha=alpha, n_datasets=n, n_configurations=k, ranks=ranks)


def cliques(ranks, cd):
    """The groups of configurations whose mean ranks differ by less than the CD.

    Parameters
    ----------
    ranks : dict
        ``{configuration: mean rank}``.
    cd : float
        The critical difference.

    Returns
    -------
    groups : list of tuple of str
        The maximal groups of two or more configurations, consecutive in rank,
        whose largest and smallest mean rank differ by less than ``cd`` (the
        Nemenyi test tells none of them apart), best group first; each group
        best first.

    Examples
    --------
    >>> cliques({"A": 1.0, "B": 1.5, "C": 2.6, "D": 3.8}, cd=1.25)
    [('A', 'B'), ('B', 'C'), ('C', 'D')]
    >>> cliques({"A": 1.0, "B": 3.0}, cd=1.25)
    []
    """
    items = sorted(ranks.items(), key=lambda item: (item[1], item[0]))
    groups, last_end = [], -1
    for i, (_, low) in enumerate(items):
        end = i
        while end + 1 < len(items) and items[end + 1][1] - low < cd:
            end += 1
        # A group that ends where the previous one did is inside it.
        if end > i and end > last_end:
            groups.append(tuple(name for name, _ in items[i:end + 1]))
            last_end = end
    return groups


