"""``sksymact demo``: the method on real UCI rows, offline, in about a minute.

An activation is discovered on the HIGGS sample that ships with sksymact and
transferred to the bundled Covertype and Spambase samples, chosen two ways:
the paper's (best gplearn fitness) and network-aware selection (short
trainings on a validation split of the discovery rows).  Light ReLU and two
scikit-learn estimators that are no network are trained beside them.  The
demo is :func:`run_benchmark` on the bundled registry with smaller settings;
``collider=True`` runs the earlier demo on simulated collider events.
"""

import os
import sys
import time

from .._formula import readable_formula
from ._configs import BASELINE, CONFIGURATIONS, PAPER_SEEDS, SOURCE_DATASET, BenchmarkSettings
from ._datasets import bundled_datasets, display_name, display_names
from ._report import (fallback_note, format_summary, is_relu_fallback, plural, source_label,
                      summarize)
from ._runner import run_benchmark

__all__ = ["run_demo"]

DEMO_CONFIGURATIONS = ("light-relu", "hybrid-transfer", "hybrid-transfer-network",
                       "hybrid-specialist-network", "hist-gradient-boosting",
                       "logistic-regression")

#: The settings of the full and of the quick demo (the paper's are larger:
#: 100,000 rows, a population of 500 over 5 generations, 15 epochs of 1,024).
FULL = dict(higgs_rows=None, covertype_rows=5000, population_size=100, generations=3,
            max_iter=20, batch_size=256, seeds=PAPER_SEEDS)
QUICK = dict(higgs_rows=1000, covertype_rows=1000, population_size=20, generations=1,
             max_iter=2, batch_size=256, seeds=PAPER_SEEDS[:1])

#: A difference with a paired-test p below this is called significant.
ALPHA = 0.05


def _say(stream, text=""):
    print(text, file=stream, flush=True)


def _verdict(record):
    """``"better"``, ``"worse"`` or ``"indistinguishable"``: a record against the baseline."""
    p = record["p_value"]
    if p is None or p >= ALPHA:
        return "indistinguishable"
    return "better" if record["delta"] > 0 else "worse"


