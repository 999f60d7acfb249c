"""sample_weight and class_weight: what a weight means, checked exactly where it can be.

An integer weight k must be the row repeated k times and a zero weight the row
left out.  For a network trained by mini-batches that holds exactly only when
the whole data set is one batch and neither BatchNorm nor dropout sees rows,
so these tests train that way (the estimator checks' generic version of this
test is an expected failure for that reason, see tests/test_common.py).
"""

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import (
    HybridTransferClassifier,
    HybridTransferRegressor,
    SymbolicActivationDiscoverer,
)

#: One batch, no BatchNorm, no dropout: the conditions of exact equivalence.
EXACT = dict(hidden_layer_sizes=(16,), batch_norm=False, dropout=0.0, batch_size=100_000,
             max_iter=30, learning_rate_init=1e-2, random_state=0)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[:300], y[:300]


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X)[:300], y[:300]


def _weights(n, seed=0):
    weight = np.random.RandomState(seed).randint(0, 4, n)  # zeros, ones and repeats
    weight[:2] = [0, 3]
    return weight


@pytest.mark.parametrize("kind", ["classifier", "multiclass", "regressor"])
@pytest.mark.parametrize("activation", ["relu", "x*cos(x) - 0.5"])
def test_integer_weights_are_repeated_rows_and_zero_weights_dropped_rows(
        kind, activation, cancer, diabetes):
    X, y = diabetes if kind == "regressor" else cancer
    if kind == "multiclass":
        y = np.digitize(X[:, 0], [-0.5, 0.5])  # three classes
    model = (HybridTransferRegressor if kind == "regressor" else HybridTransferClassifier)(
        activation=activation, **EXACT)
    weight = _weights(len(y))
    weighted = model.fit(X, y, sample_weight=weight)
    predict = weighted.predict if kind == "regressor" else weighted.predict_proba
    expected = predict(X)
    repeated = type(model)(**model.get_params()).fit(np.repeat(X, weight, axis=0),
                                                     np.repeat(y, weight))
    got = repeated.predict(X) if kind == "regressor" else repeated.predict_proba(X)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-5 * scale)
    # And the weights do something: unit weights give another model.
    plain = type(model)(**model.get_params()).fit(X, y)
    unweighted = plain.predict(X) if kind == "regressor" else plain.predict_proba(X)
    assert np.abs(unweighted - expected).max() > 100 * 2e-5 * scale


