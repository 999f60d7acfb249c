"""Statistics across data sets: wins and losses, mean ranks, the Friedman test, a CD diagram.

One data set says how a configuration did there; a claim such as "the
hybrid network beats a light ReLU network" needs all of them.  This module
follows Demšar, "Statistical Comparisons of Classifiers over Multiple Data
Sets", JMLR 7 (2006): configurations are ranked on each data set, the mean
ranks are compared with the Friedman test (with the Iman–Davenport F, which
Demšar recommends over the χ² form), and the Nemenyi critical difference
(CD) says which mean ranks are too close to tell apart.  Beside that, each
configuration is compared with a baseline on each data set by a paired
t-test over seeds, Holm-corrected over the data sets, and counted as a win,
tie or loss.

The input is the rows of ``results.csv`` (dicts with ``dataset``,
``configuration``, ``seed`` and metric columns; a pandas DataFrame works
too).  A score is a seed's value of the metric; a configuration's score on a
data set is the mean over its seeds.

>>> rows = [{"dataset": d, "configuration": c, "seed": s, "roc_auc": base + bonus + 0.01 * s}
...         for d, base in (("a", 0.70), ("b", 0.80), ("c", 0.60))
...         for c, bonus in (("Light ReLU", 0.0), ("Light GELU", 0.02), ("Heavy ReLU", 0.05))
...         for s in range(3)]
>>> ranks = mean_ranks(rows, "roc_auc")
>>> ranks.ranks
{'Heavy ReLU': 1.0, 'Light GELU': 2.0, 'Light ReLU': 3.0}
>>> result = friedman(rows, "roc_auc")
>>> round(result.statistic, 3), round(result.cd, 3)
(6.0, 1.914)
>>> text = format_report(rows, "roc_auc")
>>> text.splitlines()[0]
'# roc_auc across 3 data sets (higher is better)'
"""

import math
import re
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._statistics import paired_p_value

__all__ = [
    "DEFAULT_BASELINE",
    "HIGHER_IS_BETTER",
    "FriedmanResult",
    "MeanRanks",
    "NormalizedScores",
    "by_group",
    "cliques",
    "critical_difference_diagram",
    "format_report",
    "friedman",
    "holm",
    "iman_davenport",
    "mean_ranks",
    "nemenyi_cd",
    "normalized_scores",
    "per_dataset_table",
    "win_tie_loss",
]

#: The configuration every other one is compared with on the same seeds.
DEFAULT_BASELINE = "Light ReLU"

#: Whether a higher value of each known metric is better; any other metric
#: needs ``higher_is_better`` said.
HIGHER_IS_BETTER = {
    "roc_auc": True,
    "accuracy": True,
    "r2": True,
    "e_param": True,
    "log_loss": False,
    "rmse": False,
}

#: What a verdict of :func:`per_dataset_table` can be.
VERDICTS = ("win", "tie", "loss")

_MISSING = "—"


# ---------------------------------------------------------------------------
# Reading the rows
# ---------------------------------------------------------------------------

def _records(rows):
    """The rows as a list of dicts (a DataFrame's records, or the rows themselves)."""
    if hasattr(rows, "to_dict") and not isinstance(rows, dict):
        return rows.to_dict("records")
    return list(rows)


