"""The units of work of a benchmark: discover a formula, train and score a network.

A task is a function of a typed job (a frozen dataclass of plain data) and of
the data arrays, so joblib can run it in other processes or on a Dask
cluster, and each is seeded so that its result does not depend on where or in
which order it runs.  Every training and every discovery (whose network
selection trains too) uses one torch thread: a sum split over threads rounds
differently, so the same seed would otherwise give slightly different networks
and validation scores with ``--n-jobs 1`` and ``2``.  The estimators are
imported from their modules when a task runs: importing this module (the
runner does) does not import torch.
"""

import importlib
import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import softmax
from sklearn.metrics import (accuracy_score, log_loss, r2_score, roc_auc_score,
                             root_mean_squared_error)

from .._metrics import parameter_efficiency_score, regression_efficiency_score
from .._parallel import limit_torch_threads
from ..exceptions import WeakActivationWarning
from ._configs import (BEST_STANDARD, REFERENCE_ESTIMATORS, STANDARD_ACTIVATIONS,
                       BenchmarkSettings, Configuration)
from ._protocols import PROTOCOLS, split
from .._io import package_versions, utc_now
from ._store import finite_or_none

__all__ = ["DiscoveryJob", "TrainingJob", "discover", "train_and_score", "versions",
           "roc_auc", "score", "score_regression"]


@dataclass(frozen=True)
class DiscoveryJob:
    """One discovery: the formula ``key`` on ``dataset``.

    ``seed`` is the protocol's :meth:`~Protocol.formula_seed`: the seed whose
    training rows discovery sees, or None where one discovery serves every
    seed (the protocol decides which rows, see :meth:`Protocol.discovery_rows`).
    ``task`` is the data set's: a regression data set's formula is searched
    by gplearn's SymbolicRegressor on the standardized target.
    """

    key: str
    dataset: str
    seed: object
    settings: BenchmarkSettings
    selection: str = "fitness"
    task: str = "classification"


@dataclass(frozen=True)
class TrainingJob:
    """One training: ``configuration`` on the split of ``seed`` of ``dataset``.

    For a formula configuration, ``formula`` is the formula's text and
    ``formula_key`` where it comes from; it is used as a frozen transfer (the
    classifier gets it as given, exactly as from ``FrozenEstimator(fitted
    discoverer)``).  ``task`` is the data set's: it chooses the network
    (classifier or regressor), the split and the scores.
    """

    dataset: str
    configuration: Configuration
    seed: int
    settings: BenchmarkSettings
    device: str = "auto"
    formula: object = None
    formula_key: str = ""
    task: str = "classification"


def versions():
    """The versions of sksymact and of the libraries that make the numbers (result columns)."""
    return {f"{key}_version": value for key, value in package_versions().items()}


def make_discoverer(settings, random_state, selection="fitness", task="classification"):
    """The discoverer of the settings' search, unfitted (a regression search for regression)."""
    from .._discovery import SymbolicActivationDiscoverer  # noqa: PLC0415 (torch: see the top)

    if selection == "evolve":
        # The search trains its candidates as the run trains its networks: a
        # formula that wins a shorter training may only learn faster.
        extra = {"search": "evolve", "selection_training": {
            "max_iter": settings.max_iter, "batch_size": settings.batch_size,
            "learning_rate_init": settings.learning_rate_init, "dropout": settings.dropout,
            "early_stopping": settings.early_stopping,
            "n_iter_no_change": settings.n_iter_no_change}}
    else:
        extra = {} if selection == "fitness" else {"selection": selection, "n_candidates": 8}
    if task == "regression":  # classification keeps task="auto": the paper's discoverer
        extra["task"] = "regression"
    return SymbolicActivationDiscoverer(
        population_size=settings.population_size, generations=settings.generations,
        function_set=settings.function_set, subsample=settings.subsample,
        random_state=random_state, **extra)


