"""SymbolicActivationDiscoverer: find an activation formula with gplearn."""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state, resample
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_feature_names_in,
    _check_sample_weight,
    check_is_fitted,
)

from ._activation import SymbolicActivation
from ._evolve import SEED_OPERATORS, CandidateEvaluator, evolve
from ._formula import Formula
from ._operators import gplearn_function_names
from ._parallel import gp_n_jobs
from ._scaling import weighted_mean_and_scale
from ._persistence import VersionedPickleMixin
from ._selection import (
    choose_diverse,
    fingerprint,
    is_degenerate,
    same_activation,
    select_by_network,
)
from .exceptions import DegenerateFormulaWarning, WeakActivationWarning
from ._validation import validate_numeric_data

__all__ = ["SymbolicActivationDiscoverer"]

#: A subsample is never smaller than this (or than all rows, if fewer): with the
#: paper's 10% of a small data set, GP would otherwise judge programs on a
#: handful of rows.
MIN_SUBSAMPLE_ROWS = 100

#: gplearn's regression metrics the discoverer accepts (``metric=``).
REGRESSION_METRICS = {"mse", "rmse", "mean absolute error", "pearson", "spearman"}

#: What network-aware selection falls back to when no candidate trains better.
RELU = Formula.parse("max(x, 0)")


def _final_generation_by_fitness(gp):
    """The programs of gplearn's last generation, best raw fitness first.

    gplearn exposes no public attribute for its population, only ``_programs``;
    this helper is the one place that reads it.
    """
    population = [p for p in gp._programs[-1] if p is not None]
    greater_is_better = gp._metric.greater_is_better
    return sorted(population, key=lambda p: p.raw_fitness_, reverse=greater_is_better)


