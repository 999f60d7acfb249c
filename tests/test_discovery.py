import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from sksymact import Formula, SymbolicActivation, SymbolicActivationDiscoverer
from sksymact._warnings import DegenerateFormulaWarning
from sksymact.exceptions import WeakActivationWarning

SMALL = dict(population_size=80, generations=2)


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def fitted(cancer):
    X, y = cancer
    return SymbolicActivationDiscoverer(**SMALL, random_state=0).fit(X, y)


def test_defaults_are_the_papers():
    params = SymbolicActivationDiscoverer().get_params()
    assert params["population_size"] == 500 and params["generations"] == 5
    assert params["function_set"] == ("add", "sub", "mul", "sin", "cos", "abs")
    assert params["subsample"] == 0.1 and params["standardize"] is True


def test_fitted_attributes_are_consistent(fitted, cancer):
    X, y = cancer
    program = Formula.parse(fitted.program_)
    assert program.collapse() == fitted.formula_
    assert fitted.formula_.variables == frozenset({"x"})
    assert not fitted.formula_.is_linear() and not fitted.formula_.is_constant()
    assert fitted.expression_ == fitted.formula_.to_sympy()
    assert isinstance(fitted.activation_, SymbolicActivation)
    assert fitted.activation_.formula == fitted.formula_
    assert fitted.n_features_in_ == X.shape[1]
    # gplearn's own best program, unless it was degenerate and skipped.
    if fitted.n_degenerate_skipped_ == 0:
        assert Formula.from_gplearn(fitted.gp_._program.program) == program
        assert fitted.fitness_ == fitted.gp_._program.raw_fitness_

    # fitness_ is the log loss of the chosen program on the rows the search saw.
    # The same seed repeats the search; a spy keeps those rows.
    seen = []

    class Spy(SymbolicActivationDiscoverer):
        def _search(self, X, y, weight, seed):
            seen.append((X.copy(), y.copy()))
            return super()._search(X, y, weight, seed)

    spy = Spy(**SMALL, random_state=0).fit(X, y)
    assert spy.program_ == fitted.program_ and spy.fitness_ == fitted.fitness_
    X_seen, y_seen = seen[-1]

    def log_loss(probability):
        # As gplearn computes it: p and 1 - p each clipped to [1e-15, 1 - 1e-15].
        p, q = (np.clip(v, 1e-15, 1 - 1e-15) for v in (probability, 1 - probability))
        return -np.mean(y_seen * np.log(p) + (1 - y_seen) * np.log(q))

    # gplearn's classifier: the sigmoid of the program, every row weighted 1
    # (max_samples=1.0).
    assert fitted.fitness_ == pytest.approx(
        log_loss(1 / (1 + np.exp(-program(X_seen)))), rel=1e-12)
    # And it beats the constant prior of those rows by far (0.27 against 0.66 here).
    assert fitted.fitness_ < 0.8 * log_loss(np.full(len(y_seen), y_seen.mean()))


def test_transform_applies_the_formula_to_standardized_features(fitted, cancer):
    X, _ = cancer
    expected = fitted.formula_(StandardScaler().fit(X).transform(X))
    np.testing.assert_allclose(fitted.transform(X), expected)
    assert fitted.get_feature_names_out()[:2].tolist() == ["phi(x0)", "phi(x1)"]


def test_feature_names_follow_a_dataframe(cancer):
    pd = pytest.importorskip("pandas")
    X, y = cancer
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    disc = SymbolicActivationDiscoverer(**SMALL, random_state=0).fit(frame, y)
    assert disc.get_feature_names_out().tolist() == ["phi(a)", "phi(b)", "phi(c)"]
    with pytest.raises(ValueError, match="feature_names_in_"):
        disc.get_feature_names_out(["a", "b", "z"])


def test_same_seed_same_formula(cancer):
    X, y = cancer
    a = SymbolicActivationDiscoverer(**SMALL, random_state=3).fit(X, y)
    b = SymbolicActivationDiscoverer(**SMALL, random_state=3).fit(X, y)
    assert a.program_ == b.program_ and a.fitness_ == b.fitness_