def _fit_recording_weakness(discoverer, X, y):
    """Fit; return the messages of the WeakActivationWarnings raised (recorded, not fatal)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", WeakActivationWarning)
        discoverer.fit(X, y)
    weak = []
    for w in caught:
        if issubclass(w.category, WeakActivationWarning):
            weak.append(str(w.message))
        else:  # every other warning goes on as if it had not been caught
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return weak


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
    X_fit, y_fit, random_state = protocol.discovery_rows(X, y, job.seed, settings, job.task)
    start = time.perf_counter()
    discoverer = make_discoverer(settings, random_state, job.selection, job.task)
    # One torch thread, as for the trainings: network selection's short trainings
    # decide which formula is kept, and their validation scores (formulas.json)
    # would otherwise round differently with --n-jobs 1 (all cores) and 2.
    with limit_torch_threads(1):
        weak = _fit_recording_weakness(discoverer, X_fit, y_fit)
    seconds = time.perf_counter() - start
    formula = discoverer.formula_
    network = {}
    if job.selection == "network":
        network = {"selection": "network", "candidates": discoverer.candidates_,
                   "relu_validation_score": float(discoverer.relu_validation_score_),
                   "weak_activation": bool(weak),
                   "weak_activation_note": weak[0] if weak else None,
                   "fell_back_to_relu": discoverer.program_ is None}
    elif job.selection == "evolve":
        history = discoverer.search_history_
        chosen = discoverer.candidates_["chosen"].index(True)
        network = {"selection": "evolve", "candidates": discoverer.candidates_,
                   "relu_validation_score": float(discoverer.relu_validation_score_),
                   "weak_activation": bool(weak),
                   "weak_activation_note": weak[0] if weak else None,
                   "fell_back_to_relu": discoverer.candidates_["standard"][chosen] == "relu",
                   "search": {"generations": history["generations"],
                              "budget": history["budget"],
                              "n_evaluated": history["n_evaluated"]}}
    # Recorded for regression only: the entries of classification folders stay as they were.
    task = {} if job.task == "classification" else {"task": job.task}
    return {
        "key": job.key,
        "dataset": job.dataset,
        "seed": job.seed,
        "protocol": protocol.key,
        **task,
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
        **network,
        "seconds": seconds,
        "discovered_at": utc_now(),
        **versions(),
    }


def roc_auc(y_true, y_score, labels):
    """ROC AUC of class scores: the positive class's for two classes, else one-vs-rest macro.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
        The labels.
    y_score : ndarray of shape (n_samples,) or (n_samples, n_classes)
        Scores that rank the rows: probabilities or logits, one column per
        class; a single column (or a 1-D array) is the positive class's.
    labels : ndarray of shape (n_classes,)
        The classes, in the order of the columns.

    Returns
    -------
    auc : float
        scikit-learn's ``roc_auc_score``.
    """
    if y_score.ndim == 2 and y_score.shape[1] > 2:
        return float(roc_auc_score(y_true, y_score, multi_class="ovr", average="macro",
                                   labels=labels))
    positive = y_score[:, -1] if y_score.ndim == 2 else y_score
    return float(roc_auc_score(y_true.ravel(), positive))


def _classification_scores(clf, X_test, y_test):
    """Accuracy, ROC AUC and log loss of a fitted classifier's probabilities; the probabilities.

    The log loss is scikit-learn's ``log_loss`` with ``labels`` the
    classifier's classes, the columns of its probabilities: those of the
    training rows, so every class of the data set (the split is stratified),
    also where the test rows lack one.  Lower is better.
    """
    proba = clf.predict_proba(X_test)
    accuracy = accuracy_score(y_test, clf.classes_[np.argmax(proba, axis=1)])
    return {"accuracy": float(accuracy), "roc_auc": roc_auc(y_test, proba, clf.classes_),
            "log_loss": float(log_loss(y_test, proba, labels=clf.classes_))}, proba


def _regression_scores(y_test, y_pred):
    """R² and RMSE (in the target's units)."""
    return {"r2": float(r2_score(y_test, y_pred)),
            "rmse": float(root_mean_squared_error(y_test, y_pred))}


def score(clf, X_test, y_test):
    """Accuracy, ROC AUC (one-vs-rest macro for more classes), log loss and E_param."""
    scores, proba = _classification_scores(clf, X_test, y_test)
    n_params = int(clf.n_params_)
    return {**scores, "n_params": n_params,
            "e_param": parameter_efficiency_score(y_test, proba, n_params=n_params)}


def score_regression(reg, X_test, y_test):
    """R², RMSE (in the target's units) and E_param = max(R², 0) / log10(Params)."""
    y_pred = reg.predict(X_test)
    n_params = int(reg.n_params_)
    return {**_regression_scores(y_test, y_pred), "n_params": n_params,
            "e_param": regression_efficiency_score(y_test, y_pred, n_params=n_params)}


def _reference_estimator(config, seed):
    """The unfitted scikit-learn estimator of a reference (not neural) configuration."""
    module, name, params = REFERENCE_ESTIMATORS[config.activation]
    estimator = getattr(importlib.import_module(module), name)(**params)
    if "random_state" in estimator.get_params():  # LinearRegression has no randomness
        estimator.set_params(random_state=seed)
    return estimator


def _train_reference(job, X_train, X_test, y_train, y_test):
    """The scores of a reference estimator: no Params, no E_param, no epochs."""
    clf = _reference_estimator(job.configuration, job.seed)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    common = {"n_params": None, "e_param": None, "fit_seconds": fit_seconds,
              "activation": repr(clf), "hidden_layer_sizes": "", "epochs": None,
              "device": "cpu"}
    if job.task == "regression":
        return {**_regression_scores(y_test, clf.predict(X_test)), **common}
    return {**_classification_scores(clf, X_test, y_test)[0], **common}


def _auc_of_outputs(target, logits):
    """ROC AUC of a classifier's validation logits.

    A single logit ranks the rows as the positive class's probability does;
    several are made probabilities, which one-vs-rest compares across rows.
    """
    several = logits.ndim == 2 and logits.shape[1] > 1
    scores = softmax(logits, axis=1) if several else logits.ravel()
    return roc_auc(target, scores, np.arange(logits.shape[-1]))


def _r2_of_outputs(target, predicted):
    """R² of a regressor's validation outputs, on its standardized target.

    R² is the same on the target's scale (both sides shift and scale alike).
    """
    return float(r2_score(target.reshape(len(target), -1), predicted.reshape(len(target), -1)))


def _validation_callback(name, score):
    """A skorch callback recording ``score(target, outputs)`` on the validation rows each epoch.

    The outputs are the module's in eval mode on the network's own validation
    rows; the module is put back in train mode for the next epoch.
    """
    import torch  # noqa: PLC0415
    from skorch.callbacks import Callback  # noqa: PLC0415

    class ValidationScore(Callback):
        def on_epoch_end(self, net, dataset_valid=None, **kwargs):
            if dataset_valid is None:
                return
            with torch.no_grad():
                outputs = net.module_.eval()(dataset_valid.X).cpu().numpy()
            net.module_.train()
            net.history.record(name, score(dataset_valid.y.cpu().numpy(), outputs))

    return ValidationScore()


#: The per-epoch curves of a converged training, by task: what curves.json keeps.
CURVES = {"classification": ("train_loss", "valid_loss", "valid_auc"),
          "regression": ("train_loss", "valid_loss", "valid_r2")}


def _converged_classifier(**params):
    """A HybridTransferClassifier with early stopping that records the validation AUC."""
    from .._classifier import HybridTransferClassifier  # noqa: PLC0415 (torch: see the top)

    return HybridTransferClassifier(
        **params, callbacks=[("valid_auc", _validation_callback("valid_auc", _auc_of_outputs))])


def _converged_regressor(**params):
    """A HybridTransferRegressor with early stopping that records the validation R²."""
    from .._regressor import HybridTransferRegressor  # noqa: PLC0415 (torch: see the top)

    return HybridTransferRegressor(
        **params, callbacks=[("valid_r2", _validation_callback("valid_r2", _r2_of_outputs))])


def train_and_score(job, X, y):
    """Train one configuration on one seed's split of ``X, y``; score it on the test rows.

    A classifier on a classification data set, a regressor (linear head,
    squared error on the standardized target) on a regression one.
    """
    from .._classifier import HybridTransferClassifier  # noqa: PLC0415 (torch: see the top)
    from .._regressor import HybridTransferRegressor  # noqa: PLC0415

    settings, config, seed = job.settings, job.configuration, job.seed
    regression = job.task == "regression"
    X_train, X_test, y_train, y_test = split(X, y, seed, settings.test_size, task=job.task)
    if not config.neural:
        return _row(job, X_train, y_train, y_test, _train_reference(
            job, X_train, X_test, y_train, y_test))
    activation = job.formula if config.uses_formula else config.activation

    def network(activation):
        params = dict(
            hidden_layer_sizes=config.hidden_layer_sizes, activation=activation,
            max_iter=settings.max_iter, batch_size=settings.batch_size,
            learning_rate_init=settings.learning_rate_init, dropout=settings.dropout,
            learnable_constants=config.learnable_constants, device=job.device,
            random_state=seed)
        if settings.early_stopping:  # on a regression data set, a random validation split
            return (_converged_regressor if regression else _converged_classifier)(
                **params, early_stopping=True, validation_fraction=settings.validation_fraction,
                n_iter_no_change=settings.n_iter_no_change)
        return (HybridTransferRegressor if regression else HybridTransferClassifier)(**params)

    with limit_torch_threads(1):
        start = time.perf_counter()
        shown = activation
        if activation == BEST_STANDARD:
            activation = _best_standard(network, X_train, y_train, seed, settings, job.task)
            shown = f"{BEST_STANDARD}:{activation}"
        clf = network(activation)
        clf.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start  # the choice's trainings included
        scores = (score_regression if regression else score)(clf, X_test, y_test)
    measured = {
        **scores,
        "fit_seconds": fit_seconds,
        "activation": shown,
        "hidden_layer_sizes": "-".join(str(h) for h in config.hidden_layer_sizes),
        # The epochs run: max_iter, or fewer where early stopping stopped.
        "epochs": int(clf.n_iter_),
        "device": clf.device_,
    }
    if settings.early_stopping:  # the learning curve goes to curves.json, not to results.csv
        history = clf.net_.history
        measured["curve"] = {name: [float(v) for v in history[:, name]]
                             for name in CURVES[job.task]}
    return _row(job, X_train, y_train, y_test, measured)


def _best_standard(network, X_train, y_train, seed, settings, task):
    """The standard activation whose network scores best on a validation split of the
    training rows (accuracy, or R²): the same trainings as the final one, on less data.

    The validation rows are ``validation_fraction`` of the training rows
    (stratified by class), never the test rows; ties go to the first of
    :data:`STANDARD_ACTIVATIONS`.
    """
    X_fit, X_valid, y_fit, y_valid = split(X_train, y_train, seed,
                                           settings.validation_fraction, task=task)
    best, best_score = None, -np.inf
    for name in STANDARD_ACTIVATIONS:
        model = network(name).fit(X_fit, y_fit)
        predicted = model.predict(X_valid)
        value = (r2_score(y_valid, predicted) if task == "regression"
                 else accuracy_score(y_valid, predicted))
        if value > best_score:
            best, best_score = name, value
    return best


def _row(job, X_train, y_train, y_test, measured):
    """The results.csv row of a finished training, in the order of its columns."""
    row = {
        "dataset": job.dataset,
        "configuration": job.configuration.key,
        "seed": job.seed,
        "protocol": job.settings.protocol,
        "settings_id": job.settings.settings_id,
        "formula_key": job.formula_key,
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
        "n_features": int(X_train.shape[1]),
        **measured,
        **versions(),
        "finished_at": utc_now(),
    }
    return row
