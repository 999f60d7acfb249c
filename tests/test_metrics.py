import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from torch import nn

from sksymact import (
    HybridTransferClassifier,
    SymbolicActivationDiscoverer,
    count_params,
    efficiency_scorer,
    parameter_efficiency_score,
)


def test_score_is_auc_over_log10_params():
    y = np.array([0, 0, 1, 1, 0, 1])
    score = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    expected = roc_auc_score(y, score) / np.log10(5825)
    assert parameter_efficiency_score(y, score, n_params=5825) == pytest.approx(expected)
    both_columns = np.column_stack([1 - score, score])
    assert parameter_efficiency_score(y, both_columns, n_params=5825) == pytest.approx(expected)


def test_multiclass_score_is_macro_one_vs_rest():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 3, size=60)
    proba = rng.dirichlet(np.ones(3), size=60)
    expected = roc_auc_score(y, proba, multi_class="ovr", average="macro") / np.log10(100)
    assert parameter_efficiency_score(y, proba, n_params=100) == pytest.approx(expected)


@pytest.mark.parametrize("n_params, error", [(1, ValueError), (0, ValueError), (-5, ValueError),
                                             (2.5, TypeError), (True, TypeError)])
def test_bad_n_params(n_params, error):
    with pytest.raises(error, match="n_params"):
        parameter_efficiency_score([0, 1], [0.2, 0.8], n_params=n_params)


def test_count_params_understands_common_models():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    mlp = MLPClassifier((10, 5), max_iter=5).fit(X, y)
    assert count_params(mlp) == 30 * 10 + 10 + 10 * 5 + 5 + 5 + 1
    logistic = LogisticRegression().fit(X, y)
    assert count_params(logistic) == 31
    assert count_params(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)) == 31
    assert count_params(FrozenEstimator(logistic)) == 31
    assert count_params(nn.Linear(3, 2)) == 8
    search = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2).fit(X, y)
    assert count_params(search) == 31


def test_count_params_refuses_what_it_cannot_count():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(TypeError, match="DecisionTreeClassifier"):
        count_params(DecisionTreeClassifier().fit(X, y))
    with pytest.raises(NotFittedError):
        count_params(HybridTransferClassifier())
    with pytest.raises(TypeError, match="str"):
        count_params("model")


def test_efficiency_scorer_matches_the_metric():
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), HybridTransferClassifier(
        (8,), max_iter=3, batch_size=64, random_state=0)).fit(X, y)
    expected = parameter_efficiency_score(y, model.predict_proba(X)[:, 1],
                                          n_params=model[-1].n_params_)
    assert efficiency_scorer(model, X, y) == pytest.approx(expected)


def test_efficiency_scorer_scores_regressors_by_r2():
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LinearRegression

    X, y = [[0], [1], [2], [3]], [0.0, 1.0, 2.1, 2.9]
    model = LinearRegression().fit(X, y)
    assert efficiency_scorer(model, X, y) == pytest.approx(model.score(X, y) / np.log10(2))
    with pytest.raises(TypeError, match="classifier or regressor"):
        efficiency_scorer(KMeans(2, n_init=1).fit(X), X, y)


def test_grid_search_over_activations_refits_on_efficiency():
    """The search of the project's README, end to end, in two processes."""
    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, :10]
    source = SymbolicActivationDiscoverer(population_size=60, generations=2,
                                          random_state=0).fit(X[::-1], y[::-1])
    search = GridSearchCV(
        make_pipeline(StandardScaler(), HybridTransferClassifier(
            max_iter=3, batch_size=128, random_state=0)),
        {"hybridtransferclassifier__activation": [
            "relu", "silu",
            SymbolicActivationDiscoverer(population_size=60, generations=2, random_state=0),
            FrozenEstimator(source),
        ]},
        scoring={"auc": "roc_auc", "efficiency": efficiency_scorer},
        refit="efficiency", cv=2, n_jobs=2, error_score="raise",
    ).fit(X, y)
    results = search.cv_results_
    assert np.all(np.isfinite(results["mean_test_efficiency"]))
    n_params = 10 * 64 + 64 + 128 + 64 * 32 + 32 + 64 + 33
    np.testing.assert_allclose(results["mean_test_efficiency"],
                               results["mean_test_auc"] / np.log10(n_params))
    assert search.best_index_ == int(np.argmax(results["mean_test_efficiency"]))
    best = search.best_estimator_[-1]
    assert best.n_params_ == n_params
    transfer = search.cv_results_["params"][3]["hybridtransferclassifier__activation"]
    assert isinstance(transfer, FrozenEstimator) and transfer.estimator is not None