def _number(value):
    """A float, or None for an empty cell ("" in results.csv, None, NaN)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _higher(metric, higher_is_better):
    if higher_is_better is not None:
        return bool(higher_is_better)
    try:
        return HIGHER_IS_BETTER[metric]
    except KeyError:
        raise ValueError(
            f"whether a higher {metric!r} is better is not known: pass higher_is_better "
            f"(known metrics: {', '.join(sorted(HIGHER_IS_BETTER))})") from None


def _scores(rows, metric):
    """``(cells, datasets, configurations)``: every seed's score, by (data set, configuration).

    ``cells[(dataset, configuration)]`` maps seed -> score.  Every data set and
    every configuration that has a row is listed, also where the metric is
    empty, so that a report can show the hole.
    """
    cells, datasets, configurations = {}, set(), set()
    for row in _records(rows):
        dataset, config = str(row["dataset"]), str(row["configuration"])
        datasets.add(dataset)
        configurations.add(config)
        value = _number(row.get(metric))
        if value is None:
            continue
        seeds = cells.setdefault((dataset, config), {})
        if row["seed"] in seeds:
            # Two rows for one run mean two benchmarks mixed in one list (another
            # protocol, other settings): averaging them would hide it.
            raise ValueError(f"two rows for data set {dataset!r}, configuration {config!r}, "
                             f"seed {row['seed']!r}")
        seeds[row["seed"]] = value
    return cells, sorted(datasets), sorted(configurations)


def _seed_means(cells):
    return {key: float(np.mean(list(seeds.values()))) for key, seeds in cells.items()}


def _slug(name):
    return re.sub(r"[^0-9a-z]+", "-", name.casefold()).strip("-")


def _resolve_baseline(baseline, configurations):
    """The configuration named ``baseline``: exactly, else by its slug.

    results.csv names configurations by key (``light-relu``) where a report
    names them by label (``Light ReLU``); either finds the other.
    """
    if baseline in configurations:
        return baseline
    matches = [c for c in configurations if _slug(c) == _slug(baseline)]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(f"the baseline {baseline!r} is not among the configurations: "
                     f"{', '.join(configurations)}")


def _order(configurations, baseline=None):
    """The baseline first, then the others sorted: the order of every table."""
    return ([baseline] if baseline in configurations else []) + sorted(
        c for c in configurations if c != baseline)


# ---------------------------------------------------------------------------
# Against the baseline, data set by data set
# ---------------------------------------------------------------------------

def holm(p_values):
    """Adjust p-values by Holm's step-down method (family-wise error rate).

    The i-th smallest of m p-values is multiplied by ``m - i + 1`` (i from 1),
    the results made non-decreasing in that order and capped at 1: a
    hypothesis is rejected at level alpha exactly when Holm's procedure
    (Holm 1979; Demšar 2006, section 3.2.2) rejects it.

    Parameters
    ----------
    p_values : array-like of float
        The raw p-values of one family.  NaN entries (an undefined test) are
        not part of the family: they stay NaN and do not count in m.

    Returns
    -------
    adjusted : ndarray of float
        The adjusted p-values, in the order given.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    >>> holm([0.02, float("nan"), 0.5]).tolist()
    [0.04, nan, 0.5]
    """
    # scipy.stats has no Holm correction (it has Benjamini-Hochberg's FDR in
    # false_discovery_control only), and statsmodels' multipletests is not
    # worth a dependency for these few lines.
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = len(finite)
    order = finite[np.argsort(p[finite], kind="stable")]
    steps = (m - np.arange(m)) * p[order]
    adjusted[order] = np.minimum(np.maximum.accumulate(steps), 1.0)
    return adjusted


def _identical(differences, scale):
    # Differences equal up to rounding (0.8 - 0.7 and 0.9 - 0.8) have a spread
    # of ~1e-16: ttest_rel would return t ~ 1e15 and p ~ 1e-31, a "significant"
    # result made of rounding errors.  t is 0/0 or c/0 there: undefined.
    return float(np.ptp(differences)) <= 1e-12 * max(1.0, scale)


def per_dataset_table(rows, metric, baseline=DEFAULT_BASELINE, *, higher_is_better=None,
                      alpha=0.05):
    """Per data set and configuration: mean ± std over seeds, and the test against the baseline.

    Parameters
    ----------
    rows : iterable of dict, or a DataFrame
        Result rows with ``dataset``, ``configuration``, ``seed`` and ``metric``.
    metric : str
        The score compared (``"roc_auc"``, ``"accuracy"``, ``"log_loss"``,
        ``"r2"``, ``"rmse"``...).
    baseline : str, default="Light ReLU"
        The configuration each other one is compared with.  A name that is not
        among the configurations is matched by its slug: ``"Light ReLU"``
        finds ``"light-relu"``, the key results.csv writes.
    higher_is_better : bool, default=None
        Whether a higher ``metric`` is better; None: looked up in
        :data:`HIGHER_IS_BETTER`.
    alpha : float, default=0.05
        The level a Holm-adjusted p-value must be below for a win or a loss.

    Returns
    -------
    table : list of dict
        One per (data set, configuration), data sets sorted, the baseline
        first and then the other configurations sorted; every pair is there,
        also one without results (``n`` 0).  Keys: ``dataset``,
        ``configuration``, ``n`` (seeds with a score), ``mean``, ``std``
        (ddof=1; NaN for fewer than 2 seeds), ``n_paired`` (seeds the baseline
        has too), ``difference`` (mean over those seeds of configuration minus
        baseline), ``p_value`` (two-sided paired t-test,
        ``scipy.stats.ttest_rel``), ``p_holm`` (Holm-adjusted over the data
        sets of the configuration), ``verdict`` and ``note``.  The verdict is
        ``"win"`` or ``"loss"`` when ``p_holm < alpha``, by the sign of the
        difference and the metric's direction, else ``"tie"``; ``"baseline"``
        for the baseline; None where no test is possible (fewer than 2 paired
        seeds).  ``p_value`` is NaN, and the verdict a tie, when every
        paired difference is the same: t is then 0/0 (or c/0) and undefined.
        ``note`` says why a value is missing, else is ``""``.

    See Also
    --------
    win_tie_loss : The verdicts counted per configuration.

    Notes
    -----
    Holm corrects over the data sets of one configuration: "this configuration
    beats the baseline on these data sets" is the family of claims made.
    With 3 seeds a t-test has 2 degrees of freedom and little power: the
    differences (0, 0, d), two seeds alike, always give t = 1 (p = 0.42).

    Examples
    --------
    >>> rows = [{"dataset": "a", "configuration": c, "seed": s, "accuracy": v}
    ...         for c, values in (("light-relu", (0.70, 0.72, 0.71)),
    ...                           ("Heavy", (0.80, 0.83, 0.81)))
    ...         for s, v in enumerate(values)]
    >>> table = per_dataset_table(rows, "accuracy")
    >>> [(r["configuration"], r["verdict"]) for r in table]
    [('light-relu', 'baseline'), ('Heavy', 'win')]
    >>> round(table[1]["difference"], 3), round(table[1]["p_value"], 4)
    (0.103, 0.001)
    """
    higher = _higher(metric, higher_is_better)
    cells, datasets, configurations = _scores(rows, metric)
    baseline = _resolve_baseline(baseline, configurations)
    table = []
    for dataset in datasets:
        base = cells.get((dataset, baseline), {})
        for config in _order(configurations, baseline):
            seeds = cells.get((dataset, config), {})
            values = np.array(list(seeds.values()), dtype=float)
            record = {
                "dataset": dataset, "configuration": config, "n": len(values),
                "mean": float(values.mean()) if len(values) else math.nan,
                "std": float(values.std(ddof=1)) if len(values) > 1 else math.nan,
                "n_paired": 0, "difference": math.nan, "p_value": math.nan,
                "p_holm": math.nan, "verdict": None, "note": "",
            }
            table.append(record)
            if config == baseline:
                record.update(verdict="baseline", n_paired=len(values))
                continue
            shared = sorted(set(seeds) & set(base), key=str)
            record["n_paired"] = len(shared)
            if not seeds:
                record["note"] = "no results"
                continue
            if not shared:
                record["note"] = "no seed shared with the baseline"
                continue
            mine = np.array([seeds[s] for s in shared])
            theirs = np.array([base[s] for s in shared])
            record["difference"] = float(np.mean(mine - theirs))
            if len(shared) < 2:
                record["note"] = "one seed shared with the baseline: no test"
                continue
            scale = float(np.max(np.abs(np.concatenate([mine, theirs]))))
            if _identical(mine - theirs, scale):
                record.update(verdict="tie", note="every paired difference is the same: "
                                                  "p undefined")
                continue
            p = paired_p_value([{"seed": s, metric: seeds[s]} for s in shared],
                               [{"seed": s, metric: base[s]} for s in shared], metric=metric)
            record["p_value"] = math.nan if p is None else float(p)
    for config in configurations:
        records = [r for r in table if r["configuration"] == config and config != baseline]
        for record, adjusted in zip(records, holm([r["p_value"] for r in records])):
            record["p_holm"] = float(adjusted)
            if math.isnan(adjusted):
                continue
            better = record["difference"] > 0 if higher else record["difference"] < 0
            significant = adjusted < alpha and record["difference"] != 0
            record["verdict"] = ("win" if better else "loss") if significant else "tie"
    return table


def win_tie_loss(table):
    """How often each configuration wins, ties and loses against the baseline.

    Parameters
    ----------
    table : list of dict
        What :func:`per_dataset_table` returns.

    Returns
    -------
    counts : dict
        ``{configuration: {"win": int, "tie": int, "loss": int}}``, sorted by
        configuration, the baseline left out.  A data set where no test was
        possible (verdict None) counts in none of the three.

    Examples
    --------
    >>> table = [{"configuration": "A", "verdict": "baseline"},
    ...          {"configuration": "B", "verdict": "win"},
    ...          {"configuration": "B", "verdict": "tie"},
    ...          {"configuration": "B", "verdict": None}]
    >>> win_tie_loss(table)
    {'B': {'win': 1, 'tie': 1, 'loss': 0}}
    """
    counts = {}
    for record in table:
        if record["verdict"] == "baseline":
            continue
        count = counts.setdefault(record["configuration"], dict.fromkeys(VERDICTS, 0))
        if record["verdict"] in count:
            count[record["verdict"]] += 1
    return dict(sorted(counts.items()))


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


# ---------------------------------------------------------------------------
# Normalized scores and splits
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NormalizedScores:
    """Each configuration's seed-mean per data set scaled to 0 (worst) .. 1 (best).

    What :func:`normalized_scores` returns.  Unlike a rank, the scale keeps
    how far apart the configurations are on a data set.

    Parameters
    ----------
    per_dataset : dict
        ``{dataset: {configuration: score}}``, only the configurations with a
        result there; NaN on a data set without spread (every configuration
        equal, or only one ran).
    mean : dict
        ``{configuration: mean score}`` over the data sets where its score is
        defined (NaN where none is), sorted by configuration.
    n_datasets : dict
        ``{configuration: the data sets in its mean}``.

    See Also
    --------
    normalized_scores : What makes it.
    by_group : Its means split by data-set group and transfer source.

    Examples
    --------
    >>> rows = [{"dataset": "a", "configuration": c, "seed": 0, "accuracy": v}
    ...         for c, v in (("X", 0.6), ("Y", 0.7), ("Z", 0.9))]
    >>> normalized_scores(rows, "accuracy").mean  # doctest: +ELLIPSIS
    {'X': 0.0, 'Y': 0.333..., 'Z': 1.0}
    """

    per_dataset: dict
    mean: dict
    n_datasets: dict


def normalized_scores(rows, metric, *, higher_is_better=None):
    """Scale each data set's seed-means from its worst configuration (0) to its best (1).

    Parameters
    ----------
    rows : iterable of dict, or a DataFrame
        Result rows with ``dataset``, ``configuration``, ``seed`` and ``metric``.
    metric : str
        The score scaled.
    higher_is_better : bool, default=None
        Whether a higher ``metric`` is better; None: looked up in
        :data:`HIGHER_IS_BETTER`.

    Returns
    -------
    scores : NormalizedScores
        The scaled scores per data set and their means per configuration.

    Notes
    -----
    Unlike ranks, the scale keeps how far apart configurations are; unlike raw
    scores, it weighs an easy and a hard data set alike.  A mean over fewer
    data sets (a configuration missing on some) is not comparable with one over
    all of them: ``n_datasets`` says which is which.

    Examples
    --------
    >>> rows = [{"dataset": d, "configuration": c, "seed": 0, "rmse": v}
    ...         for d, values in (("a", (1.0, 3.0, 2.0)), ("b", (5.0, 5.0, 5.0)))
    ...         for c, v in zip(("X", "Y", "Z"), values)]
    >>> result = normalized_scores(rows, "rmse")
    >>> result.per_dataset["a"]
    {'X': 1.0, 'Y': 0.0, 'Z': 0.5}
    >>> result.mean, result.n_datasets
    ({'X': 1.0, 'Y': 0.0, 'Z': 0.5}, {'X': 1, 'Y': 1, 'Z': 1})
    """
    higher = _higher(metric, higher_is_better)
    cells, datasets, configurations = _scores(rows, metric)
    means = _seed_means(cells)
    per_dataset = {}
    for dataset in datasets:
        # Oriented so that higher is better: the scale then runs one way only.
        here = {c: means[(dataset, c)] * (1 if higher else -1)
                for c in configurations if (dataset, c) in means}
        if not here:
            continue
        worst, best = min(here.values()), max(here.values())
        span = best - worst
        per_dataset[dataset] = {c: (v - worst) / span if span else math.nan
                                for c, v in here.items()}
    mean, counts = {}, {}
    for config in configurations:
        values = [s[config] for s in per_dataset.values()
                  if config in s and not math.isnan(s[config])]
        mean[config] = float(np.mean(values)) if values else math.nan
        counts[config] = len(values)
    return NormalizedScores(per_dataset=per_dataset, mean=mean, n_datasets=counts)


def _split(records, per_dataset):
    """W/T/L of the table records, and the mean normalized score of their cells."""
    counts = dict.fromkeys(VERDICTS, 0)
    values = []
    for record in records:
        if record["verdict"] in counts:
            counts[record["verdict"]] += 1
        score = per_dataset.get(record["dataset"], {}).get(record["configuration"], math.nan)
        if not math.isnan(score):
            values.append(score)
    return {**counts, "score": float(np.mean(values)) if values else math.nan,
            "n": len({r["dataset"] for r in records if r["n"]})}


def by_group(table, scores, *, groups=None, sources=None):
    """Win/tie/loss and mean normalized score, split by data-set group and by transfer source.

    Parameters
    ----------
    table : list of dict
        What :func:`per_dataset_table` returns.
    scores : NormalizedScores
        What :func:`normalized_scores` returns, for the same rows and metric.
    groups : dict, default=None
        ``{dataset: group label}``, for example the kind of the target's
        features (``"continuous"``, ``"discrete"``).  A data set without a
        label is in group ``"(none)"``.
    sources : dict, default=None
        ``{configuration: transfer source}``, for example ``"HIGGS"``.  Only
        the configurations named are split by source.

    Returns
    -------
    splits : dict
        ``{"groups": {label: {configuration: split}}, "sources": {source:
        {"configurations": (...), "all": split, "groups": {label: split}}}}``,
        keys sorted; a split is ``{"win", "tie", "loss", "score", "n"}``: the
        verdicts counted, the mean normalized score of the cells, and the data
        sets with a result.  A source's split pools its configurations' cells.

    Notes
    -----
    The verdicts are those of ``table``: Holm corrected over all the data sets
    of a configuration, not over a group's only, so a split never claims more
    than the whole.

    Examples
    --------
    >>> table = [{"dataset": d, "configuration": "T", "verdict": v, "n": 3}
    ...          for d, v in (("a", "win"), ("b", "loss"), ("c", "win"))]
    >>> scores = NormalizedScores({"a": {"T": 1.0}, "b": {"T": 0.0}, "c": {"T": 0.5}},
    ...                           {"T": 0.5}, {"T": 3})
    >>> splits = by_group(table, scores, groups={"a": "continuous", "b": "discrete"},
    ...                   sources={"T": "HIGGS"})
    >>> splits["groups"]["continuous"]["T"]
    {'win': 1, 'tie': 0, 'loss': 0, 'score': 1.0, 'n': 1}
    >>> splits["sources"]["HIGGS"]["all"]
    {'win': 2, 'tie': 0, 'loss': 1, 'score': 0.5, 'n': 3}
    >>> sorted(splits["sources"]["HIGGS"]["groups"])
    ['(none)', 'continuous', 'discrete']
    """
    def label(dataset):
        return str(groups.get(dataset, "(none)"))

    splits = {"groups": {}, "sources": {}}
    per_dataset = scores.per_dataset
    if groups is not None:
        for name in sorted({label(r["dataset"]) for r in table}):
            mine = [r for r in table if label(r["dataset"]) == name]
            splits["groups"][name] = {
                config: _split([r for r in mine if r["configuration"] == config], per_dataset)
                for config in sorted({r["configuration"] for r in mine})}
    if sources is not None:
        for source in sorted({str(s) for s in sources.values()}):
            configs = tuple(sorted(c for c, s in sources.items() if str(s) == source))
            mine = [r for r in table if r["configuration"] in configs]
            entry = {"configurations": configs, "all": _split(mine, per_dataset), "groups": {}}
            if groups is not None:
                for name in sorted({label(r["dataset"]) for r in mine}):
                    entry["groups"][name] = _split(
                        [r for r in mine if label(r["dataset"]) == name], per_dataset)
            splits["sources"][source] = entry
    return splits


# ---------------------------------------------------------------------------
# The critical-difference diagram
# ---------------------------------------------------------------------------

def _text_width_in(texts, fontsize):
    """The width in inches of the widest text, measured from the font's glyphs."""
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415 (optional)
    from matplotlib.textpath import TextToPath  # noqa: PLC0415

    measure, font = TextToPath(), FontProperties(size=fontsize)
    widths = [measure.get_text_width_height_descent(t, font, ismath=False)[0] for t in texts]
    # The glyph advances leave out hinting and the renderer's rounding: 5 % more
    # keeps the longest name inside the figure.
    return 1.05 * max(widths, default=0.0) / 72.0