def test_search_sees_a_stratified_subsample(cancer):
    X, y = cancer
    seen = []

    class Spy(SymbolicActivationDiscoverer):
        def _search(self, X, y, weight, seed):
            seen.append((X.copy(), y.copy()))
            return super()._search(X, y, weight, seed)

    Spy(**SMALL, subsample=0.25, random_state=0).fit(X, y)
    X_seen, y_seen = seen[-1]
    assert len(X_seen) == round(0.25 * len(X))
    assert abs(y_seen.mean() - y.mean()) < 0.01
    np.testing.assert_allclose(X_seen.mean(axis=0), 0, atol=0.35)  # standardized
    Spy(**SMALL, subsample=0.01, random_state=0).fit(X, y)
    assert len(seen[-1][0]) == 100  # the floor


def test_multiclass_runs_one_vs_rest_on_the_most_frequent_class():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    y = np.repeat(["a", "b", "c"], [50, 170, 80])
    disc = SymbolicActivationDiscoverer(**SMALL, random_state=0).fit(X, y)
    assert disc.positive_class_ == "b"
    disc = SymbolicActivationDiscoverer(**SMALL, target_class="c", random_state=0).fit(X, y)
    assert disc.positive_class_ == "c"
    with pytest.raises(ValueError, match="target_class='z' is not a class"):
        SymbolicActivationDiscoverer(**SMALL, target_class="z").fit(X, y)


def test_degenerate_formulas_are_rejected_or_flagged(cancer):
    X, y = cancer
    # With only add and sub every program is linear in x.
    linear_only = dict(SMALL, function_set=("add", "sub"), random_state=0)
    with pytest.raises(ValueError, match="constant, affine or nearly affine"):
        SymbolicActivationDiscoverer(**linear_only).fit(X, y)
    with pytest.warns(DegenerateFormulaWarning, match="constant, affine or nearly affine"):
        disc = SymbolicActivationDiscoverer(**linear_only, reject_degenerate=False).fit(X, y)
    assert disc.formula_.is_linear() and disc.nonlinearity_ == 0.0


def test_nearly_affine_formulas_are_degenerate_below_the_threshold(cancer):
    """min_nonlinearity decides; the threshold is compared with Formula.nonlinearity."""
    X, y = cancer
    params = dict(SMALL, random_state=0)
    strict = SymbolicActivationDiscoverer(**params, min_nonlinearity=0.0).fit(X, y)
    value = strict.nonlinearity_
    assert value == strict.formula_.nonlinearity() and 0 < value < 1
    # The same search, with the threshold just above what it found: that
    # formula is passed over (or the search fails, if nothing better exists).
    above = SymbolicActivationDiscoverer(**params, min_nonlinearity=min(1.0, value * 1.01))
    try:
        above.fit(X, y)
    except ValueError as exc:
        assert "min_nonlinearity" in str(exc)
    else:
        assert above.formula_ != strict.formula_ and above.nonlinearity_ >= value * 1.01
        assert above.n_degenerate_skipped_ > strict.n_degenerate_skipped_


def test_degenerate_best_program_is_replaced_by_the_next_best(cancer):
    X, y = cancer
    # One strong feature (worst area): here gplearn's best program is linear in it.
    disc = SymbolicActivationDiscoverer(population_size=100, generations=2,
                                        random_state=0).fit(X[:, [22]], y)
    best = Formula.from_gplearn(disc.gp_._program.program).collapse()
    assert best.is_linear()
    assert disc.n_degenerate_skipped_ > 0
    assert not disc.formula_.is_linear() and not disc.formula_.is_constant()
    assert disc.fitness_ >= disc.gp_._program.raw_fitness_


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(function_set=("add", "pow")), "function_set"),
        (dict(function_set=()), "function_set"),
        (dict(subsample=1.5), "subsample"),
        (dict(population_size=1), "population_size"),
    ],
)
def test_bad_parameters(cancer, params, match):
    X, y = cancer
    with pytest.raises(ValueError, match=match):
        SymbolicActivationDiscoverer(**{**SMALL, **params}).fit(X, y)


