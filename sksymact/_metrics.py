"""The Parameter Efficiency Score, E_param = ROC AUC / log10(number of parameters).

For regression, our extension (not the paper's): max(R², 0) / log10(parameters).
"""

import numbers
import sys

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.metrics import get_scorer, r2_score, roc_auc_score
from sklearn.utils.validation import check_is_fitted

__all__ = ["count_params", "parameter_efficiency_score", "regression_efficiency_score",
           "efficiency_scorer"]


def _check_n_params(n_params):
    if isinstance(n_params, (bool, np.bool_)) or not isinstance(n_params, numbers.Integral):
        raise TypeError(f"n_params must be an integer, got {n_params!r}.")
    if n_params < 2:
        raise ValueError(
            f"n_params must be at least 2 (log10 of the count is the denominator), "
            f"got {n_params}."
        )
    return int(n_params)


def parameter_efficiency_score(y_true, y_score, *, n_params):
    """ROC AUC per order of magnitude of parameters: ``AUC / log10(n_params)``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Scores as ``predict_proba`` returns them.  For a binary problem a
        1-D score of the positive class, or both columns (the second is
        used).  For more classes, one column per class: the AUC is then
        one-vs-rest, macro-averaged.
    n_params : int
        Number of trainable parameters of the model, at least 2.

    Returns
    -------
    score : float
        ROC AUC divided by ``log10(n_params)``; greater is better.

    Notes
    -----
    The score comes from Hajbi (2026), "Neuro-Symbolic Activation Discovery".
    It rewards AUC and penalises size only logarithmically: between models
    of 5,825 and 31,801 parameters it divides by 3.77 and 4.50.  It is a
    ranking aid, not a calibrated quantity; compare it between models on the
    same data only.

    Examples
    --------
    >>> from sksymact import parameter_efficiency_score
    >>> round(parameter_efficiency_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8],
    ...                                  n_params=1000), 4)
    0.25
    """
    n_params = _check_n_params(n_params)
    if np.unique(np.asarray(y_true)).size < 2:
        # roc_auc_score only warns and returns NaN here; a score must not be silently NaN.
        raise ValueError("ROC AUC is undefined when y_true holds a single class.")
    y_score = np.asarray(y_score)
    if y_score.ndim == 2 and y_score.shape[1] == 2:
        y_score = y_score[:, 1]
    if y_score.ndim == 2:
        auc = roc_auc_score(y_true, y_score, multi_class="ovr", average="macro")
    else:
        auc = roc_auc_score(y_true, y_score)
    return float(auc / np.log10(n_params))


def regression_efficiency_score(y_true, y_pred, *, n_params, sample_weight=None):
    """R² per order of magnitude of parameters: ``max(R², 0) / log10(n_params)``.

    Our extension of the paper's score to regression, not the paper's own.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True targets.
    y_pred : array-like of the shape of ``y_true``
        Predictions.
    n_params : int
        Number of trainable parameters of the model, at least 2.
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Row weights of the R² (scikit-learn's ``r2_score``; outputs averaged
        uniformly).

    Returns
    -------
    score : float
        In [0, 1 / log10(n_params)]; greater is better.

    Notes
    -----
    A negative R² (worse than predicting the mean) counts as 0: dividing a
    negative score by ``log10(n_params)`` would make a *larger* bad model
    score higher, the opposite of what the score is for.  A model no better
    than the mean has no efficiency, whatever its size.

    Examples
    --------
    >>> from sksymact import regression_efficiency_score
    >>> round(regression_efficiency_score([1.0, 2.0, 3.0, 4.0], [1.1, 1.9, 3.2, 3.9],
    ...                                   n_params=100), 4)
    0.493
    >>> regression_efficiency_score([1.0, 2.0, 3.0], [3.0, 1.0, 2.0], n_params=100)
    0.0
    """
    n_params = _check_n_params(n_params)
    r2 = r2_score(y_true, y_pred, sample_weight=sample_weight)
    return float(max(r2, 0.0) / np.log10(n_params))


