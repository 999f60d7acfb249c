"""Plots of discovered activations and of the accuracy-per-parameter frontier.

matplotlib is imported inside the functions only, so ``import sksymact``
never needs it.  Figures are created with :class:`matplotlib.figure.Figure`,
not with pyplot: they work without a display and are not registered with
pyplot's figure manager; save them with ``fig.savefig`` or pass your own
``ax`` (for example ``plt.gca()``) to draw into a pyplot figure.
"""

import csv
import json
import math
import os

import numpy as np

from ._formula import Formula

__all__ = ["plot_activation", "plot_efficiency", "plot_learning_curves"]

_BASELINES = {
    "ReLU": lambda x: np.maximum(x, 0.0),
    "SiLU": lambda x: x / (1.0 + np.exp(-x)),
}


def _new_axes(ax, figsize, ncols=1):
    if ax is not None:
        return ax.figure, [ax] if ncols == 1 else ax
    from matplotlib.figure import Figure  # noqa: PLC0415 (optional, and heavy)

    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _looks_like_path(value):
    return isinstance(value, os.PathLike) or (
        isinstance(value, str) and (value.endswith((".json", ".csv")) or os.path.exists(value)))


def _load_json_formulas(path):
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "formulas.json")
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def _entry_label(entry):
    if entry.get("key"):
        return str(entry["key"])
    parts = [str(entry[k]) for k in ("dataset", "seed") if entry.get(k) is not None]
    return " ".join(parts)


def _formula_items(formulas):
    """``[(label, Formula), ...]`` from the many shapes ``formulas`` may take."""
    if _looks_like_path(formulas):
        formulas = _load_json_formulas(formulas)
    if isinstance(formulas, (str, Formula)):
        formulas = [formulas]
    if hasattr(formulas, "to_dict") and hasattr(formulas, "columns"):  # a DataFrame
        formulas = formulas.to_dict("records")
    if isinstance(formulas, dict):
        if "formulas" in formulas:
            formulas = formulas["formulas"]
        elif "formula" in formulas:
            formulas = [formulas]
        else:
            formulas = list(formulas.items())
    items = []
    for item in formulas:
        if isinstance(item, (str, Formula)):
            label, text = "", item
        elif isinstance(item, dict):
            label, text = _entry_label(item), item["formula"]
        else:
            label, text = item
        formula = text if isinstance(text, Formula) else Formula.parse(str(text))
        items.append((str(label), formula.collapse()))
    return items


def _pretty(formula, max_length=60):
    """A short label: sympy's form with constants to 3 digits, cut at ``max_length``."""
    try:
        import sympy  # noqa: PLC0415 (heavy; only the labels need it)

        expression = formula.to_sympy()
        text = str(expression.xreplace(
            {c: sympy.Float(c, 3) for c in expression.atoms(sympy.Float)}))
    except Exception:  # noqa: BLE001 (a label is not worth a failure)
        text = str(formula)
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def plot_activation(formulas, ax=None, x_range=(-5, 5), *, n_points=401, baselines=True):
    """Draw each discovered activation against ReLU and SiLU.

    Parameters
    ----------
    formulas : path, str, Formula, dict, list or DataFrame
        A ``formulas.json`` (or a benchmark folder holding one), its loaded
        content, a list of its entries (dicts with a ``"formula"``), a
        DataFrame with a ``"formula"`` column, a mapping ``label -> formula``,
        or formulas (text or :class:`~sksymact.Formula`).  Variables are
        collapsed to ``x``; the same formula found several times is drawn once,
        labelled with every place it came from.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    x_range : (float, float), default=(-5, 5)
        The interval of ``x`` drawn.
    n_points : int, default=401
        The number of evenly spaced points of ``x_range`` at which each
        formula is evaluated.
    baselines : bool, default=True
        Also draw ReLU and SiLU (grey, dashed).

    Returns
    -------
    ax : matplotlib Axes
        One line per distinct formula, then one per baseline.

    Examples
    --------
    >>> from sksymact.plotting import plot_activation
    >>> ax = plot_activation(["x*cos(x)", "sin(x) + x"])
    >>> len(ax.get_lines())  # two formulas, ReLU and SiLU
    4
    """
    items = _formula_items(formulas)
    merged = {}
    for label, formula in items:
        merged.setdefault(formula, []).append(label)
    _, (ax,) = _new_axes(ax, (6.4, 4.2))
    x = np.linspace(float(x_range[0]), float(x_range[1]), int(n_points))
    for formula, labels in merged.items():
        y = np.broadcast_to(np.asarray(formula(x), dtype=float), x.shape)
        sources = ", ".join(label for label in labels if label)
        ax.plot(x, y, linewidth=1.8,
                label=_pretty(formula) + (f"  [{sources}]" if sources else ""))
    if baselines:
        for (name, function), style in zip(_BASELINES.items(), ("--", ":")):
            ax.plot(x, function(x), style, color="0.45", linewidth=1.2, label=name)
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel("x")
    ax.set_ylabel("activation(x)")
    ax.set_title("Discovered activations")
    ax.legend(fontsize=7, loc="best")
    return ax


