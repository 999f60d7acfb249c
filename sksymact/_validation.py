"""Input validation shared by every estimator: scikit-learn's, with clearer messages.

scikit-learn's ``validate_data`` does the work; this module only turns its
bare "could not convert string to float: 'blue'" into a message that names
the column and the fix, because a categorical column is the most common
reason a tabular data set does not go straight into a network.
"""

import numpy as np
from sklearn.utils.validation import validate_data

__all__ = ["validate_numeric_data"]


def _non_numeric_columns(X):
    """Names (or indices) of the columns of ``X`` that hold text, or [] if unknown."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(X, "columns"):  # a DataFrame
        return [str(name) for name, dtype in zip(X.columns, dtypes)
                if dtype.kind not in "biufc"]
    try:
        array = np.asarray(X, dtype=object)
    except Exception:  # noqa: BLE001 - ragged input: scikit-learn's own message applies
        return []
    if array.ndim != 2:
        return []
    bad = []
    for j in range(array.shape[1]):
        try:
            array[:, j].astype(np.float64)
        except (TypeError, ValueError):
            bad.append(j)
    return bad


def validate_numeric_data(estimator, X, *args, **kwargs):
    """``sklearn.utils.validation.validate_data``, naming the columns that are not numbers.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted or used.
    X : array-like
        The input.
    *args, **kwargs
        Passed to ``validate_data``.

    Returns
    -------
    What ``validate_data`` returns.

    Raises
    ------
    ValueError
        When a column holds text, naming it and pointing at one-hot encoding.
    """
    try:
        return validate_data(estimator, X, *args, **kwargs)
    except ValueError as exc:
        if "could not convert string to float" not in str(exc):
            raise
        columns = _non_numeric_columns(X)
        which = (f"column(s) {', '.join(map(str, columns[:10]))}" if columns
                 else "a column")
        raise ValueError(
            f"{type(estimator).__name__} needs numeric features, but {which} of X "
            f"hold(s) text ({exc}). Encode categorical columns first, e.g. with "
            "sklearn.preprocessing.OneHotEncoder inside a "
            "sklearn.compose.ColumnTransformer in a Pipeline."
        ) from exc
