"""The transfer matrix: every data set's formula used on every other data set.

A cell (source, target) is the mean difference of ROC AUC between a light
network with the formula discovered on ``source`` and Light ReLU, on the same
seeds of ``target``, with the paired t-test's p-value.  On the diagonal the
formula is the target's own (the specialist).  Its configurations
(``transfer-from-<key>``) are made by :func:`~._configs.configuration`.
"""

from .._statistics import paired_p_value
from ._configs import BASELINE, CONFIGURATIONS, MATRIX_PREFIX, SOURCE_DATASET
from ._datasets import display_name

__all__ = ["matrix_configurations", "matrix_cell_key", "format_matrix"]


def matrix_cell_key(source, target, run_source=SOURCE_DATASET):
    """The configuration whose rows on ``target`` use the formula of ``source``."""
    if source == target:
        return "hybrid-specialist"
    return "hybrid-transfer" if source == run_source else f"{MATRIX_PREFIX}{source}"


def matrix_configurations(datasets, run_source=SOURCE_DATASET):
    """Everything the transfer matrix trains, beside the configurations asked for.

    Light ReLU (the baseline), the specialist (the diagonal), one transfer
    configuration per source, and network selection: the network-selected
    specialist and the transfer of the run source's network-selected formula.
    """
    keys = [BASELINE, "hybrid-specialist", "hybrid-specialist-network", "hybrid-transfer",
            "hybrid-transfer-network"]
    keys += [f"{MATRIX_PREFIX}{d}" for d in datasets if d != run_source]
    return keys


def format_matrix(rows, datasets, names, run_source=SOURCE_DATASET, baseline=BASELINE):
    """The markdown lines of the transfer matrix, or [] when its rows are not there."""
    by = {}
    for row in rows:
        by.setdefault((row["dataset"], row["configuration"]), {})[int(row["seed"])] = row
    if not any(c.startswith(MATRIX_PREFIX) for _, c in by):
        return []
    lines = ["## Transfer matrix", "",
             "Mean ROC AUC of a light network with the formula discovered on the row's data "
             f"set minus {CONFIGURATIONS[baseline].label}'s, on the column's data set, over the "
             "seeds both have; p: paired t-test. The diagonal is the specialist.", "",
             "| Formula from \\ trained on | "
             + " | ".join(display_name(d, names) for d in datasets) + " |",
             "|:--|" + "--:|" * len(datasets)]
    for source in datasets:
        cells = []
        for target in datasets:
            mine = by.get((target, matrix_cell_key(source, target, run_source)), {})
            base = by.get((target, baseline), {})
            seeds = sorted(set(mine) & set(base))
            if not seeds:
                cells.append("n/a")
                continue
            delta = sum(mine[s]["roc_auc"] - base[s]["roc_auc"] for s in seeds) / len(seeds)
            p = paired_p_value(mine.values(), base.values())
            p_text = "n/a" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}")
            cells.append(f"{delta:+.3f} (p {p_text})")
        lines.append(f"| {display_name(source, names)} | " + " | ".join(cells) + " |")
    return lines + [""]
