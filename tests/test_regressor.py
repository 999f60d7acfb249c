"""HybridTransferRegressor, discovery on continuous targets, and the regression efficiency."""

import pickle

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, make_regression
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import (
    Formula,
    HybridTransferClassifier,
    HybridTransferRegressor,
    SymbolicActivationDiscoverer,
    count_params,
    efficiency_scorer,
    regression_efficiency_score,
)

FAST = dict(max_iter=60, batch_size=64, random_state=0)
SEARCH = dict(population_size=60, generations=2, random_state=0)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_diabetes_regression_learns_and_shares_the_network(diabetes):
    X, y = diabetes
    reg = HybridTransferRegressor((16, 8), "x*cos(x)", **FAST).fit(X, y)
    assert reg.score(X, y) > 0.25  # linear regression: 0.52 on its own training rows
    assert reg.predict(X).shape == (len(y),) and reg.predict(X).dtype == np.float64
    # The same network as the classifier: (10*16+16) + 2*16 + (16*8+8) + 2*8 + (8+1).
    assert reg.n_params_ == count_params(reg) == 176 + 32 + 136 + 16 + 9
    assert str(reg.formula_) == "mul(x, cos(x))" and reg.n_outputs_ == 1
    assert reg.target_mean_ == pytest.approx([y.mean()])
    assert reg.target_scale_ == pytest.approx([y.std()])
    assert len(reg.loss_curve_) == reg.n_iter_ == FAST["max_iter"]
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_multi_output_targets(diabetes):
    X, y = diabetes
    Y = np.column_stack([y, 1000 - 3 * y, (y > y.mean()).astype(float)])
    reg = HybridTransferRegressor((16,), **FAST).fit(X, Y)
    assert reg.n_outputs_ == 3 and reg.predict(X).shape == (len(y), 3)
    assert reg.score(X, Y) > 0.3
    assert reg.n_params_ == (10 * 16 + 16) + 2 * 16 + (16 * 3 + 3)
    # A (n, 1) target keeps its shape.
    assert HybridTransferRegressor((8,), **FAST).fit(X, y[:, None]).predict(X).shape == (
        len(y), 1)


def test_synthetic_multi_output_is_learned_close_to_linear():
    X, Y = make_regression(600, 5, n_targets=2, noise=1.0, random_state=0)
    reg = HybridTransferRegressor((32,), "identity", batch_norm=False, dropout=0.0,
                                  max_iter=200, batch_size=64, learning_rate_init=1e-2,
                                  random_state=0).fit(X, Y)
    assert reg.score(X, Y) > 0.99  # an affine net on an affine problem


def test_target_standardization_matters_and_can_be_left_to_sklearn(diabetes):
    X, y = diabetes
    big = y * 1000.0
    scaled = HybridTransferRegressor((16,), **FAST).fit(X, big)
    raw = HybridTransferRegressor((16,), standardize_target=False, **FAST).fit(X, big)
    assert scaled.score(X, big) > 0.4 > raw.score(X, big)
    wrapped = TransformedTargetRegressor(
        HybridTransferRegressor((16,), standardize_target=False, **FAST),
        transformer=StandardScaler()).fit(X, big)
    assert wrapped.score(X, big) == pytest.approx(scaled.score(X, big), abs=0.05)
    # Either way the predictions are in the target's units.
    assert np.mean(scaled.predict(X)) == pytest.approx(big.mean(), rel=0.1)


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber"])
def test_losses(diabetes, loss):
    X, y = diabetes
    reg = HybridTransferRegressor((16,), loss=loss, **FAST).fit(X, y)
    assert reg.score(X, y) > 0.3
    criterion = type(reg.net_.criterion_).__name__
    assert criterion == {"squared_error": "MSELoss", "absolute_error": "L1Loss",
                         "huber": "HuberLoss"}[loss]


def test_bad_targets_are_clear_errors(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="loss"):
        HybridTransferRegressor(loss="cubic").fit(X, y)
    with pytest.raises(ValueError):
        HybridTransferRegressor().fit(X, np.where(np.arange(len(y)) == 0, np.nan, y))
    with pytest.raises(ValueError, match="float32"):
        HybridTransferRegressor(standardize_target=False).fit(X, y * 1e300)


def test_discovery_on_a_continuous_target(diabetes):
    X, y = diabetes
    noisy = y + np.random.RandomState(0).normal(0, 1e-3, len(y))  # continuous for sure
    seen = []

    class Spy(SymbolicActivationDiscoverer):
        def _search(self, X, y, weight, seed):
            seen.append((X.copy(), y.copy()))
            return super()._search(X, y, weight, seed)

    disc = Spy(**SEARCH).fit(X, noisy)
    assert disc.task_ == "regression" and disc.positive_class_ is None
    assert type(disc.gp_).__name__ == "SymbolicRegressor" and disc.gp_.metric == "mse"
    assert disc.formula_.variables <= {"x"}
    # The search saw the standardized target, and fitness_ is gplearn's mean
    # squared error of the chosen program there.
    X_seen, z_seen = seen[-1]
    z = (noisy - noisy.mean()) / noisy.std()
    assert np.isin(z_seen, z).all() and abs(z.mean()) < 1e-12
    predicted = np.broadcast_to(Formula.parse(disc.program_)(X_seen), z_seen.shape)
    assert disc.fitness_ == pytest.approx(np.mean((predicted - z_seen) ** 2), rel=1e-9)
    assert disc.fitness_ < 1.0  # better than predicting the mean (mse 1 on this scale)
    # Integer-valued targets are classes by scikit-learn's rule unless told.
    assert SymbolicActivationDiscoverer(**SEARCH).fit(X[:60], (y[:60] > 150)).task_ == (
        "classification")
    told = SymbolicActivationDiscoverer(**SEARCH, task="regression").fit(X, y)
    assert told.task_ == "regression"
    with pytest.raises(ValueError, match="log loss"):
        SymbolicActivationDiscoverer(**SEARCH, metric="log loss").fit(X, noisy)
    with pytest.raises(ValueError, match="constant"):
        SymbolicActivationDiscoverer(**SEARCH, task="regression").fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="1d array"):
        SymbolicActivationDiscoverer(**SEARCH).fit(X, np.column_stack([noisy, noisy]))


