"""summary.md: the paper's table, mean ± std over seeds, with paired t-tests.

Regression rows (our extension) get a table of their own, with R² and RMSE
where the paper's has accuracy and ROC AUC.
"""

import json
import math
import os

import numpy as np

from .._formula import Formula
from .._statistics import mean_std, paired_p_value
from ._configs import BASELINE, CONFIGURATIONS, SOURCE_DATASET, BenchmarkSettings, configuration
from ._datasets import DATASETS, DEMO_DATASETS, display_name, display_names
from ._matrix import format_matrix
from ._protocols import PROTOCOLS
from ._store import FORMULAS_FILE, RESULTS_FILE, SETTINGS_FILE, BenchmarkError
from ._store import atomic_write_text, read_formulas, read_results

__all__ = ["summarize", "format_summary", "write_summary", "fallback_note", "plural"]


def plural(count, word, words=None):
    """``"1 candidate"``, ``"8 candidates"``: a count with its noun in the right number."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def _label(config):
    try:
        return configuration(config).label
    except KeyError:
        return config


def _order(values, preferred):
    preferred = [v for v in preferred if v in values]
    return preferred + sorted(v for v in values if v not in preferred)


#: The scores of a record of each task, the first one the paired test's.
METRICS = {"classification": ("roc_auc", "accuracy"), "regression": ("r2", "rmse")}


def _task(rows):
    """``"regression"`` for rows that hold R² (our extension), else ``"classification"``."""
    return "regression" if any(r.get("r2") not in (None, "") for r in rows) else "classification"


def source_label(entry, names=None):
    """Where a formula was found, for readers: ``"HIGGS, seed 42, network-selected"``.

    Parameters
    ----------
    entry : dict
        A ``formulas.json`` entry (``dataset``, ``seed``, ``selection``).
    names : dict, default=None
        Display names of the data sets by key; None: the known registries'.

    Returns
    -------
    label : str
        The data set, the seed (``"all rows"`` for the reference protocol's
        one discovery) and, for network-aware selection, ``"network-selected"``.
    """
    parts = [display_name(entry.get("dataset", "?"), names)]
    seed = entry.get("seed")
    parts.append("all rows" if seed is None else f"seed {seed}")
    if entry.get("selection") == "network":
        parts.append("network-selected")
    elif entry.get("selection") == "evolve":
        parts.append("evolved")
    return ", ".join(parts)


def relu_fallback_keys(formulas):
    """The keys of the formulas that are network selection's ReLU fallback, not discovered.

    Parameters
    ----------
    formulas : dict or list of dict, or None
        ``formulas.json`` entries, by key or as a list.

    Returns
    -------
    keys : set of str
        Those whose discovery found no candidate better than ReLU and returned
        ReLU itself (``fell_back_to_relu``).
    """
    entries = (formulas or {}).values() if isinstance(formulas, dict) else (formulas or [])
    return {e["key"] for e in entries if e.get("fell_back_to_relu")}


def summarize(rows, *, baseline=BASELINE, formulas=None):
    """One record per (data set, configuration): mean and std over seeds, p-value.

    Parameters
    ----------
    rows : iterable of dict, or a DataFrame
        Result rows as in ``results.csv``.
    baseline : str, default="light-relu"
        Each configuration's ROC AUC (R² for a regression data set) is
        compared with this one's by a paired t-test over the seeds both have
        (``scipy.stats.ttest_rel``).
    formulas : dict or list of dict, default=None
        The ``formulas.json`` entries, to tell which runs used network
        selection's ReLU fallback (``max(x, 0)``, where no candidate trained
        better than ReLU) rather than a discovered activation.

    Returns
    -------
    records : list of dict
        Keys: dataset, configuration, label, seeds, accuracy, accuracy_std,
        roc_auc, roc_auc_std, n_params, e_param, e_param_std, p_value (None
        for the baseline, for fewer than two shared seeds, or when every
        difference is zero), best_e_param (True for the highest mean E_param
        of the data set), neural (False for a reference estimator that is no
        network: its n_params, e_param and e_param_std are None), task
        (``"regression"`` for rows with R²).  A regression record has r2,
        r2_std, rmse and rmse_std instead of the accuracy and ROC AUC, and
        its E_param is max(R², 0) / log10(Params).  Standard deviations are
        sample ones (ddof=1), None for one seed.  ``relu_fallback``: how many
        of the seeds used the ReLU fallback (0 without ``formulas``); a
        record that is ReLU in every seed is the baseline's network again,
        not a discovered activation, so it is not ranked by best_e_param.
    """
    fallback = relu_fallback_keys(formulas)
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    groups = {}
    for row in rows:
        key = (row["dataset"], row["configuration"])
        groups.setdefault(key, {}).setdefault(int(row["seed"]), row)
    records = []
    datasets = _order({d for d, _ in groups}, [*DATASETS, *DEMO_DATASETS])
    for dataset in datasets:
        configs = _order({c for d, c in groups if d == dataset}, CONFIGURATIONS)
        base = groups.get((dataset, baseline), {})
        block = []
        for config in configs:
            runs = [groups[dataset, config][s] for s in sorted(groups[dataset, config])]
            record = {"dataset": dataset, "configuration": config, "label": _label(config),
                      "seeds": [int(r["seed"]) for r in runs]}
            neural = all(r["n_params"] not in (None, "") for r in runs)
            record["neural"] = neural
            record["task"] = task = _task(runs)
            tested, other = METRICS[task]
            for metric in (other, tested, "e_param"):
                if metric == "e_param" and not neural:  # no parameters to count
                    record[metric] = record[f"{metric}_std"] = None
                    continue
                record[metric], record[f"{metric}_std"] = mean_std([r[metric] for r in runs])
            n_params = {int(r["n_params"]) for r in runs} if neural else {None}
            record["n_params"] = n_params.pop() if len(n_params) == 1 else float(
                np.mean([r["n_params"] for r in runs]))
            record["p_value"] = (None if config == baseline
                                 else paired_p_value(runs, base.values(), tested))
            record["relu_fallback"] = sum(r.get("formula_key") in fallback for r in runs)
            block.append(record)
        best = max((r["e_param"] for r in block if r["e_param"] is not None
                    and not is_relu_fallback(r)), default=None)
        for record in block:
            record["best_e_param"] = (best is not None and record["e_param"] == best
                                      and not is_relu_fallback(record))
        records.extend(block)
    return records


def is_relu_fallback(record):
    """Whether a record is network selection's ReLU fallback in every one of its seeds."""
    return 0 < record.get("relu_fallback", 0) == len(record["seeds"])


