"""The units of work of a benchmark: discover a formula, train and score a network.

A task is a function of a typed job (a frozen dataclass of plain data) and of
the data arrays, so joblib can run it in other processes or on a Dask
cluster, and each is seeded so that its result does not depend on where or in
which order it runs.  Every training uses one torch thread: a sum split over
threads rounds differently, so the same seed would otherwise give slightly
different networks with ``--n-jobs 1`` and ``2``.
"""

import time
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from .._metrics import parameter_efficiency_score
from .._parallel import limit_torch_threads
from ._configs import BenchmarkSettings, Configuration
from ._protocols import PROTOCOLS
from ._store import finite_or_none, utc_now

__all__ = ["DiscoveryJob", "TrainingJob", "split", "discover", "train_and_score", "versions"]


@dataclass(frozen=True)
class DiscoveryJob:
    """One discovery: the formula ``key`` on ``dataset``.

    ``seed`` is the protocol's :meth:`~Protocol.formula_seed`: the seed whose
    training rows discovery sees, or None where one discovery serves every
    seed (the protocol decides which rows, see :meth:`Protocol.discovery_rows`).
    """

    key: str
    dataset: str
    seed: object
    settings: BenchmarkSettings


@dataclass(frozen=True)
class TrainingJob:
    """One training: ``configuration`` on the split of ``seed`` of ``dataset``.

    For a formula configuration, ``formula`` is the formula's text and
    ``formula_key`` where it comes from; it is used as a frozen transfer (the
    classifier gets it as given, exactly as from ``FrozenEstimator(fitted
    discoverer)``).
    """

    dataset: str
    configuration: Configuration
    seed: int
    settings: BenchmarkSettings
    device: str = "auto"
    formula: object = None
    formula_key: str = ""


def split(X, y, seed, test_size):
    """The paper's split: stratified 80/20 by ``seed``, scaled with the training rows."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def versions():
    """The versions of sksymact and of the libraries that make the numbers."""
    import gplearn  # noqa: PLC0415
    import sklearn  # noqa: PLC0415
    import torch  # noqa: PLC0415

    from .. import __version__  # noqa: PLC0415

    return {"sksymact_version": __version__, "torch_version": torch.__version__,
            "sklearn_version": sklearn.__version__, "gplearn_version": gplearn.__version__}


def make_discoverer(settings, random_state):
    """The discoverer of the settings' search, unfitted."""
    from .. import SymbolicActivationDiscoverer  # noqa: PLC0415

    return SymbolicActivationDiscoverer(
        population_size=settings.population_size, generations=settings.generations,
        function_set=settings.function_set, subsample=settings.subsample,
        random_state=random_state)


def discover(job, X, y):
    """Fit a discoverer as ``job`` says on the rows its protocol chooses; return the entry.

    Per seed (leakage-free): the rows of the seed's training part, scaled as
    the networks see them (exactly what a specialist
    ``HybridTransferClassifier`` in a Pipeline after a StandardScaler would
    fit its discoverer on).  Once per data set (reference): every row, test
    rows included.  The entry is the one ``formulas.json`` keeps.
    """
    settings = job.settings
    protocol = PROTOCOLS[settings.protocol]
    X_fit, y_fit, random_state = protocol.discovery_rows(X, y, job.seed, settings)
    start = time.perf_counter()
    discoverer = make_discoverer(settings, random_state).fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    formula = discoverer.formula_
    return {
        "key": job.key,
        "dataset": job.dataset,
        "seed": job.seed,
        "protocol": protocol.key,
        "formula": str(formula),
        "latex": formula.latex(),
        "program": discoverer.program_,
        "fitness": finite_or_none(discoverer.fitness_),
        "nonlinearity": finite_or_none(discoverer.nonlinearity_),
        "n_degenerate_skipped": int(discoverer.n_degenerate_skipped_),
        "random_state": random_state,
        "rows_seen": int(len(y_fit)),
        "rows_total": int(len(y)),
        "rows_train": int(len(y_fit)) if protocol.per_seed else None,
        "saw_test_rows": not protocol.per_seed,
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
            "e_param": parameter_efficiency_score(y_test, proba, n_params=n_params)}


def train_and_score(job, X, y):
    """Train one configuration on one seed's split of ``X, y``; score it on the test rows."""
    from .. import HybridTransferClassifier  # noqa: PLC0415

    settings, config, seed = job.settings, job.configuration, job.seed
    X_train, X_test, y_train, y_test = split(X, y, seed, settings.test_size)
    activation = job.formula if config.uses_formula else config.activation
    clf = HybridTransferClassifier(
        hidden_layer_sizes=config.hidden_layer_sizes, activation=activation,
        max_iter=settings.max_iter, batch_size=settings.batch_size,
        learning_rate_init=settings.learning_rate_init, dropout=settings.dropout,
        device=job.device, random_state=seed)
    with limit_torch_threads(1):
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        scores = score(clf, X_test, y_test)
    return {
        "dataset": job.dataset,
        "configuration": config.key,
        "seed": seed,
        "protocol": settings.protocol,
        "settings_id": settings.settings_id,
        **scores,
        "fit_seconds": fit_seconds,
        "activation": activation,
        "formula_key": job.formula_key,
        "hidden_layer_sizes": "-".join(str(h) for h in config.hidden_layer_sizes),
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
        "n_features": int(X_train.shape[1]),
        "epochs": settings.max_iter,  # the column keeps its name: results.csv files stay readable
        "device": clf.device_,
        **versions(),
        "finished_at": utc_now(),
    }
