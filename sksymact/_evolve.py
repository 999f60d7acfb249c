"""Network-in-the-loop search: evolve activation formulas by how well a network trains with them.

gplearn ranks a formula by how well the formula *of the raw inputs*
classifies; every published activation search that reports gains (Swish
search, Bingham & Miikkulainen's evolution, PANGAEA) ranks it by the
validation score of a network trained with it.  This module does the latter:

1. **A seeded population**: the standard activations written in the operator
   set (:data:`STANDARD_FORMULAS`: ReLU, SiLU, GELU's sigmoid form, tanh), the
   formulas of an activation library, and the distinct candidates of a
   gplearn run -- so the search starts at least as good as the best
   standard activation.
2. **Variation over** :class:`~sksymact.Formula` **trees** (subtree and point
   mutation, crossover, constant perturbation), each child simplified
   (constant subtrees folded) and kept only if it is a new activation: not
   degenerate, finite, and not ``a f(b x) + d`` of one already evaluated
   (the fingerprints of :mod:`sksymact._selection`).
3. **Multi-fidelity fitness** (successive halving): every candidate is
   scored by a training on a third of the training rows for at most a tenth
   of the epochs; the best third go on to two thirds of the rows and a
   quarter of the epochs, the best third of those to the full training.  By
   default a training is the one the network will get: the light net to
   convergence (early stopping on the search's validation split, the best
   epoch scored; :data:`EVOLVE_TRAINING`).
4. **A guard against the winner's curse**: the finalists and the standard
   activations are trained again on ``n_repeats`` fresh splits of the same
   rows, with fresh initial weights; the best mean wins, and ReLU is the
   fallback decided on that re-evaluation.

Budgets are counted in trainings and epochs, never seconds; every training
runs on :data:`~sksymact._selection.SELECTION_THREADS` torch thread(s) with
a seed fixed by the search, so the result is the same for every ``n_jobs``,
thread count and load.  Candidates of one rung are trained in parallel with
joblib (so Dask's backend works); all of them see the same initial weights
and batches (common random numbers), which makes their differences the
formulas' and not the seeds'.

The variation operators are written here over ``Formula``'s pre-order tokens
rather than taken from gplearn: gplearn's operators act on its ``_Program``
objects, bound to its function objects and a feature count, and its function
set has neither ``sig`` nor a way to carry the standard activations' exact
constants (``1.702``) through point mutation.
"""

import math

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, resample

from ._activation import SymbolicActivation
from ._formula import Formula, _subtree_end
from ._mlp import MLP
from ._network import _fused_adam_supported
from ._operators import ARITIES
from ._parallel import limit_torch_threads
from ._selection import (
    SELECTION_THREADS,
    fingerprint,
    is_degenerate,
    same_activation,
)
from ._training import Adam

__all__ = ["STANDARD_FORMULAS", "RUNGS", "EVOLVE_TRAINING", "CandidateEvaluator", "evolve",
           "mutate", "crossover", "random_formula"]

#: The standard activations, written in the operator set: the seeds any search
#: must beat.  ``x*sig(1.702x)`` is GELU's sigmoid approximation (Hendrycks &
#: Gimpel); ``2 sig(2x) - 1`` is tanh exactly.
STANDARD_FORMULAS = {
    "relu": Formula.parse("max(x, 0)"),
    "silu": Formula.parse("mul(x, sig(x))"),
    "gelu": Formula.parse("mul(x, sig(mul(1.702, x)))"),
    "tanh": Formula.parse("sub(mul(2, sig(mul(2, x))), 1)"),
}

