"""Network-aware selection: choose a discovered formula by how well it *trains*.

gplearn ranks programs by how well a formula of the raw inputs classifies;
what makes a good activation is how well a network with it learns.  Here the
best programs of a run are collapsed, the degenerate ones dropped, the
duplicates *as activations* removed, and the survivors scored by a short
training of a light :class:`~sksymact.HybridTransferClassifier` on a
validation split of the rows the discoverer was given -- and never on any
other rows.  For a continuous target the short training is a light
:class:`~sksymact.HybridTransferRegressor` and the score its validation R².

Two formulas are the same activation when one is ``a * f(b * x) + d`` of the
other: the Linear layer after an activation absorbs ``a`` and ``d``, and the
Linear + BatchNorm before it a rescaling of its input.  The fingerprint of a
formula is its value on a fixed grid, standardised (mean 0, RMS 1; both
signs are compared), and the input maps searched are ``b`` in {1, -1, 2, -2, 1/2, -1/2}
(so ``cos(|cos x|)`` and ``cos(cos x)`` are one activation, and ``sin(-x)``
is ``sin(x)``); a shift ``b * x + c`` with ``c != 0`` is not searched.

Which distinct activations are scored is decided for fitness *and* variety.
A GP run tends to fill its best ranks with variations of one idea (on HIGGS,
eight even functions ``cos(x) - g(cos(x))`` that all train worse than ReLU,
while ``cos(x) - x`` further down trains better): the fittest candidate is
taken first, then, in order of fitness, each one whose shape correlates at
most ``max_similarity`` with every candidate taken so far; near-duplicates
fill the remaining places only when too few different shapes exist.
"""

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.utils import resample

from ._classifier import HybridTransferClassifier
from ._parallel import limit_torch_threads
from ._regressor import HybridTransferRegressor

__all__ = ["fingerprint", "same_activation", "similarity", "choose_diverse", "is_degenerate",
           "select_by_network", "DEFAULT_TRAINING", "SELECTION_THREADS"]

#: The short training that scores a candidate: the paper's light net, with
#: smaller batches so that small data sets still take a few hundred steps.
DEFAULT_TRAINING = {"hidden_layer_sizes": (64, 32), "max_iter": 15, "batch_size": 256}

_GRID = np.linspace(-4.0, 4.0, 801)
_INPUT_SCALES = (1.0, -1.0, 2.0, -2.0, 0.5, -0.5)
_SAME = 1e-6


def is_degenerate(formula, min_nonlinearity):
    """Whether ``formula`` is no activation: constant, (nearly) affine, or not finite.

    Parameters
    ----------
    formula : Formula
        A formula in ``x``.
    min_nonlinearity : float
        The least :meth:`Formula.nonlinearity` an activation has (0: only
        what is affine to rounding is degenerate).

    Returns
    -------
    bool
    """
    nonlinearity = formula.nonlinearity()
    return not (np.isfinite(nonlinearity) and nonlinearity >= min_nonlinearity
                and nonlinearity > 0.0)


def _standardise(values):
    values = values - values.mean()
    rms = np.sqrt(np.mean(values ** 2))
    if not np.isfinite(rms) or rms == 0:
        return None
    return values / rms


def fingerprint(formula):
    """The standardised values of ``formula`` on each searched input scale.

    Parameters
    ----------
    formula : Formula
        A formula in ``x``.

    Returns
    -------
    ndarray of shape (6, 801) or None
        One row per input scale ``b`` of :data:`_INPUT_SCALES`; None if the
        formula is constant or not finite on the grid.
    """
    rows = []
    with np.errstate(all="ignore"):
        for scale in _INPUT_SCALES:
            row = _standardise(np.asarray(formula(scale * _GRID), dtype=np.float64))
            if row is None:
                return None
            rows.append(row)
    return np.array(rows)


def same_activation(first, second):
    """Whether two fingerprints are one activation (``a f(b x) + d``, b searched).

    Parameters
    ----------
    first : ndarray
        An output of :func:`fingerprint`, or several stacked (then: whether
        ``second`` is the same activation as any of them).
    second : ndarray
        An output of :func:`fingerprint`.

    Returns
    -------
    bool
    """
    # second(x) against +-first(b x) for every searched b (the sign is a's).
    target = second[0]
    return bool(np.any(np.minimum(np.max(np.abs(first - target), axis=-1),
                                  np.max(np.abs(first + target), axis=-1)) <= _SAME))


