"""What the benchmark compares: the configurations and the settings.

This module imports only the standard library: the command line builds its
options from it without importing scikit-learn, torch or gplearn.
"""

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from ._datasets import display_name
from ._protocols import PROTOCOLS

__all__ = [
    "ACROSS_METRICS",
    "BASELINE",
    "BEST_STANDARD",
    "CONFIGURATIONS",
    "DEFAULT_CONFIGURATIONS",
    "MATRIX_PREFIX",
    "PAPER_SEEDS",
    "REGRESSION_CONFIGURATIONS",
    "Configuration",
    "BenchmarkSettings",
    "SOURCE_DATASET",
    "STANDARD_ACTIVATIONS",
    "SUITES",
    "Suite",
    "configuration",
    "is_configuration",
]

#: The data set whose formula is transferred to the others.
SOURCE_DATASET = "higgs"

#: Every configuration's AUC (R² on a regression data set) is compared with this
#: one's on the same seeds.
BASELINE = "light-relu"

#: The paper's seeds: of the splits, the networks and (per seed) the searches.
PAPER_SEEDS = (42, 43, 44)


@dataclass(frozen=True)
class Configuration:
    """One row of the paper's Table 2: a network size and an activation.

    A configuration is trained on each seed's split of each data set; the
    formula configurations get the formula that the protocol's discovery
    found (the data set's own, or the one of :data:`SOURCE_DATASET`).  A
    network configuration is a :class:`~sksymact.HybridTransferClassifier`
    on a classification data set and a :class:`~sksymact.HybridTransferRegressor`
    on a regression one; a reference estimator is of one task only.

    Parameters
    ----------
    key : str
        Name on the command line and in ``results.csv`` (``"light-relu"``).
    label : str
        Name in the summary table (``"Light ReLU"``).
    hidden_layer_sizes : tuple of int
        The hidden layers, as :class:`~sksymact.HybridTransferClassifier` takes them.
    activation : str
        ``"relu"``, ``"gelu"``, ``"silu"``, or ``"specialist"`` (the formula
        discovered on the data set itself) or ``"transfer"`` (the formula
        discovered on :data:`SOURCE_DATASET`); or the key of a reference
        estimator that is no network (``"hist-gradient-boosting"``,
        ``"logistic-regression"``, and for regression
        ``"hist-gradient-boosting-regressor"``, ``"linear-regression"``; see
        :data:`REFERENCE_ESTIMATORS`).
    selection : {"fitness", "network", "evolve"}, default="fitness"
        How discovery chooses the formula of a formula configuration: the
        paper's best fitness, ``SymbolicActivationDiscoverer(selection=
        "network")``'s short trainings on a validation split of the
        discovery rows, or ``SymbolicActivationDiscoverer(search="evolve")``'s
        network-in-the-loop search.  Each is a different formula with its
        own key in ``formulas.json``.
    source : str or None, default=None
        For ``"transfer"``: the data set whose formula is used; None means
        the run's source (:data:`SOURCE_DATASET`).  The transfer matrix's
        configurations (``transfer-from-<key>``) set it.
    task : {"classification", "regression"} or None, default=None
        The only task of the data sets it is run on; None: every task (a
        network).  The runner leaves it out on the data sets of the other
        task, as it leaves transfer out on the source.
    learnable_constants : bool or {"per_layer", "per_channel"}, default=False
        Passed to the network: a formula activation's constants are trained
        (and counted in Params).

    See Also
    --------
    CONFIGURATIONS : The paper's configurations, by key.
    run_benchmark : Train and score them.

    Examples
    --------
    >>> from sksymact.benchmark import CONFIGURATIONS
    >>> transfer = CONFIGURATIONS["hybrid-transfer"]
    >>> transfer.hidden_layer_sizes, transfer.uses_formula
    ((64, 32), True)
    >>> CONFIGURATIONS["linear-regression"].applies_to("classification")
    False
    """

    key: str
    label: str
    hidden_layer_sizes: tuple
    activation: str
    selection: str = "fitness"
    source: object = None
    task: object = None
    learnable_constants: object = False

    @property
    def neural(self):
        """Whether the configuration is a network (and has Params and E_param).

        Returns
        -------
        bool
            False for the reference estimators of :data:`REFERENCE_ESTIMATORS`.
        """
        return self.activation not in REFERENCE_ESTIMATORS

    @property
    def uses_formula(self):
        """Whether the activation is a discovered formula.

        Returns
        -------
        bool
            True for ``"specialist"`` and ``"transfer"``.
        """
        return self.activation in ("specialist", "transfer")

    def applies_to(self, task):
        """Whether the configuration is run on a data set of ``task``.

        Parameters
        ----------
        task : {"classification", "regression"}
            The data set's task (:attr:`Dataset.task`).

        Returns
        -------
        bool
            True for a network (either task) and for a reference estimator
            of that task.
        """
        return self.task is None or self.task == task