def _pack(intervals, gap):
    """Rows for intervals so that none overlaps another in its row (first fit)."""
    rows, ends = [], []
    for low, high in intervals:
        for i, end in enumerate(ends):
            if low > end + gap:
                ends[i] = high
                rows.append(i)
                break
        else:
            ends.append(high)
            rows.append(len(ends) - 1)
    return rows


def critical_difference_diagram(ranks, cd, ax=None, *, title=None, fontsize=9):
    """Draw Demšar's critical-difference diagram: mean ranks on an axis, cliques joined by bars.

    The axis runs from the worst rank (left) to rank 1 (right).  Each
    configuration hangs from its mean rank by an elbow line to its name and
    mean rank, the better half on the right, the best at the top right and
    the worst at the top left.  A thick bar under the axis joins each clique
    (:func:`cliques`: no two of its mean ranks differ by the CD or more), and
    the CD is drawn to scale above the axis.

    Parameters
    ----------
    ranks : dict
        ``{configuration: mean rank}`` (``mean_ranks(...).ranks``).
    cd : float
        The critical difference (``friedman(...).cd``).
    ax : matplotlib Axes, default=None
        Where to draw; None: a new figure, sized to fit the names.  An axes
        passed in must be wide enough for the names beside the rank axis.
    title : str, default=None
        A title above the diagram.
    fontsize : float, default=9
        The size of the names.

    Returns
    -------
    fig : matplotlib Figure
        The figure drawn on.

    Examples
    --------
    >>> fig = critical_difference_diagram({"C4.5": 3.143, "C4.5+m": 2.000, "C4.5+cf": 2.893,
    ...                                    "C4.5+m+cf": 1.964}, cd=1.25)
    >>> left, right = fig.axes[0].get_xlim()
    >>> bool(left > right)  # rank 1, the best, on the right
    True
    """
    if not ranks:
        raise ValueError("no ranks to draw")
    items = sorted(ranks.items(), key=lambda item: (item[1], item[0]))
    k = len(items)
    low, high = 1.0, float(max(k, math.ceil(max(r for _, r in items))))
    labels = {name: f"{name} ({rank:.2f})" for name, rank in items}
    right = items[:math.ceil(k / 2)]  # the better half, best first
    left = items[math.ceil(k / 2):][::-1]  # the worse half, worst first

    # Vertical layout in inches: 1 data unit of y is 1 inch on a figure made
    # here, so text and bars keep their spacing whatever k is.
    line = fontsize * 1.6 / 72.0
    groups = cliques(ranks, cd)
    bar_rows = _pack([(ranks[g[0]], ranks[g[-1]]) for g in groups], gap=0.1)
    n_bar_rows = max(bar_rows, default=-1) + 1
    top = 0.75 + (0.3 if title else 0.0)
    first_label = -(0.2 + 0.12 * n_bar_rows + 0.15)
    bottom = first_label - line * (max(len(right), len(left)) - 1) - line

    # Horizontal layout: the rank axis gets what the names leave.
    gap_in = 0.15
    left_in = _text_width_in([labels[n] for n, _ in left], fontsize) + gap_in
    right_in = _text_width_in([labels[n] for n, _ in right], fontsize) + gap_in
    if ax is None:
        from matplotlib.figure import Figure  # noqa: PLC0415 (optional, and heavy)

        axis_in = max(3.0, 0.6 * (high - low))
        fig = Figure(figsize=(axis_in + left_in + right_in + 0.5, top - bottom))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    else:
        fig = ax.figure
        width_in = fig.get_figwidth() * ax.get_position().width
        axis_in = max(width_in - left_in - right_in - 0.5, 0.3 * width_in)
    per_in = (high - low) / axis_in if high > low else 1.0 / axis_in
    margin = 0.25 * per_in
    # Inverted x: rank 1, the best, on the right, as Demšar draws it.
    ax.set_xlim(high + left_in * per_in + margin, low - right_in * per_in - margin)
    ax.set_ylim(bottom, top)
    ax.set_axis_off()

    black = {"color": "black", "linewidth": 1.0, "solid_capstyle": "butt"}
    ax.plot([low, high], [0, 0], **black)
    for tick in np.arange(low, high + 0.25, 0.5):
        size = 0.07 if float(tick).is_integer() else 0.04
        ax.plot([tick, tick], [0, size], **black)
        if float(tick).is_integer():
            ax.text(tick, size + 0.03, f"{int(tick)}", ha="center", va="bottom",
                    fontsize=fontsize)

    # The CD to scale, from the worst end of the axis; a CD wider than the
    # axis (few data sets) is cut at its other end and says so.
    shown = min(cd, high - low)
    y_cd = 0.5
    ax.plot([high, high - shown], [y_cd, y_cd], color="black", linewidth=1.5)
    for x in (high, high - shown):
        ax.plot([x, x], [y_cd - 0.04, y_cd + 0.04], color="black", linewidth=1.0)
    note = "" if shown == cd else " (wider than the axis)"
    ax.text(high - shown / 2, y_cd + 0.06, f"CD = {cd:.2f}{note}", ha="center", va="bottom",
            fontsize=fontsize)
    if title:
        ax.text((low + high) / 2, top - 0.05, title, ha="center", va="top",
                fontsize=fontsize + 1, fontweight="bold")

    for row, group in zip(bar_rows, groups):
        y = -(0.2 + 0.12 * row)
        # A little past both ends, so that a bar reads as covering its ends'
        # elbow lines rather than stopping on them.
        ax.plot([ranks[group[0]] - 0.04 * per_in, ranks[group[-1]] + 0.04 * per_in], [y, y],
                color="black", linewidth=3.0, solid_capstyle="round")

    for side, anchor, align in ((right, low - 0.15 * per_in, "left"),
                                (left, high + 0.15 * per_in, "right")):
        for i, (name, rank) in enumerate(side):
            y = first_label - i * line
            ax.plot([rank, rank, anchor], [0, y, y], color="0.35", linewidth=0.8)
            ax.plot([rank], [0], marker="o", markersize=3, color="black")
            ax.text(anchor - 0.05 * per_in if align == "left" else anchor + 0.05 * per_in, y,
                    labels[name], ha=align, va="center", fontsize=fontsize)
    return fig


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------