def test_network_selection_scores_regression_candidates_by_r2(diabetes):
    from sksymact._selection import select_by_network

    X, y = diabetes
    disc = SymbolicActivationDiscoverer(
        **SEARCH, task="regression", selection="network", n_candidates=3, fallback=None,
        selection_training={"max_iter": 3, "batch_size": 64}).fit(X, y)
    c = disc.candidates_
    assert 1 <= len(c["formula"]) <= 3
    assert str(disc.formula_) == c["formula"][int(np.argmax(c["validation_score"]))]
    # The scores are R² of short regressor trainings, redone by hand.
    seen = []

    class Spy(SymbolicActivationDiscoverer):
        def _choose_by_network(self, gp, X, y, seed, sample_weight=None):
            seen.append((X, y, seed))
            return super()._choose_by_network(gp, X, y, seed, sample_weight)

    Spy(**SEARCH, task="regression", selection="network", n_candidates=3, fallback=None,
        selection_training={"max_iter": 3, "batch_size": 64}).fit(X, y)
    X_used, y_used, seed = seen[-1]
    scores, relu = select_by_network([Formula.parse(t) for t in c["formula"]], X_used, y_used,
                                     training={"max_iter": 3, "batch_size": 64},
                                     random_state=seed, task="regression")
    assert scores == c["validation_score"] and relu == disc.relu_validation_score_
    assert max(scores) < 1.0


def test_specialist_and_transfer_across_tasks(diabetes):
    from sklearn.datasets import load_breast_cancer

    X, y = diabetes
    reg = HybridTransferRegressor((16,), SymbolicActivationDiscoverer(**SEARCH), **FAST)
    reg.fit(X, y)
    assert reg.discoverer_.task_ == "regression"  # the regressor says so to the discoverer
    assert reg.formula_ == reg.discoverer_.formula_
    # A formula found on classes drives a regressor, and one found on a
    # continuous target a classifier.
    Xc, yc = load_breast_cancer(return_X_y=True)
    Xc = StandardScaler().fit_transform(Xc)
    on_classes = SymbolicActivationDiscoverer(**SEARCH).fit(Xc, yc)
    transfer = HybridTransferRegressor((16,), FrozenEstimator(on_classes), **FAST).fit(X, y)
    assert transfer.formula_ == on_classes.formula_ and transfer.score(X, y) > 0.2
    on_values = SymbolicActivationDiscoverer(**SEARCH, task="regression").fit(X, y)
    clf = HybridTransferClassifier((16,), FrozenEstimator(on_values), **FAST).fit(Xc, yc)
    assert clf.formula_ == on_values.formula_ and clf.score(Xc, yc) > 0.8


def test_regression_efficiency_clips_negative_r2(diabetes):
    X, y = diabetes
    assert regression_efficiency_score(y, y, n_params=100) == pytest.approx(0.5)
    worse_than_mean = y[::-1]
    assert regression_efficiency_score(y, worse_than_mean, n_params=10) == 0.0
    assert regression_efficiency_score(y, worse_than_mean, n_params=10_000) == 0.0
    reg = HybridTransferRegressor((16,), **FAST).fit(X, y)
    expected = max(reg.score(X, y), 0) / np.log10(reg.n_params_)
    assert efficiency_scorer(reg, X, y) == pytest.approx(expected)
    linear = LinearRegression().fit(X, y)
    assert efficiency_scorer(linear, X, y) == pytest.approx(
        linear.score(X, y) / np.log10(11))
    with pytest.raises(ValueError, match="n_params"):
        regression_efficiency_score(y, y, n_params=1)


def test_regressor_in_pipeline_and_grid_search(diabetes):
    X, y = load_diabetes(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), HybridTransferRegressor(**FAST)),
        {"hybridtransferregressor__activation": ["relu", "x*cos(x)"]},
        scoring={"r2": "r2", "efficiency": efficiency_scorer}, refit="efficiency", cv=2)
    search.fit(X, y)
    assert set(search.cv_results_["param_hybridtransferregressor__activation"]) == {
        "relu", "x*cos(x)"}
    assert np.all(np.isfinite(search.cv_results_["mean_test_r2"]))
    assert cross_val_score(make_pipeline(StandardScaler(), HybridTransferRegressor(**FAST)),
                           X, y, cv=2).mean() > 0.2