HEAVY = (200, 100)
LIGHT = (64, 32)

#: The activation of ``light-best-standard``: one of :data:`STANDARD_ACTIVATIONS`,
#: chosen per seed by a validation split of the training rows.
BEST_STANDARD = "best-standard"
#: The standard activations it chooses from.
STANDARD_ACTIVATIONS = ("relu", "gelu", "silu", "tanh")

#: The estimators of the reference rows (no network): what a user would pick
#: instead, ``(module, class, parameters)``.  scikit-learn's defaults, except
#: LogisticRegression's ``max_iter`` (1000 instead of 100): on the standardized
#: rows lbfgs converged within 100 iterations where checked (18 to 50 on the
#: bundled samples), so 1000 is only a safeguard against a ConvergenceWarning on
#: more rows and gives the same fit where 100 suffices.  The seed of the run is
#: their ``random_state`` where they have one (LinearRegression has none).  The
#: last two are regression's.
REFERENCE_ESTIMATORS = {
    "hist-gradient-boosting": ("sklearn.ensemble", "HistGradientBoostingClassifier", {}),
    "logistic-regression": ("sklearn.linear_model", "LogisticRegression", {"max_iter": 1000}),
    "hist-gradient-boosting-regressor": ("sklearn.ensemble", "HistGradientBoostingRegressor",
                                         {}),
    "linear-regression": ("sklearn.linear_model", "LinearRegression", {}),
}

#: Every configuration, in the order of the table: the paper's six, then the
#: network-selected formulas, then the reference rows (classification's, then
#: regression's).
CONFIGURATIONS = {c.key: c for c in (
    Configuration("heavy-relu", "Heavy ReLU", HEAVY, "relu"),
    Configuration("light-relu", "Light ReLU", LIGHT, "relu"),
    Configuration("light-gelu", "Light GELU", LIGHT, "gelu"),
    Configuration("light-silu", "Light SiLU", LIGHT, "silu"),
    Configuration("hybrid-specialist", "Hybrid specialist", LIGHT, "specialist"),
    Configuration("hybrid-transfer", "Hybrid transfer", LIGHT, "transfer"),
    Configuration("hybrid-specialist-network", "Hybrid specialist (network-selected)", LIGHT,
                  "specialist", selection="network"),
    Configuration("hybrid-transfer-network", "Hybrid transfer (network-selected)", LIGHT,
                  "transfer", selection="network"),
    Configuration("light-tanh", "Light tanh", LIGHT, "tanh"),
    # The network-in-the-loop search (SymbolicActivationDiscoverer(search="evolve")):
    # on the target's training rows, and evolved on a physics source and transferred.
    Configuration("hybrid-specialist-evolved", "Hybrid specialist (evolved, network in the loop)",
                  LIGHT, "specialist", selection="evolve"),
    Configuration("hybrid-transfer-evolved", "Transfer of a formula evolved on HIGGS", LIGHT,
                  "transfer", selection="evolve"),
    Configuration("transfer-evolved-from-magic", "Transfer of a formula evolved on magic",
                  LIGHT, "transfer", selection="evolve", source="pmlb:magic"),
    # The fair baseline a search must beat: the best of the standard activations
    # chosen by the same kind of validation split of the training rows.
    Configuration("light-best-standard", "Light, best standard activation (validated)",
                  LIGHT, BEST_STANDARD),
    # A learnable activation with the light budget: RealMLP's per-channel blend
    # x + a (f(x) - x) with f = ReLU, which is PReLU with slope 1 - a (a starts at
    # 0.75, PReLU's 0.25); max(x, x - x) is max(x, 0) without a second constant.
    Configuration("light-learnable-blend", "Light learnable ReLU blend (per channel)", LIGHT,
                  "add(x, mul(0.75, sub(max(x, sub(x, x)), x)))",
                  learnable_constants="per_channel"),
    Configuration("transfer-paper", "Transfer of the paper's HIGGS formula (x cos x)", LIGHT,
                  "library:higgs-paper"),
    Configuration("hist-gradient-boosting", "HistGradientBoosting (not neural)", (),
                  "hist-gradient-boosting", task="classification"),
    Configuration("logistic-regression", "Logistic regression (not neural)", (),
                  "logistic-regression", task="classification"),
    Configuration("hist-gradient-boosting-regressor", "HistGradientBoostingRegressor "
                  "(not neural)", (), "hist-gradient-boosting-regressor", task="regression"),
    Configuration("linear-regression", "Linear regression (not neural)", (),
                  "linear-regression", task="regression"),
)}