def _fallback_mark(record):
    k = record.get("relu_fallback", 0)
    return f" [= ReLU in {k}/{plural(len(record['seeds']), 'seed')}]" if k else ""


def fallback_note(records):
    """The sentences that explain the ``[= ReLU in k/n seeds]`` marks, or ``""`` if none.

    Parameters
    ----------
    records : list of dict
        :func:`summarize`'s records, made with ``formulas``.

    Returns
    -------
    note : str
        Says what the mark means, that a row which is ReLU in every seed is
        neither tested nor ranked, and what its p-value means where a single
        seed differs from the baseline.
    """
    marked = [r for r in records if r.get("relu_fallback")]
    if not marked:
        return ""
    note = ("[= ReLU in k/n seeds]: in k of the n seeds network selection found no candidate "
            "that trained better than ReLU on its validation rows and returned ReLU itself, "
            "max(x, 0) (fallback='relu'): there the row is the baseline's network, not a "
            "discovered activation. A row that is ReLU in every seed has no p-value and no ★.")
    single = sorted({len(r["seeds"]) for r in marked if len(r["seeds"]) - r["relu_fallback"] == 1
                     and len(r["seeds"]) > 1})
    if single:
        from scipy.stats import t as student  # noqa: PLC0415

        values = ", ".join(f"{2 * student.sf(1, n - 1):.2f} with {n} seeds" for n in single)
        note += (" Where a single seed differs from the baseline, the paired t statistic is "
                 f"exactly 1 whatever the difference, so p is fixed ({values}): it says "
                 "nothing about the discovered activation.")
    return note