def similarity(first, second):
    """How alike two activations are: the best correlation of their shapes.

    Parameters
    ----------
    first, second : ndarray
        Outputs of :func:`fingerprint`.

    Returns
    -------
    float in [0, 1]
        The largest absolute correlation of ``second(x)`` with ``first(b x)``,
        or of ``first(x)`` with ``second(b x)``, over the searched input
        scales ``b`` (1 for one activation; symmetric).
    """
    # Rows are standardised (mean 0, mean square 1): a mean product is a correlation.
    return float(max(np.max(np.abs(first @ second[0])),
                     np.max(np.abs(second @ first[0]))) / first.shape[1])


def choose_diverse(prints, n, max_similarity):
    """Which of the fingerprints (best first) to score: up to ``n``, varied.

    Parameters
    ----------
    prints : sequence of ndarray
        Fingerprints of distinct activations, in order of preference.
    n : int
        How many to choose.
    max_similarity : float in (0, 1]
        A fingerprint is taken in the first pass only if its
        :func:`similarity` to every one taken is at most this; the places
        left are then filled in order of preference.  1 takes the first ``n``.

    Returns
    -------
    list of int
        Indices into ``prints``, in the order they were taken.
    """
    chosen = []
    for i, print_ in enumerate(prints):
        if len(chosen) == n:
            return chosen
        if all(similarity(prints[j], print_) <= max_similarity for j in chosen):
            chosen.append(i)
    taken = set(chosen)
    chosen.extend([i for i in range(len(prints)) if i not in taken][:n - len(chosen)])
    return chosen


#: The short trainings that decide run on this many torch threads, wherever they
#: run: the order of a float sum depends on the thread count, and a validation
#: score that moves in its 4th digit can flip the winner or the ReLU fallback.
#: One thread is also what a parallel task gets on a busy machine.
SELECTION_THREADS = 1


def _score_one(activation, task, X_train, y_train, w_train, X_valid, y_valid, w_valid,
               training, scorer):
    network = HybridTransferClassifier if task == "classification" else HybridTransferRegressor
    model = network(activation=activation, **training)
    weights = {} if w_valid is None else {"sample_weight": w_valid}
    with limit_torch_threads(SELECTION_THREADS):
        model.fit(X_train, y_train, sample_weight=w_train)
        return float(scorer(model, X_valid, y_valid, **weights))


def select_by_network(formulas, X, y, *, training=None, validation_fraction=0.2,
                      max_rows=20_000, random_state=0, n_jobs=None, task="classification",
                      sample_weight=None):
    """Score candidate formulas by a short training and return the scores.

    Parameters
    ----------
    formulas : sequence of Formula
        The candidates, already collapsed and de-duplicated.
    X, y : array-like
        The rows to split into training and validation (stratified by class
        for classification).
    training : dict or None
        Parameters of the :class:`HybridTransferClassifier` (or
        :class:`HybridTransferRegressor`) of the short training (default
        :data:`DEFAULT_TRAINING`); ``random_state`` is set here, the same for
        every candidate, so all of them (and ReLU) start from the same
        weights and see the same batches.
    validation_fraction : float, default=0.2
    max_rows : int, default=20_000
        At most this many rows (stratified for classification) take part,
        which bounds the cost of a candidate.
    random_state : int, default=0
    n_jobs : int or None, default=None
        Candidates trained in parallel (joblib).  Each short training runs on
        :data:`SELECTION_THREADS` torch thread(s) wherever it runs, so the
        scores are the same, bit for bit, for every ``n_jobs`` and every
        torch thread count.
    task : {"classification", "regression"}, default="classification"
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Row weights of the short trainings and of the validation scores.

    Returns
    -------
    scores : list of float
        The validation score of each formula, in order: ROC AUC (one-vs-rest
        for several classes) for classification, R² for regression.
    relu_score : float
        The same short training with ReLU.
    """
    X, y = np.asarray(X), np.asarray(y)
    classify = task == "classification"
    arrays = [X, y] + ([] if sample_weight is None else [np.asarray(sample_weight)])
    if len(y) > max_rows:
        arrays = resample(*arrays, replace=False, n_samples=max_rows,
                          stratify=arrays[1] if classify else None, random_state=random_state)
    split = train_test_split(*arrays, test_size=validation_fraction,
                             stratify=arrays[1] if classify else None, random_state=random_state)
    X_train, X_valid, y_train, y_valid = split[:4]
    w_train, w_valid = (split[4], split[5]) if sample_weight is not None else (None, None)
    training = {**DEFAULT_TRAINING, **(training or {}), "random_state": random_state}
    if classify:
        scorer = get_scorer("roc_auc" if len(np.unique(y)) == 2 else "roc_auc_ovr")
    else:
        scorer = get_scorer("r2")
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_score_one)(activation, task, X_train, y_train, w_train, X_valid, y_valid,
                            w_valid, training, scorer)
        for activation in [*formulas, "relu"])
    return scores[:-1], scores[-1]
