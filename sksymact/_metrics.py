"""The Parameter Efficiency Score, E_param = ROC AUC / log10(number of parameters)."""

import numbers
import sys

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import get_scorer, roc_auc_score
from sklearn.utils.validation import check_is_fitted

__all__ = ["count_params", "parameter_efficiency_score", "efficiency_scorer"]


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


def efficiency_scorer(estimator, X, y):
    """Scorer for ``GridSearchCV(scoring=...)``: ROC AUC / log10(parameters).

    Usable as ``scoring=efficiency_scorer``, inside a ``scoring`` dict, and as
    the ``refit`` criterion.  The AUC comes from scikit-learn's own
    ``"roc_auc"`` scorer (``"roc_auc_ovr"`` for more than two classes), so
    Pipelines and ``decision_function``-only models are handled the way
    scikit-learn handles them; the parameter count from :func:`count_params`.

    Parameters
    ----------
    estimator : fitted classifier
        Anything :func:`count_params` understands, e.g. a Pipeline ending in
        :class:`~sksymact.HybridTransferClassifier`.
    X : array-like of shape (n_samples, n_features)
        The samples to score on.
    y : array-like of shape (n_samples,)
        Their true labels.

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
    if not is_classifier(estimator):
        raise TypeError(
            f"efficiency_scorer needs a fitted classifier, got {type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    classes = getattr(estimator, "classes_", None)
    auc_name = "roc_auc_ovr" if classes is not None and len(classes) > 2 else "roc_auc"
    auc = get_scorer(auc_name)(estimator, X, y)
    return float(auc / np.log10(_check_n_params(count_params(estimator))))