#: What a run trains unless told otherwise: the paper's six configurations.
#: The others are chosen with ``--configs`` (``configurations=``): network
#: selection costs about nine short trainings per discovery.
DEFAULT_CONFIGURATIONS = ("heavy-relu", "light-relu", "light-gelu", "light-silu",
                          "hybrid-specialist", "hybrid-transfer")

#: What a regression run trains unless told otherwise (our extension): the
#: paper's six as regressors, the network-selected specialist, and the two
#: reference estimators.  Hybrid transfer uses the formula discovered on
#: :data:`SOURCE_DATASET` (HIGGS, a classification data set) for the same seed:
#: the classification benchmark's formula under the same settings.
REGRESSION_CONFIGURATIONS = ("heavy-relu", "light-relu", "light-gelu", "light-silu",
                             "hybrid-specialist", "hybrid-transfer",
                             "hybrid-specialist-network", "hist-gradient-boosting-regressor",
                             "linear-regression")

#: Key prefix of the transfer matrix's configurations: ``transfer-from-covertype``
#: is Hybrid transfer with the formula discovered on Covertype.
MATRIX_PREFIX = "transfer-from-"


def configuration(key):
    """The :class:`Configuration` of a key: in CONFIGURATIONS or ``transfer-from-<data set>``."""
    if key in CONFIGURATIONS:
        return CONFIGURATIONS[key]
    if key.startswith(MATRIX_PREFIX) and len(key) > len(MATRIX_PREFIX):
        source = key[len(MATRIX_PREFIX):]
        return Configuration(key, f"Transfer from {display_name(source)}", LIGHT, "transfer",
                             source=source)
    raise KeyError(key)


def is_configuration(key):
    """Whether ``key`` names a configuration (:func:`configuration` knows it)."""
    try:
        configuration(key)
    except KeyError:
        return False
    return True