def test_continuous_target_is_refused_as_classes(cancer):
    X, _ = cancer
    target = np.linspace(0, 1, len(X))
    with pytest.raises(ValueError, match="Unknown label type"):
        SymbolicActivationDiscoverer(**SMALL, task="classification").fit(X, target)
    # task="auto" takes it as regression (tests/test_regressor.py).
    assert SymbolicActivationDiscoverer(**SMALL).fit(X, target).task_ == "regression"


def test_pickle_round_trip(fitted, cancer):
    X, _ = cancer
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))
    assert loaded.formula_ == fitted.formula_


# -- network-aware selection ----------------------------------------------------------------

NETWORK = dict(SMALL, selection="network", n_candidates=4, fallback=None,
               selection_training={"max_iter": 3, "batch_size": 64})


def _fit_quietly(discoverer, X, y):
    # Whether the best candidate beats ReLU here is a matter of the third
    # decimal (and of the torch thread count); the tests using this fixture
    # are about the bookkeeping, the warning has tests of its own below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakActivationWarning)
        return discoverer.fit(X, y)


@pytest.fixture(scope="module")
def network_fitted(cancer):
    X, y = cancer
    return _fit_quietly(SymbolicActivationDiscoverer(**NETWORK, random_state=0), X, y)


def test_network_selection_keeps_the_best_validation_score(network_fitted):
    c = network_fitted.candidates_
    n = len(c["formula"])
    assert 1 <= n <= 4 and all(len(v) == n for v in c.values())
    best = int(np.argmax(c["validation_score"]))
    assert c["chosen"] == [i == best for i in range(n)]
    assert str(network_fitted.formula_) == c["formula"][best]
    assert network_fitted.fitness_ == c["fitness"][best]
    assert network_fitted.nonlinearity_ == c["nonlinearity"][best]
    # The fittest first, none degenerate, no two the same activation, taken as
    # choose_diverse takes them from the pool.
    assert c["fitness"][0] == min(c["fitness"])
    assert min(c["nonlinearity"]) >= network_fitted.min_nonlinearity
    assert 0.5 < network_fitted.relu_validation_score_ <= 1.0
    assert network_fitted.n_distinct_activations_ >= n


def test_network_selection_takes_varied_candidates_from_the_pool(cancer):
    """The candidates are the pool's choose_diverse pick, the pool in order of fitness."""
    from sksymact._selection import choose_diverse, fingerprint, same_activation, similarity

    X, y = cancer
    pools = []

    class Spy(SymbolicActivationDiscoverer):
        def _choose_by_network(self, gp, X, y, seed, sample_weight=None):
            result = super()._choose_by_network(gp, X, y, seed, sample_weight)
            pools.append(gp)
            return result

    disc = _fit_quietly(Spy(**dict(NETWORK, max_similarity=0.5), random_state=0), X, y)
    # The pool, rebuilt by hand from the run: final population and each generation's
    # best, by fitness; collapsed, non-degenerate, one per activation.
    gp = pools[0]
    programs = [p for p in gp._programs[-1] if p is not None]
    programs += [min((p for p in g if p is not None), key=lambda p: p.raw_fitness_)
                 for g in gp._programs[:-1]]
    programs.sort(key=lambda p: p.raw_fitness_)
    pool, prints = [], []
    for program in programs:
        f = Formula.from_gplearn(program.program).collapse()
        if f.nonlinearity() < disc.min_nonlinearity or f in pool:
            continue
        fp = fingerprint(f)
        if fp is None or any(same_activation(q, fp) for q in prints):
            continue
        pool.append(f)
        prints.append(fp)
    assert disc.n_distinct_activations_ == len(pool)
    taken = choose_diverse(prints, 4, 0.5)
    assert disc.candidates_["formula"] == [str(pool[i]) for i in taken]
    first_pass = [i for i in taken
                  if all(similarity(prints[i], prints[j]) <= 0.5 for j in taken[:taken.index(i)])]
    assert first_pass[0] == 0 and len(first_pass) >= 2