def findings(records, formulas, *, baseline=BASELINE):
    """What the table shows, in sentences computed from its numbers.

    Parameters
    ----------
    records : list of dict
        :func:`summarize`'s records.
    formulas : dict
        The ``formulas.json`` entries by key (for the network selection's
        comparison with ReLU).
    baseline : str, default="light-relu"
        The configuration every other is compared with.

    Returns
    -------
    lines : list of str
        A count of the comparisons of the discovered activations with the
        baseline by verdict; per data set, which configurations are significantly better or worse
        than the baseline (paired t-test, p < 0.05) and which cannot be told
        apart from it; then how often network selection found no candidate
        that beat ReLU on its own validation rows.  A row that is network
        selection's ReLU fallback in every seed (``relu_fallback`` of the
        records) is the baseline's network again: it is named as such, and
        neither counted as a comparison nor as winning or losing; one that is
        ReLU in some seeds is counted apart, marked k/n.
    """
    lines, formula_verdicts, mixed, relu_rows = [], [], [], 0
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    for dataset in datasets:
        block = {r["configuration"]: dict(r) for r in records if r["dataset"] == dataset}
        if baseline not in block:
            continue
        base = block.pop(baseline)
        groups = {"better": [], "worse": [], "indistinguishable": [], "relu": []}
        for record in block.values():
            record["delta"] = record["roc_auc"] - base["roc_auc"]
            n_seeds, k = len(record["seeds"]), record.get("relu_fallback", 0)
            if is_relu_fallback(record):
                groups["relu"].append(record["label"])
                relu_rows += 1
                continue
            p = "n/a" if record["p_value"] is None else f"{record['p_value']:.3f}"
            verdict = _verdict(record)
            mark = f", = ReLU in {k}/{plural(n_seeds, 'seed')}" if k else ""
            groups[verdict].append(f"{record['label']} ({record['delta']:+.3f}, p {p}{mark})")
            if CONFIGURATIONS.get(record["configuration"], CONFIGURATIONS[baseline]).uses_formula:
                (mixed if k else formula_verdicts).append(verdict)
        name = CONFIGURATIONS[baseline].label
        parts = [f"{display_name(dataset)} (Light ReLU AUC {base['roc_auc']:.3f}):"]
        for verdict, text in (("better", f"significantly better than {name}"),
                              ("worse", f"significantly worse than {name}"),
                              ("indistinguishable", f"not distinguishable from {name}"),
                              ("relu", f"{name} itself in every seed (network selection's "
                                       "ReLU fallback: nothing discovered to compare)")):
            if groups[verdict]:
                parts.append(f"{text}: {', '.join(groups[verdict])}.")
        lines.append(" ".join(parts))
    if formula_verdicts or mixed or relu_rows:
        text = (f"Discovered activations against Light ReLU: "
                f"{formula_verdicts.count('better')} of "
                f"{plural(len(formula_verdicts), 'comparison')} significantly better, "
                f"{formula_verdicts.count('worse')} significantly worse, "
                f"{formula_verdicts.count('indistinguishable')} not distinguishable.")
        if mixed:
            text += (f" Not counted: {plural(len(mixed), 'row')} where network selection fell "
                     f"back to ReLU in some seeds (marked k/n: {mixed.count('better')} better, "
                     f"{mixed.count('worse')} worse, {mixed.count('indistinguishable')} not "
                     "distinguishable, partly ReLU against itself)")
        if relu_rows:
            text += (" Not counted either" if mixed else " Not counted") + (
                f": {plural(relu_rows, 'row')} that {'is' if relu_rows == 1 else 'are'} ReLU "
                "in every seed.")
        elif mixed:
            text += "."
        lines.insert(0, text)
    network = [e for e in formulas.values() if e.get("selection") == "network"]
    if network:
        weak = sum(bool(e.get("weak_activation")) for e in network)
        fell = sum(bool(e.get("fell_back_to_relu")) for e in network)
        total = plural(len(network), "discovery", "discoveries")
        lines.append(f"Network selection: in {weak} of {total} "
                     "no candidate formula trained better than ReLU on the discovery's own "
                     "validation rows (WeakActivationWarning, recorded in formulas.json); there "
                     "the method itself predicts that ReLU is the better choice, and in "
                     f"{fell} of them the discoverer returned ReLU, max(x, 0) (fallback='relu'): "
                     "nothing discovered there was worth using or transferring.")
    seeds = {len(r["seeds"]) for r in records}
    if seeds and max(seeds) < 3:
        lines.append("With fewer than three seeds the paired t-tests have little power: "
                     "read 'not distinguishable' as 'not tested'.")
    return lines