#: The fidelities of successive halving: (share of the training rows, share of
#: the full training's ``max_iter``, the most a training at the rung runs).
#: The last rung is the full training.
RUNGS = ((1 / 3, 1 / 10), (2 / 3, 1 / 4), (1.0, 1.0))
#: Successive halving keeps the best 1/ETA of a rung for the next.
ETA = 3
#: A child larger than this (nodes) or deeper is discarded: the shapes of the
#: published activations need far fewer, and a large tree costs every step.
MAX_SIZE = 15
MAX_DEPTH = 5
#: Operators variation may use beside the discoverer's function set: the
#: standard activations are written with them.
SEED_OPERATORS = ("max", "sig")
#: What the search's training takes (``selection_training``): the network and
#: the optimiser; the estimators' other parameters do not apply to it.
_TRAINING_KEYS = frozenset({"hidden_layer_sizes", "max_iter", "batch_size",
                            "learning_rate_init", "alpha", "dropout", "batch_norm",
                            "early_stopping", "n_iter_no_change"})

#: The training of a candidate by default: the light net trained to
#: convergence, as the estimators' ``early_stopping=True`` does (batches of
#: 1,024, at most 200 epochs, patience 10) -- here the search's validation
#: split is the one watched.  A short fixed budget (the paper's 15 epochs)
#: favours formulas that learn *faster*: on the benchmark suite a search
#: scored by 15 epochs at batches of 256 chose near-linear formulas such as
#: ``3x + sin x + sin 3x`` on 8 of 14 data sets, whose validation log loss
#: beat ReLU's by up to 0.53 there, and which then lost to ReLU trained to
#: convergence (letter: -0.052 accuracy, optdigits -0.014).
EVOLVE_TRAINING = {"hidden_layer_sizes": (64, 32), "max_iter": 200, "batch_size": 1024,
                   "early_stopping": True, "n_iter_no_change": 10}
#: How often a variation is tried before a generation settles for fewer children.
_ATTEMPTS_PER_CHILD = 20


# ------------------------------------------------------------------- variation

def _nodes(formula):
    return formula._tokens


def _replace(tokens, start, new):
    end = _subtree_end(tokens, start)
    return tokens[:start] + tuple(new) + tokens[end:]


def random_formula(rng, operators, depth, const_range=(-2.0, 2.0)):
    """A random tree in ``x`` of at most ``depth`` (gplearn's "grow" method).

    Parameters
    ----------
    rng : numpy.random.RandomState
    operators : sequence of str
        Operator names of the registry.
    depth : int
        Greatest depth (a leaf has depth 0).
    const_range : tuple of two floats, default=(-2.0, 2.0)
        Constants are drawn from this range, rounded to 3 digits.

    Returns
    -------
    Formula
    """
    def grow(d):
        n_leaves = 2
        if d == 0 or rng.randint(len(operators) + n_leaves) < n_leaves:
            if rng.rand() < 0.7:
                return (("var", "x"),)
            return (("const", round(float(rng.uniform(*const_range)), 3)),)
        name = operators[rng.randint(len(operators))]
        tokens = (("op", name),)
        for _ in range(ARITIES[name]):
            tokens += grow(d - 1)
        return tokens
    return Formula._new(grow(depth))


def _point_mutation(formula, rng, operators):
    tokens = _nodes(formula)
    i = rng.randint(len(tokens))
    kind, payload = tokens[i]
    if kind == "op":
        same = [o for o in operators if ARITIES[o] == ARITIES[payload] and o != payload]
        if not same:
            return None
        return Formula._new(tokens[:i] + (("op", same[rng.randint(len(same))]),)
                            + tokens[i + 1:])
    if kind == "var":  # x -> c * x: a scale where the search had none
        scale = (("op", "mul"), ("const", float(rng.choice([0.5, 2.0, 1.702, -1.0]))),
                 ("var", "x"))
        return Formula._new(_replace(tokens, i, scale))
    return Formula._new(tokens[:i] + (("var", "x"),) + tokens[i + 1:])


def _subtree_mutation(formula, rng, operators):
    tokens = _nodes(formula)
    i = rng.randint(len(tokens))
    return Formula._new(_replace(tokens, i, random_formula(rng, operators, 2)._tokens))