def test_choose_diverse_skips_variations_of_one_idea():
    """HIGGS's case: three even cos-variations, then cos(x) - x and an odd shape."""
    from sksymact._selection import choose_diverse, fingerprint, similarity

    texts = ["sub(cos(x), cos(cos(x)))", "sub(cos(x), cos(sin(cos(x))))",
             "sub(cos(x), cos(cos(cos(cos(x)))))", "sub(cos(x), x)", "sin(sub(sin(x), x))"]
    prints = [fingerprint(Formula.parse(t)) for t in texts]
    assert all(similarity(prints[0], p) > 0.99 for p in prints[1:3])
    assert similarity(prints[0], prints[3]) < 0.4
    for a in prints:
        for b in prints:
            assert similarity(a, b) == pytest.approx(similarity(b, a))
    assert choose_diverse(prints, 3, 0.9) == [0, 3, 4]
    assert choose_diverse(prints, 3, 1.0) == [0, 1, 2]  # 1: the first n
    assert choose_diverse(prints, 5, 0.9) == [0, 3, 4, 1, 2]  # near-duplicates fill up
    assert choose_diverse(prints, 9, 0.9) == [0, 3, 4, 1, 2]
    assert choose_diverse(prints, 1, 0.9) == [0]
    # sin(x) under the searched input scales is one shape: similarity 1.
    assert similarity(fingerprint(Formula.parse("sin(x)")),
                      fingerprint(Formula.parse("sin(mul(-2, x))"))) == pytest.approx(1.0)


def test_network_selection_scores_are_reproducible_short_trainings(network_fitted, cancer):
    """Each validation score is the short training the docs describe, re-done by hand."""
    from sksymact._selection import select_by_network

    X, y = cancer
    again = _fit_quietly(SymbolicActivationDiscoverer(**NETWORK, random_state=0), X, y)
    assert again.candidates_ == network_fitted.candidates_
    formulas = [Formula.parse(t) for t in network_fitted.candidates_["formula"]]
    seen = []

    class Spy(SymbolicActivationDiscoverer):
        def _choose_by_network(self, gp, X, y, seed, sample_weight=None):
            seen.append((X, y, seed))
            return super()._choose_by_network(gp, X, y, seed, sample_weight)

    _fit_quietly(Spy(**NETWORK, random_state=0), X, y)
    X_used, y_used, seed = seen[-1]
    np.testing.assert_allclose(X_used, StandardScaler().fit_transform(X))
    scores, relu = select_by_network(formulas, X_used, y_used, training=NETWORK[
        "selection_training"], random_state=seed)
    assert scores == network_fitted.candidates_["validation_score"]
    assert relu == network_fitted.relu_validation_score_


def test_duplicate_activations_are_recognised_on_their_values():
    from sksymact._selection import fingerprint, same_activation

    def same(a, b):
        return same_activation(fingerprint(Formula.parse(a)), fingerprint(Formula.parse(b)))

    assert same("cos(abs(cos(x)))", "cos(cos(x))")  # cos is even
    assert same("x*cos(x)", "add(mul(-3, mul(x, cos(x))), 7)")  # a f + d
    assert same("sin(x)", "sin(neg(x))") and same("sin(x)", "sin(mul(2, x))")
    assert same("abs(x)", "abs(mul(0.5, x))")
    assert not same("sin(x)", "cos(x)") and not same("x*cos(x)", "x*sin(x)")
    assert fingerprint(Formula.parse("sub(x, x)")) is None


