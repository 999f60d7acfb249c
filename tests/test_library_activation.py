"""The activation library where activations are accepted: "library:NAME" and entries."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import Formula, HybridTransferClassifier, HybridTransferRegressor
from sksymact.library import ActivationLibrary, LibraryEntry

FAST = dict(hidden_layer_sizes=(8, 4), max_iter=2, batch_size=64, random_state=0)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_library_name_is_the_builtin_formula_and_is_recorded(cancer):
    X, y = cancer
    clf = HybridTransferClassifier(activation="library:higgs-paper", **FAST).fit(X, y)
    assert clf.formula_ == Formula.parse("mul(cos(x), x)")
    assert isinstance(clf.library_entry_, LibraryEntry)
    assert clf.library_entry_.name == "higgs-paper"
    same = HybridTransferClassifier(activation="mul(cos(x), x)", **FAST).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), same.predict_proba(X))
    assert same.library_entry_ is None


def test_every_builtin_entry_trains(cancer):
    X, y = cancer
    for name in ActivationLibrary.builtin().names():
        clf = HybridTransferClassifier(activation=f"library:{name}", **FAST).fit(X, y)
        assert np.isfinite(clf.predict_proba(X)).all(), name
        assert clf.library_entry_.name == name


def test_entries_of_any_library_and_per_layer_lists(cancer, tmp_path):
    X, y = cancer
    lib = ActivationLibrary()
    lib.add("mine", "sin(x) + 0.5*x", notes="hand-made")
    lib.save(tmp_path / "lib.json")
    entry = ActivationLibrary.load(tmp_path / "lib.json").get("mine")
    clf = HybridTransferClassifier(activation=["library:higgs-paper", entry], **FAST)
    clf.fit(X, y)
    assert [e.name for e in clf.library_entry_] == ["higgs-paper", "mine"]
    assert clf.formula_ == [Formula.parse("mul(cos(x), x)"), entry.formula]
    reg = HybridTransferRegressor(activation=entry, **FAST).fit(X, X[:, 0] + X[:, 1] ** 2)
    assert reg.library_entry_ is entry or reg.library_entry_ == entry


def test_library_names_in_a_grid_search_with_two_jobs(cancer):
    X, y = cancer
    lib = ActivationLibrary.builtin()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), HybridTransferClassifier(**FAST)),
        {"hybridtransferclassifier__activation": [
            "relu", "library:higgs-paper", lib.get("covertype-20k-seed42")]},
        cv=2, n_jobs=2, scoring="roc_auc")
    search.fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_[-1]
    chosen = search.best_params_["hybridtransferclassifier__activation"]
    # The entry the chosen activation names: none for "relu", the built-in one for
    # "library:NAME", an equal entry for an entry.
    by_name = {"relu": None, "library:higgs-paper": lib.get("higgs-paper")}
    expected = by_name[chosen] if isinstance(chosen, str) else chosen
    assert best.library_entry_ == expected
    assert best.formula_ == (None if expected is None else expected.formula)


def test_unknown_library_name_is_a_clear_error(cancer):
    X, y = cancer
    with pytest.raises(ValueError, match="no built-in activation 'nope'.*higgs-paper"):
        HybridTransferClassifier(activation="library:nope", **FAST).fit(X, y)
