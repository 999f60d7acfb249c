"""The network-in-the-loop search: variation, the archive, the evaluator, the search."""

import itertools
import json
import math
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import roc_auc_score

from sksymact import Formula, HybridTransferClassifier, SymbolicActivationDiscoverer
from sksymact._evolve import (
    MAX_DEPTH,
    MAX_SIZE,
    RUNGS,
    SEED_OPERATORS,
    STANDARD_FORMULAS,
    CandidateEvaluator,
    _Archive,
    crossover,
    evolve,
    mutate,
    random_formula,
)
from sksymact._operators import ARITIES, OPERATORS, PROTECTION_THRESHOLD
from sksymact.exceptions import WeakActivationWarning

_ALL_OPERATORS = tuple(sorted(OPERATORS))

#: An adversarial grammar: single leaves, the exact special constants (0, 1, -1,
#: the protection threshold and its neighbours), repeated subtrees, every operator.
_SPECIAL = (0.0, 1.0, -1.0, PROTECTION_THRESHOLD, -PROTECTION_THRESHOLD,
            np.nextafter(PROTECTION_THRESHOLD, 1.0), 1.702)


def _adversarial_formulas():
    x = Formula.variable()
    leaves = [x] + [Formula.constant(c) for c in _SPECIAL]
    out = list(leaves)
    for name in _ALL_OPERATORS:
        for args in itertools.product(leaves[:3], repeat=ARITIES[name]):
            out.append(Formula.apply(name, *args))
    square = Formula.apply("mul", x, x)
    out.append(Formula.apply("add", square, square))  # a repeated subtree
    out.append(Formula.apply("div", square, Formula.constant(PROTECTION_THRESHOLD)))
    out.extend(STANDARD_FORMULAS.values())
    return out


def _well_formed(formula, operators):
    assert isinstance(formula, Formula)
    # The parser rebuilds the tree from text: arities and structure are checked.
    assert Formula.parse(str(formula)) == formula
    assert formula.variables <= {"x"}
    used = {t[1] for t in formula._tokens if t[0] == "op"}
    assert used <= set(operators), (formula, used - set(operators))
    assert all(math.isfinite(c) for c in formula.constants)


@pytest.mark.parametrize("operators", [("add", "sub", "mul", "sin", "cos", "abs", "max", "sig"),
                                       _ALL_OPERATORS])
def test_variation_gives_well_formed_formulas_over_an_adversarial_grammar(operators):
    rng = np.random.RandomState(0)
    formulas = [f for f in _adversarial_formulas()
                if {t[1] for t in f._tokens if t[0] == "op"} <= set(operators)]
    produced = 0
    for first, second in itertools.product(formulas, repeat=2):
        child = crossover(first, second, rng)
        _well_formed(child, operators)
        for parent in (first, second):
            mutant = mutate(parent, rng, operators)
            if mutant is not None:
                _well_formed(mutant, operators)
                produced += 1
    assert produced > len(formulas)
    for depth in range(4):
        for _ in range(50):
            tree = random_formula(rng, operators, depth)
            _well_formed(tree, operators)
            assert tree.depth <= depth


def test_crossover_takes_a_whole_subtree_of_the_donor():
    rng = np.random.RandomState(3)
    first = Formula.parse("mul(cos(x), x)")
    second = Formula.parse("sig(sin(max(x, 0.5)))")
    donor_subtrees = {str(s) for s in _subtrees(second)}
    for _ in range(100):
        child = crossover(first, second, rng)
        # Some subtree of the child is a whole subtree of the donor.
        assert donor_subtrees & {str(s) for s in _subtrees(child)}


def _subtrees(formula):
    yield formula
    for child in formula.children:
        yield from _subtrees(child)