def _pm(mean, std, digits=3):
    if std is None:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _p_text(p, is_baseline, is_relu=False):
    if is_baseline:
        return "(baseline)"
    if is_relu:
        return "n/a (= ReLU)"
    if p is None:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def format_summary(records, *, baseline=BASELINE, names=None):
    """Format :func:`summarize`'s records as a markdown table, in the paper's layout.

    Parameters
    ----------
    records : list of dict
        As :func:`summarize` returns them.
    baseline : str, default="light-relu"
        The configuration the p-values compare with, named in the header.
    names : dict, default=None
        The data sets' names by key; None: those of :data:`DATASETS` and of
        the demo's data sets.

    Returns
    -------
    table : str
        Markdown: one line per record, the data set named on its first line;
        ★ and bold mark the best mean E_param of each data set; "—" is the
        Params and E_param of a row that is no network; ``[= ReLU in k/n
        seeds]`` marks a row whose formula was network selection's ReLU
        fallback in k of its n seeds (see :func:`fallback_note`).  Regression records
        (our extension) make a second table, after a blank line, with R² and
        RMSE instead of accuracy and ROC AUC.
    """
    tables = []
    for task in METRICS:
        chosen = [r for r in records if r.get("task", "classification") == task]
        if chosen:
            tables.append(_table(chosen, task, baseline, names))
    return "\n".join(tables)


def _table(records, task, baseline, names):
    """The markdown table of records of one task."""
    tested, other = METRICS[task]
    header = ("| Dataset | Configuration | Accuracy | ROC AUC | Params | E_param "
              f"| p (AUC vs {_label(baseline)}) | Seeds |") if task == "classification" else (
        "| Dataset (regression) | Configuration | R² | RMSE | Params | E_param "
        f"| p (R² vs {_label(baseline)}) | Seeds |")
    lines = [header, "|:--|:--|--:|--:|--:|--:|--:|--:|"]
    previous = None
    for r in records:
        name = display_name(r["dataset"], names) if r["dataset"] != previous else ""
        previous = r["dataset"]
        if r["n_params"] is None:  # not neural: nothing to count
            params = e_param = "—"
        else:
            params = (f"{r['n_params']:,}" if isinstance(r["n_params"], int)
                      else f"{r['n_params']:,.0f}")
            e_param = _pm(r["e_param"], r["e_param_std"])
        if r["best_e_param"]:
            e_param = f"**{e_param}** ★"
        first, second = (tested, other) if task == "regression" else (other, tested)
        p_value = _p_text(r["p_value"], r["configuration"] == baseline, is_relu_fallback(r))
        lines.append(
            f"| {name} | {r['label']}{_fallback_mark(r)} | {_pm(r[first], r[f'{first}_std'])} "
            f"| {_pm(r[second], r[f'{second}_std'])} | {params} | {e_param} "
            f"| {p_value} | {len(r['seeds'])} |")
    return "\n".join(lines) + "\n"


def _validation_rows(tasks, fraction):
    """Early stopping's validation rows on data sets of ``tasks``, in words."""
    rows = f"{fraction:.0%} of the training rows"
    if "regression" not in tasks:
        return f"a stratified {rows}"
    return (f"a random {rows}" if "classification" not in tasks
            else f"{rows} (stratified on the classification data sets)")


def _settings_text(settings, datasets, tasks=("classification",)):
    """The lines of summary.md that say how its numbers were made."""
    if settings is None:
        return []
    data = "; ".join(f"{d.name} {d.rows(settings)}" for d in datasets)
    split = f"{1 - settings.test_size:.0%}/{settings.test_size:.0%} per seed"
    return [
        f"- Protocol: **{settings.protocol}**: discovery on "
        f"{PROTOCOLS[settings.protocol].description}.",
        *([f"- Data: {data}."] if data else []),
        *([f"- Split: stratified {split}, StandardScaler fitted on the training part."]
          if "classification" in tasks else []),
        *([f"- Regression (our extension): a random split {split} (not stratified: the target is "
           "continuous), StandardScaler fitted on the training part; HybridTransferRegressor "
           "networks (the same layers, a linear head, squared error on the target "
           "standardized with the training rows' mean and std); their own formulas "
           "searched by gplearn's SymbolicRegressor (mean squared error on the standardized "
           "target)."] if "regression" in tasks else []),
        f"- Training: Adam {settings.learning_rate_init:g}, batch {settings.batch_size}, "
        + (f"{settings.max_iter} epochs" if not settings.early_stopping else
           "converged budget: early stopping on "
           f"{_validation_rows(tasks, settings.validation_fraction)}, patience "
           f"{settings.n_iter_no_change}, at most "
           f"{settings.max_iter} epochs, best weights restored (Epochs in results.csv: those "
           "run)")
        + f", dropout {settings.dropout:g}. Heavy nets (200, 100), "
        "light nets (64, 32), BatchNorm after every hidden linear layer.",
        f"- Discovery: gplearn, population {settings.population_size} × "
        f"{settings.generations} generations, functions {', '.join(settings.function_set)}"
        f", on a {settings.subsample:.0%} subsample; variables collapsed to x.",
    ]