def _perturb_constants(formula, rng, operators):
    constants = formula.constants
    if not constants:
        return _point_mutation(formula, rng, operators) if formula.size > 1 else None
    values = [c * math.exp(rng.normal(0.0, 0.5)) if abs(c) > 0.05 else c + rng.normal(0.0, 0.5)
              for c in constants]
    return formula.with_constants([round(v, 3) for v in values])


def crossover(first, second, rng):
    """``first`` with a random subtree replaced by a random subtree of ``second``.

    Parameters
    ----------
    first, second : Formula
    rng : numpy.random.RandomState

    Returns
    -------
    Formula
    """
    donor = _nodes(second)
    j = rng.randint(len(donor))
    tokens = _nodes(first)
    return Formula._new(_replace(tokens, rng.randint(len(tokens)),
                                 donor[j:_subtree_end(donor, j)]))


_MUTATIONS = (_subtree_mutation, _point_mutation, _perturb_constants)


def mutate(formula, rng, operators):
    """One of subtree mutation, point mutation or constant perturbation, at random.

    Parameters
    ----------
    formula : Formula
    rng : numpy.random.RandomState
    operators : sequence of str

    Returns
    -------
    Formula or None
        None when the drawn mutation does not apply (a leaf's constants).
    """
    return _MUTATIONS[rng.randint(len(_MUTATIONS))](formula, rng, operators)


# ---------------------------------------------------------------- the archive

class _Archive:
    """The activations seen so far: their fingerprints, for "is this one new?"."""

    def __init__(self, min_nonlinearity):
        self.min_nonlinearity = min_nonlinearity
        self.prints = None  # the admitted fingerprints, stacked: one numpy call per check
        self.formulas = set()

    def admit(self, formula):
        """``formula`` simplified if it is a new, usable activation, else None."""
        formula = formula.collapse().simplify()
        if formula in self.formulas or formula.size > MAX_SIZE or formula.depth > MAX_DEPTH:
            return None
        self.formulas.add(formula)
        if is_degenerate(formula, self.min_nonlinearity):
            return None
        print_ = fingerprint(formula)
        if print_ is None or (self.prints is not None and same_activation(self.prints, print_)):
            return None
        self.prints = (print_[None] if self.prints is None
                       else np.concatenate([self.prints, print_[None]]))
        return formula


# ------------------------------------------------------------------ fitness