def test_the_archive_admits_new_activations_only():
    archive = _Archive(0.005)
    relu = archive.admit(STANDARD_FORMULAS["relu"])
    assert relu == STANDARD_FORMULAS["relu"].simplify()
    # a f(b x) + d of an activation already there: the same activation.
    assert archive.admit(Formula.parse("add(mul(2, max(mul(0.5, x), 0)), 1)")) is None
    assert archive.admit(STANDARD_FORMULAS["relu"]) is None  # the very same
    assert archive.admit(Formula.parse("mul(x, 3)")) is None  # affine
    assert archive.admit(Formula.parse("add(1, 2)")) is None  # constant
    assert archive.admit(Formula.parse("x")) is None
    big = Formula.parse("+".join(["sin(x)"] * 8))
    assert big.size > MAX_SIZE and archive.admit(big) is None
    deep = Formula.parse("sin(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    assert archive.admit(deep) is None
    # Constant subtrees are folded: one activation, stored simplified.
    folded = archive.admit(Formula.parse("mul(x, sig(mul(add(1, 0.702), x)))"))
    assert folded == Formula.parse("mul(x, sig(mul(1.702, x)))")
    assert archive.admit(STANDARD_FORMULAS["gelu"]) is None
    assert archive.admit(Formula.parse("sig(x)")) is not None  # nonlinearity 0.016


def _binary(n=600, seed=0):
    return make_classification(n_samples=n, n_features=6, n_informative=4, random_state=seed)


def test_the_evaluator_is_deterministic_and_scores_each_task():
    X, y = _binary()
    kwargs = dict(task="classification", training={"max_iter": 20, "early_stopping": False},
                  n_splits=2, validation_fraction=0.25, random_state=1)
    relu = STANDARD_FORMULAS["relu"]
    first = CandidateEvaluator(X, y, **kwargs)
    second = CandidateEvaluator(X, y, **kwargs)
    for rung in range(len(RUNGS)):
        a, b = first.score(relu, rung, 0, 7), second.score(relu, rung, 0, 7)
        assert a.hex() == b.hex()
        assert -1.0 < a < 0.0  # a negated log loss
    # Another split or seed is another training.
    assert first.score(relu, 2, 1, 7) != first.score(relu, 2, 0, 7)
    assert first.score(relu, 2, 0, 8) != first.score(relu, 2, 0, 7)
    # The rungs' budgets: a third and two thirds of the training rows, a tenth and a
    # quarter of the epochs.
    n_train = len(first.splits[0][0][-1])
    assert [first.budget(r)[0] for r in range(3)] == [round(n_train / 3),
                                                      round(2 * n_train / 3), n_train]
    assert [first.epochs(r) for r in range(3)] == [2, 5, 20]
    for scoring in ("roc_auc", "accuracy"):
        value = CandidateEvaluator(X, y, scoring=scoring, **kwargs).score(relu, 2, 0, 7)
        assert 0.5 < value <= 1.0
    X3, y3 = make_classification(n_samples=600, n_features=6, n_informative=4, n_classes=3,
                                 random_state=0)
    auc = CandidateEvaluator(X3, y3, scoring="roc_auc", **kwargs).score(relu, 2, 0, 7)
    assert 0.5 < auc <= 1.0
    Xr, yr = make_regression(n_samples=600, n_features=6, noise=5.0, random_state=0)
    r2 = CandidateEvaluator(Xr, yr * 1000 + 5, task="regression", training={"max_iter": 30},
                            n_splits=1, validation_fraction=0.25).score(relu, 2, 0, 7)
    assert 0.0 < r2 <= 1.0  # on the standardised target: the target's scale does not matter


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_the_written_out_log_loss_is_scikit_learns(n_classes):
    from sklearn.metrics import log_loss

    from sksymact._evolve import _log_loss

    rng = np.random.RandomState(n_classes)
    y = rng.randint(n_classes, size=300)
    logits = rng.normal(scale=4.0, size=(300, n_classes))
    logits[:5] = [[800.0] + [-800.0] * (n_classes - 1)] * 5  # probabilities 0 and 1 exactly
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    weight = rng.uniform(0, 2, size=300)
    labels = np.arange(n_classes)
    assert _log_loss(y, probabilities) == pytest.approx(
        log_loss(y, probabilities, labels=labels), rel=1e-12)
    assert _log_loss(y, probabilities, weight) == pytest.approx(
        log_loss(y, probabilities, labels=labels, sample_weight=weight), rel=1e-12)


@pytest.mark.parametrize("learnable", [False, "per_channel"])
def test_the_reused_network_trains_as_a_fresh_one_over_an_adversarial_grammar(learnable):
    # The fast path keeps one network per seed, resets it in place and shares one
    # activation module between the layers; the obviously correct path builds a
    # new evaluator (and network) for every formula.  Every operator, the special
    # constants and repeated subtrees, in one sequence: the scores agree bit for bit.
    X, y = _binary(300)
    kwargs = dict(task="classification", n_splits=1, validation_fraction=0.25,
                  learnable_constants=learnable, random_state=0,
                  training={"max_iter": 3, "hidden_layer_sizes": (8, 4), "batch_size": 64})
    formulas = [f for f in _adversarial_formulas() if "x" in f.variables]
    reused = CandidateEvaluator(X, y, **kwargs)
    for formula in formulas:
        fresh = CandidateEvaluator(X, y, **kwargs).train(formula, 2, 0, 11)
        again = reused.train(formula, 2, 0, 11)
        assert (again[0] == fresh[0] or (math.isnan(again[0]) and math.isnan(fresh[0])),
                again[1] == fresh[1]) == (True, True), formula


def test_the_evaluator_never_trains_on_validation_rows():
    X, y = _binary()
    evaluator = CandidateEvaluator(X, y, task="classification", training={"max_iter": 2},
                                   n_splits=2, validation_fraction=0.25, random_state=0)
    for subsets, valid in evaluator.splits:
        for subset in subsets:
            assert not set(subset) & set(valid)
            assert set(subset) <= set(subsets[-1])
    # Labels of the validation rows change the score, not the training: flipping
    # them (same splits) turns the ROC AUC into its mirror image exactly.
    import copy

    # Without early stopping, which watches the validation loss to choose an epoch.
    auc = CandidateEvaluator(X, y, task="classification",
                             training={"max_iter": 2, "early_stopping": False},
                             n_splits=2, validation_fraction=0.25, random_state=0,
                             scoring="roc_auc")
    other = copy.deepcopy(auc)
    valid = auc.splits[0][1]
    other.y[valid] = 1 - other.y[valid]
    a = auc.score(STANDARD_FORMULAS["silu"], 2, 0, 3)
    b = other.score(STANDARD_FORMULAS["silu"], 2, 0, 3)
    assert a == pytest.approx(1.0 - b, abs=1e-12)


def test_the_evaluator_trains_as_the_classifier_does():
    # Not the same bits (another loop, other batches), the same network and budget:
    # over seeds the validation AUCs agree closely.
    X, y = make_classification(n_samples=1500, n_features=8, n_informative=5, random_state=4)
    formula = Formula.parse("mul(x, cos(x))")
    evaluator = CandidateEvaluator(X, y, task="classification",
                                   training={"max_iter": 15, "batch_size": 256,
                                             "early_stopping": False},
                                   n_splits=1, validation_fraction=0.2, scoring="roc_auc",
                                   random_state=0)
    subsets, valid = evaluator.splits[0]
    train = subsets[-1]
    ours, theirs = [], []
    for seed in range(3):
        ours.append(evaluator.score(formula, 2, 0, seed))
        model = HybridTransferClassifier(activation=formula, max_iter=15, batch_size=256,
                                         random_state=seed).fit(X[train], y[train])
        theirs.append(roc_auc_score(y[valid], model.predict_proba(X[valid])[:, 1]))
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.02


def test_early_stopping_scores_the_best_epoch_and_stops():
    X, y = _binary(600)
    kwargs = dict(task="classification", n_splits=1, validation_fraction=0.25, random_state=0)
    stopping = CandidateEvaluator(X, y, training={"max_iter": 300, "n_iter_no_change": 3,
                                                  "batch_size": 64}, **kwargs)
    relu = STANDARD_FORMULAS["relu"]
    score, ran = stopping.train(relu, 2, 0, 5)
    assert 3 < ran < 300  # it stopped, patience epochs after its best
    # The same trajectory without early stopping, cut at the epoch where it stopped:
    # the best epoch's validation loss is at most the last one's.
    fixed = CandidateEvaluator(X, y, training={"max_iter": ran, "batch_size": 64,
                                               "early_stopping": False}, **kwargs)
    last = fixed.score(relu, 2, 0, 5)
    assert score > last
    # ... and equals the best of the epochs run: with `ran - 3` epochs the run ends at it.
    best = CandidateEvaluator(X, y, training={"max_iter": ran - 3, "batch_size": 64,
                                              "early_stopping": False}, **kwargs)
    assert best.score(relu, 2, 0, 5) == score


def test_a_diverging_training_scores_minus_infinity():
    X, y = _binary()
    evaluator = CandidateEvaluator(X * 1e30, y, task="classification",
                                   training={"max_iter": 1, "batch_norm": False},
                                   n_splits=1, validation_fraction=0.25)
    power = Formula.parse("mul(mul(mul(x, x), mul(x, x)), mul(mul(x, x), mul(x, x)))")
    assert evaluator.score(power, 0, 0, 0) == -math.inf


def test_the_search_seeds_the_standard_activations_and_guards_with_relu():
    X, y = _binary(800)
    evaluator = CandidateEvaluator(X, y, task="classification",
                                   training={"max_iter": 8, "early_stopping": False},
                                   n_splits=3, validation_fraction=0.25, random_state=0)
    operators = ("add", "sub", "mul", "sin", "cos", "abs", *SEED_OPERATORS)
    chosen, history = evolve([(Formula.parse("mul(cos(x), x)"), "library:higgs-paper")],
                             evaluator, operators=operators, population_size=4,
                             generations=2, n_repeats=2, random_state=0)
    finalists = history["finalists"]
    assert set(filter(None, finalists["standard"])) == set(STANDARD_FORMULAS)
    assert finalists["chosen"].count(True) == 1 and finalists["chosen"][chosen]
    # The choice is the best re-evaluated mean, ReLU included.
    assert finalists["validation_score"][chosen] == max(finalists["validation_score"])
    assert history["relu_validation_score"] >= -math.inf
    assert finalists["validation_score"][chosen] >= history["relu_validation_score"]
    assert [len(r) for r in finalists["repeat_scores"]] == [2] * len(finalists["formula"])
    means = [np.mean(r) for r in finalists["repeat_scores"]]
    assert means == pytest.approx(finalists["validation_score"])
    # The budget is the count of what was trained.
    rung0 = history["n_evaluated"]
    later = sum(len(r["formulas"]) for r in history["rungs"][1:])
    repeats = 2 * len(finalists["formula"])
    assert history["budget"]["trainings"] == rung0 + later + repeats
    rows = [evaluator.budget(r) for r in range(3)]
    expected = (rung0 * rows[0][0] * rows[0][1]
                + sum(len(r["formulas"]) * rows[r["rung"]][0] * rows[r["rung"]][1]
                      for r in history["rungs"][1:])
                + repeats * rows[2][0] * rows[2][1])
    assert history["budget"]["row_epochs"] == expected
    assert history["budget"]["epochs"] == (rung0 * rows[0][1] + sum(
        len(r["formulas"]) * rows[r["rung"]][1] for r in history["rungs"][1:])
        + repeats * rows[2][1])
    assert [g["generation"] for g in history["generations"]] == [0, 1, 2]
    # Successive halving: each rung keeps the best third of the last.
    sizes = [len(r["formulas"]) for r in history["rungs"]]
    assert sizes == [4, 2, 1]
    # Every candidate is a distinct activation.
    assert len(set(history["all"]["formula"])) == len(history["all"]["formula"])
    # fallback=None: ReLU is shown but never chosen.
    chosen, history = evolve([], evaluator, operators=operators, population_size=2,
                             generations=0, n_repeats=1, fallback=None, random_state=0)
    assert history["finalists"]["standard"][chosen] != "relu"


def _small_evolved(X, y, **params):
    """A fitted discoverer with a tiny evolutionary search (ReLU fallbacks not warned of)."""
    params = {"population_size": 20, "generations": 1, "random_state": 0, "search": "evolve",
              "evolve_population": 2, "evolve_generations": 1, "n_repeats": 1,
              "selection_training": {"max_iter": 2, "hidden_layer_sizes": (8,)}, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakActivationWarning)
        return SymbolicActivationDiscoverer(**params).fit(X, y)


def test_the_discoverer_evolves_and_records_the_search():
    X, y = _binary(500)
    disc = _small_evolved(X, y, population_size=30, evolve_population=3,
                          selection_training={"max_iter": 3, "hidden_layer_sizes": (8,)})
    history = disc.search_history_
    chosen = disc.candidates_["chosen"].index(True)
    assert disc.formula_ == Formula.parse(disc.candidates_["formula"][chosen])
    assert disc.relu_validation_score_ == history["relu_validation_score"]
    origins = history["all"]["origin"]
    assert "gplearn" in origins and any(o.startswith("library:") for o in origins)
    assert {f"standard:{n}" for n in STANDARD_FORMULAS} <= set(origins)
    assert (disc.program_ is None) == (disc.candidates_["origin"][chosen] != "gplearn")
    assert math.isnan(disc.fitness_) == (disc.program_ is None)
    # A refit with gplearn's search leaves none of the evolutionary search behind.
    disc.set_params(search="gplearn").fit(X, y)
    assert not hasattr(disc, "search_history_") and not hasattr(disc, "candidates_")


def test_the_discoverer_refuses_a_search_setting_that_cannot_apply():
    X, y = _binary(200)
    with pytest.raises(ValueError, match="needs classes|is for a continuous target"):
        SymbolicActivationDiscoverer(search="evolve", search_scoring="r2",
                                     population_size=10, generations=1).fit(X, y)
    with pytest.raises(ValueError, match="class_weight"):
        SymbolicActivationDiscoverer(search="evolve", population_size=10, generations=1,
                                     selection_training={"class_weight": "balanced"}).fit(X, y)
    Xr, yr = make_regression(n_samples=200, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="continuous target is scored by 'r2'"):
        SymbolicActivationDiscoverer(search="evolve", search_scoring="roc_auc",
                                     population_size=10, generations=1).fit(Xr, yr)


def test_an_evolved_discoverer_goes_into_a_library_with_its_provenance(tmp_path):
    from sksymact.library import ActivationLibrary

    X, y = _binary(400)
    disc = _small_evolved(X, y)
    library = ActivationLibrary()
    library.add("evolved", disc)
    library.save(tmp_path / "lib.json")
    entry = ActivationLibrary.load(tmp_path / "lib.json").get("evolved")
    assert entry.selection == "evolve"
    assert entry.formula == disc.formula_
    assert "Evolved with the network in the loop" in entry.notes
    assert list(entry.candidates["origin"]) == disc.candidates_["origin"]


def test_the_search_history_plot(tmp_path):
    pytest.importorskip("matplotlib")
    from sksymact.plotting import plot_search_history

    X, y = _binary(300)
    disc = _small_evolved(X, y, evolve_generations=2, n_repeats=2)
    fig = plot_search_history(disc)
    left, right = fig.axes
    assert len(left.lines) >= 3  # the candidates, best and median
    assert len(right.get_xticklabels()) == len(disc.candidates_["formula"])
    fig.savefig(tmp_path / "search.png")
    assert plot_search_history(disc.search_history_) is not None
    with pytest.raises(ValueError, match="search='evolve'"):
        plot_search_history(SymbolicActivationDiscoverer())


_EVOLVE = textwrap.dedent("""
    import json, sys, warnings
    import torch
    torch.set_num_threads(int(sys.argv[1]))
    n_jobs = None if sys.argv[2] == "None" else int(sys.argv[2])
    from sklearn.datasets import make_classification
    from sksymact import SymbolicActivationDiscoverer
    X, y = make_classification(n_samples=800, n_features=8, n_informative=5, random_state=2)
    warnings.simplefilter("ignore")
    disc = SymbolicActivationDiscoverer(
        population_size=40, generations=1, random_state=5, search="evolve",
        evolve_population=4, evolve_generations=2, n_repeats=2, n_jobs=n_jobs,
        selection_training={"max_iter": 4}).fit(X, y)
    h = disc.search_history_
    print(json.dumps({"formula": str(disc.formula_),
                      "all": [s.hex() for s in h["all"]["fitness"]],
                      "final": [s.hex() for s in disc.candidates_["validation_score"]],
                      "threads_after": torch.get_num_threads()}))
""")


@pytest.mark.slow
def test_the_evolutionary_search_is_the_same_for_every_thread_count_and_n_jobs():
    def run(threads, n_jobs):
        done = subprocess.run([sys.executable, "-c", _EVOLVE, str(threads), str(n_jobs)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    runs = {(t, j): run(t, j) for t in (1, 2) for j in (None, 2)}
    reference = runs[(1, None)]
    for key, result in runs.items():
        assert result["formula"] == reference["formula"], key
        assert result["all"] == reference["all"], key  # every score, bit for bit
        assert result["final"] == reference["final"], key
        assert result["threads_after"] == key[0], key
