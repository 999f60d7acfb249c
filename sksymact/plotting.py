"""Plots of discovered activations and of every configuration's scores per data set.

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

from ._formula import Formula, readable_formula

__all__ = ["plot_activation", "plot_efficiency", "plot_learning_curves",
           "plot_search_history"]

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


def _formula_items(formulas):
    """``[(label, Formula, entry), ...]`` from the many shapes ``formulas`` may take.

    ``entry`` is the ``formulas.json`` entry (a dict) a formula came from, or
    None: it says where the formula was found and whether it is network
    selection's ReLU fallback.
    """
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
        entry = None
        if isinstance(item, (str, Formula)):
            label, text = "", item
        elif isinstance(item, dict):
            entry, label, text = item, str(item.get("key") or ""), item["formula"]
        else:
            label, text = item
        formula = text if isinstance(text, Formula) else Formula.parse(str(text))
        items.append((str(label), formula.collapse(), entry))
    return items


def _sources_text(labels, entries, names):
    """Where a formula was found, for readers: ``"HIGGS, seeds 42, 43, network-selected"``.

    Entries of formulas.json are grouped by data set (shown by its name in
    ``names``, else by its key) and selection, their seeds listed; plain
    labels are kept as they are.
    """
    groups, plain = {}, []
    for label, entry in zip(labels, entries):
        if entry is None or "dataset" not in entry:
            if label:
                plain.append(label)
            continue
        dataset = entry["dataset"]
        key = (names.get(dataset, dataset), entry.get("selection") == "network")
        groups.setdefault(key, []).append(entry.get("seed"))
    texts = []
    for (name, network), seeds in groups.items():
        known = [str(seed) for seed in seeds if seed is not None]
        where = ("all rows" if not known else
                 f"seed{'s' if len(known) > 1 else ''} {', '.join(known)}")
        texts.append(", ".join([name, where] + (["network-selected"] if network else [])))
    return "; ".join(texts + plain)


def _pretty(formula, max_length=60):
    """A short label: sympy's form with constants to 3 digits, cut at ``max_length``."""
    text = readable_formula(formula)
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def _y_limits(curves, x, focus):
    """A y-range that shows every curve where pre-activations live (``focus``), padded."""
    inside = (x >= focus[0]) & (x <= focus[1]) if focus is not None else np.ones_like(x, bool)
    if not inside.any():
        inside[:] = True
    values = np.concatenate([np.asarray(y, dtype=float)[inside] for y in curves])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    pad = 0.08 * (high - low) if high > low else 1.0
    return low - pad, high + pad


def plot_activation(formulas, ax=None, x_range=(-5, 5), *, n_points=401, baselines=True,
                    y_focus=(-3, 3), labels=None):
    """Draw each discovered activation against ReLU and SiLU.

    Parameters
    ----------
    formulas : path, str, Formula, dict, list or DataFrame
        A ``formulas.json`` (or a benchmark folder holding one), its loaded
        content, a list of its entries (dicts with a ``"formula"``), a
        DataFrame with a ``"formula"`` column, a mapping ``label -> formula``,
        or formulas (text or :class:`~sksymact.Formula`).  Variables are
        collapsed to ``x``; the same formula found several times is drawn once,
        labelled with every place it came from ("HIGGS, seeds 42, 43").  An
        entry whose discovery fell back to ReLU (``fell_back_to_relu``: no
        candidate trained better than ReLU) is not drawn as a discovered
        activation: the ReLU line says whose fallback it is.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    x_range : (float, float), default=(-5, 5)
        The interval of ``x`` drawn.
    n_points : int, default=401
        The number of evenly spaced points of ``x_range`` at which each
        formula is evaluated.
    baselines : bool, default=True
        Also draw ReLU and SiLU (grey, dashed).
    y_focus : (float, float) or None, default=(-3, 3)
        The interval of ``x`` whose values set the y-range: where the
        pre-activations live after BatchNorm (N(0, 1)), so that one formula
        growing fast outside it (a parabola) does not flatten the others.
        None: every value drawn.
    labels : dict, default=None
        Display names of the data sets that ``formulas.json`` entries name,
        by key (``{"higgs": "HIGGS"}``); a data set without one is shown by
        its key.

    Returns
    -------
    ax : matplotlib Axes
        One line per distinct formula, then one per baseline; the legend is
        below the plot (a figure with ``layout="constrained"`` makes room).

    Examples
    --------
    >>> from sksymact.plotting import plot_activation
    >>> ax = plot_activation(["x*cos(x)", "sin(x) + x"])
    >>> len(ax.get_lines())  # two formulas, ReLU and SiLU
    4
    """
    names = dict(labels or {})
    merged, fallback = {}, ([], [])
    for label, formula, entry in _formula_items(formulas):
        if entry is not None and entry.get("fell_back_to_relu"):
            fallback[0].append(label)
            fallback[1].append(entry)
            continue
        sources, entries = merged.setdefault(formula, ([], []))
        sources.append(label)
        entries.append(entry)
    _, (ax,) = _new_axes(ax, (6.4, 4.2))
    x = np.linspace(float(x_range[0]), float(x_range[1]), int(n_points))
    curves = []
    for formula, (sources, entries) in merged.items():
        y = np.broadcast_to(np.asarray(formula(x), dtype=float), x.shape)
        sources = _sources_text(sources, entries, names)
        ax.plot(x, y, linewidth=1.8, label=_pretty(formula) + (f"\n  {sources}" if sources else ""))
        curves.append(y)
    relu_note = ""
    if fallback[0]:
        relu_note = (f"\n  network selection's fallback, nothing discovered:\n  "
                     f"{_sources_text(*fallback, names)}")
    for (name, function), style in zip(_BASELINES.items(), ("--", ":")):
        note = relu_note if name == "ReLU" else ""
        if baselines or note:
            ax.plot(x, function(x), style, color="0.45", linewidth=1.2 + bool(note),
                    label=name + note)
            curves.append(function(x))
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_xlim(x[0], x[-1])
    limits = _y_limits(curves, x, y_focus) if curves else None
    if limits is not None:
        ax.set_ylim(*limits)
    ax.set_xlabel("x")
    ax.set_ylabel("activation(x)")
    ax.set_title("Discovered activations")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
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


