"""The units of work of a benchmark: load a data set, discover a formula, train and score.

Tasks are plain functions of plain data, so joblib can run them in other
processes or on a Dask cluster, and each is seeded so that its result does
not depend on where or in which order it runs.  Every task uses one torch
thread: a sum split over threads rounds differently, so the same seed would
otherwise give slightly different networks with ``--n-jobs 1`` and ``2``.
"""

import contextlib
import time

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from ._store import BenchmarkError, finite_or_none, utc_now

__all__ = ["load_dataset", "split", "discover", "train_and_score", "versions"]


@contextlib.contextmanager
def one_torch_thread():
    import torch  # noqa: PLC0415

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _rows_text(rows):
    return "all rows" if rows is None else f"{rows:,} rows"


def load_dataset(name, settings, *, data_home=None, download=True):
    """``(X, y)`` of one benchmark data set, as the settings ask for it."""
    from ..datasets import fetch_covertype, fetch_higgs, fetch_spambase  # noqa: PLC0415

    common = dict(data_home=data_home, download_if_missing=download, return_X_y=True)
    try:
        if name == "higgs":
            return fetch_higgs(n_samples=settings.higgs_rows, **common)
        if name == "covertype":
            return fetch_covertype(n_samples=settings.covertype_rows,
                                   random_state=settings.data_seed, **common)
        if name == "spambase":
            return fetch_spambase(**common)
    except (OSError, ValueError) as exc:
        hints = {
            "higgs": f"the benchmark asked for {_rows_text(settings.higgs_rows)} of HIGGS. "
                     "With a folder holding only the first 5,000 rows, pass --higgs-rows 5000 "
                     "(higgs_rows=5000), or --higgs-rows all for every row it holds",
            "covertype": f"the benchmark asked for {_rows_text(settings.covertype_rows)} of "
                         "Covertype. With a folder holding only the first 20,000 rows, pass "
                         "--covertype-rows 20000 (covertype_rows=20000), or --covertype-rows all",
            "spambase": "the benchmark needs the full spambase.data (4,601 rows)",
        }
        raise BenchmarkError(f"Could not load {name}: {exc} Note: {hints[name]}.") from exc
    raise ValueError(f"unknown data set {name!r}")


def split(X, y, seed, test_size):
    """The paper's split: stratified 80/20 by ``seed``, scaled with the training rows."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def versions():
    import gplearn  # noqa: PLC0415
    import sklearn  # noqa: PLC0415
    import torch  # noqa: PLC0415

    from .. import __version__  # noqa: PLC0415

    return {"sksymact_version": __version__, "torch_version": torch.__version__,
            "sklearn_version": sklearn.__version__, "gplearn_version": gplearn.__version__}


def make_discoverer(settings, random_state):
    from .. import SymbolicActivationDiscoverer  # noqa: PLC0415

    return SymbolicActivationDiscoverer(
        population_size=settings.population_size, generations=settings.generations,
        function_set=settings.function_set, subsample=settings.subsample,
        random_state=random_state)


def discover(job, X, y):
    """Fit a discoverer on ``X, y`` as ``job`` says; return its ``formulas.json`` entry.

    ``job``: key, dataset, seed (None for the reference protocol), settings.
    Leakage-free: the rows of the seed's training part, scaled as the networks
    see them (exactly what a specialist ``HybridTransferClassifier`` in a
    Pipeline after a StandardScaler would fit its discoverer on).  Reference:
    every row of the data set, test rows included.
    """
    settings, seed = job["settings"], job["seed"]
    if seed is None:
        X_fit, y_fit, random_state = X, y, settings.reference_seed
        n_train = None
    else:
        X_fit, _, y_fit, _ = split(X, y, seed, settings.test_size)
        random_state, n_train = seed, len(y_fit)
    start = time.perf_counter()
    discoverer = make_discoverer(settings, random_state).fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    formula = discoverer.formula_
    return {
        "key": job["key"],
        "dataset": job["dataset"],
        "seed": seed,
        "protocol": settings.protocol,
        "formula": str(formula),
        "latex": formula.latex(),
        "program": discoverer.program_,
        "fitness": finite_or_none(discoverer.fitness_),
        "nonlinearity": finite_or_none(discoverer.nonlinearity_),
        "n_degenerate_skipped": int(discoverer.n_degenerate_skipped_),
        "random_state": random_state,
        "rows_seen": int(len(y_fit)),
        "rows_total": int(len(y)),
        "rows_train": n_train,
        "saw_test_rows": seed is None,
        "subsample": settings.subsample,
        "population_size": settings.population_size,
        "generations": settings.generations,
        "function_set": list(settings.function_set),
        "seconds": seconds,
        "discovered_at": utc_now(),
        **versions(),
    }


def score(clf, X_test, y_test):
    """Accuracy, ROC AUC (one-vs-rest macro for more classes) and E_param."""
    proba = clf.predict_proba(X_test)
    accuracy = accuracy_score(y_test, clf.classes_[np.argmax(proba, axis=1)])
    if proba.shape[1] == 2:
        auc = roc_auc_score(y_test, proba[:, 1])
    else:
        auc = roc_auc_score(y_test, proba, multi_class="ovr", average="macro",
                            labels=clf.classes_)
    n_params = int(clf.n_params_)
    return {"accuracy": float(accuracy), "roc_auc": float(auc), "n_params": n_params,
            "e_param": float(auc / np.log10(n_params))}


def train_and_score(job, X, y):
    """Train one configuration on one seed's split of ``X, y``; score it on the test rows.

    ``job``: dataset, configuration (a Configuration), seed, settings,
    device, and for formula configurations ``formula`` (text) and
    ``formula_key``.  The formula is used as a frozen transfer: the
    classifier gets it as given, exactly as from
    ``FrozenEstimator(fitted discoverer)``.
    """
    from .. import HybridTransferClassifier  # noqa: PLC0415

    settings, config, seed = job["settings"], job["configuration"], job["seed"]
    X_train, X_test, y_train, y_test = split(X, y, seed, settings.test_size)
    activation = job.get("formula") if config.uses_formula else config.activation
    clf = HybridTransferClassifier(
        hidden_layer_sizes=config.hidden_layer_sizes, activation=activation,
        max_iter=settings.epochs, batch_size=settings.batch_size,
        learning_rate_init=settings.learning_rate, dropout=settings.dropout,
        device=job.get("device", "auto"), random_state=seed)
    with one_torch_thread():
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        scores = score(clf, X_test, y_test)
    return {
        "dataset": job["dataset"],
        "configuration": config.key,
        "seed": seed,
        "protocol": settings.protocol,
        "settings_id": settings.settings_id,
        **scores,
        "fit_seconds": fit_seconds,
        "activation": activation,
        "formula_key": job.get("formula_key") or "",
        "hidden_layer_sizes": "-".join(str(h) for h in config.hidden_layer_sizes),
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
        "n_features": int(X_train.shape[1]),
        "epochs": settings.epochs,
        "device": clf.device_,
        **versions(),
        "finished_at": utc_now(),
    }