def _result_rows(results):
    if _looks_like_path(results):
        path = os.fspath(results)
        if os.path.isdir(path):
            path = os.path.join(path, "results.csv")
        with open(path, encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream))
    if hasattr(results, "to_dict") and hasattr(results, "columns"):
        return results.to_dict("records")
    return list(results)


def _aggregate(rows, metric):
    """``{dataset: {configuration: (n_params, mean, std)}}`` in first-seen order."""
    values = {}
    for row in rows:
        by_config = values.setdefault(str(row["dataset"]), {})
        entry = by_config.setdefault(str(row["configuration"]), ([], []))
        entry[0].append(float(row["n_params"]))
        entry[1].append(float(row[metric]))
    return {dataset: {config: (float(np.mean(p)), float(np.mean(m)),
                               float(np.std(m, ddof=1)) if len(m) > 1 else 0.0)
                      for config, (p, m) in configs.items()}
            for dataset, configs in values.items()}


def _frontier(points):
    """Points not beaten by one with fewer (or as many) parameters and a higher score."""
    best, kept = -math.inf, []
    for n_params, mean in sorted(points, key=lambda p: (p[0], -p[1])):
        if mean > best:
            kept.append((n_params, mean))
            best = mean
    return kept


def plot_efficiency(results, *, metric="roc_auc", labels=None, datasets=None, fig=None):
    """ROC AUC against the number of parameters, one panel per data set.

    Each configuration is one point (mean over seeds, with the standard
    deviation as error bar); the line joins the efficiency frontier, the
    configurations that no smaller-or-equal network beats.  The x axis is
    logarithmic, as in E_param = AUC / log10(parameters).

    Parameters
    ----------
    results : path, DataFrame or list of dict
        ``results.csv`` (or a benchmark folder holding one), or its rows:
        columns ``dataset``, ``configuration``, ``n_params`` and ``metric``.
    metric : str, default="roc_auc"
        The column on the y axis (``"accuracy"``, ``"e_param"`` ...).
    labels : dict, default=None
        Display names of configurations and data sets (default: the names in
        the data).
    datasets : list of str, default=None
        Panels to draw, in this order (default: every data set, as found).
    fig : matplotlib Figure, default=None
        Where to draw (its current content is kept); None makes a new one.

    Returns
    -------
    fig : matplotlib Figure
        One Axes per data set; in each, one error-bar container per
        configuration and a line with ``gid="frontier"``.

    Examples
    --------
    >>> from sksymact.plotting import plot_efficiency
    >>> rows = [{"dataset": "d", "configuration": c, "n_params": n, "roc_auc": a}
    ...         for c, n, a in [("light", 5825, 0.90), ("heavy", 31801, 0.91)]]
    >>> fig = plot_efficiency(rows)
    >>> len(fig.axes[0].containers)
    2
    """
    aggregated = _aggregate(_result_rows(results), metric)
    datasets = list(aggregated) if datasets is None else list(datasets)
    missing = [d for d in datasets if d not in aggregated]
    if missing or not datasets:
        raise ValueError(f"no results for data set(s) {missing!r}; the results hold "
                         f"{list(aggregated)!r}.")
    labels = dict(labels or {})
    if fig is None:
        fig, axes = _new_axes(None, (4.0 * len(datasets), 3.6), ncols=len(datasets))
    else:
        axes = list(fig.subplots(1, len(datasets), squeeze=False)[0])
    configs = list(dict.fromkeys(c for d in datasets for c in aggregated[d]))
    colors = {c: f"C{i % 10}" for i, c in enumerate(configs)}
    markers = "osD^v<>ph*"
    for ax, dataset in zip(axes, datasets):
        points = aggregated[dataset]
        for config, (n_params, mean, std) in points.items():
            ax.errorbar([n_params], [mean], yerr=[std], fmt=markers[configs.index(config) % 10],
                        color=colors[config], capsize=3, markersize=6,
                        label=labels.get(config, config))
        frontier = _frontier([(n, m) for n, m, _ in points.values()])
        ax.plot([p[0] for p in frontier], [p[1] for p in frontier], "-", color="0.6",
                linewidth=1, zorder=0, gid="frontier")
        ax.set_xscale("log")
        ax.set_title(labels.get(dataset, dataset))
        ax.set_xlabel("trainable parameters (log scale)")
        ax.set_ylabel(metric.replace("_", " "))
        ax.legend(fontsize=7, loc="best")
    return fig