class SymbolicActivationDiscoverer(VersionedPickleMixin, TransformerMixin, BaseEstimator):
    """Discover an activation function with genetic programming.

    gplearn's :class:`~gplearn.genetic.SymbolicClassifier` searches for a
    formula over the (standardized, subsampled) features that separates the
    classes; every variable of the winning program is then replaced by one
    scalar ``x`` (``mul(cos(X3), X3)`` becomes ``x·cos(x)``), and that function
    of ``x`` is the activation.  The defaults are the paper's search.

    Parameters
    ----------
    population_size : int, default=500
        Programs per generation.
    generations : int, default=5
        Generations of evolution.
    function_set : tuple of str, default=("add", "sub", "mul", "sin", "cos", "abs")
        Any of gplearn's built-in operators: add, sub, mul, div, sqrt, log,
        abs, neg, inv, max, min, sin, cos, tan.
    subsample : float or int, default=0.1
        Fraction (float in (0, 1]) or number (int) of rows the search sees,
        drawn without replacement and stratified by class.  Never fewer than
        100 rows (or all rows, when there are fewer).
    standardize : bool, default=True
        Standardize the features (with the statistics of all rows given to
        ``fit``, weighted by ``sample_weight``) before subsampling, as the
        paper does.  ``transform`` applies
        the same scaling.
    target_class : label or None, default=None
        The class searched against the rest: gplearn's classifier is binary.
        For more classes, discovery runs on "this class against the rest";
        None picks the most frequent class (the smallest label among ties).
        For binary targets it chooses which class is positive (default: the
        larger label, as gplearn does).
    reject_degenerate : bool, default=True
        A formula that is constant, affine or nearly affine in ``x`` where
        pre-activations live is no activation: its
        :meth:`Formula.nonlinearity` (the share of its variance under N(0, 1)
        inputs that no affine function explains) is below
        ``min_nonlinearity``, or it is not finite there.  If gplearn's best
        program collapses to one, the best program of the final generation
        that does not is taken instead (``n_degenerate_skipped_`` counts how
        many were passed over); if none exists, ``fit`` raises a
        ``ValueError``.  With False the best program is kept whatever it is
        (with a warning if it is degenerate).
    min_nonlinearity : float in [0, 1], default=0.005
        The degeneracy threshold of ``reject_degenerate``.  For scale:
        ``sig(x)`` has 0.016, ``2x + sin(x)`` 0.009, ``6x + sin(x)`` 0.0015
        (an affine fit explains 99.85% of it), ``x cos(x)`` and ``cos(x)`` 1.
        0 rejects only what is affine to rounding.
    selection : {"fitness", "network"}, default="fitness"
        How the formula is chosen among the programs of the run.
        ``"fitness"`` (the paper's way): the best program by gplearn's
        fitness that is not degenerate.  ``"network"``: the best programs of
        the run (the final population and each generation's best) are
        collapsed, degenerate ones dropped, duplicates *as activations*
        removed (``a f(b x) + d`` is ``f`` to the layers around an
        activation), and ``n_candidates`` of them, chosen for fitness and
        variety (see ``max_similarity``), are scored by a short training of a
        light :class:`HybridTransferClassifier` on a stratified validation
        split of the rows given to ``fit`` (and no others); the best
        validation ROC AUC (R² for regression, with a light
        :class:`HybridTransferRegressor`) wins (ties: the one taken first),
        unless ReLU trained better (see ``fallback``).  Every candidate is recorded in
        ``candidates_``; a ``WeakActivationWarning`` says so when even the
        best scored below the same short training with ReLU.
    n_candidates : int, default=8
        Candidates scored when ``selection="network"``; the extra cost of a
        fit is about ``n_candidates + 1`` short trainings (ReLU is trained
        too, for reference).
    max_similarity : float in (0, 1], default=0.9
        How the candidates are taken, with ``selection="network"``: the
        fittest first, then, in order of fitness, each whose shape correlates
        at most this much with every one taken (at the best input scale and
        sign, on a grid of [-4, 4]); near-duplicates fill the places left only
        when too few different shapes exist.  A run's best ranks are often
        variations of one idea; this spends the short trainings on different
        ideas.  1 scores the ``n_candidates`` fittest distinct activations.
    fallback : {"relu"} or None, default="relu"
        With ``selection="network"``: when no candidate's validation score
        beats ReLU's, the formula is ReLU itself, ``max(x, 0)``, so that a
        network built with the discoverer is not expected to do worse than
        with ``activation="relu"`` (``program_`` is then None and
        ``fitness_`` NaN; ``candidates_`` still shows every candidate).  None
        keeps the best candidate whatever it scored.
    selection_training : dict or None, default=None
        Parameters of the short training's classifier (default: hidden
        layers (64, 32), 15 epochs, batches of 256).  With
        ``search="evolve"``, what changes in the candidates' full training
        (default: hidden layers (64, 32), batches of 1,024, at most 200
        epochs, ``early_stopping=True``, ``n_iter_no_change=10``); it takes
        ``hidden_layer_sizes``, ``max_iter``, ``batch_size``,
        ``learning_rate_init``, ``alpha``, ``dropout``, ``batch_norm``,
        ``early_stopping`` and ``n_iter_no_change``.  Set it to the training
        the network will get: a fitness from a shorter training favours
        formulas that only learn faster.
    validation_fraction : float, default=0.2
        Share of the rows held out to score the candidates.
    selection_max_rows : int, default=20_000
        At most this many rows (stratified) take part in the selection (and
        in the evolutionary search), which bounds its cost.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample, the search and the selection's split and training.
    n_jobs : int or None, default=None
        Jobs gplearn evaluates the population with (None means 1).  Inside a
        task of a parallel search one job is used; under joblib's Dask backend
        gplearn's jobs are cluster tasks.  The formula does not depend on
        ``n_jobs`` nor on the torch thread count: with
        ``selection="network"`` the short trainings run on one torch thread
        wherever they run, so their scores are the same bit for bit.  With
        ``search="evolve"`` the candidates of a rung are trained in
        ``n_jobs`` joblib tasks, each on one torch thread, with the same
        guarantee.
    verbose : int, default=0
        Print gplearn's progress table when positive.
    tournament_size : int, default=20
        The remaining parameters are gplearn's search parameters, with
        gplearn's names and defaults (see ``gplearn.genetic.SymbolicClassifier``).
    stopping_criteria : float, default=0.0
        See gplearn.
    const_range : tuple of two floats or None, default=(-1.0, 1.0)
        See gplearn.
    init_depth : tuple of two ints, default=(2, 6)
        See gplearn.
    init_method : {"half and half", "grow", "full"}, default="half and half"
        See gplearn.
    parsimony_coefficient : float or "auto", default=0.001
        See gplearn.
    p_crossover : float, default=0.9
        See gplearn.
    p_subtree_mutation : float, default=0.01
        See gplearn.
    p_hoist_mutation : float, default=0.01
        See gplearn.
    p_point_mutation : float, default=0.01
        See gplearn.
    p_point_replace : float, default=0.05
        See gplearn.
    max_samples : float, default=1.0
        See gplearn.
    metric : {"auto", "log loss", "mse", "rmse", "mean absolute error", "pearson", \
"spearman"}, default="auto"
        gplearn's fitness: ``"auto"`` is the paper's log loss for classes and
        the mean squared error (of the standardized target) for regression.
    task : {"auto", "classification", "regression"}, default="auto"
        What ``y`` is.  ``"auto"`` follows scikit-learn's ``type_of_target``:
        binary or multiclass labels are classification (gplearn's
        ``SymbolicClassifier``), a continuous target regression (gplearn's
        ``SymbolicRegressor`` on the standardized target; integer targets
        count as classes unless ``task="regression"``).  A regression search
        has the same collapse, degeneracy rules and network-aware selection
        (scored by validation R²), and its formula may be used on a
        classification target, and the other way round.
    search : {"gplearn", "evolve"}, default="gplearn"
        ``"gplearn"``: the paper's search (the formula of the raw inputs that
        classifies best), chosen as ``selection`` says.  ``"evolve"``: the
        network-in-the-loop search -- the activation formula itself evolves
        and a candidate's fitness is the validation score of the network it
        will be used in (trained as ``selection_training`` says, scored on a
        validation split of the rows given to ``fit``; never other rows).
        The population is seeded with gplearn's ``n_candidates`` distinct
        candidates of the same run (taken as ``max_similarity`` says), the
        built-in library's formulas and the standard activations written in
        the operator set (``max(x, 0)``, ``x*sig(x)``, ``x*sig(1.702x)``,
        ``2*sig(2x) - 1``); children come from subtree and point mutation,
        crossover and constant perturbation over ``function_set`` plus
        ``max`` and ``sig``, simplified, and kept only when they are a new
        activation (the duplicate test of network-aware selection).  A
        candidate's training is by default the light net trained to
        convergence (batches of 1,024, at most 200 epochs, early stopping
        with patience 10 on the validation split, the best epoch scored);
        ``selection_training`` changes it.  Each generation is scored at low
        fidelity (a third of the rows, at most a tenth of the epochs);
        successive halving takes the best third to two thirds of the rows and
        a quarter of the epochs and the best third of those to the full
        training; the finalists and the four standard activations are then
        trained again on ``n_repeats`` fresh splits of the same rows, and the
        best mean wins (ReLU included, see ``fallback``).  ``selection`` is
        not used.  See the user guide for what it costs and what it found on
        the benchmark suite.
    evolve_population : int, default=12
        With ``search="evolve"``: survivors of a generation, and children
        made per generation.
    evolve_generations : int, default=3
        With ``search="evolve"``: generations of children after the seeds
        (0 scores only the seeds).
    n_repeats : int, default=2
        With ``search="evolve"``: fresh splits (and initial weights) of the
        re-evaluation that guards against the winner's curse.
    search_scoring : {"auto", "neg_log_loss", "roc_auc", "accuracy", "r2"}, default="auto"
        With ``search="evolve"``: the validation score of a candidate.
        ``"auto"`` is the log loss (negated) for classes -- a proper score
        that does not saturate where ROC AUC does (0.995 for every standard
        activation on PMLB's ring) -- and R² for a continuous target.
    learnable_constants : bool or {"per_layer", "per_channel"}, default=False
        With ``search="evolve"``: train each candidate with learnable
        constants, as :class:`HybridTransferClassifier` would with the same
        setting (PANGAEA evolves activations with learnable parameters).
        The formula found keeps its written constants.

    Attributes
    ----------
    program_ : str or None
        The chosen program with all its variables (``X<i>`` is column i),
        canonical text that :meth:`Formula.parse` reads back exactly; None
        when network-aware selection fell back to ReLU, and when the
        evolutionary search chose a formula that is not gplearn's.
    formula_ : Formula
        The collapsed formula in ``x``.
    expression_ : sympy.Expr
        ``formula_`` as a sympy expression (``x*cos(x)``).
    activation_ : SymbolicActivation
        The torch activation computing ``formula_``.
    fitness_ : float
        gplearn's raw fitness (log loss, or the regression metric, on the
        subsample; lower is better except for pearson and spearman) of
        the chosen program (NaN when there is none: see ``program_``).
    nonlinearity_ : float
        :meth:`Formula.nonlinearity` of ``formula_``.
    candidates_ : dict of lists
        With ``search="evolve"``: the finalists and the standard activations
        of the re-evaluation -- ``"formula"``, ``"origin"`` (``"gplearn"``,
        ``"library:<name>"``, ``"standard:<name>"`` or the variation that
        made it), ``"generation"``, ``"standard"``, ``"nonlinearity"``,
        ``"validation_score"`` (mean over the repeats), ``"validation_std"``
        and ``"chosen"``.
        With ``selection="network"``: one entry per scored candidate, in
        the order they were taken (see ``max_similarity``) -- ``"formula"``
        (collapsed, str), ``"program"``, ``"fitness"``, ``"nonlinearity"``,
        ``"validation_score"`` and ``"chosen"`` (bool; none is chosen when
        selection fell back to ReLU).  ``pandas.DataFrame(disc.candidates_)``
        shows it as a table, as with ``cv_results_``.
    relu_validation_score_ : float
        Only with ``selection="network"``: the same short training with ReLU
        (with ``search="evolve"``: ReLU's re-evaluated mean).
    n_distinct_activations_ : int
        Only with ``selection="network"``: how many distinct, non-degenerate
        activations the run held (the pool the candidates were taken from);
        with ``search="evolve"``, how many distinct activations were trained.
    search_history_ : dict
        Only with ``search="evolve"``: ``"generations"`` (per generation:
        children born, best and median survivor score, best formula,
        trainings and row-epochs spent so far), ``"rungs"`` (per fidelity:
        rows, epochs, the formulas trained and their scores, best first),
        ``"finalists"`` (formula, origin, generation, standard name or None,
        re-evaluated mean and std, each repeat's score, chosen),
        ``"relu_validation_score"``, ``"budget"`` (``"trainings"``, the
        ``"epochs"`` they ran, ``"row_epochs"``, and the row-epochs in units
        of one full training of ``max_iter`` epochs, ``"full_trainings"``,
        and of ReLU's training in the re-evaluation, ``"relu_trainings"``),
        ``"n_evaluated"`` and ``"all"`` (every candidate: formula,
        generation, origin, low-fidelity score).  Budgets are counted in
        trainings and epochs, never seconds.  ``plot_search_history`` draws it.
    n_degenerate_skipped_ : int
        Better-scoring programs passed over because they were degenerate.
    task_ : {"classification", "regression"}
        What the search was.
    positive_class_ : label or None
        The class treated as positive by the binary search (None for
        regression).
    scaler_ : StandardScaler or None
    gp_ : gplearn.genetic.SymbolicClassifier or SymbolicRegressor
        The fitted search.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    See Also
    --------
    HybridTransferClassifier : The network that uses the discovered activation.
    Formula : The discovered formula.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sksymact import SymbolicActivationDiscoverer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> disc = SymbolicActivationDiscoverer(population_size=100, generations=2,
    ...                                     random_state=0).fit(X, y)
    >>> disc.formula_.variables
    frozenset({'x'})
    >>> disc.formula_.is_linear()
    False
    >>> disc.transform(X[:2]).shape
    (2, 30)
    """

    _parameter_constraints = {
        "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "generations": [Interval(numbers.Integral, 1, None, closed="left")],
        "function_set": ["array-like"],
        "subsample": [Interval(numbers.Real, 0, 1, closed="right"),
                      Interval(numbers.Integral, 1, None, closed="left")],
        "standardize": ["boolean"],
        "target_class": "no_validation",
        "reject_degenerate": ["boolean"],
        "min_nonlinearity": [Interval(numbers.Real, 0, 1, closed="both")],
        "selection": [StrOptions({"fitness", "network"})],
        "n_candidates": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_similarity": [Interval(numbers.Real, 0, 1, closed="right")],
        "fallback": [StrOptions({"relu"}), None],
        "selection_training": [None, dict],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "selection_max_rows": [Interval(numbers.Integral, 10, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [None, numbers.Integral],
        "verbose": ["verbose"],
        "tournament_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "stopping_criteria": [Interval(numbers.Real, 0, None, closed="left")],
        "const_range": [None, tuple],
        "init_depth": [tuple],
        "init_method": [StrOptions({"half and half", "grow", "full"})],
        "parsimony_coefficient": [Interval(numbers.Real, 0, None, closed="left"),
                                  StrOptions({"auto"})],
        "p_crossover": [Interval(numbers.Real, 0, 1, closed="both")],
        "p_subtree_mutation": [Interval(numbers.Real, 0, 1, closed="both")],
        "p_hoist_mutation": [Interval(numbers.Real, 0, 1, closed="both")],
        "p_point_mutation": [Interval(numbers.Real, 0, 1, closed="both")],
        "p_point_replace": [Interval(numbers.Real, 0, 1, closed="both")],
        "max_samples": [Interval(numbers.Real, 0, 1, closed="right")],
        "metric": [StrOptions({"auto", "log loss"} | REGRESSION_METRICS)],
        "task": [StrOptions({"auto", "classification", "regression"})],
        "search": [StrOptions({"gplearn", "evolve"})],
        "evolve_population": [Interval(numbers.Integral, 1, None, closed="left")],
        "evolve_generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "n_repeats": [Interval(numbers.Integral, 1, None, closed="left")],
        "search_scoring": [StrOptions({"auto", "neg_log_loss", "roc_auc", "accuracy", "r2"})],
        "learnable_constants": ["boolean", StrOptions({"per_layer", "per_channel"})],
    }

    def __init__(
        self,
        population_size=500,
        generations=5,
        function_set=("add", "sub", "mul", "sin", "cos", "abs"),
        subsample=0.1,
        standardize=True,
        *,
        target_class=None,
        reject_degenerate=True,
        min_nonlinearity=0.005,
        selection="fitness",
        n_candidates=8,
        max_similarity=0.9,
        fallback="relu",
        selection_training=None,
        validation_fraction=0.2,
        selection_max_rows=20_000,
        random_state=None,
        n_jobs=None,
        verbose=0,
        tournament_size=20,
        stopping_criteria=0.0,
        const_range=(-1.0, 1.0),
        init_depth=(2, 6),
        init_method="half and half",
        parsimony_coefficient=0.001,
        p_crossover=0.9,
        p_subtree_mutation=0.01,
        p_hoist_mutation=0.01,
        p_point_mutation=0.01,
        p_point_replace=0.05,
        max_samples=1.0,
        metric="auto",
        task="auto",
        search="gplearn",
        evolve_population=12,
        evolve_generations=3,
        n_repeats=2,
        search_scoring="auto",
        learnable_constants=False,
    ):
        self.population_size = population_size
        self.generations = generations
        self.function_set = function_set
        self.subsample = subsample
        self.standardize = standardize
        self.target_class = target_class
        self.reject_degenerate = reject_degenerate
        self.min_nonlinearity = min_nonlinearity
        self.selection = selection
        self.n_candidates = n_candidates
        self.max_similarity = max_similarity
        self.fallback = fallback
        self.selection_training = selection_training
        self.validation_fraction = validation_fraction
        self.selection_max_rows = selection_max_rows
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.tournament_size = tournament_size
        self.stopping_criteria = stopping_criteria
        self.const_range = const_range
        self.init_depth = init_depth
        self.init_method = init_method
        self.parsimony_coefficient = parsimony_coefficient
        self.p_crossover = p_crossover
        self.p_subtree_mutation = p_subtree_mutation
        self.p_hoist_mutation = p_hoist_mutation
        self.p_point_mutation = p_point_mutation
        self.p_point_replace = p_point_replace
        self.max_samples = max_samples
        self.metric = metric
        self.task = task
        self.search = search
        self.evolve_population = evolve_population
        self.evolve_generations = evolve_generations
        self.n_repeats = n_repeats
        self.search_scoring = search_scoring
        self.learnable_constants = learnable_constants

    def _check_function_set(self):
        names = self.function_set
        if isinstance(names, str):
            names = [names]
        allowed = gplearn_function_names()
        unknown = [f for f in names if not isinstance(f, str) or f not in allowed]
        if unknown or not names:
            raise ValueError(
                f"function_set must name gplearn's operators {sorted(allowed)}; "
                f"got {list(names)!r} (not allowed: {unknown!r})."
            )
        return tuple(names)

    def _task(self, y):
        """``"classification"`` or ``"regression"``: the parameter, or from ``y``."""
        if self.task != "auto":
            return self.task
        kind = type_of_target(y, input_name="y")
        if kind in ("binary", "multiclass"):
            return "classification"
        if kind == "continuous":
            return "regression"
        raise ValueError(
            f"Unknown label type: y is {kind!r}; discovery needs class labels or one "
            "continuous target (for several outputs, discover on one column)."
        )

    def _binary_target(self, y):
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError(
                f"The target has only one class ({classes[0]!r}); discovery needs samples "
                "of at least 2 classes."
            )
        if self.target_class is None:
            positive = classes[-1] if len(classes) == 2 else classes[np.argmax(counts)]
        elif self.target_class in classes:
            positive = classes[np.flatnonzero(classes == self.target_class)[0]]
        else:
            raise ValueError(
                f"target_class={self.target_class!r} is not a class of y; classes are "
                f"{classes.tolist()!r}."
            )
        return positive, (y == positive).astype(np.int64)

    def _subsample(self, X, y_search, weight, random_state):
        n = X.shape[0]
        if isinstance(self.subsample, numbers.Integral) and not isinstance(self.subsample, bool):
            size = int(self.subsample)
        else:
            size = int(round(self.subsample * n))
        size = min(n, max(size, MIN_SUBSAMPLE_ROWS))
        if size >= n:
            return X, y_search, weight
        arrays = [X, y_search] + ([] if weight is None else [weight])
        drawn = resample(*arrays, replace=False, n_samples=size,
                         stratify=y_search if self.task_ == "classification" else None,
                         random_state=random_state)
        return drawn[0], drawn[1], (None if weight is None else drawn[2])

    def _metric(self):
        """gplearn's fitness metric for the task (``metric="auto"``: the paper's log loss,
        or the mean squared error for regression)."""
        if self.task_ == "classification":
            if self.metric not in ("auto", "log loss"):
                raise ValueError(f"metric={self.metric!r} is a regression metric; "
                                 "classification searches with 'log loss'.")
            return "log loss"
        if self.metric == "log loss":
            raise ValueError("metric='log loss' needs classes; for a continuous target use "
                             f"one of {sorted(REGRESSION_METRICS)} (or 'auto': 'mse').")
        return "mse" if self.metric == "auto" else self.metric

    def _search(self, X, y_search, weight, seed):
        from gplearn.genetic import (  # noqa: PLC0415 (heavy import)
            SymbolicClassifier,
            SymbolicRegressor,
        )

        kind = SymbolicClassifier if self.task_ == "classification" else SymbolicRegressor
        gp = kind(
            population_size=self.population_size,
            generations=self.generations,
            tournament_size=self.tournament_size,
            stopping_criteria=self.stopping_criteria,
            const_range=self.const_range,
            init_depth=self.init_depth,
            init_method=self.init_method,
            function_set=self._check_function_set(),
            metric=self._metric(),
            parsimony_coefficient=self.parsimony_coefficient,
            p_crossover=self.p_crossover,
            p_subtree_mutation=self.p_subtree_mutation,
            p_hoist_mutation=self.p_hoist_mutation,
            p_point_mutation=self.p_point_mutation,
            p_point_replace=self.p_point_replace,
            max_samples=self.max_samples,
            # Fitness selection reads only the last generation; network selection
            # and the evolutionary search's seeds also each generation's best.
            low_memory=self.selection == "fitness" and self.search == "gplearn",
            n_jobs=gp_n_jobs(self.n_jobs),
            verbose=self.verbose,
            random_state=seed,
        )
        return gp.fit(X, y_search, sample_weight=weight)

    def _choose_program(self, gp):
        """The best program whose collapsed formula is an activation."""
        checked = {}
        for skipped, program in enumerate(_final_generation_by_fitness(gp)):
            formula = Formula.from_gplearn(program.program)
            collapsed = formula.collapse()
            if not self.reject_degenerate:
                if is_degenerate(collapsed, self.min_nonlinearity):
                    warnings.warn(
                        f"The discovered formula {collapsed} is constant, affine or nearly "
                        f"affine in x (nonlinearity {collapsed.nonlinearity():.3g} < "
                        f"min_nonlinearity={self.min_nonlinearity}), so as an activation it "
                        "adds little or no non-linearity (reject_degenerate=False).",
                        DegenerateFormulaWarning,
                        stacklevel=3,
                    )
                return program, formula, collapsed, 0
            if collapsed not in checked:
                checked[collapsed] = is_degenerate(collapsed, self.min_nonlinearity)
            if not checked[collapsed]:
                return program, formula, collapsed, skipped
        raise ValueError(
            f"Every program of the final generation collapses to a formula that is constant, "
            f"affine or nearly affine in x (nonlinearity below min_nonlinearity="
            f"{self.min_nonlinearity}; {len(checked)} distinct formulas checked), so none is "
            "an activation. Try more generations, a larger population_size, another "
            "random_state or function_set, a lower min_nonlinearity, or set "
            "reject_degenerate=False."
        )

    def _distinct_pool(self, gp):
        """The run's distinct, usable activations, best fitness first, and their fingerprints.

        The final population and each generation's best are collapsed,
        degenerate ones dropped and duplicates *as activations* removed.
        """
        greater = gp._metric.greater_is_better
        programs = [p for p in gp._programs[-1] if p is not None]
        for generation in gp._programs[:-1]:
            alive = [p for p in generation if p is not None]
            if alive:
                programs.append(max(alive, key=lambda p: p.raw_fitness_) if greater
                                else min(alive, key=lambda p: p.raw_fitness_))
        # Best fitness first; a stable sort keeps gplearn's order among ties.
        programs.sort(key=lambda p: p.raw_fitness_, reverse=greater)
        pool, prints, seen, skipped = [], None, set(), 0
        for program in programs:
            formula = Formula.from_gplearn(program.program)
            collapsed = formula.collapse()
            if collapsed in seen:
                continue
            seen.add(collapsed)
            if is_degenerate(collapsed, self.min_nonlinearity):
                skipped += 1
                continue
            print_ = fingerprint(collapsed)
            if print_ is None or (pool and same_activation(prints[:len(pool)], print_)):
                continue
            if prints is None:  # one array for all, so that each check is one numpy call
                prints = np.empty((len(programs), *print_.shape))
            prints[len(pool)] = print_
            pool.append((program, formula, collapsed))
        return pool, (None if prints is None else prints[:len(pool)]), skipped

    def _choose_by_network(self, gp, X, y, seed, sample_weight=None):
        """The candidate whose short training scores best on held-out rows of (X, y)."""
        pool, prints, skipped = self._distinct_pool(gp)
        if not pool:
            raise ValueError(
                "No program of the run collapses to a usable activation: every one is "
                f"constant, affine or nearly affine in x (min_nonlinearity="
                f"{self.min_nonlinearity}). Try more generations, a larger population_size, "
                "another random_state or function_set, or a lower min_nonlinearity."
            )
        self.n_distinct_activations_ = len(pool)
        chosen = [pool[i] for i in choose_diverse(prints, self.n_candidates,
                                                  self.max_similarity)]
        scores, relu = select_by_network(
            [c[2] for c in chosen], X, y, training=self.selection_training,
            validation_fraction=self.validation_fraction, max_rows=self.selection_max_rows,
            random_state=seed, n_jobs=self.n_jobs, task=self.task_,
            sample_weight=sample_weight)
        best = int(np.argmax(scores))  # the first of equal scores: the one taken first
        fall_back = self.fallback == "relu" and scores[best] < relu
        self.candidates_ = {
            "formula": [str(c[2]) for c in chosen],
            "program": [str(c[1]) for c in chosen],
            "fitness": [float(c[0].raw_fitness_) for c in chosen],
            "nonlinearity": [c[2].nonlinearity() for c in chosen],
            "validation_score": [float(v) for v in scores],
            "chosen": [i == best and not fall_back for i in range(len(chosen))],
        }
        self.relu_validation_score_ = float(relu)
        if scores[best] < relu:
            outcome = ("The formula is ReLU, max(x, 0) (fallback='relu')." if fall_back else
                       "A network with this activation is expected to do worse than with "
                       "activation='relu' (fallback=None).")
            warnings.warn(
                f"No discovered candidate trained better than ReLU: the best, {chosen[best][2]}, "
                f"scored {scores[best]:.4f} on the validation rows against ReLU's {relu:.4f} "
                f"({len(chosen)} candidates; see candidates_). {outcome}",
                WeakActivationWarning, stacklevel=3)
        if fall_back:
            return None, None, RELU, skipped
        return (*chosen[best], skipped)

    def _scoring(self):
        """The validation score of the evolutionary search, checked against the task."""
        if self.task_ == "regression":
            if self.search_scoring not in ("auto", "r2"):
                raise ValueError(f"search_scoring={self.search_scoring!r} needs classes; a "
                                 "continuous target is scored by 'r2' (or 'auto').")
            return "r2"
        if self.search_scoring == "r2":
            raise ValueError("search_scoring='r2' is for a continuous target; classes are "
                             "scored by 'neg_log_loss' (or 'auto'), 'roc_auc' or 'accuracy'.")
        return "neg_log_loss" if self.search_scoring == "auto" else self.search_scoring

    def _evolve(self, gp, X, y, seed, sample_weight=None):
        """The network-in-the-loop search, seeded with gplearn's run and the library."""
        from .library import ActivationLibrary  # noqa: PLC0415 (reads a file; only here)

        pool, prints, skipped = self._distinct_pool(gp)
        programs = {}
        seeds = []
        if pool:
            for i in choose_diverse(prints, self.n_candidates, self.max_similarity):
                program, formula, collapsed = pool[i]
                programs.setdefault(collapsed.simplify(), (program, formula))
                seeds.append((collapsed, "gplearn"))
        seeds.extend((entry.formula, f"library:{entry.name}")
                     for entry in ActivationLibrary.builtin())
        classify = self.task_ == "classification"
        arrays = [X, y] + ([] if sample_weight is None else [sample_weight])
        if len(y) > self.selection_max_rows:
            arrays = resample(*arrays, replace=False, n_samples=self.selection_max_rows,
                              stratify=arrays[1] if classify else None, random_state=seed)
        evaluator = CandidateEvaluator(
            arrays[0], arrays[1], task=self.task_,
            training=self.selection_training or {},
            n_splits=self.n_repeats + 1, validation_fraction=self.validation_fraction,
            scoring=self._scoring(), learnable_constants=self.learnable_constants,
            sample_weight=arrays[2] if sample_weight is not None else None, random_state=seed)
        operators = tuple(dict.fromkeys([*self._check_function_set(), *SEED_OPERATORS]))
        chosen, history = evolve(
            seeds, evaluator, operators=operators, population_size=self.evolve_population,
            generations=self.evolve_generations, n_repeats=self.n_repeats,
            fallback=self.fallback, min_nonlinearity=self.min_nonlinearity,
            random_state=seed, n_jobs=self.n_jobs)
        finalists = history["finalists"]
        formula = Formula.parse(finalists["formula"][chosen])
        self.search_history_ = history
        self.candidates_ = {
            "formula": finalists["formula"],
            "origin": finalists["origin"],
            "generation": finalists["generation"],
            "standard": finalists["standard"],
            "nonlinearity": [Formula.parse(f).nonlinearity() for f in finalists["formula"]],
            "validation_score": finalists["validation_score"],
            "validation_std": finalists["validation_std"],
            "chosen": finalists["chosen"],
        }
        self.relu_validation_score_ = history["relu_validation_score"]
        self.n_distinct_activations_ = history["n_evaluated"]
        relu = finalists["standard"].index("relu")
        others = [v for i, v in enumerate(finalists["validation_score"]) if i != relu]
        if finalists["standard"][chosen] == "relu" or max(others) < history["relu_validation_score"]:
            warnings.warn(
                f"No evolved or standard candidate trained better than ReLU on the "
                f"re-evaluation ({self.n_repeats} fresh splits): the best other scored "
                f"{max(others):.4f} against ReLU's {history['relu_validation_score']:.4f} "
                f"(see search_history_). "
                + ("The formula is ReLU, max(x, 0) (fallback='relu')."
                   if finalists["standard"][chosen] == "relu" else
                   "A network with this activation is expected to do worse than with "
                   "activation='relu' (fallback=None)."),
                WeakActivationWarning, stacklevel=3)
        program, program_formula = programs.get(formula, (None, None))
        if finalists["origin"][chosen] != "gplearn":
            program, program_formula = None, None
        return program, program_formula, formula, skipped

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Search for a formula on ``X``, ``y`` and collapse it to an activation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features of the source data set.
        y : array-like of shape (n_samples,)
            Class labels (see ``target_class`` for more than two classes) or,
            for regression, a continuous target (see ``task``).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights, finite and not negative: they weigh the
            standardization, follow the rows into the subsample and weigh
            gplearn's fitness (its own ``sample_weight``), and with
            ``selection="network"`` the short trainings and their validation
            scores.  With ``subsample=1.0`` an integer weight is the row
            repeated and a zero weight the row left out, exactly.

        Returns
        -------
        self : SymbolicActivationDiscoverer
            The fitted discoverer.
        """
        X, y = validate_numeric_data(self, X, y, dtype=np.float64, ensure_min_samples=2,
                             y_numeric=self.task == "regression")
        weight = None if sample_weight is None else _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        self.task_ = self._task(y)
        self._check_function_set()
        if self.task_ == "classification":
            check_classification_targets(y)
            self.positive_class_, y_target = self._binary_target(y)
        else:
            y = np.asarray(y, dtype=np.float64)
            # The search sees the standardized target, as it sees standardized
            # features: gplearn's constants (const_range) are then of the right scale.
            mean, scale = weighted_mean_and_scale(y, weight)
            if not scale > 0:
                raise ValueError("The target is constant; discovery needs a target that varies.")
            self.positive_class_ = None
            y_target = (y - mean) / scale
        self._metric()  # a metric of the other task is refused before the search
        if self.search == "evolve":
            self._scoring()  # and a score of the other task
        # A refit with another search leaves none of the last one's results behind.
        for name in ("candidates_", "relu_validation_score_", "n_distinct_activations_",
                     "search_history_"):
            self.__dict__.pop(name, None)
        random_state = check_random_state(self.random_state)

        self.scaler_ = (StandardScaler().fit(X, sample_weight=weight) if self.standardize
                        else None)
        X_search_all = self.scaler_.transform(X) if self.standardize else X
        X_search, y_search, w_search = self._subsample(X_search_all, y_target, weight,
                                                       random_state)
        if self.task_ == "classification" and np.unique(y_search).size < 2:
            raise ValueError("The subsample holds a single class; increase subsample.")

        self.gp_ = self._search(X_search, y_search, w_search,
                                random_state.randint(np.iinfo(np.int32).max))
        if self.search == "evolve":
            program, formula, collapsed, skipped = self._evolve(
                self.gp_, X_search_all, y, random_state.randint(np.iinfo(np.int32).max),
                weight)
        elif self.selection == "network":
            program, formula, collapsed, skipped = self._choose_by_network(
                self.gp_, X_search_all, y, random_state.randint(np.iinfo(np.int32).max),
                weight)
        else:
            program, formula, collapsed, skipped = self._choose_program(self.gp_)
        self.program_ = None if formula is None else str(formula)
        self.formula_ = collapsed
        self.activation_ = SymbolicActivation(collapsed)
        self.fitness_ = float("nan") if program is None else float(program.raw_fitness_)
        self.nonlinearity_ = collapsed.nonlinearity()
        self.n_degenerate_skipped_ = skipped
        return self

    @property
    def expression_(self):
        """``formula_`` as a sympy expression (derived on access: sympy loads lazily)."""
        check_is_fitted(self, "formula_")
        return self.formula_.to_sympy()

    def transform(self, X):
        """Apply the activation elementwise to the (standardized) features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features, as in ``fit``.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features), float64
            The activation of every (standardized) feature.
        """
        check_is_fitted(self, "formula_")
        X = validate_numeric_data(self, X, reset=False, dtype=np.float64)
        if self.scaler_ is not None:
            X = self.scaler_.transform(X)
        # Evaluated on the flattened array: a formula without variables would
        # otherwise give one value per row, as gplearn's programs do.
        return np.asarray(self.formula_(X.ravel()), dtype=np.float64).reshape(X.shape)

    def get_feature_names_out(self, input_features=None):
        """Output names ``phi(<input name>)``, e.g. ``phi(x0)``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input names; by default ``feature_names_in_`` or ``x0 … x{n-1}``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``phi(<name>)`` for every input feature.
        """
        check_is_fitted(self, "n_features_in_")
        input_features = _check_feature_names_in(self, input_features)
        return np.asarray([f"phi({name})" for name in input_features], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _library_provenance(self):
        """The fields of an activation-library entry for this fitted discoverer.

        What :meth:`sksymact.library.ActivationLibrary.add` records when it is
        given this discoverer (it asks for it by this method's name: the
        library imports no estimator).  The library writes the parameters and
        candidates as JSON, where a value JSON cannot hold (a RandomState)
        becomes None.

        Returns
        -------
        fields : dict
            ``formula`` (``formula_``, in ``x``), ``fitness`` (``fitness_``,
            None when not finite: after a fallback to ReLU), ``selection``
            (``"evolve"`` for the evolutionary search), ``candidates``
            (``candidates_``, None without network-aware selection),
            ``random_state`` (the seed, None when it is not an integer),
            ``discoverer_params`` (``get_params(deep=False)``), ``versions``
            (of sksymact, scikit-learn, gplearn and torch) and ``notes``
            (what a fallback to ReLU did; for the evolutionary search, the
            chosen formula's provenance -- its origin, generation, budget and
            re-evaluation; else empty).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            When the discoverer is not fitted.
        """
        from ._io import is_finite_number, package_versions  # noqa: PLC0415 (only for a library)

        check_is_fitted(self, "formula_")
        params = self.get_params(deep=False)
        seed = params["random_state"]
        evolved = params["search"] == "evolve"
        fell_back = self.program_ is None and not evolved
        notes = ("Network-aware selection fell back to ReLU: no candidate trained "
                 "better than ReLU (fallback='relu'), so the formula is max(x, 0)."
                 if fell_back else "")
        if evolved:
            table = self.candidates_
            chosen = table["chosen"].index(True)
            budget = self.search_history_["budget"]
            notes = (f"Evolved with the network in the loop: {self.n_distinct_activations_} "
                     f"activations trained ({budget['trainings']} trainings, "
                     f"{budget['relu_trainings']:.1f} times the rows and epochs of ReLU's "
                     "training in the re-evaluation). "
                     f"Origin: {table['origin'][chosen]} (generation "
                     f"{table['generation'][chosen]}). Re-evaluated on {self.n_repeats} fresh "
                     f"splits: {table['validation_score'][chosen]:.4f} against ReLU's "
                     f"{self.relu_validation_score_:.4f}.")
        return {
            "formula": self.formula_,
            "fitness": float(self.fitness_) if is_finite_number(self.fitness_) else None,
            "selection": "evolve" if evolved else params["selection"],
            "candidates": getattr(self, "candidates_", None),
            "random_state": (int(seed) if isinstance(seed, numbers.Integral)
                             and not isinstance(seed, bool) else None),
            "discoverer_params": params,
            "versions": package_versions(),
            "notes": notes,
        }