@dataclass(frozen=True)
class BenchmarkSettings:
    """Everything that changes a benchmark's numbers.

    A results folder belongs to one set of settings: resuming into it with
    other settings is refused.  What does not change the numbers (which data
    sets, seeds and configurations to run, ``n_jobs``, the scheduler, the data
    folder) is not part of it.  The training settings are named as
    :class:`~sksymact.HybridTransferClassifier` names them, and the command
    line's options after them (``max_iter`` is ``--max-iter``).

    Parameters
    ----------
    protocol : {"leakage-free", "reference"}, default="leakage-free"
        Where discovery sees data: a key of :data:`PROTOCOLS`.
    higgs_rows : int or None, default=100_000
        Leading rows of HIGGS (the paper's 100,000); None for every row available.
    covertype_rows : int or None, default=100_000
        Rows drawn at random (``data_seed``) from Covertype; None for all.
    max_iter : int, default=15
        Training epochs, the paper's 15; with ``early_stopping`` the most
        epochs a network trains.
    batch_size : int, default=1024
        Training batch size, the paper's.
    learning_rate_init : float, default=1e-3
        Adam's learning rate, the paper's.
    dropout : float, default=0.3
        Dropout after every hidden layer, the paper's.
    population_size : int, default=500
        Programs of the genetic programming search, the paper's.
    generations : int, default=5
        Its generations, the paper's.
    subsample : float, default=0.1
        The fraction of the discovery rows the search sees, the paper's.
    function_set : tuple of str, default=("add", "sub", "mul", "sin", "cos", "abs")
        The search's operators, the paper's.
    test_size : float, default=0.2
        Held-out fraction of each seed's split (stratified by class on a
        classification data set).
    data_seed : int, default=42
        Seed of the Covertype row sample (the same rows for every seed).
    reference_seed : int, default=42
        Seed of the single discovery per data set of the reference protocol.
    early_stopping : bool, default=False
        False: every network trains ``max_iter`` epochs on all its training
        rows (the paper's fixed budget).  True (the converged budget): it
        stops once the loss on a stratified ``validation_fraction`` of its
        training rows has not improved for ``n_iter_no_change`` epochs, after
        at most ``max_iter``, with the best weights restored; the validation
        ROC AUC of every epoch is recorded (``curves.json``).  On a
        regression data set the validation rows are drawn at random (a
        continuous target has no classes) and the validation R² is recorded.
    n_iter_no_change : int, default=10
        Epochs without a better validation loss before stopping
        (``early_stopping`` only).
    validation_fraction : float, default=0.1
        Share of the training rows held out (``early_stopping`` only).
    friedman_rows : int, default=20_000
        Rows of the generated regression data set ``friedman``
        (``make_friedman1`` with 10 features, noise 1.0, seed 0).
    max_rows : int or None, default=None
        A cap on the rows of each PMLB data set (``pmlb:NAME``): a larger one
        is sampled down to this many rows (stratified by class on a
        classification data set, seed ``data_seed``, the same rows for every
        seed) before the splits; None
        uses every row.  It bounds the cost of a suite (see ``SUITES``).

    See Also
    --------
    run_benchmark : Run the benchmark with these settings.
    PROTOCOLS : What ``protocol`` chooses.

    Examples
    --------
    >>> from sksymact.benchmark import BenchmarkSettings
    >>> settings = BenchmarkSettings(higgs_rows=5000, covertype_rows=20000)
    >>> settings.max_iter, settings.settings_id
    (15, '27b79b390a54')
    >>> BenchmarkSettings.from_dict(settings.to_dict()) == settings
    True
    """

    protocol: str = "leakage-free"
    higgs_rows: object = 100_000
    covertype_rows: object = 100_000
    max_iter: int = 15
    batch_size: int = 1024
    learning_rate_init: float = 1e-3
    dropout: float = 0.3
    population_size: int = 500
    generations: int = 5
    subsample: float = 0.1
    function_set: tuple = ("add", "sub", "mul", "sin", "cos", "abs")
    test_size: float = 0.2
    data_seed: int = 42
    reference_seed: int = 42
    early_stopping: bool = False
    n_iter_no_change: int = 10
    validation_fraction: float = 0.1
    friedman_rows: int = 20_000
    max_rows: object = None

    def __post_init__(self):
        if not isinstance(self.early_stopping, bool):
            raise ValueError(f"early_stopping must be True or False, got {self.early_stopping!r}.")
        if not 0 < self.validation_fraction < 1:
            raise ValueError("validation_fraction must be in (0, 1), got "
                             f"{self.validation_fraction!r}.")
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {list(PROTOCOLS)}, got {self.protocol!r}.")
        for name in ("higgs_rows", "covertype_rows", "max_rows"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{name} must be a positive integer or None (all rows), "
                                 f"got {value!r}.")
        for name in ("max_iter", "batch_size", "population_size", "generations",
                     "n_iter_no_change", "friedman_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not 0 < self.test_size < 1:
            raise ValueError(f"test_size must be in (0, 1), got {self.test_size!r}.")
        object.__setattr__(self, "function_set", tuple(self.function_set))

    def to_dict(self):
        """The settings as JSON-ready data, as ``settings.json`` stores them.

        Returns
        -------
        data : dict
            One entry per parameter, by name, in the order of the parameters.
        """
        data = dataclasses.asdict(self)
        data["function_set"] = list(self.function_set)
        return data

    @classmethod
    def from_dict(cls, data):
        """Read settings from :meth:`to_dict`'s data or a ``settings.json``'s ``settings``.

        Parameters
        ----------
        data : mapping
            Settings by name; a missing name takes its default.

        Returns
        -------
        settings : BenchmarkSettings
            The settings.

        Raises
        ------
        ValueError
            For a name that is no setting, or a value that is not allowed.
        """
        unknown = sorted(set(data) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown settings {unknown!r}.")
        return cls(**data)

    @property
    def settings_id(self):
        """A short fingerprint of the settings, stored in every result row.

        Returns
        -------
        settings_id : str
            12 hexadecimal digits of the SHA-256 of :meth:`to_dict`'s data
            as JSON with sorted keys.
        """
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def differences(self, other):
        """Compare with other settings, or with a ``settings.json``'s ``settings``.

        Parameters
        ----------
        other : BenchmarkSettings or mapping
            A mapping is read as :meth:`from_dict` reads it.

        Returns
        -------
        differences : list of tuple
            ``(name, mine, theirs)`` for every setting that differs, by name.

        Raises
        ------
        ValueError
            If a mapping holds a name that is no setting, or a value that is
            not allowed.
        """
        mine = self.to_dict()
        theirs = (other if isinstance(other, BenchmarkSettings)
                  else BenchmarkSettings.from_dict(other)).to_dict()
        return [(name, mine[name], theirs[name]) for name in sorted(mine)
                if mine[name] != theirs[name]]


#: The metrics of the report across data sets, by task: the first is the primary
#: one (mean ranks, the Friedman test, the critical-difference diagram), the
#: others are reported after it, each on the rows that have it (a folder
#: written before the log loss was recorded reports none).  Accuracy, not ROC
#: AUC, leads classification: ROC AUC saturates near 1 on several PMLB data
#: sets.  Higher is better for all but the log loss (see ``HIGHER_IS_BETTER``
#: of the report's statistics).
ACROSS_METRICS = {"classification": ("accuracy", "roc_auc", "log_loss"), "regression": ("r2",)}


@dataclass(frozen=True)
class Suite:
    """A named set of data sets with the configurations, seeds and settings to run them.

    ``sksymact benchmark --suite NAME`` runs it; its report across data sets
    (``across.md``, ``critical_difference.png``) ranks the configurations on
    :attr:`metric`.

    Parameters
    ----------
    name : str
        ``--suite NAME``.
    description : str
        What it is.
    datasets : tuple of str
        Data set keys (``pmlb:NAME`` for PMLB's).
    configurations : tuple of str
        Configuration keys.
    seeds : tuple of int
        The seeds.
    settings : dict
        Settings that differ from :class:`BenchmarkSettings`'s defaults; an
        option given on the command line takes precedence.
    metric : str
        The primary metric of the report across data sets: that of its data
        sets' task in :data:`ACROSS_METRICS`.
    quick : dict
        What ``--quick`` changes: ``datasets``, ``seeds`` and settings, for a
        smoke test of the whole path in about a minute.

    See Also
    --------
    SUITES : The named suites.

    Examples
    --------
    >>> from sksymact.benchmark import SUITES
    >>> suite = SUITES["pmlb-classification"]
    >>> len(suite.datasets), suite.metric, suite.settings["early_stopping"]
    (14, 'accuracy', True)
    """

    name: str
    description: str
    datasets: tuple
    configurations: tuple
    seeds: tuple
    settings: dict
    metric: str
    quick: dict = dataclasses.field(default_factory=dict)


#: The converged budget of the suites: early stopping on 10% of the training
#: rows, patience 10, at most 200 epochs, best weights restored; at most 5,000 rows
#: of a data set (so that a converged light fit stays around a few seconds).
_CONVERGED = {"early_stopping": True, "max_iter": 200, "n_iter_no_change": 10,
              "max_rows": 5000, "higgs_rows": 5000, "covertype_rows": 20000}

#: The configurations of the classification suite: the standard activations, the
#: validation-picked one, a learnable one, the discovered ones (network-selected
#: specialist; transfer from HIGGS, from the paper's formula, from magic) and the
#: two references a user would pick instead.
_SUITE_CONFIGURATIONS = (
    "light-relu", "light-gelu", "light-silu", "light-tanh", "light-best-standard",
    "light-learnable-blend", "hybrid-specialist-network", "hybrid-transfer", "transfer-paper",
    f"{MATRIX_PREFIX}pmlb:magic", "hybrid-specialist-evolved", "hybrid-transfer-evolved",
    "transfer-evolved-from-magic", "hist-gradient-boosting", "logistic-regression")

#: The configurations of the regression suite: the benchmark's regression
#: defaults (REGRESSION_CONFIGURATIONS) and the classification suite's networks
#: that need no search on the target (tanh, the validation-picked standard
#: activation, the learnable blend, the paper's x cos x, the transfer from magic);
#: not the evolved searches.
_REGRESSION_SUITE_CONFIGURATIONS = (
    "light-relu", "light-gelu", "light-silu", "light-tanh", "light-best-standard",
    "light-learnable-blend", "heavy-relu", "hybrid-specialist", "hybrid-specialist-network",
    "hybrid-transfer", "transfer-paper", f"{MATRIX_PREFIX}pmlb:magic",
    "hist-gradient-boosting-regressor", "linear-regression")

#: The named suites of ``--suite``.
SUITES = {s.name: s for s in (
    Suite("pmlb-classification",
          "14 real classification data sets of PMLB: continuous features (magic, a second "
          "physics source, phoneme, twonorm, ring, satimage, pendigits, letter, "
          "wine_quality_white, page_blocks, optdigits, segmentation), mixed (adult) and only "
          "binary ones (dna, kr_vs_kp)",
          tuple(f"pmlb:{name}" for name in (
              "magic", "phoneme", "twonorm", "ring", "satimage", "pendigits", "letter",
              "wine_quality_white", "page_blocks", "optdigits", "segmentation", "adult", "dna",
              "kr_vs_kp")),
          _SUITE_CONFIGURATIONS, (42, 43, 44, 45, 46), _CONVERGED,
          ACROSS_METRICS["classification"][0],
          quick={"datasets": ("pmlb:phoneme", "pmlb:segmentation", "pmlb:dna"), "seeds": (42,),
                 "max_rows": 600, "max_iter": 20, "n_iter_no_change": 3,
                 "population_size": 40, "generations": 2}),
    Suite("pmlb-regression",
          "5 real regression data sets of PMLB, all with continuous features (537_houses, "
          "California housing; 197_cpu_act; 225_puma8NH, a robot arm; 564_fried, Friedman's "
          "function; 201_pol), scored by R²",
          tuple(f"pmlb:{name}" for name in (
              "537_houses", "197_cpu_act", "225_puma8NH", "564_fried", "201_pol")),
          _REGRESSION_SUITE_CONFIGURATIONS, (42, 43, 44, 45, 46), _CONVERGED,
          ACROSS_METRICS["regression"][0],
          quick={"datasets": ("pmlb:537_houses", "pmlb:197_cpu_act", "pmlb:225_puma8NH"),
                 "seeds": (42,), "max_rows": 600, "max_iter": 20, "n_iter_no_change": 3,
                 "population_size": 40, "generations": 2}),
    Suite("paper",
          "the paper's three data sets (HIGGS, Covertype, Spambase) under the suite's protocol",
          ("higgs", "covertype", "spambase"), _SUITE_CONFIGURATIONS, (42, 43, 44, 45, 46),
          _CONVERGED, ACROSS_METRICS["classification"][0],
          quick={"seeds": (42,), "higgs_rows": 1000, "covertype_rows": 1000, "max_iter": 20,
                 "n_iter_no_change": 3, "population_size": 40, "generations": 2}),
)}
