"""``sksymact demo``: the whole method in about a minute, offline.

An activation is discovered on simulated collider events (no file, no
network) and transferred to two data sets that ship with scikit-learn: breast
cancer (continuous measurements, where the paper expects transfer to work) and
digits (discrete pixel counts, ten classes, where it expects it to fail).
"""

import csv
import io
import os
import sys
import time

from ._configs import CONFIGURATIONS, BenchmarkSettings
from ._report import DISPLAY_NAMES, format_summary, summarize
from ._runner import PAPER_SEEDS, _display_labels
from ._store import RESULT_COLUMNS, atomic_write_text
from ._tasks import make_discoverer, train_and_score

__all__ = ["run_demo"]

DEMO_CONFIGURATIONS = ("heavy-relu", "light-relu", "light-gelu", "light-silu", "hybrid-transfer")

#: name -> (loader name, description)
DEMO_DATASETS = {
    "breast_cancer": ("load_breast_cancer",
                      "569 tumours, 30 continuous measurements, 2 classes"),
    "digits": ("load_digits",
               "1,797 images of 8x8 pixels, 64 discrete counts from 0 to 16, 10 classes"),
}

#: (events, population, generations, epochs, batch size, seeds) of the full and quick demo.
FULL = dict(n_events=4000, population_size=500, generations=5, epochs=30, batch_size=64,
            seeds=PAPER_SEEDS)
QUICK = dict(n_events=600, population_size=40, generations=2, epochs=2, batch_size=64,
             seeds=PAPER_SEEDS[:1])


def _load(name):
    import sklearn.datasets  # noqa: PLC0415

    return getattr(sklearn.datasets, DEMO_DATASETS[name][0])(return_X_y=True)


def _say(stream, text=""):
    print(text, file=stream, flush=True)


def _comparison(records, dataset):
    by_config = {r["configuration"]: r for r in records if r["dataset"] == dataset}
    transfer, relu = by_config.get("hybrid-transfer"), by_config.get("light-relu")
    if transfer is None or relu is None:
        return None
    delta = transfer["roc_auc"] - relu["roc_auc"]
    p = transfer["p_value"]
    if p is not None and p < 0.05:
        verdict = "better than" if delta > 0 else "worse than"
    else:
        verdict = "not distinguishable from"
    p_text = "" if p is None else f", paired t-test p = {p:.3f}"
    return (f"  {DISPLAY_NAMES[dataset]}: the transferred activation is {verdict} Light ReLU "
            f"(ROC AUC {transfer['roc_auc']:.3f} against {relu['roc_auc']:.3f}, "
            f"difference {delta:+.3f}{p_text}).")


def _size_ratios(records):
    params = {(r["dataset"], r["configuration"]): r["n_params"] for r in records}
    ratios = sorted(params[d, "heavy-relu"] / params[d, "light-relu"]
                    for d, c in params if c == "heavy-relu" and (d, "light-relu") in params)
    if not ratios:
        return "several"
    low, high = f"{ratios[0]:.1f}", f"{ratios[-1]:.1f}"
    return low if low == high else f"{low} to {high}"


def _ceiling_note(records):
    baselines = [r["roc_auc"] for r in records if r["configuration"] == "light-relu"]
    if baselines and min(baselines) > 0.98:
        return ("  Both data sets are easy for every network here (ROC AUC near 1), so this "
                "shows the mechanics more than the boundary. The paper's boundary (transfer "
                "fails on Spambase's word frequencies) is what `sksymact benchmark` tests.")
    return None