class CandidateEvaluator:
    """Train a network with a candidate activation and score it on held-out rows.

    A lean training loop in place of ``HybridTransferClassifier.fit``: the
    data tensors, splits and row subsets are made once, and a training is the
    network, Adam and the batches -- no estimator validation, no skorch
    history or callbacks (see the speed page for what that saves at small
    budgets).  The network is the estimators' :class:`~sksymact._mlp.MLP`
    with :class:`~sksymact.SymbolicActivation`, Adam with the same rate and
    weight decay, the loss of the task (binary cross-entropy on one logit,
    cross-entropy on K logits, squared error on the standardised target),
    weighted when rows are.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The (standardised) rows the search may use; nothing else is seen.
    y : ndarray of shape (n_samples,)
        Class labels, or a continuous target.
    task : {"classification", "regression"}
    training : dict
        What changes from :data:`EVOLVE_TRAINING`: ``hidden_layer_sizes``,
        ``max_iter``, ``batch_size``, ``learning_rate_init``, ``alpha``,
        ``dropout``, ``batch_norm``, ``early_stopping`` (on the validation
        loss of the search's split; the best epoch is scored) and
        ``n_iter_no_change``.
    n_splits : int
        Splits made: split 0 is the search's, the others the re-evaluation's.
    validation_fraction : float
    scoring : {"neg_log_loss", "roc_auc", "accuracy", "r2"}, default="neg_log_loss"
        The validation score (greater is better; ROC AUC is one-vs-rest,
        macro, for several classes).  R² is the only one for regression.
    learnable_constants : bool or {"per_layer", "per_channel"}
    sample_weight : ndarray or None
    random_state : int
    """

    def __init__(self, X, y, *, task, training, n_splits, validation_fraction,
                 scoring="neg_log_loss", learnable_constants=False, sample_weight=None,
                 random_state=0):
        self.task = task
        self.scoring = "r2" if task == "regression" else scoring
        unknown = sorted(set(training) - _TRAINING_KEYS)
        if unknown:
            raise ValueError(
                f"The search's training takes {sorted(_TRAINING_KEYS)}; got also {unknown} "
                "(with search='evolve', selection_training sets the network and the "
                "optimiser of the candidates' trainings, nothing else).")
        self.training = {**EVOLVE_TRAINING, **training}
        hidden = self.training["hidden_layer_sizes"]
        self.hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        self.learnable_constants = learnable_constants
        classify = task == "classification"
        self.X = np.ascontiguousarray(X, dtype=np.float32)
        self.weight = None if sample_weight is None else np.asarray(sample_weight, np.float32)
        if classify:
            self.classes, y = np.unique(y, return_inverse=True)
            self.n_outputs = 1 if len(self.classes) == 2 else len(self.classes)
        else:
            self.n_outputs = 1
        self.y = np.asarray(y)
        rows = np.arange(len(self.y))
        n_valid = int(np.ceil(validation_fraction * len(rows)))
        if len(rows) - n_valid < 2:
            raise ValueError(
                f"The search holds out validation_fraction={validation_fraction} of the "
                f"{len(rows)} rows, which leaves fewer than 2 to train on: give more rows or "
                "lower validation_fraction.")
        self.splits = []
        for k in range(n_splits):
            train, valid = train_test_split(
                rows, test_size=n_valid, random_state=random_state + k,
                stratify=self._stratify(self.y, n_valid, len(rows) - n_valid))
            subsets = []
            for share, _ in RUNGS:
                n = max(2, int(round(share * len(train))))
                if n >= len(train):
                    subsets.append(train)
                else:
                    subsets.append(np.sort(resample(
                        train, replace=False, n_samples=n, random_state=random_state + k,
                        stratify=self._stratify(self.y[train], n, len(train) - n))))
            self.splits.append((subsets, valid))

    def _stratify(self, y, n_taken, n_left):
        """``y`` to stratify a draw of ``n_taken`` rows by, or None where it cannot be.

        As early stopping's split does: by class when every class has two rows
        or more and both parts can hold every class; otherwise a plain draw
        (tiny data), instead of scikit-learn's error.
        """
        if self.task != "classification":
            return None
        counts = np.unique(y, return_counts=True)[1]
        if counts.min() < 2 or min(n_taken, n_left) < len(counts):
            return None
        return y

    def budget(self, rung):
        """``(rows, epochs)`` of a training at ``rung`` on split 0."""
        subsets, _ = self.splits[0]
        return len(subsets[rung]), self.epochs(rung)

    def epochs(self, rung):
        """The epochs of a training at ``rung``."""
        return max(1, int(round(RUNGS[rung][1] * self.training["max_iter"])))

    def _target(self, rows, train_rows):
        y = self.y[rows]
        if self.task == "regression":
            reference = self.y[train_rows].astype(np.float64)
            scale = reference.std()
            y = (y - reference.mean()) / (scale if scale > 0 else 1.0)
            return torch.from_numpy(y.astype(np.float32))
        if self.n_outputs == 1:
            return torch.from_numpy(y.astype(np.float32))
        return torch.from_numpy(y.astype(np.int64))

    def _network(self, formula, seed):
        """The network of a candidate: the seed's initial weights, ``formula``'s activations.

        Every candidate trained with one seed starts from the same weights
        (common random numbers).  They are drawn once per seed, and one
        network per seed is kept and reset to them in place for the next
        candidate (its activations swapped): building or deep-copying the
        layers costs 2 to 3 ms, a tenth of a low-fidelity training.  The
        weights come from a generator seeded for them alone, so the network is
        the same whichever candidate came first.
        """
        networks = self.__dict__.setdefault("_networks", {})
        if seed not in networks:
            with torch.random.fork_rng(devices=[]):
                torch.default_generator.manual_seed(seed)
                network = MLP(self.X.shape[1], self.hidden, self.n_outputs,
                              [torch.nn.Identity() for _ in self.hidden],
                              batch_norm=self.training.get("batch_norm", True),
                              dropout=self.training.get("dropout", 0.3))
            # The layers' parameters and buffers (BatchNorm's statistics), and
            # their initial values: the activations are not among them.
            tensors = [*network.parameters(), *network.buffers()]
            networks[seed] = (network, [(t, t.detach().clone()) for t in tensors])
        network, initial = networks[seed]
        with torch.no_grad():
            for tensor, value in initial:
                tensor.copy_(value)
                tensor.grad = None
        per_channel = self.learnable_constants == "per_channel"
        learnable = bool(self.learnable_constants)
        # With fixed constants the module holds no state that training changes,
        # so the layers share one (compiling its plans costs about 1.8 ms);
        # learnable constants are each layer's own, as in the estimators.
        shared = None if learnable else SymbolicActivation(formula)
        for i, width in enumerate(self.hidden):
            setattr(network.hidden, f"activation{i}", shared or SymbolicActivation(
                formula, learnable_constants=True,
                num_channels=width if per_channel else None))
        return network

    def __getstate__(self):
        # The networks are a cache: a worker makes its own, the same ones.
        state = dict(self.__dict__)
        state.pop("_networks", None)
        return state

    def _loss(self):
        if self.task == "regression":
            return torch.nn.MSELoss(reduction="none")
        if self.n_outputs == 1:
            return torch.nn.BCEWithLogitsLoss(reduction="none")
        return torch.nn.CrossEntropyLoss(reduction="none")

    def score(self, formula, rung, split, seed):
        """Train with ``formula`` at ``rung`` on split ``split``; the validation score.

        Parameters
        ----------
        formula : Formula
        rung : int
            Index into :data:`RUNGS`.
        split : int
        seed : int
            Initial weights and batch order.

        Returns
        -------
        float
            The validation score (``scoring``); ``-inf`` when the training
            diverged (a non-finite loss or output).  With early stopping, the
            score of the epoch with the lowest validation loss.
        """
        return self.train(formula, rung, split, seed)[0]

    def train(self, formula, rung, split, seed):
        """:meth:`score`, and the epochs the training ran (early stopping may end it sooner).

        Returns
        -------
        score : float
        epochs : int
        """
        subsets, valid = self.splits[split]
        train = subsets[rung]
        epochs = self.epochs(rung)
        batch_size = self.training["batch_size"]
        batch_norm = self.training.get("batch_norm", True)
        early_stopping = self.training.get("early_stopping", False)
        patience = self.training.get("n_iter_no_change", 10)
        X = torch.from_numpy(self.X[train])
        X_valid = torch.from_numpy(self.X[valid])
        y = self._target(train, train)
        w = None if self.weight is None else torch.from_numpy(self.weight[train])
        best_loss, best_outputs, since_best, ran = math.inf, None, 0, 0
        with limit_torch_threads(SELECTION_THREADS), torch.random.fork_rng(devices=[]):
            network = self._network(formula, seed)
            # The CPU generator alone (torch.manual_seed also seeds every other
            # device's, 1.6 ms): dropout's masks draw from it.
            torch.default_generator.manual_seed(seed)
            optimizer = Adam(network.parameters(), lr=self.training.get("learning_rate_init", 1e-3),
                             weight_decay=self.training.get("alpha", 0.0),
                             fused=_fused_adam_supported("cpu"))
            criterion = self._loss()
            generator = torch.Generator().manual_seed(seed)
            for ran in range(1, epochs + 1):
                network.train()
                order = torch.randperm(len(train), generator=generator)
                total = torch.zeros(())
                for batch in order.split(batch_size):
                    if batch_norm and len(batch) < 2:
                        continue  # BatchNorm cannot train on one row
                    losses = criterion(network(X[batch]), y[batch])
                    loss = (losses.mean() if w is None
                            else (losses * w[batch]).sum() / w[batch].sum().clamp_min(1e-12))
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                    total += loss.detach()
                # Checked once an epoch (a check per step costs a sync of its
                # own): a non-finite loss stays non-finite in the sum.
                if not torch.isfinite(total):
                    return -math.inf, ran
                if early_stopping or ran == epochs:
                    network.eval()
                    with torch.inference_mode():
                        outputs = network(X_valid).double().numpy()
                    if not np.all(np.isfinite(outputs)):
                        return -math.inf, ran
                if not early_stopping:
                    continue
                # As the estimators' early stopping: the validation loss decides,
                # the best epoch's network is the one kept (here: scored).
                validation_loss = self._validation_loss(outputs, valid, train)
                if validation_loss < best_loss:
                    best_loss, best_outputs, since_best = validation_loss, outputs, 0
                else:
                    since_best += 1
                    if since_best >= patience:
                        break
        if early_stopping:
            outputs = best_outputs
        return self._metric(outputs, valid, train), ran

    def _probabilities(self, outputs):
        if self.n_outputs == 1:
            positive = 1.0 / (1.0 + np.exp(-outputs))
            return np.column_stack([1.0 - positive, positive])
        probabilities = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def _validation_loss(self, outputs, valid, train):
        """The training loss on the validation rows (what early stopping watches)."""
        weight = None if self.weight is None else self.weight[valid]
        if self.task == "regression":
            errors = (outputs - self._target(valid, train).numpy()) ** 2
            return float(np.average(errors, weights=weight))
        return _log_loss(self.y[valid], self._probabilities(outputs), weight)

    def _metric(self, outputs, valid, train):
        weight = None if self.weight is None else self.weight[valid]
        if self.task == "regression":
            return float(r2_score(self._target(valid, train).numpy(), outputs, sample_weight=weight))
        y = self.y[valid]
        probabilities = self._probabilities(outputs)
        labels = np.arange(probabilities.shape[1])
        if self.scoring == "neg_log_loss":
            return -_log_loss(y, probabilities, weight)
        if self.scoring == "accuracy":
            return float(accuracy_score(y, probabilities.argmax(axis=1), sample_weight=weight))
        if len(np.unique(y)) < 2:
            raise ValueError(
                "A validation split of the search holds a single class, so its ROC AUC is "
                "undefined: give more rows, raise validation_fraction, or use "
                "search_scoring='neg_log_loss'.")
        if self.n_outputs == 1:
            return float(roc_auc_score(y, outputs, sample_weight=weight))
        return float(roc_auc_score(y, probabilities, multi_class="ovr", average="macro",
                                   labels=labels, sample_weight=weight))