def _f(value, digits=3, sign=False):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _p(value):
    if value is None or math.isnan(value):
        return _MISSING
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def _cell(name):
    return str(name).replace("|", "\\|")


def _wtl(count):
    return f"{count['win']}/{count['tie']}/{count['loss']}" if count else _MISSING


def _e_param(rows):
    values = {}
    for row in rows:
        value = _number(row.get("e_param"))
        if value is not None:
            values.setdefault(str(row["configuration"]), []).append(value)
    return {config: float(np.mean(v)) for config, v in values.items()}


def format_report(rows, metric, baseline=DEFAULT_BASELINE, *, higher_is_better=None,
                  groups=None, sources=None, alpha=0.05, digits=3):
    """Markdown: the comparison across data sets, with every configuration and data set.

    Parameters
    ----------
    rows : iterable of dict, or a DataFrame
        Result rows with ``dataset``, ``configuration``, ``seed`` and ``metric``
        (and ``e_param``, shown when present).
    metric : str
        The score compared.
    baseline : str, default="Light ReLU"
        The configuration the wins, ties and losses are counted against (see
        :func:`per_dataset_table`).
    higher_is_better : bool, default=None
        Whether a higher ``metric`` is better; None: looked up in
        :data:`HIGHER_IS_BETTER`.
    groups : dict, default=None
        ``{dataset: group label}``: adds the split by group (:func:`by_group`).
    sources : dict, default=None
        ``{configuration: transfer source}``: adds the split by source.
    alpha : float, default=0.05
        The level of the Holm-corrected tests and of the critical difference.
    digits : int, default=3
        Decimals of the scores.

    Returns
    -------
    text : str
        The aggregate table (mean rank, mean normalized score, W/T/L against
        the baseline, mean E_param when the rows have it), the Friedman and
        Iman–Davenport tests with the CD, the per-data-set table and the
        splits; "—" marks a missing value.  The same rows give the same text.

    Examples
    --------
    >>> rows = [{"dataset": d, "configuration": c, "seed": s, "rmse": v + 0.01 * s * (j + 1) ** 2}
    ...         for d, values in (("a", (1.0, 2.0, 1.5)), ("b", (2.0, 2.5, 3.0)),
    ...                           ("c", (1.0, 1.1, 0.5)))
    ...         for j, (c, v) in enumerate(zip(("Light ReLU", "Wide", "Deep"), values))
    ...         for s in range(3)]
    >>> print(format_report(rows, "rmse").split("## Friedman")[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    # rmse across 3 data sets (lower is better)
    <BLANKLINE>
    3 configurations, 3 data sets, 3 seeds in all; baseline: Light ReLU.
    <BLANKLINE>
    ## Aggregate
    <BLANKLINE>
    | Configuration | Mean rank | Mean normalized score | W/T/L vs Light ReLU |
    |---|---|---|---|
    | Light ReLU | 1.33 | 0.745 (3) | baseline |
    | Deep | 2.00 | 0.479 (3) | 1/0/2 |
    | Wide | 2.67 | 0.170 (3) | 0/0/3 |
    <BLANKLINE>
    Mean rank: rank 1 is the best seed-mean on a data set, over the 3 data sets
    with every configuration. Normalized score: 0 the worst configuration on the
    data set, 1 the best (data sets averaged in parentheses). W/T/L: paired
    t-test over seeds, Holm-corrected over data sets, alpha = 0.05.
    <BLANKLINE>
    <BLANKLINE>
    """
    rows = _records(rows)
    higher = _higher(metric, higher_is_better)
    table = per_dataset_table(rows, metric, baseline, higher_is_better=higher, alpha=alpha)
    baseline = table[0]["configuration"] if table else baseline
    cells, datasets, configurations = _scores(rows, metric)
    counts = win_tie_loss(table)
    scores = normalized_scores(rows, metric, higher_is_better=higher)
    e_param = _e_param(rows)
    try:
        ranks = mean_ranks(rows, metric, higher_is_better=higher)
    except ValueError:
        ranks = None
    seeds = {row["seed"] for row in rows}

    out = [f"# {metric} across {len(datasets)} data sets "
           f"({'higher' if higher else 'lower'} is better)", "",
           f"{len(configurations)} configurations, {len(datasets)} data sets, "
           f"{len(seeds)} seeds in all; baseline: {_cell(baseline)}.", ""]

    # The aggregate table, best mean rank first; what has no rank follows.
    ranked = list(ranks.ranks) if ranks else []
    order = ranked + [c for c in _order(configurations, baseline) if c not in ranked]
    header = ["Configuration", "Mean rank", "Mean normalized score", f"W/T/L vs {_cell(baseline)}"]
    if e_param:
        header.append("Mean E_param")
    out += ["## Aggregate", "", "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header)]
    for config in order:
        cells_ = [_cell(config),
                  _f(ranks.ranks.get(config), 2) if ranks else _MISSING,
                  f"{_f(scores.mean[config])} ({scores.n_datasets[config]})",
                  "baseline" if config == baseline else _wtl(counts.get(config))]
        if e_param:
            cells_.append(_f(e_param.get(config), digits))
        out.append("| " + " | ".join(cells_) + " |")
    out += ["", (f"Mean rank: rank 1 is the best seed-mean on a data set, over the "
                 f"{len(ranks.datasets)} data sets with every configuration."
                 if ranks else "Mean rank: no data set has every configuration.")
            + " Normalized score: 0 the worst configuration on the data set, 1 the best "
              "(data sets averaged in parentheses). W/T/L: paired t-test over seeds, "
              f"Holm-corrected over data sets, alpha = {alpha:g}.", ""]
    if ranks and ranks.dropped:
        out += ["Left out of the ranks (a configuration has no result there): " + "; ".join(
            f"{_cell(d)} (no {', '.join(map(_cell, m))})" for d, m in ranks.dropped.items())
            + ".", ""]

    out += ["## Friedman test", ""]
    try:
        result = friedman(rows, metric, higher_is_better=higher, alpha=alpha)
    except ValueError as error:
        out += [f"Not run: {error}.", ""]
    else:
        verdict = ("the configurations do not all rank alike"
                   if result.iman_davenport_p_value < alpha
                   else "no evidence that the configurations rank differently")
        out += [
            f"- k = {result.n_configurations} configurations, N = {result.n_datasets} data sets.",
            f"- Friedman χ² = {result.statistic:.3f} (corrected for ties; "
            f"{result.statistic_uncorrected:.3f} without), df = {result.df[0]}, "
            f"p = {_p(result.p_value)}.",
            f"- Iman–Davenport F = {_f(result.iman_davenport)}, df = "
            f"({result.df[0]}, {result.df[1]}), p = {_p(result.iman_davenport_p_value)}: "
            f"{verdict} (alpha = {alpha:g}).",
            f"- Nemenyi critical difference: CD = {result.q_alpha:.3f} × "
            f"sqrt({result.n_configurations}·{result.n_configurations + 1} / "
            f"(6·{result.n_datasets})) = {result.cd:.3f} (alpha = {alpha:g}).",
        ]
        groups_ = cliques(result.ranks.ranks, result.cd)
        if groups_:
            out.append("- Not told apart by Nemenyi (mean ranks within the CD): " + "; ".join(
                "{" + ", ".join(map(_cell, g)) + "}" for g in groups_) + ".")
        else:
            out.append("- Every pair of mean ranks differs by the CD or more.")
        out.append("")

    out += ["## Per data set", "",
            f"| Dataset | Configuration | {_cell(metric)} (mean ± std) | Seeds | "
            f"Normalized | Δ vs baseline | p | Holm p | Verdict |",
            "|---|---|---|---|---|---|---|---|---|"]
    notes = {}
    for r in table:
        mean = _f(r["mean"], digits)
        if not math.isnan(r["std"]):
            mean += f" ± {r['std']:.{digits}f}"
        verdict = r["verdict"] or _MISSING
        if r["note"]:
            mark = notes.setdefault(r["note"], f"[{len(notes) + 1}]")
            verdict += f" {mark}"
        normalized = scores.per_dataset.get(r["dataset"], {}).get(r["configuration"])
        out.append(f"| {_cell(r['dataset'])} | {_cell(r['configuration'])} | {mean} | {r['n']} "
                   f"| {_f(normalized)} | {_f(r['difference'], digits, sign=True)} "
                   f"| {_p(r['p_value'])} | {_p(r['p_holm'])} | {verdict} |")
    out.append("")
    if notes:
        out += [f"{mark} {note}." for note, mark in notes.items()] + [""]
    out += ["p: two-sided paired t-test over the seeds the configuration and the baseline "
                "share (Δ is their mean difference); Holm p: corrected over the data sets of "
                "the configuration.", ""]

    if groups is not None or sources is not None:
        splits = by_group(table, scores, groups=groups, sources=sources)
        if groups is not None:
            out += ["## By data-set group", "",
                    "| Group | Configuration | Data sets | W/T/L | Mean normalized score |",
                    "|---|---|---|---|---|"]
            for name, by_config in splits["groups"].items():
                for config in _order(by_config, baseline):
                    s = by_config[config]
                    wtl = "baseline" if config == baseline else _wtl(s)
                    out.append(f"| {_cell(name)} | {_cell(config)} | {s['n']} | {wtl} "
                               f"| {_f(s['score'])} |")
            out.append("")
        if sources is not None:
            out += ["## By transfer source", "",
                    "| Source | Group | Configurations | Data sets | W/T/L | "
                    "Mean normalized score |", "|---|---|---|---|---|---|"]
            for source, entry in splits["sources"].items():
                names = ", ".join(map(_cell, entry["configurations"]))
                for name, s in [("all", entry["all"]), *entry["groups"].items()]:
                    out.append(f"| {_cell(source)} | {_cell(name)} | {names} | {s['n']} "
                               f"| {_wtl(s)} | {_f(s['score'])} |")
            out.append("")
        out += ["Verdicts as in the per-data-set table (Holm over all data sets).", ""]
    return "\n".join(out)