def run_demo(out="sksymact-demo", *, quick=False, n_jobs=1, stream=None, plots=True):
    """Discover on collider events, transfer to breast cancer and digits, compare.

    Prints what is being done, the table (mean ± std over the seeds) and what
    it shows; writes ``results.csv``, ``activations.png`` and
    ``efficiency.png`` into ``out``.

    Parameters
    ----------
    out : str or path-like, default="sksymact-demo"
    quick : bool, default=False
        A tiny version (small search, 2 epochs, one seed) to check that
        everything works, in seconds; its numbers mean nothing.
    n_jobs : int, default=1
        Trainings run in parallel with joblib.
    stream : file, default=sys.stdout
    plots : bool, default=True
        Write the PNGs (needs matplotlib).

    Returns
    -------
    records : list of dict
        The summary records (see :func:`summarize`).
    """
    from ..datasets import make_collider_events  # noqa: PLC0415
    from ._runner import _backend  # noqa: PLC0415

    stream = sys.stdout if stream is None else stream
    size = QUICK if quick else FULL
    settings = BenchmarkSettings(
        epochs=size["epochs"], batch_size=size["batch_size"],
        population_size=size["population_size"], generations=size["generations"])
    os.makedirs(out, exist_ok=True)
    start = time.perf_counter()

    _say(stream, "sksymact demo: find an activation function in physics data, reuse it elsewhere.")
    if quick:
        _say(stream, "(--quick: a tiny search and 2 epochs; the numbers below only show that "
                     "everything runs.)")
    _say(stream, f"1. Discovery. Genetic programming (gplearn, {settings.population_size} "
                 f"programs x {settings.generations} generations, add/sub/mul/sin/cos/abs) looks "
                 f"for a formula that separates {size['n_events']:,} simulated collider events "
                 "(a 300 GeV dijet resonance over background, make_collider_events) on a 10% "
                 "subsample. Every variable of the winning formula is then replaced by one x.")
    X_source, y_source = make_collider_events(size["n_events"], random_state=0, return_X_y=True)
    discoverer = make_discoverer(settings, random_state=0).fit(X_source, y_source)
    formula = discoverer.formula_
    _say(stream, f"   found {discoverer.program_}  ->  activation(x) = {formula.to_sympy()}"
                 f"   (LaTeX: {formula.latex()})")
    _say(stream)
    _say(stream, "2. Transfer. That activation goes into a light (64, 32) network, compared "
                 "with light ReLU, GELU and SiLU networks and a heavy (200, 100) ReLU one, on:")
    for name, (_, description) in DEMO_DATASETS.items():
        _say(stream, f"   - {DISPLAY_NAMES[name]}: {description}")
    _say(stream, f"   Each: stratified 80/20 split per seed ({', '.join(map(str, size['seeds']))})"
                 f", standardized; Adam 1e-3, dropout 0.3, batches of {settings.batch_size}, "
                 f"{settings.epochs} epochs.")
    _say(stream, "   Why not the paper's 15 epochs of batches of 1,024? Those were sized for "
                 "100,000 rows (about 1,500 gradient steps); on 455 training rows they would "
                 "be 15 steps, so the small data sets get small batches and more epochs "
                 f"(about {settings.epochs * -(-455 // settings.batch_size):,} steps on breast "
                 "cancer).")
    _say(stream)

    jobs = []
    for name in DEMO_DATASETS:
        X, y = _load(name)
        for seed in size["seeds"]:
            for key in DEMO_CONFIGURATIONS:
                config = CONFIGURATIONS[key]
                job = {"dataset": name, "configuration": config, "seed": seed,
                       "settings": settings, "device": "cpu"}
                if config.uses_formula:
                    job.update(formula=str(formula), formula_key="collider_events")
                jobs.append((job, X, y))
    with _backend(n_jobs, None) as execute:
        rows = list(execute(train_and_score, jobs))
    rows.sort(key=lambda r: (list(DEMO_DATASETS).index(r["dataset"]),
                             DEMO_CONFIGURATIONS.index(r["configuration"]), r["seed"]))
    _write_rows(os.path.join(out, "results.csv"), rows)

    records = summarize(rows)
    _say(stream, format_summary(records))
    ratios = _size_ratios(records)
    _say(stream, "How to read it: Params counts the trainable weights; the light nets have "
                 f"{ratios} times fewer than the heavy one. E_param = AUC / log10(Params) rewards "
                 "AUC per order of magnitude of parameters (★: best per data set). p compares "
                 "each row's AUC with Light ReLU's over the same seeds (digits: one-vs-rest "
                 "macro AUC).")
    _say(stream, "What the paper claims: a formula found in physics transfers to other "
                 "continuous measurements, but not to discrete counts. Here:")
    for name in DEMO_DATASETS:
        line = _comparison(records, name)
        if line:
            _say(stream, line)
    note = _ceiling_note(records)
    if note:
        _say(stream, note)
    if plots:
        written = _write_plots(out, formula, rows)
        if written:
            _say(stream, f"Plots: {', '.join(written)} in {os.fspath(out)!r}.")
    _say(stream, f"Done in {time.perf_counter() - start:.0f} s. For the paper's own data sets, "
                 "see `sksymact benchmark --help`.")
    return records


def _write_rows(path, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, RESULT_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


def _write_plots(out, formula, rows):
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        return []
    from ..plotting import plot_activation, plot_efficiency  # noqa: PLC0415

    ax = plot_activation({"collider events": formula})
    ax.figure.savefig(os.path.join(out, "activations.png"), dpi=100)
    fig = plot_efficiency(rows, labels=_display_labels())
    fig.savefig(os.path.join(out, "efficiency.png"), dpi=100)
    return ["activations.png", "efficiency.png"]