def _log_loss(y, probabilities, weight=None):
    """scikit-learn's ``log_loss`` of encoded labels ``y`` (0..K-1), written out.

    ``sklearn.metrics.log_loss`` validates and one-hot encodes its input on
    every call (``type_of_target``, a LabelBinarizer): about 4 ms, an eighth of
    a low-fidelity evaluation.  Here the labels are already 0..K-1 and the
    probabilities the network's own, so what is left is the formula itself:
    probabilities clipped to [eps, 1 - eps] (eps of their dtype, as
    scikit-learn does) and the weighted mean of -log p of the true class.  It
    equals scikit-learn's to rounding (tests/test_evolve.py checks it).
    """
    eps = np.finfo(probabilities.dtype).eps
    probabilities = np.clip(probabilities, eps, 1 - eps)
    losses = -np.log(probabilities[np.arange(len(y)), y])
    return float(np.average(losses, weights=weight))


def _train_all(evaluator, formulas, rung, split, seed, n_jobs):
    """``(scores, epochs run)`` of the formulas, trained in ``n_jobs`` joblib tasks."""
    if not formulas:
        return [], []
    done = Parallel(n_jobs=n_jobs)(delayed(evaluator.train)(f, rung, split, seed)
                                   for f in formulas)
    return [d[0] for d in done], [d[1] for d in done]