def plot_learning_curves(curves, metric="valid_auc", *, labels=None):
    """Draw the per-epoch validation ROC AUC of every run, one panel per data set.

    Parameters
    ----------
    curves : list of dict or str or path-like
        Entries of a benchmark's ``curves.json`` (``dataset``,
        ``configuration``, ``seed`` and one list per metric), or the path of
        that file or of the results folder holding it.
    metric : str, default="valid_auc"
        The list to draw: ``"valid_auc"``, ``"valid_loss"`` or ``"train_loss"``.
    labels : dict, default=None
        Display names of data sets and configurations, by key.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per data set; one colour per configuration, one line per
        seed; a dot marks each run's best epoch (the weights kept).
    """
    if _looks_like_path(curves):
        path = os.fspath(curves)
        path = os.path.join(path, "curves.json") if os.path.isdir(path) else path
        with open(path, encoding="utf-8") as stream:
            curves = json.load(stream)["curves"]
    labels = labels or {}
    datasets = list(dict.fromkeys(c["dataset"] for c in curves))
    configs = list(dict.fromkeys(c["configuration"] for c in curves))
    fig, axes = _new_axes(None, (5.2 * max(len(datasets), 1), 4.0), ncols=max(len(datasets), 1))
    from matplotlib import colormaps  # noqa: PLC0415

    colours = colormaps["tab10"]
    for ax, dataset in zip(axes, datasets):
        shown = set()
        for curve in (c for c in curves if c["dataset"] == dataset):
            values = curve.get(metric) or []
            if not values:
                continue
            index = configs.index(curve["configuration"])
            label = labels.get(curve["configuration"], curve["configuration"])
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, color=colours(index % 10), alpha=0.8, lw=1.2,
                    label=None if label in shown else label)
            shown.add(label)
            best = int(np.argmin(curve["valid_loss"])) if curve.get("valid_loss") else None
            if best is not None and best < len(values):
                ax.plot(epochs[best], values[best], "o", color=colours(index % 10), ms=3)
        ax.set_title(labels.get(dataset, dataset))
        ax.set_xlabel("epoch")
        ax.set_ylabel({"valid_auc": "validation ROC AUC"}.get(metric, metric))
        ax.legend(fontsize="small")
    return fig