def test_network_selection_sees_only_the_training_fold(cancer):
    """Under cross-validation, no row of the test fold reaches the selection."""
    from sklearn.model_selection import KFold, cross_validate

    from sksymact import HybridTransferClassifier
    from sksymact import _selection

    X, y = cancer
    X = StandardScaler().fit_transform(X)
    seen = []
    original = _selection.select_by_network

    def recording(formulas, X_rows, y_rows, **kwargs):
        seen.append(np.array(X_rows))
        return original(formulas, X_rows, y_rows, **kwargs)

    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    discoverer = SymbolicActivationDiscoverer(**NETWORK, standardize=False, random_state=0)
    clf = HybridTransferClassifier((8,), discoverer, max_iter=2, batch_size=64, random_state=0)
    import sksymact._discovery as discovery_module

    discovery_module.select_by_network, saved = recording, discovery_module.select_by_network
    try:
        cross_validate(clf, X, y, cv=folds)
    finally:
        discovery_module.select_by_network = saved
    assert len(seen) == 3
    for (train, test), rows in zip(folds, seen):
        np.testing.assert_array_equal(rows, X[train])  # standardize=False: the rows as given
        assert not (set(map(bytes, rows)) & set(map(bytes, X[test])))


def _relu_wins(monkeypatch):
    from sksymact import _discovery

    real = _discovery.select_by_network

    def relu_wins(formulas, *args, **kwargs):
        scores, _ = real(formulas, *args, **kwargs)
        return scores, max(scores) + 0.01

    monkeypatch.setattr(_discovery, "select_by_network", relu_wins)


def test_a_warning_says_when_no_candidate_beats_relu(cancer, monkeypatch):
    """The selection's own numbers decide: the best candidate below ReLU warns."""
    from sksymact.exceptions import WeakActivationWarning

    X, y = cancer
    _relu_wins(monkeypatch)
    with pytest.warns(WeakActivationWarning, match="No discovered candidate trained better"):
        disc = SymbolicActivationDiscoverer(**NETWORK, random_state=0).fit(X, y)
    assert disc.relu_validation_score_ > max(disc.candidates_["validation_score"])
    # fallback=None keeps the best candidate anyway.
    best = int(np.argmax(disc.candidates_["validation_score"]))
    assert str(disc.formula_) == disc.candidates_["formula"][best]


def test_selection_falls_back_to_relu_when_relu_trains_better(cancer, monkeypatch):
    from sksymact import HybridTransferClassifier
    from sksymact.exceptions import WeakActivationWarning

    X, y = cancer
    X = StandardScaler().fit_transform(X)
    _relu_wins(monkeypatch)
    with pytest.warns(WeakActivationWarning, match=r"The formula is ReLU, max\(x, 0\)"):
        disc = SymbolicActivationDiscoverer(**dict(NETWORK, fallback="relu"),
                                            random_state=0).fit(X, y)
    assert disc.formula_ == Formula.parse("max(x, 0)")
    assert disc.program_ is None and np.isnan(disc.fitness_)
    assert not any(disc.candidates_["chosen"]) and len(disc.candidates_["formula"]) >= 1
    np.testing.assert_array_equal(disc.transform(X[:3]), np.maximum(disc.scaler_.transform(
        X[:3]), 0))
    # A network built with it is the ReLU network: same weights, same predictions.
    kwargs = dict(hidden_layer_sizes=(16, 8), max_iter=3, batch_size=64, random_state=0)
    fell_back = HybridTransferClassifier(activation=disc.formula_, **kwargs).fit(X, y)
    relu = HybridTransferClassifier(activation="relu", **kwargs).fit(X, y)
    np.testing.assert_allclose(fell_back.predict_proba(X), relu.predict_proba(X), atol=1e-5)


def test_no_fallback_when_a_candidate_beats_relu(cancer, monkeypatch):
    from sksymact import _discovery

    X, y = cancer
    real = _discovery.select_by_network

    def candidates_win(formulas, *args, **kwargs):
        scores, _ = real(formulas, *args, **kwargs)
        return scores, min(scores) - 0.01

    monkeypatch.setattr(_discovery, "select_by_network", candidates_win)
    disc = SymbolicActivationDiscoverer(**dict(NETWORK, fallback="relu"),
                                        random_state=0).fit(X, y)
    assert disc.program_ is not None and sum(disc.candidates_["chosen"]) == 1
