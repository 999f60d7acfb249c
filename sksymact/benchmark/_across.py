"""Statistics across data sets: wins and losses against a baseline, normalized scores.

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
>>> win_tie_loss(per_dataset_table(rows, "roc_auc"))["Heavy ReLU"]
{'win': 0, 'tie': 3, 'loss': 0}

Mean ranks and the Friedman test are in :mod:`sksymact.benchmark._ranks`,
the Markdown report and the diagram in :mod:`sksymact.benchmark._across_report`.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

from .._statistics import paired_p_value

__all__ = ["DEFAULT_BASELINE", "HIGHER_IS_BETTER", "NormalizedScores", "by_group", "holm",
           "normalized_scores", "per_dataset_table", "win_tie_loss"]

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