def _read_settings(path):
    """The BenchmarkSettings of a settings.json, or None where there is none."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as stream:
        data = json.load(stream).get("settings")
    try:
        return None if data is None else BenchmarkSettings.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise BenchmarkError(f"{path!r} does not hold benchmark settings: {exc}") from None


def _formula_text(entry, key):
    """```text` = `simplified` (key; nonlinearity 0.0015)``: how far from affine it is."""
    formula = Formula.parse(entry["formula"])
    # Folders written before formulas.json recorded it: the same number, computed here.
    nonlinearity = entry.get("nonlinearity", formula.nonlinearity())
    nonlinearity = "n/a" if nonlinearity is None or not math.isfinite(nonlinearity) else (
        f"{nonlinearity:.3g}")
    text = (f"`{entry['formula']}` = `{formula.to_sympy()}` "
            f"({key}; nonlinearity {nonlinearity})")
    if entry.get("selection") == "network":
        candidates = entry.get("candidates") or {}
        scores = candidates.get("validation_score") or [float("nan")]
        score = "R²" if entry.get("task") == "regression" else "AUC"
        text += (f"; network-selected among {plural(len(scores), 'candidate')}, validation {score} "
                 f"{max(scores):.4f} against ReLU's {entry['relu_validation_score']:.4f}")
        if entry.get("fell_back_to_relu"):
            text += " (**no candidate beat ReLU**, so the formula is ReLU: fallback='relu')"
        elif entry.get("weak_activation"):
            text += " (**no candidate beat ReLU**: WeakActivationWarning)"
    elif entry.get("selection") == "evolve":
        candidates = entry.get("candidates") or {}
        chosen = (candidates.get("chosen") or [True]).index(True)
        standard = (candidates.get("standard") or [None] * (chosen + 1))[chosen]
        search = entry.get("search") or {}
        score = "R²" if entry.get("task") == "regression" else "score"
        text += (f"; evolved with the network in the loop ({search.get('n_evaluated', '?')} "
                 f"activations trained), re-evaluated validation {score} "
                 f"{candidates['validation_score'][chosen]:.4f} against ReLU's "
                 f"{entry['relu_validation_score']:.4f}")
        if standard is not None:
            text += f" (**a standard activation won: {standard}**)"
    return text


def _formula_lines(records, rows, formulas, names):
    used = {}
    for row in rows:
        if row.get("formula_key"):
            used.setdefault((row["dataset"], row["configuration"]), set()).add(row["formula_key"])
    lines = []
    for record in records:
        keys = used.get((record["dataset"], record["configuration"]))
        if not keys:
            continue
        texts = [_formula_text(formulas[k], k) if k in formulas else f"({k})"
                 for k in sorted(keys)]
        lines.append(f"- {display_name(record['dataset'], names)}, "
                     f"{record['label']}: " + "; ".join(texts))
    return lines


def _regression_part(records, rows, names, source):
    """The regression section of summary.md: its legend and its table (our extension)."""
    transfer = sorted({r["formula_key"] for r in rows if r.get("r2") not in (None, "")
                       and r["configuration"] == "hybrid-transfer"})
    return [
        "## Regression (our extension)", "",
        "Not in the paper. Cells: mean ± sample standard deviation (ddof=1) over the seeds of "
        "R² and RMSE (in the target's units) on each seed's test rows; Params is the number "
        "of trainable parameters; E_param = max(R², 0) / log10(Params) "
        "(`sksymact.regression_efficiency_score`), ★ marks the highest mean of each data "
        "set; p: two-sided paired t-test (scipy.stats.ttest_rel) of the R² against "
        f"{_label(BASELINE)} on the same seeds." + (
            " Rows marked not neural are scikit-learn's HistGradientBoostingRegressor and "
            "LinearRegression with default settings, shown for reference: they have no "
            "Params or E_param (—)." if any(not r["neural"] for r in records) else "") + (
            f" Hybrid transfer uses the formula discovered on {display_name(source, names)} (a "
            "classification data set) for the same seed: "
            + ", ".join(f"`{k}`" for k in transfer) + "." if transfer else "")
        + (f" {fallback_note(records)}" if fallback_note(records) else ""),
        "",
        format_summary(records, names=names),
    ]


def write_summary(folder, *, title="sksymact benchmark", registry=None, source=SOURCE_DATASET):
    """(Re)write ``summary.md`` in a results folder from its files.

    Parameters
    ----------
    folder : str or path-like
        The results folder: its ``results.csv``, ``formulas.json`` and
        ``settings.json`` are read, those that are there.
    title : str, default="sksymact benchmark"
        The heading of the page.
    registry : dict, default=None
        The data sets by key (:class:`Dataset`), for the line that says which
        rows were used; None: those of :data:`DATASETS` and of the demo.
    source : str, default="higgs"
        The data set whose formula Hybrid transfer used.

    Returns
    -------
    text : str
        The markdown written: the settings, the table, the formulas used.
    """
    folder = os.fspath(folder)
    rows = read_results(os.path.join(folder, RESULTS_FILE)) if os.path.exists(
        os.path.join(folder, RESULTS_FILE)) else []
    settings = _read_settings(os.path.join(folder, SETTINGS_FILE))
    formulas = {}
    path = os.path.join(folder, FORMULAS_FILE)
    if os.path.exists(path):
        formulas = {entry["key"]: entry for entry in read_formulas(path)}
    known = {**DATASETS, **DEMO_DATASETS} if registry is None else registry
    names = display_names(known)
    used = {r["dataset"] for r in rows} | {entry["dataset"] for entry in formulas.values()}
    order = [key for key in known if key in used]
    datasets = [known[key] for key in order]

    records = summarize(rows, formulas=formulas)
    classification = [r for r in records if r["task"] == "classification"]
    regression = [r for r in records if r["task"] == "regression"]
    tasks = [task for task, chosen in (("classification", classification),
                                       ("regression", regression)) if chosen]
    parts = [f"# {title}: summary", ""]
    parts += _settings_text(settings, datasets, tasks or ["classification"])
    if classification or not regression:
        parts += [
            "- Cells: mean ± sample standard deviation (ddof=1) over the seeds; Params is the "
            "number of trainable parameters; E_param = ROC AUC / log10(Params), ★ marks the "
            "highest mean of each data set; p: two-sided paired t-test (scipy.stats.ttest_rel) "
            f"of the ROC AUC against {_label(BASELINE)} on the same seeds." + (
                " Rows marked not neural are scikit-learn estimators with default settings "
                "(LogisticRegression with max_iter=1000, a safeguard for convergence), shown "
                "for reference: they have no Params or E_param (—)."
                if any(not r["neural"] for r in classification) else "")
            + (f" {fallback_note(classification)}" if fallback_note(classification) else ""),
            "",
            format_summary(classification, names=names) if classification
            else "No finished runs yet.\n",
        ]
    if any(r["dataset"] == source for r in rows):
        parts.append(f"Hybrid transfer is not run on {display_name(source, names)}: it is the "
                     "source of the transferred formula, so there transfer is the specialist.\n")
    if regression:
        parts += ([] if parts[-1].endswith("\n") else [""])
        parts += _regression_part(regression, rows, names, source)
    # The transfer matrix compares ROC AUC: the classification rows and data sets only.
    parts += format_matrix([r for r in rows if r.get("roc_auc") not in (None, "")],
                           [key for key in order if known[key].task == "classification"],
                           names, source)
    formula_lines = _formula_lines(records, rows, formulas, names)
    if formula_lines:
        parts += ["## Formulas used", "",
                  "Nonlinearity: 1 - R² of the best affine fit of the formula under N(0, 1) "
                  "inputs (`sksymact.Formula.nonlinearity`): 0 for an affine function, 1 "
                  "for one that no affine function approximates. Discovery rejects formulas "
                  "below its `min_nonlinearity` (default 0.005) as degenerate.", ""]
        parts += formula_lines + [""]
    text = "\n".join(parts)
    atomic_write_text(os.path.join(folder, "summary.md"), text)
    return text