# ------------------------------------------------------------------- the search

def _tournament(rng, population, scores, size=3):
    picks = rng.randint(len(population), size=min(size, len(population)))
    return population[max(picks, key=lambda i: (scores[i], -i))]


def _best_first(scores):
    """Indices by score, best first; ties keep the earlier (a stable order)."""
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def evolve(seeds, evaluator, *, operators, population_size=12, generations=3, n_repeats=2,
           fallback="relu", min_nonlinearity=0.005, random_state=0, n_jobs=None):
    """The network-in-the-loop search.

    Parameters
    ----------
    seeds : sequence of (Formula, str)
        The initial candidates and where each comes from (``"standard:relu"``,
        ``"library:higgs-paper"``, ``"gplearn"``); the standard activations of
        :data:`STANDARD_FORMULAS` are added when missing.
    evaluator : CandidateEvaluator
        With ``n_repeats + 1`` splits.
    operators : sequence of str
        What variation may use.
    population_size : int, default=12
        Survivors of a generation, and children made per generation.
    generations : int, default=3
        Generations of children after the seeds.
    n_repeats : int, default=2
        Fresh splits of the re-evaluation.
    fallback : {"relu"} or None, default="relu"
        With "relu", ReLU's re-evaluation competes for the choice; with None
        it is shown but never chosen.
    min_nonlinearity : float, default=0.005
    random_state : int, default=0
    n_jobs : int or None, default=None

    Returns
    -------
    chosen : int
        Index into ``history["finalists"]`` of the chosen formula.
    history : dict
        See ``SymbolicActivationDiscoverer.search_history_``.
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    archive = _Archive(min_nonlinearity)
    population, origins = [], []
    for formula, origin in [*seeds, *((f, f"standard:{n}") for n, f in STANDARD_FORMULAS.items())]:
        admitted = archive.admit(formula)
        if admitted is not None:
            population.append(admitted)
            origins.append(origin)
    standards = {}
    for name, formula in STANDARD_FORMULAS.items():
        print_ = fingerprint(formula)
        standards[name] = next(i for i, f in enumerate(population)
                               if same_activation(fingerprint(f), print_))

    budget = {"trainings": 0, "epochs": 0, "row_epochs": 0}

    def spend(epochs_run, rung):
        budget["trainings"] += len(epochs_run)
        budget["epochs"] += sum(epochs_run)
        budget["row_epochs"] += evaluator.budget(rung)[0] * sum(epochs_run)

    formulas, born, scores = list(population), [0] * len(population), []
    scores, ran = _train_all(evaluator, formulas, 0, 0, seed, n_jobs)
    spend(ran, 0)
    generation_log = []

    def log(g, new):
        alive = [scores[i] for i in current]
        generation_log.append({
            "generation": g, "n_new": new, "best": float(max(alive)),
            "median": float(np.median(alive)),
            "best_formula": str(formulas[current[0]]),
            "trainings": budget["trainings"], "row_epochs": budget["row_epochs"]})

    current = _best_first(scores)[:population_size]
    log(0, len(formulas))
    for g in range(1, generations + 1):
        parents = [formulas[i] for i in current]
        parent_scores = [scores[i] for i in current]
        children = []
        for _ in range(population_size * _ATTEMPTS_PER_CHILD):
            if len(children) == population_size:
                break
            first = _tournament(rng, parents, parent_scores)
            if rng.rand() < 0.5:
                second = _tournament(rng, parents, parent_scores)
                child = crossover(first, second, rng)
                how = f"crossover of {first} and {second}"
            else:
                child = mutate(first, rng, operators)
                how = f"mutation of {first}"
            if child is None:
                continue
            child = archive.admit(child)
            if child is not None:
                children.append(child)
                origins.append(how)
        new, ran = _train_all(evaluator, children, 0, 0, seed, n_jobs)
        spend(ran, 0)
        formulas.extend(children)
        born.extend([g] * len(children))
        scores.extend(new)
        current = _best_first(scores)[:population_size]
        log(g, len(children))

    # Successive halving over rows and epochs, on the search split.
    rungs = [{"rung": 0, "rows": evaluator.budget(0)[0], "epochs": evaluator.budget(0)[1],
              "formulas": [str(formulas[i]) for i in current],
              "scores": [float(scores[i]) for i in current]}]
    alive = current
    for rung in range(1, len(RUNGS)):
        alive = alive[:max(1, math.ceil(len(alive) / ETA))]
        rung_scores, ran = _train_all(evaluator, [formulas[i] for i in alive], rung, 0, seed,
                                      n_jobs)
        spend(ran, rung)
        order = _best_first(rung_scores)
        alive = [alive[i] for i in order]
        rows, epochs = evaluator.budget(rung)
        rungs.append({"rung": rung, "rows": rows, "epochs": epochs,
                      "formulas": [str(formulas[i]) for i in alive],
                      "scores": [float(rung_scores[i]) for i in order]})
    final_rung = len(RUNGS) - 1
    # The finalists and the standard activations, on fresh splits and weights.
    finalists = list(dict.fromkeys([*alive, *standards.values()]))
    repeat_seeds = [int(s) for s in rng.randint(np.iinfo(np.int32).max, size=n_repeats)]
    repeats, repeat_epochs = [], []
    for k in range(n_repeats):
        scores_k, ran = _train_all(evaluator, [formulas[i] for i in finalists], final_rung,
                                   k + 1, repeat_seeds[k], n_jobs)
        repeats.append(scores_k)
        repeat_epochs.append(ran)
        spend(ran, final_rung)
    repeats = np.array(repeats).T  # finalist x repeat
    repeat_epochs = np.array(repeat_epochs).T
    means = repeats.mean(axis=1)
    relu = finalists.index(standards["relu"])
    eligible = [i for i in range(len(finalists)) if fallback == "relu" or i != relu
                or len(finalists) == 1]
    chosen = max(eligible, key=lambda i: (means[i], -i))
    name_of = {i: n for n, i in standards.items()}
    history = {
        "generations": generation_log,
        "rungs": rungs,
        "finalists": {
            "formula": [str(formulas[i]) for i in finalists],
            "origin": [origins[i] for i in finalists],
            "generation": [born[i] for i in finalists],
            "standard": [name_of.get(i) for i in finalists],
            "validation_score": [float(m) for m in means],
            "validation_std": [float(s) for s in repeats.std(axis=1)],
            "repeat_scores": [[float(v) for v in row] for row in repeats],
            "repeat_epochs": [[int(v) for v in row] for row in repeat_epochs],
            "chosen": [i == chosen for i in range(len(finalists))],
        },
        "relu_validation_score": float(means[relu]),
        "budget": {
            **budget,
            # In units of one training on every training row for max_iter epochs
            # (with early stopping, the most a full training can run) ...
            "full_trainings": budget["row_epochs"] / float(np.prod(evaluator.budget(final_rung))),
            # ... and of ReLU's training in the re-evaluation (converged, with
            # early stopping): what the search costs next to a ReLU network.
            "relu_trainings": budget["row_epochs"] / float(
                evaluator.budget(final_rung)[0] * repeat_epochs[relu].mean()),
        },
        "n_evaluated": len(formulas),
        "all": {"formula": [str(f) for f in formulas], "generation": list(born),
                "origin": list(origins), "fitness": [float(s) for s in scores]},
    }
    return chosen, history