def count_params(estimator):
    """Number of trainable parameters of a fitted model.

    Understands :class:`~sksymact.HybridTransferClassifier` (its
    ``n_params_``), Pipelines (their final step), search objects (their
    ``best_estimator_``), ``FrozenEstimator``, skorch nets and torch modules,
    scikit-learn's MLPs (weights and biases) and linear models (``coef_``
    and ``intercept_``).

    Parameters
    ----------
    estimator : object
        A fitted model of one of the kinds above.

    Returns
    -------
    n_params : int
        The number of trainable parameters (weights and biases).

    Raises
    ------
    TypeError
        For anything else: there is no honest default count.
    sklearn.exceptions.NotFittedError
        If the model is not fitted.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksymact import count_params
    >>> count_params(LogisticRegression().fit([[0, 1], [1, 0], [1, 1]], [0, 1, 1]))
    3
    """
    # An object can be a torch module only once torch is imported: looking it up
    # in sys.modules keeps this module, and the counting of other models, free
    # of torch's import.
    torch = sys.modules.get("torch")
    if hasattr(estimator, "n_params_"):
        return int(estimator.n_params_)
    if hasattr(estimator, "steps"):  # Pipeline: the last step is the model
        return count_params(estimator.steps[-1][1])
    if hasattr(estimator, "best_estimator_"):
        return count_params(estimator.best_estimator_)
    if type(estimator).__name__ == "FrozenEstimator" and hasattr(estimator, "estimator"):
        return count_params(estimator.estimator)
    if torch is not None and isinstance(estimator, torch.nn.Module):
        return sum(p.numel() for p in estimator.parameters() if p.requires_grad)
    if hasattr(estimator, "module_"):  # a skorch net
        return count_params(estimator.module_)
    if hasattr(estimator, "coefs_") and hasattr(estimator, "intercepts_"):
        return int(sum(np.size(w) for w in estimator.coefs_)
                   + sum(np.size(b) for b in estimator.intercepts_))
    if hasattr(estimator, "coef_"):
        return int(np.size(estimator.coef_) + np.size(getattr(estimator, "intercept_", 0)))
    if hasattr(estimator, "fit") and not hasattr(estimator, "module"):
        check_is_fitted(estimator)
    raise TypeError(
        f"count_params does not know how to count the parameters of "
        f"{type(estimator).__name__}. It understands HybridTransferClassifier, Pipeline, "
        "GridSearchCV, FrozenEstimator, skorch nets, torch modules, MLPClassifier/"
        "MLPRegressor and linear models (coef_ and intercept_)."
    )


def efficiency_scorer(estimator, X, y, sample_weight=None):
    """Scorer for ``GridSearchCV(scoring=...)``: score / log10(parameters).

    For a classifier, ROC AUC / log10(parameters), the paper's E_param; for a
    regressor, max(R², 0) / log10(parameters) (our extension, see
    :func:`regression_efficiency_score`).  Usable as
    ``scoring=efficiency_scorer``, inside a ``scoring`` dict, and as the
    ``refit`` criterion.  The AUC and R² come from scikit-learn's own
    ``"roc_auc"`` (``"roc_auc_ovr"`` for more than two classes) and ``"r2"``
    scorers, so Pipelines and ``decision_function``-only models are handled
    the way scikit-learn handles them; the parameter count from
    :func:`count_params`.

    Parameters
    ----------
    estimator : fitted classifier or regressor
        Anything :func:`count_params` understands, e.g. a Pipeline ending in
        :class:`~sksymact.HybridTransferClassifier`.
    X : array-like of shape (n_samples, n_features)
        The samples to score on.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Their true labels or targets.
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Row weights of the AUC or R².

    Returns
    -------
    score : float
        Greater is better.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksymact import efficiency_scorer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    >>> round(efficiency_scorer(model, X, y), 2)  # AUC 0.995 over log10(31)
    0.67
    """
    weights = {} if sample_weight is None else {"sample_weight": sample_weight}
    if is_regressor(estimator):
        check_is_fitted(estimator)
        r2 = get_scorer("r2")(estimator, X, y, **weights)
        return float(max(r2, 0.0) / np.log10(_check_n_params(count_params(estimator))))
    if not is_classifier(estimator):
        raise TypeError(
            f"efficiency_scorer needs a fitted classifier or regressor, got "
            f"{type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    classes = getattr(estimator, "classes_", None)
    auc_name = "roc_auc_ovr" if classes is not None and len(classes) > 2 else "roc_auc"
    auc = get_scorer(auc_name)(estimator, X, y, **weights)
    return float(auc / np.log10(_check_n_params(count_params(estimator))))
