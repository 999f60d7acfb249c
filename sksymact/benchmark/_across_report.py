"""The report across data sets: a Markdown text and the critical-difference diagram."""

import math
import os

import numpy as np

from .._io import atomic_write_text

from ._across import (_MISSING, DEFAULT_BASELINE, _higher, _number, _order, _records, _scores,
                      by_group, normalized_scores, per_dataset_table, win_tie_loss)
from ._configs import ACROSS_METRICS
from ._ranks import cliques, friedman, mean_ranks
from ._store import read_results

__all__ = ["critical_difference_diagram", "format_report", "write_across_report"]


#: The configuration of the second comparison of a report: the standard
#: activation chosen per seed by validation (``light-best-standard``).
BEST_STANDARD_KEY = "light-best-standard"


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


def _reported_metrics(rows, metric):
    """The metrics of the report, the primary one first: see :data:`ACROSS_METRICS`."""
    def held(name):
        return any(r.get(name) not in (None, "") for r in rows)

    tasks = [task for task, names in ACROSS_METRICS.items() if held(names[0])]
    if metric is None:
        metric = ACROSS_METRICS[tasks[0] if tasks else "classification"][0]
    others = [name for task in tasks for name in ACROSS_METRICS[task] if name != metric]
    return [metric, *(name for name in dict.fromkeys(others) if held(name))]


def write_across_report(folder, metric=None, *, registry=None, sources=None,
                        baseline="light-relu", alpha=0.05):
    """Write ``across.md`` and ``critical_difference.png`` of a results folder.

    The statistics across the folder's data sets (:func:`format_report`) on
    ``metric`` and, below them, on the other metrics of
    :data:`~sksymact.benchmark._configs.ACROSS_METRICS` of the tasks whose
    rows the folder holds (ROC AUC and log loss, lower better, on
    classification data sets), split by the data sets' feature kinds (their
    ``group`` in ``registry``) and by transfer source.  Each metric's
    statistics use the rows that have it.

    Parameters
    ----------
    folder : str or path-like
        A benchmark results folder.
    metric : str, default=None
        The primary metric: of the ranks, the tests and the diagram.  None:
        that of the folder's task (accuracy for classification, R² for
        regression; classification's where the folder holds both).
    registry : dict, default=None
        Data set key -> :class:`~sksymact.benchmark.Dataset`, for the groups.
    sources : dict, default=None
        Configuration key -> where its formula came from.
    baseline : str, default="light-relu"
        The configuration the others are compared with.
    alpha : float, default=0.05
        The level of the tests.

    Returns
    -------
    text : str
        The Markdown written to ``across.md``.
    """
    results = read_results(folder)
    metrics = _reported_metrics(results, metric)
    metric = metrics[0]
    rows = [r for r in results if r.get(metric) not in (None, "")]
    groups = {key: d.group for key, d in (registry or {}).items()
              if getattr(d, "group", None) is not None}
    parts = [format_report([r for r in results if r.get(name) not in (None, "")], name,
                           baseline, groups=groups or None, sources=sources, alpha=alpha)
             for name in metrics]
    if baseline != BEST_STANDARD_KEY and any(
            r["configuration"] == BEST_STANDARD_KEY for r in rows):
        # What tells a user whether a search pays: the comparison with the
        # standard activation the same validation would have picked.
        parts.append(f"# Against the best standard activation ({BEST_STANDARD_KEY})\n\n"
                     "The same statistics on the primary metric, with the standard activation "
                     "chosen by the same kind of validation split as the baseline: the one a "
                     "search has to beat.\n\n"
                     + format_report(rows, metric, BEST_STANDARD_KEY, alpha=alpha))
    text = "\n\n".join(parts)
    atomic_write_text(os.path.join(folder, "across.md"), text)
    try:
        result = friedman(rows, metric, alpha=alpha)
    except ValueError:  # fewer than 3 configurations or 2 complete data sets
        return text
    figure = critical_difference_diagram(result.ranks.ranks, result.cd,
                                         title=f"Mean rank on {metric} (1 = best)")
    figure.savefig(os.path.join(folder, "critical_difference.png"), dpi=110,
                   bbox_inches="tight")
    return text