def test_unit_weights_change_nothing(cancer):
    X, y = cancer
    plain = HybridTransferClassifier(**EXACT).fit(X, y)
    ones = HybridTransferClassifier(**EXACT).fit(X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_allclose(ones.predict_proba(X), plain.predict_proba(X), atol=1e-5)
    # With mini-batches, BatchNorm and dropout the weighted mean is the same
    # number up to float32 rounding, which training then carries along.
    params = dict(hidden_layer_sizes=(8,), max_iter=3, batch_size=64, random_state=0)
    plain = HybridTransferClassifier(**params).fit(X, y)
    ones = HybridTransferClassifier(**params).fit(X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_allclose(ones.predict_proba(X), plain.predict_proba(X), atol=2e-3)


@pytest.mark.parametrize("bad, message", [
    (-1.0, "[Nn]egative"), (np.nan, "NaN"), (np.inf, "infinity"),
])
def test_bad_weights_are_clear_errors(cancer, bad, message):
    X, y = cancer
    weight = np.ones(len(y))
    weight[5] = bad
    for estimator in (HybridTransferClassifier(max_iter=1),
                      HybridTransferRegressor(max_iter=1),
                      SymbolicActivationDiscoverer(population_size=20, generations=1)):
        target = y.astype(float) + 0.5 * X[:, 0] if isinstance(
            estimator, HybridTransferRegressor) else y
        with pytest.raises(ValueError, match=message):
            estimator.fit(X, target, sample_weight=weight)
    with pytest.raises(ValueError, match="at least one non-zero"):
        HybridTransferClassifier(max_iter=1).fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        HybridTransferClassifier(max_iter=1).fit(X, y, sample_weight=np.ones(3))


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(4200, 10, n_informative=4, weights=[0.952], flip_y=0.0,
                               class_sep=0.6, random_state=0)
    X = StandardScaler().fit_transform(X)
    train, test = slice(0, 3000), slice(3000, None)
    assert np.bincount(y[train])[1] * 15 < np.bincount(y[train])[0]  # about 1:20
    params = dict(hidden_layer_sizes=(32, 16), max_iter=20, batch_size=128, random_state=0)
    recalls = {}
    for class_weight in (None, "balanced"):
        clf = HybridTransferClassifier(**params, class_weight=class_weight)
        clf.fit(X[train], y[train])
        recalls[class_weight] = recall_score(y[test], clf.predict(X[test]))
    # Measured here: 0.00 without (every row called the majority) and 0.73 with "balanced".
    assert recalls["balanced"] > recalls[None] + 0.25
    # A dict is as scikit-learn's: {label: weight}, others 1; it multiplies sample_weight.
    by_dict = HybridTransferClassifier(**EXACT, class_weight={1: 3.0}).fit(X[:600], y[:600])
    by_rows = HybridTransferClassifier(**EXACT).fit(X[:600], y[:600],
                                                     sample_weight=np.where(y[:600], 3.0, 1.0))
    np.testing.assert_allclose(by_dict.predict_proba(X[:50]), by_rows.predict_proba(X[:50]),
                               atol=1e-6)
    with pytest.raises(ValueError, match="not classes of y"):
        HybridTransferClassifier(class_weight={7: 2.0}, max_iter=1).fit(X[:100], y[:100])


def test_discoverer_weights_are_gplearns(cancer):
    X, y = cancer
    search = dict(population_size=60, generations=2, subsample=1.0, random_state=0)
    weight = _weights(len(y))
    weighted = SymbolicActivationDiscoverer(**search).fit(X, y, sample_weight=weight)
    repeated = SymbolicActivationDiscoverer(**search).fit(np.repeat(X, weight, axis=0),
                                                          np.repeat(y, weight))
    assert weighted.program_ == repeated.program_
    assert weighted.fitness_ == pytest.approx(repeated.fitness_, rel=1e-9)
    np.testing.assert_allclose(weighted.scaler_.mean_, repeated.scaler_.mean_)


class _Recording(HybridTransferClassifier):
    """Records the weights each fit receives (the routing's delivery)."""

    received = []

    def fit(self, X, y, sample_weight=None):
        type(self).received.append(None if sample_weight is None else np.asarray(sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


def test_weights_reach_the_network_through_grid_search_with_routing(cancer):
    X, y = cancer
    weight = _weights(len(y)).astype(float)
    folds = list(KFold(2, shuffle=True, random_state=0).split(X))
    _Recording.received = []
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False),
                             _Recording(max_iter=2, batch_size=64, random_state=0)
                             .set_fit_request(sample_weight=True)
                             .set_score_request(sample_weight=True))
        search = GridSearchCV(pipe, {"_recording__hidden_layer_sizes": [(4,), (8,)]},
                              cv=folds, refit=True)
        search.fit(X, y, sample_weight=weight)
        # cross_validate routes them as well.
        cross_validate(pipe, X, y, cv=folds, params={"sample_weight": weight})
    fold_fits = _Recording.received
    assert len(fold_fits) == 2 * 2 + 1 + 2  # grid x folds, refit, cross_validate
    for (train, _), got in zip(folds * 2, fold_fits[:4]):
        np.testing.assert_array_equal(got, weight[train])
    np.testing.assert_array_equal(fold_fits[4], weight)
    # Without a request, routing refuses the weights instead of dropping them.
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(Exception, match="sample_weight"):
            GridSearchCV(make_pipeline(StandardScaler(), HybridTransferClassifier(max_iter=1)),
                         {"hybridtransferclassifier__max_iter": [1]}, cv=2).fit(
                X, y, sample_weight=weight)


def test_specialist_discoverer_gets_the_weights(cancer):
    X, y = cancer
    weight = _weights(len(y))
    search = dict(population_size=60, generations=2, subsample=1.0, random_state=0)
    clf = HybridTransferClassifier((8,), SymbolicActivationDiscoverer(**search), max_iter=1,
                                   random_state=0).fit(X, y, sample_weight=weight)
    alone = SymbolicActivationDiscoverer(**search).fit(X, y, sample_weight=weight)
    assert clf.discoverer_.program_ == alone.program_