def _number(value):
    """A float from a results cell; None for an empty one (a row that is no network)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _aggregate(rows, metric, fallback_keys, kinds, baseline):
    """``{dataset: {configuration: record}}``, in first-seen order.

    A record holds the scores by seed, the parameter count (None for an
    estimator that is no network), the E_param values, how many seeds used
    network selection's ReLU fallback and the configuration's kind on the
    panel (``kinds``' where it names one).
    """
    from ._statistics import mean_std  # noqa: PLC0415 (scipy)

    out = {}
    for row in rows:
        score = _number(row.get(metric))
        if score is None:
            continue
        by_config = out.setdefault(str(row["dataset"]), {})
        record = by_config.setdefault(str(row["configuration"]), {
            "scores": {}, "n_params": [], "e_param": [], "fallback": 0, "formula": False})
        record["scores"][row.get("seed", len(record["scores"]))] = score
        record["n_params"].append(_number(row.get("n_params")))
        record["e_param"].append(_number(row.get("e_param")))
        key = row.get("formula_key")
        record["fallback"] += key in fallback_keys
        record["formula"] |= isinstance(key, str) and bool(key)  # not a DataFrame's NaN
    for configs in out.values():
        for config, record in configs.items():
            values = list(record["scores"].values())
            record["mean"], std = mean_std(values)
            record["std"] = 0.0 if std is None else std  # one seed: no error bar
            params = record["n_params"]
            kind = kinds.get(config)
            record["neural"] = kind != "reference" and all(p is not None for p in params)
            if config == baseline:
                kind = "baseline"
            elif not record["neural"]:
                kind = "reference"
            elif kind is None:
                kind = "discovered" if record["formula"] else "network"
            record["kind"] = kind
            record["params"] = float(np.mean(params)) if record["neural"] else None
            e_values = [e for e in record["e_param"] if e is not None]
            record["e"] = float(np.mean(e_values)) if e_values else None
            if record["e"] is None and record["neural"] and record["params"] > 1:
                if metric in ("roc_auc", "r2"):  # the definitions of E_param
                    record["e"] = max(record["mean"], 0.0) / math.log10(record["params"])
            record["all_relu"] = 0 < record["fallback"] == len(values)
    return out


def _ordered(configs, baseline, known):
    """Configurations in the order of ``known``, the baseline first, the others last."""
    known = list(known)
    configs = list(dict.fromkeys(configs))
    configs.sort(key=lambda c: (c != baseline, known.index(c) if c in known else len(known)))
    return configs


def _window(configs, networks, references, baseline):
    """The x-range of a panel: the baseline and references, and the rows near them.

    A row whose mean lies further from that core than the core is wide (a
    transfer that failed) would squeeze every other row into a line; it is
    drawn at the edge instead, with its numbers.  None: no baseline or
    reference to build the core from.
    """
    core = [configs[c] for c in (baseline, *references) if c in configs]
    if not core:
        return None
    low = min(r["mean"] - r["std"] for r in core)
    high = max(r["mean"] + r["std"] for r in core)
    reach = max(high - low, 0.01)
    for config in networks:
        record = configs.get(config)
        if record is not None and low - reach <= record["mean"] <= high + reach:
            values = list(record["scores"].values())
            low = min(low, record["mean"] - record["std"], *values)
            high = max(high, record["mean"] + record["std"], *values)
    pad = 0.06 * (high - low or 0.01)
    return low - pad, high + pad


_STYLE = {"baseline": ("black", "o"), "network": ("tab:blue", "s"),
          "discovered": ("tab:orange", "D"), "relu": ("0.55", "o")}
_REFERENCE_COLOURS = ("tab:green", "tab:purple", "tab:brown", "tab:pink")
_METRIC_NAMES = {"roc_auc": "ROC AUC", "r2": "R²", "accuracy": "accuracy", "rmse": "RMSE",
                 "e_param": "E_param"}


def _finding(aggregated, datasets, baseline, labels, metric):
    """The sentence the figure is about, computed from the scores."""
    from ._statistics import paired_p_value  # noqa: PLC0415 (scipy)

    name = _METRIC_NAMES.get(metric, metric)
    best = {}
    for dataset in datasets:
        configs = aggregated[dataset]
        top = max(configs, key=lambda c: configs[c]["mean"])
        best.setdefault(labels.get(top, top), []).append(labels.get(dataset, dataset))
    if len(best) == 1:
        (winner,) = best
        parts = [f"Highest mean {name}: {winner}, on "
                 f"{'every data set' if len(datasets) > 1 else best[winner][0]}"]
    else:
        parts = ["Highest mean " + name + ": " + "; ".join(
            f"{winner} ({', '.join(where)})" for winner, where in best.items())]
    tested = better = relu = 0
    for dataset in datasets:
        configs = aggregated[dataset]
        base = configs.get(baseline)
        for config, record in configs.items():
            if record["kind"] != "discovered" or base is None:
                continue
            if record["all_relu"]:
                relu += 1
                continue
            tested += 1
            p = paired_p_value([{"seed": s, metric: v} for s, v in record["scores"].items()],
                               [{"seed": s, metric: v} for s, v in base["scores"].items()],
                               metric)
            better += p is not None and p < 0.05 and record["mean"] > base["mean"]
    if tested or relu:
        text = (f"discovered activations significantly above {labels.get(baseline, baseline)}: "
                f"{better} of {tested} (paired t-test, p < 0.05)")
        if relu:
            text += f"; {relu} more {'is' if relu == 1 else 'are'} ReLU in every seed"
        parts.append(text)
    return ". ".join(parts[:1] + [p[0].upper() + p[1:] for p in parts[1:]]) + "."


def plot_efficiency(results, *, metric="roc_auc", labels=None, datasets=None, fig=None,
                    baseline="light-relu", formulas=None, title=None, kinds=None):
    """Every configuration's score per data set, beside the estimators that are no network.

    One panel per data set, one row per network configuration: its mean over
    the seeds with the standard deviation as error bar, each seed as a small
    dot, and its E_param = score / log10(parameters) in a column at the
    right.  The baseline's mean is a dotted vertical line; each estimator
    that is no network (empty ``n_params``, e.g. gradient boosting) is a
    dashed vertical line with its ± std band.  Discovered activations
    (formula configurations) are orange; a row whose formula was network
    selection's ReLU fallback in every seed is grey and says so.  The title
    says which configuration scores highest and how many discovered
    activations beat the baseline (paired t-test over the seeds).  ``kinds``
    says which configurations are discovered activations, and the order of
    the rows.

    Parameters
    ----------
    results : path, DataFrame or list of dict
        ``results.csv`` (or a benchmark folder holding one), or its rows:
        columns ``dataset``, ``configuration``, ``seed``, ``n_params`` and
        ``metric``; ``e_param`` and ``formula_key`` where there.
    metric : str, default="roc_auc"
        The score drawn (``"r2"``, ``"accuracy"`` ...).
    labels : dict, default=None
        Display names of configurations and data sets (default: the names in
        the data).
    datasets : list of str, default=None
        Panels to draw, in this order (default: every data set, as found).
    fig : matplotlib Figure, default=None
        Where to draw (its current content is kept); None makes a new one.
    baseline : str, default="light-relu"
        The configuration the others are compared with.
    formulas : path, dict or list, default=None
        ``formulas.json`` (or its folder, or its entries): which runs used
        network selection's ReLU fallback.  When ``results`` is a folder,
        its ``formulas.json`` is read.
    title : str, default=None
        The figure's title; None: the sentence computed from the scores.
    kinds : dict, default=None
        Each configuration's kind, by key: ``"network"`` (an activation,
        blue), ``"discovered"`` (a discovered activation: orange, and compared
        with the baseline in the title) or ``"reference"`` (an estimator that
        is no network: a dashed line, as is every configuration whose rows
        have no ``n_params``).  The rows and the reference lines come in this
        mapping's order, the baseline first; the configurations it does not
        name come after them as first found in ``results``, ``"discovered"``
        where their rows name a formula (a ``formula_key``), else
        ``"network"``.

    Returns
    -------
    fig : matplotlib Figure
        One Axes per data set; in each, one error-bar container per network
        configuration.

    Examples
    --------
    >>> from sksymact.plotting import plot_efficiency
    >>> rows = [{"dataset": "d", "configuration": c, "seed": s, "n_params": n, "roc_auc": a}
    ...         for c, n, a in [("light-relu", 5825, 0.90), ("heavy-relu", 31801, 0.91),
    ...                         ("hist-gradient-boosting", "", 0.95)] for s in (1, 2)]
    >>> fig = plot_efficiency(rows)
    >>> len(fig.axes[0].containers)  # the two networks; the third is a reference line
    2
    """
    if formulas is None and _looks_like_path(results):
        path = os.fspath(results)
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        if os.path.exists(os.path.join(folder, "formulas.json")):
            formulas = folder
    if formulas is not None and _looks_like_path(formulas):
        formulas = _load_json_formulas(formulas)
    if isinstance(formulas, dict):
        formulas = formulas.get("formulas", list(formulas.values()))
    fallback_keys = {e["key"] for e in formulas or () if e.get("fell_back_to_relu")}
    kinds = dict(kinds or {})
    unknown = sorted(set(kinds.values()) - {"network", "discovered", "reference"})
    if unknown:
        raise ValueError(f"unknown kind(s) {unknown!r}; a configuration's kind is "
                         "'network', 'discovered' or 'reference'.")
    aggregated = _aggregate(_result_rows(results), metric, fallback_keys, kinds, baseline)
    datasets = list(aggregated) if datasets is None else list(datasets)
    missing = [d for d in datasets if d not in aggregated]
    if missing or not datasets:
        raise ValueError(f"no results for data set(s) {missing!r}; the results hold "
                         f"{list(aggregated)!r}.")
    labels = dict(labels or {})
    networks = _ordered(
        [c for d in datasets for c, r in aggregated[d].items() if r["neural"]], baseline, kinds)
    references = _ordered(
        [c for d in datasets for c, r in aggregated[d].items() if not r["neural"]], baseline,
        kinds)
    size = (4.6 * len(datasets), 1.9 + 0.42 * max(len(networks), 1))
    if fig is None:
        from matplotlib.figure import Figure  # noqa: PLC0415 (optional, and heavy)

        fig = Figure(figsize=size, layout="constrained")
    axes = list(fig.subplots(1, len(datasets), squeeze=False, sharey=True)[0])
    y_of = {config: i for i, config in enumerate(networks)}
    name = _METRIC_NAMES.get(metric, metric)
    rng = np.random.RandomState(0)  # the same jitter of the seed dots every time
    for ax, dataset in zip(axes, datasets):
        configs = aggregated[dataset]
        window = _window(configs, networks, references, baseline)
        for index, config in enumerate(references):
            record = configs.get(config)
            if record is None:
                continue
            colour = _REFERENCE_COLOURS[index % len(_REFERENCE_COLOURS)]
            ax.axvspan(record["mean"] - record["std"], record["mean"] + record["std"],
                       color=colour, alpha=0.12, linewidth=0)
            ax.axvline(record["mean"], color=colour, linestyle="--", linewidth=1.4,
                       label=labels.get(config, config))
        base = configs.get(baseline)
        if base is not None:
            ax.axvline(base["mean"], color="black", linestyle=":", linewidth=1)
        one_size = len({configs[c]["params"] for c in configs if configs[c]["neural"]}) == 1
        for config in networks:
            record = configs.get(config)
            if record is None:
                continue
            kind = "relu" if record["all_relu"] else record["kind"]
            colour, marker = _STYLE[kind]
            y = y_of[config]
            scores = list(record["scores"].values())
            outside = window is not None and not window[0] <= record["mean"] <= window[1]
            if outside:  # far off the others: at the edge, with its numbers
                left = record["mean"] < window[0]
                ax.errorbar([window[0] if left else window[1]], [y], fmt="<" if left else ">",
                            color=colour, markersize=8, zorder=3, clip_on=False,
                            label=labels.get(config, config))
                ax.annotate(f"{record['mean']:.3f} ± {record['std']:.3f}",
                            (window[0] if left else window[1], y), xytext=(9 if left else -9, 0),
                            textcoords="offset points", ha="left" if left else "right",
                            va="center", fontsize=8, color=colour,
                            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"})
            else:
                ax.scatter(scores, y + rng.uniform(-0.2, 0.2, len(scores)), s=16,
                           color=colour, alpha=0.5, linewidths=0, zorder=4)
                ax.errorbar([record["mean"]], [y], xerr=[record["std"]], fmt=marker,
                            color=colour, markersize=7, capsize=3, zorder=3,
                            label=labels.get(config, config),
                            markerfacecolor="white" if kind == "relu" else colour)
            if record["fallback"] and not outside:
                ax.annotate(f"= ReLU in {record['fallback']}/{len(scores)}",
                            (record["mean"] + record["std"], y), xytext=(6, 0),
                            textcoords="offset points", va="center", fontsize=7, color="0.35")
            if record["e"] is not None:  # a column right of the panel
                params = "" if one_size else f"  ({record['params']:,.0f} p.)"
                ax.annotate(f"{record['e']:.3f}{params}", (1.0, y),
                            xycoords=("axes fraction", "data"), xytext=(5, 0),
                            textcoords="offset points", ha="left", va="center", fontsize=8)
        if window is not None:
            ax.set_xlim(*window)
        if any(configs.get(c, {}).get("e") is not None for c in networks):
            ax.annotate("E_param", (1.0, 1.0), xycoords="axes fraction", xytext=(5, -2),
                        textcoords="offset points", ha="left", va="top", fontsize=8,
                        fontweight="bold")
        params = {configs[c]["params"] for c in configs if configs[c]["neural"]}
        ax.set_title(labels.get(dataset, dataset) + (
            f" (networks: {params.pop():,.0f} parameters)" if len(params) == 1 else ""))
        ax.set_xlabel(f"{name} on the test rows")
        ax.grid(True, axis="x", color="0.92", linewidth=0.8)
    axes[0].set_yticks(range(len(networks)), [labels.get(c, c) for c in networks])
    axes[0].set_ylim(len(networks) - 0.5, -0.9)  # the first row on top, room for the header
    seeds = max(len(r["scores"]) for d in datasets for r in aggregated[d].values())
    handles = _legend_handles(references, labels, baseline, networks, aggregated, datasets)
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4),
                   fontsize=8, frameon=False)
    what = (f"{name}: mean ± std over {seeds} seed{'s' if seeds != 1 else ''} (dots: single "
            "seeds), E_param = " + (f"{name} / log10(parameters)" if metric != "r2"
                                    else "max(R², 0) / log10(parameters)"))
    fig.suptitle((_finding(aggregated, datasets, baseline, labels, metric)
                  if title is None else title) + "\n" + what, fontsize=10)
    return fig


def _legend_handles(references, labels, baseline, networks, aggregated, datasets):
    """Legend keys: what the colours mean and which dashed line is which reference."""
    from matplotlib.lines import Line2D  # noqa: PLC0415

    kinds = {"relu" if aggregated[d][c]["all_relu"] else aggregated[d][c]["kind"]
             for d in datasets for c in networks if c in aggregated[d]}
    text = {"baseline": f"{labels.get(baseline, baseline)} (dotted: its mean)",
            "network": "other activations", "discovered": "discovered activations",
            "relu": "ReLU fallback in every seed (nothing discovered)"}
    handles = []
    for kind in ("baseline", "network", "discovered", "relu"):
        if kind in kinds:
            colour, marker = _STYLE[kind]
            handles.append(Line2D([], [], color=colour, marker=marker, linestyle="",
                                  markerfacecolor="white" if kind == "relu" else colour,
                                  label=text[kind]))
    for index, config in enumerate(references):
        handles.append(Line2D([], [], color=_REFERENCE_COLOURS[index % 4], linestyle="--",
                              label=f"{labels.get(config, config)} (± std shaded)"))
    return handles


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
            # null (a value that was not finite, such as the AUC of a validation
            # split that lacks a class) is a gap in the line.
            values = np.array([np.nan if v is None else v for v in curve.get(metric) or []],
                              dtype=float)
            if not values.size:
                continue
            index = configs.index(curve["configuration"])
            label = labels.get(curve["configuration"], curve["configuration"])
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, color=colours(index % 10), alpha=0.8, lw=1.2,
                    label=None if label in shown else label)
            shown.add(label)
            losses = np.array([np.inf if v is None else v for v in curve.get("valid_loss") or []],
                              dtype=float)
            best = int(np.argmin(losses)) if losses.size else None
            if best is not None and best < len(values):
                ax.plot(epochs[best], values[best], "o", color=colours(index % 10), ms=3)
        ax.set_title(labels.get(dataset, dataset))
        ax.set_xlabel("epoch")
        ax.set_ylabel({"valid_auc": "validation ROC AUC",
                       "valid_r2": "validation R²"}.get(metric, metric))
        ax.legend(fontsize="small")
    return fig


def plot_search_history(search):
    """Draw an evolutionary search: fitness by generation and the finalists' re-evaluation.

    Parameters
    ----------
    search : SymbolicActivationDiscoverer or dict
        A discoverer fitted with ``search="evolve"``, or its
        ``search_history_``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Left: every candidate's low-fidelity validation score by the
        generation it was born in (dots), the best and the median of the
        survivors after each generation (lines), with the trainings spent on
        the top axis.  Right: the finalists and the standard activations
        re-evaluated on fresh splits (mean ± std; the chosen one filled, the
        standard activations named), the guard against the winner's curse.
    """
    history = getattr(search, "search_history_", search)
    if not isinstance(history, dict) or "generations" not in history:
        raise ValueError("plot_search_history needs a discoverer fitted with search='evolve' "
                         "or its search_history_ (a dict with 'generations').")
    fig, (left, right) = _new_axes(None, (11.0, 4.2), ncols=2)
    log = history["generations"]
    every = history["all"]
    finite = [(g, v) for g, v in zip(every["generation"], every["fitness"]) if np.isfinite(v)]
    if finite:
        g, v = np.array(finite).T
        jitter = np.random.default_rng(0).uniform(-0.15, 0.15, size=len(g))
        left.plot(g + jitter, v, ".", color="0.6", ms=4, label="a candidate (low fidelity)")
    generations = [entry["generation"] for entry in log]
    left.plot(generations, [entry["best"] for entry in log], "o-", label="best survivor")
    left.plot(generations, [entry["median"] for entry in log], "s--", label="median survivor")
    if finite:  # a diverged candidate scores -inf; keep the axis on the others
        spread = np.percentile(v, [10, 100])
        left.set_ylim(spread[0] - 0.05 * np.ptp(spread) - 1e-9,
                      spread[1] + 0.05 * np.ptp(spread) + 1e-9)
    left.set_xlabel("generation (trainings spent: "
                    + ", ".join(str(entry["trainings"]) for entry in log) + ")")
    left.set_ylabel("validation score")
    left.set_xticks(generations)
    left.legend(fontsize="small")
    finalists = history["finalists"]
    names = [_pretty(Formula.parse(f), 28) if s is None else s
             for f, s in zip(finalists["formula"], finalists["standard"])]
    positions = np.arange(len(names))
    for i, (mean, std, chosen) in enumerate(zip(finalists["validation_score"],
                                                finalists["validation_std"],
                                                finalists["chosen"])):
        right.errorbar(i, mean, yerr=std, fmt="o", capsize=3,
                       color="C3" if chosen else "C0",
                       markerfacecolor="C3" if chosen else "white")
    right.axhline(history["relu_validation_score"], color="0.5", ls=":", lw=1,
                  label="ReLU (re-evaluated)")
    right.set_xticks(positions, names, rotation=30, ha="right", fontsize="small")
    right.set_ylabel("re-evaluated validation score (mean ± std)")
    right.set_title("finalists on fresh splits (chosen: filled)")
    right.legend(fontsize="small")
    return fig
