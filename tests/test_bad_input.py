"""A catalogue of bad inputs: each must give a clear error that names the problem.

scikit-learn's wording is kept where scikit-learn has one, so users recognise it.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression

from sksymact import (
    Formula,
    HybridTransferClassifier,
    HybridTransferRegressor,
    SymbolicActivationDiscoverer,
    efficiency_scorer,
    parameter_efficiency_score,
)

RNG = np.random.RandomState(0)
X_GOOD = RNG.normal(size=(40, 3))
Y_GOOD = np.arange(40) % 2


def _with(value, where=(0, 0)):
    X = X_GOOD.copy()
    X[where] = value
    return X


def _classifier():
    return HybridTransferClassifier((4,), max_iter=1, batch_size=16, random_state=0)


def _regressor():
    return HybridTransferRegressor((4,), max_iter=1, batch_size=16, random_state=0)


def _discoverer():
    return SymbolicActivationDiscoverer(population_size=20, generations=1, random_state=0,
                                        reject_degenerate=False)


FIT_CASES = [
    # (id, X, y, exception, message fragment)
    ("nan", _with(np.nan), Y_GOOD, ValueError, "Input X contains NaN"),
    ("inf", _with(np.inf), Y_GOOD, ValueError, "Input X contains infinity"),
    ("empty", np.empty((0, 3)), np.empty(0), ValueError, "0 sample"),
    ("one sample", X_GOOD[:1], Y_GOOD[:1], ValueError, "minimum of 2 is required"),
    ("one class", X_GOOD, np.ones(40), ValueError, "only one class"),
    ("continuous y", X_GOOD, np.linspace(0, 1, 40), ValueError, "Unknown label type"),
    ("sparse X", sp.csr_matrix(X_GOOD), Y_GOOD, TypeError, "Sparse data was passed"),
    ("strings in X", X_GOOD.astype(object).astype(str).astype(object) + "x", Y_GOOD,
     ValueError, "could not convert string to float"),
    ("complex X", X_GOOD + 1j, Y_GOOD, ValueError, "Complex data not supported"),
    ("lengths differ", X_GOOD, Y_GOOD[:30], ValueError, "inconsistent numbers of samples"),
    ("3-D X", X_GOOD.reshape(40, 3, 1), Y_GOOD, ValueError, "Found array with dim 3"),
    ("2-D y", X_GOOD, np.column_stack([Y_GOOD, Y_GOOD]), ValueError, "1d array"),
    ("no features", np.empty((40, 0)), Y_GOOD, ValueError, "0 feature"),
    ("y is None", X_GOOD, None, ValueError, "requires y to be passed"),
]


#: Cases that are good input for a regression: a continuous target, a constant
#: one (a regressor may be asked to learn a constant) and several outputs.
_NOT_BAD_FOR_REGRESSION = {"one class", "continuous y", "2-D y"}


@pytest.mark.filterwarnings("ignore::sksymact._warnings.DegenerateFormulaWarning")
@pytest.mark.parametrize("make", [_classifier, _regressor, _discoverer],
                         ids=["classifier", "regressor", "discoverer"])
@pytest.mark.parametrize("case", FIT_CASES, ids=[c[0] for c in FIT_CASES])
def test_bad_fit_input(make, case):
    name, X, y, error, message = case
    estimator = make()
    if make is _regressor and name in _NOT_BAD_FOR_REGRESSION:
        pytest.skip("good input for a regressor")
    if make is _discoverer and name == "continuous y":
        # task="auto" takes a continuous target as regression; told it is
        # classification, the discoverer refuses it as the classifier does.
        estimator.set_params(task="classification")
    with pytest.raises(error, match=message):
        estimator.fit(X, y)


def test_values_beyond_float32_are_refused_by_the_network():
    with pytest.raises(ValueError, match="too large for float32"):
        _classifier().fit(_with(1e300), Y_GOOD)


@pytest.fixture(scope="module")
def fitted():
    return _classifier().fit(X_GOOD, Y_GOOD)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"])
def test_prediction_checks_its_input(fitted, method):
    call = getattr(fitted, method)
    args = (Y_GOOD,) if method == "score" else ()
    with pytest.raises(ValueError, match="X has 2 features, but HybridTransferClassifier is "
                                         "expecting 3 features"):
        call(X_GOOD[:, :2], *args)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        call(_with(np.nan), *args)
    with pytest.raises(NotFittedError):
        getattr(_classifier(), method)(X_GOOD, *args)


@pytest.mark.filterwarnings("ignore::sksymact._warnings.DegenerateFormulaWarning")
def test_transform_checks_its_input():
    discoverer = _discoverer().fit(X_GOOD, Y_GOOD)
    with pytest.raises(ValueError, match="X has 4 features, but SymbolicActivationDiscoverer"):
        discoverer.transform(np.zeros((2, 4)))
    with pytest.raises(NotFittedError):
        _discoverer().transform(X_GOOD)
    with pytest.raises(NotFittedError):
        _discoverer().get_feature_names_out()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(n_params=0), ValueError, "n_params must be at least 2"),
        (dict(n_params=-10), ValueError, "n_params must be at least 2"),
        (dict(n_params=1), ValueError, "n_params must be at least 2"),
        (dict(n_params=3.5), TypeError, "n_params must be an integer"),
        (dict(n_params="100"), TypeError, "n_params must be an integer"),
    ],
)
def test_bad_efficiency_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        parameter_efficiency_score([0, 1, 1], [0.2, 0.7, 0.9], **kwargs)


def test_efficiency_of_a_single_class_is_sklearns_error():
    with pytest.raises(ValueError, match="single class"):
        parameter_efficiency_score([1, 1, 1], [0.2, 0.7, 0.9], n_params=100)


def test_efficiency_scorer_refuses_what_it_cannot_score(fitted):
    from sklearn.cluster import KMeans

    with pytest.raises(TypeError, match="needs a fitted classifier or regressor"):
        efficiency_scorer(KMeans(2, n_init=1).fit(X_GOOD), X_GOOD, Y_GOOD)
    # A regressor is scored by R² (see tests/test_regressor.py), not refused.
    assert efficiency_scorer(LinearRegression().fit(X_GOOD, Y_GOOD), X_GOOD, Y_GOOD) >= 0
    with pytest.raises(NotFittedError):
        efficiency_scorer(_classifier(), X_GOOD, Y_GOOD)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"op": "mul", "args": [{"var": "x"}]}, "needs a list of 2 args"),
        ({"op": "exec", "args": [{"var": "x"}]}, "exec"),
        ({"var": "os"}, "os"),
        ({"const": float("nan")}, "finite"),
        ({"const": "1"}, "const"),
        ([], "dict"),
    ],
)
def test_bad_formula_dicts(data, message):
    with pytest.raises(ValueError, match=message):
        Formula.from_dict(data)


# -- messages a newcomer meets first ---------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: __import__("sksymact").HybridTransferClassifier(max_iter=1),
    lambda: __import__("sksymact").SymbolicActivationDiscoverer(generations=1,
                                                               population_size=20),
])
@pytest.mark.parametrize("as_frame", [True, False])
def test_a_text_column_is_named_with_the_fix(make, as_frame):
    import pandas as pd

    frame = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0], "colour": ["blue", "red"] * 2})
    X = frame if as_frame else frame.to_numpy()
    with pytest.raises(ValueError, match=r"column\(s\) (colour|1) .*OneHotEncoder.*"
                                         "ColumnTransformer"):
        make().fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize("text, hint", [
    ("2x + sin(x)", r"write 2\*x instead of 2x"),
    ("x + 2.5sin(x)", r"write 2.5\*sin instead of 2.5sin"),
    ("x^2", r"x\*\*2"),
])
def test_formula_text_errors_say_how_to_write_it(text, hint):
    from sksymact import Formula

    with pytest.raises(ValueError, match=hint):
        Formula.parse(text)