def run_demo(out="sksymact-demo", *, quick=False, n_jobs=2, stream=None, plots=True,
             collider=False):
    """Discover on the bundled HIGGS sample, transfer to Covertype and Spambase, compare.

    Everything runs on the UCI samples that ship with sksymact (no data
    folder, no network), under the leakage-free protocol: per seed,
    discovery sees only that seed's training rows.  It prints the settings,
    the table (mean ± std over the seeds, paired t-tests against Light
    ReLU) and what the numbers show, and writes the benchmark's files
    (``results.csv``, ``formulas.json``, ``settings.json``, ``summary.md``,
    ``activations.png``, ``efficiency.png``) into ``out``, replacing those of
    an earlier demo.

    Parameters
    ----------
    out : str or path-like, default="sksymact-demo"
        The folder for the files.
    quick : bool, default=False
        A tiny version (1,000 rows, a tiny search, 2 epochs, one seed) to
        check that everything works, in seconds; its numbers mean nothing.
    n_jobs : int, default=2
        Tasks run in parallel with joblib (the rows do not depend on it).
    stream : file, default=sys.stdout
        Where the explanations and the table are printed.
    plots : bool, default=True
        Write the PNGs (needs matplotlib).
    collider : bool, default=False
        Run the earlier demo instead: discovery on simulated collider events,
        transfer to scikit-learn's breast cancer and digits.

    Returns
    -------
    records : list of dict
        The summary records (see :func:`summarize`).
    """
    if collider:
        from ._demo_collider import run_collider_demo  # noqa: PLC0415

        return run_collider_demo(out, quick=quick, n_jobs=n_jobs, stream=stream, plots=plots)
    stream = sys.stdout if stream is None else stream
    size = QUICK if quick else FULL
    registry = bundled_datasets()
    settings = BenchmarkSettings(**{k: v for k, v in size.items() if k != "seeds"})
    start = time.perf_counter()

    _say(stream, "sksymact demo: discover an activation on HIGGS, reuse it on Covertype and "
                 "Spambase (the UCI samples bundled with sksymact; offline).")
    if quick:
        _say(stream, "(--quick: a tiny search and 2 epochs; the numbers below only show that "
                     "everything runs.)")
    _say(stream, "Settings (smaller than the paper's, to fit in about a minute):")
    for name, data in registry.items():
        _say(stream, f"   - {data.name}: {data.rows(settings)}")
    _say(stream, f"   - discovery: gplearn, population {settings.population_size} x "
                 f"{settings.generations} generations on a {settings.subsample:.0%} subsample "
                 "of each seed's training rows (leakage-free)")
    _say(stream, f"   - networks (64, 32): Adam {settings.learning_rate_init:g}, batches of "
                 f"{settings.batch_size}, {settings.max_iter} epochs, dropout "
                 f"{settings.dropout:g}; seeds {', '.join(map(str, size['seeds']))}")
    _say(stream, "1. Discovery on HIGGS, two ways of choosing the formula: the paper's (best "
                 "gplearn fitness) and network-aware (the best of 8 candidates after a short "
                 "training on a validation split of the discovery rows, ReLU trained too for "
                 "comparison).")
    _say(stream, "2. Transfer: each HIGGS formula in a light network on Covertype and Spambase, "
                 "beside the network-selected specialist (discovered on the data set itself), "
                 "Light ReLU, and two estimators that are no network: scikit-learn's "
                 "HistGradientBoostingClassifier and LogisticRegression.")
    result = run_benchmark(
        out, settings, seeds=size["seeds"], configurations=DEMO_CONFIGURATIONS,
        registry=registry, source=SOURCE_DATASET, device="cpu", n_jobs=n_jobs,
        progress=False, plots=plots, stream=stream, resume=False, title="sksymact demo")
    names = display_names(registry)
    found = [e for e in result.formulas.values() if e["dataset"] == SOURCE_DATASET]
    for entry in sorted(found, key=lambda e: (e["seed"], e.get("selection") == "network")):
        what = ("ReLU, max(x, 0): no candidate trained better than ReLU, so nothing was "
                "discovered (fallback='relu')" if entry.get("fell_back_to_relu")
                else readable_formula(entry["formula"]))
        how = "" if entry.get("selection") == "network" else ", best fitness"
        _say(stream, f"   {source_label(entry, names)}{how}: {what}")
    _say(stream)
    records = summarize(result.rows, formulas=result.formulas)
    _say(stream, format_summary(records, names=names))
    note = fallback_note(records)
    if note:
        _say(stream, note)
        _say(stream)
    _say(stream, "What it shows (p: paired t-test of ROC AUC against Light ReLU over the same "
                 f"seeds; significant means p < {ALPHA}):")
    for line in findings(records, result.formulas):
        _say(stream, f"  {line}")
    if result.plots:
        _say(stream, f"Plots: {', '.join(result.plots)} in {os.fspath(out)!r}.")
    _say(stream, f"Done in {time.perf_counter() - start:.0f} s. For the paper's full data and "
                 "settings, see `sksymact benchmark --help`.")
    return records
