"""What the hybrid classifier and regressor share: the network, its training, its weights.

:class:`HybridNetworkBase` holds the parameters both estimators have, builds
the MLP with the interpreted activations, trains it with skorch (optionally
with per-row weights in the loss), and runs the forward pass of prediction.
The subclasses say only what is theirs: how the target is encoded, which loss
and how many outputs, and how outputs become predictions.
"""

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split

from ._activation import interpret_activations
from ._formula import Formula
from ._metrics import count_params
from ._mlp import MLP
from ._parallel import limit_torch_threads, network_thread_budget
from ._persistence import VersionedPickleMixin
from ._training import Adam, BatchIterator, FiniteLossGuard, TensorDataset
from .library import LibraryEntry
from ._validation import validate_numeric_data

__all__ = ["HybridNetworkBase", "NETWORK_PARAMETERS_DOC", "NETWORK_ATTRIBUTES_DOC"]


def _resolve_device(device):
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but CUDA is not available here.")
    return str(device)


def _as_float32(X):
    """The network computes in float32; finite float64 values beyond its range are refused."""
    with np.errstate(over="ignore"):  # overflow is detected and reported just below
        X32 = np.ascontiguousarray(X, dtype=np.float32)
    if X.dtype != np.float32 and not np.isfinite(X32).all():
        raise ValueError(
            f"Input X has values too large for float32 (largest magnitude "
            f"{np.max(np.abs(X)):.3g}); the network computes in float32. Scale the features, "
            "e.g. with StandardScaler."
        )
    return X32


def _fused_adam_supported(device):
    """Whether Adam's fused kernel (one call for all parameters) runs on ``device``.

    On the paper's light net the fused kernel saved about a sixth of a CPU
    training step over the default loop over parameters.  CPU support arrived
    in torch 2.4 (``torch.__version__`` compares as a version, not as text).
    """
    kind = torch.device(device).type
    return kind == "cuda" or (kind == "cpu" and torch.__version__ >= "2.4")


class WeightedLossNet(NeuralNet):
    """A skorch net whose batches may carry per-row weights for the loss.

    With weights, a batch's target is the pair ``(target, weight)`` and the
    criterion is built with ``reduction="none"``; the loss of the batch is the
    weighted mean ``sum(w_i l_i) / sum(w_i)``, so that an integer weight ``k``
    is the row repeated ``k`` times and a zero weight the row left out (exactly
    so when the whole data set is one batch and there is no BatchNorm or
    dropout, whose statistics see rows, not weights).  Without weights it is
    skorch's ``NeuralNet``, unchanged.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not isinstance(y_true, (tuple, list)):
            return super().get_loss(y_pred, y_true, X=X, training=training)
        target, weight = y_true
        losses = self.criterion_(y_pred, target.to(y_pred.device))
        if losses.ndim > 1:  # one loss per output of a multi-output regression
            losses = losses.mean(dim=tuple(range(1, losses.ndim)))
        weight = weight.to(losses.device, losses.dtype)
        total = weight.sum()
        # A batch whose rows all weigh zero contributes nothing (and no NaN).
        return (losses * weight).sum() / torch.where(total > 0, total, torch.ones_like(total))


#: The docs of the parameters both networks have, inserted into each class docstring.
NETWORK_PARAMETERS_DOC = """\
    batch_norm : bool, default=True
        Whether each hidden layer has a BatchNorm1d.
    dropout : float, default=0.3
        Dropout probability after each activation.  On the CPU the mask is
        drawn from 15-bit integers, several times faster than
        ``torch.nn.Dropout``'s, so the probability used is ``dropout``
        rounded to a multiple of ``2**-15`` (off by at most 1.5e-5); the kept
        values are scaled by the exact inverse of the keep probability.
    batch_size : int, default=1024
        Rows per gradient step; the rows are reshuffled every epoch.
    learning_rate_init : float, default=1e-3
        Adam's learning rate.
    max_iter : int, default=15
        Number of epochs (passes over the training rows).
    alpha : float, default=0.0
        L2 penalty, applied as Adam's ``weight_decay``.
    early_stopping : bool, default=False
        If True, hold out ``validation_fraction`` of the rows and stop when
        the validation loss has not improved for ``n_iter_no_change`` epochs,
        restoring the best weights.  By default every row is used for
        training, as in the paper.  The held-out rows are stratified by class
        (classifier) when every class has at least two rows, and drawn at
        random otherwise.
    validation_fraction : float, default=0.1
        Share of the rows held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without improvement of the validation loss before stopping.
    learnable_constants : bool or {"per_layer", "per_channel"}, default=False
        Train the numeric constants of a formula activation with the weights
        (they then count in ``n_params_``): True or ``"per_layer"``, one set
        per layer; ``"per_channel"``, one set per unit of each layer.  Measured
        on the shared UCI rows, neither changes ROC AUC beyond the seed spread
        (see the reproducing page), which is why the default is False.
    callbacks : list of (str, skorch.callbacks.Callback) or None, default=None
        Extra skorch callbacks for the training (e.g. a per-epoch score); each
        fit uses deep copies, so the objects given are never changed.  The
        trained net's ``history`` holds what they record.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        ``"auto"`` uses CUDA when it is available.  The training rows are
        moved to the device once per fit.
    compile : bool, default=False
        Train and predict with the module compiled by ``torch.compile``
        (skorch's ``compile=True``).  It needs a working C++ compiler at run
        time; the first fit in a process spends seconds compiling (and more
        for each new batch shape), which the speed page measures against the
        time it saves per epoch.  The fitted model pickles and predicts like
        an uncompiled one.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout, the validation split
        and, when it has none of its own, a specialist discoverer.  The same
        integer gives identical predictions on CPU with the same number of
        torch threads (``torch.get_num_threads()``; the order of floating-point
        reductions depends on it); a network whose batches are small
        (``batch_size`` times the widest layer, input included, below 16,384)
        always trains and predicts on one thread, and gives identical
        predictions whatever the thread count.  The caller's global torch
        random state is left untouched.
    verbose : int, default=0
        Print skorch's per-epoch table when positive."""

#: The docs of the fitted attributes both networks have.
NETWORK_ATTRIBUTES_DOC = """\
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.
    net_ : skorch.NeuralNet
        The trained net; its ``history`` holds the per-epoch losses.
    n_params_ : int
        Trainable parameters (BatchNorm's affine weights included, its running
        statistics not), the ``n`` of the efficiency score.
    activation_ : torch.nn.Module or list of torch.nn.Module
        The activation module of the first hidden layer (every layer has its
        own copy); with per-layer activations, the list of all of them.
    formula_ : Formula, None or list
        The activation's formula, None for a named activation; a list with
        per-layer activations.
    discoverer_ : SymbolicActivationDiscoverer, None or list
        The discoverer fitted on the training rows (specialist case only, else
        None); a list with per-layer activations.
    library_entry_ : LibraryEntry, None or list
        The activation-library entry used (``"library:NAME"`` or an entry),
        with its provenance; None otherwise; a list with per-layer activations.
    device_ : str
        The device the net was trained on.
    n_iter_ : int
        Epochs run (fewer than ``max_iter`` after early stopping).
    loss_curve_ : list of float
        Mean training loss of each epoch."""


def insert_docs(template):
    """A class docstring with the shared parameter and attribute docs put in."""
    return (template.replace("%(network_parameters)s\n", NETWORK_PARAMETERS_DOC + "\n")
            .replace("%(network_attributes)s\n", NETWORK_ATTRIBUTES_DOC + "\n"))


class HybridNetworkBase(VersionedPickleMixin, BaseEstimator):
    """The network, training and prediction of the hybrid classifier and regressor.

    Not an estimator on its own: subclasses define ``__init__`` (the common
    parameters and their own), ``fit`` and the predictions.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        # Estimators: a discoverer (specialist) or a FrozenEstimator (transfer).
        # A list or tuple: one spec per hidden layer.
        "activation": [str, Formula, LibraryEntry, torch.nn.Module,
                       HasMethods(["fit", "get_params"]), list, tuple],
        "batch_norm": ["boolean"],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "learnable_constants": ["boolean", StrOptions({"per_layer", "per_channel"})],
        "callbacks": [None, list],
        "device": [str],
        "compile": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        if not sizes or any(
            isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in sizes
        ):
            raise ValueError(
                f"hidden_layer_sizes must be a positive integer or a non-empty sequence of "
                f"positive integers, got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _check_callbacks(self):
        callbacks = [] if self.callbacks is None else self.callbacks
        for item in callbacks:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
                raise ValueError(
                    f"callbacks must be a list of (name, skorch callback) pairs, got {item!r}."
                )
        return copy.deepcopy(list(callbacks))

    def _check_weights(self, sample_weight, X):
        """``sample_weight`` as float64 (None stays None): finite, not negative, not all zero."""
        if sample_weight is None:
            return None
        # scikit-learn's own check: shape, finiteness, no negative weight, not all zero.
        return _check_sample_weight(sample_weight, X, dtype=np.float64,
                                    ensure_non_negative=True)

    def _fit_network(self, X, y, target, *, task, n_outputs, criterion, sample_weight=None,
                     stratify=None):
        """Interpret the activation, build and train the MLP; set the fitted attributes.

        ``y`` is what a specialist discoverer is fitted on, ``target`` what the
        loss compares the outputs with (encoded labels, scaled values).
        """
        hidden = self._hidden_sizes()
        callbacks = self._check_callbacks()
        self.device_ = _resolve_device(self.device)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

        per_layer = isinstance(self.activation, (list, tuple))
        resolved = interpret_activations(self.activation, len(hidden), X, y, random_state=seed,
                                         learnable_constants=self.learnable_constants,
                                         sample_weight=sample_weight, task=task)
        self.formula_ = [r.formula for r in resolved] if per_layer else resolved[0].formula
        self.discoverer_ = ([r.estimator for r in resolved] if per_layer
                            else resolved[0].estimator)
        self.library_entry_ = ([r.entry for r in resolved] if per_layer
                               else resolved[0].entry)
        X = _as_float32(X)

        # Fork the RNG so a seeded fit neither depends on nor disturbs the
        # caller's global torch state.
        devices = [torch.device(self.device_)] if self.device_.startswith("cuda") else []
        threads = network_thread_budget(self.batch_size, (X.shape[1], *hidden))
        with torch.random.fork_rng(devices=devices, device_type="cuda"), \
                limit_torch_threads(threads):
            torch.manual_seed(seed)
            mlp = MLP(X.shape[1], hidden, n_outputs,
                      [r.new_module(width) for r, width in zip(resolved, hidden)],
                      batch_norm=self.batch_norm, dropout=self.dropout)
            self.net_ = self._build_net(mlp, criterion, repr(mlp.activations[0]), callbacks,
                                        weighted=sample_weight is not None)
            train, valid = self._datasets(X, target, sample_weight, stratify, seed)
            if valid is not None:
                self.net_.set_params(train_split=predefined_split(valid))
            self.net_.fit(train, None)
        # Eval mode once, here: prediction then has no mode to switch.  The
        # submodules are listed once too: walking module.modules() on every
        # prediction costs about 6 us, a tenth of a one-row call's module.
        self.net_.module_.eval()
        self._submodules = tuple(self.net_.module_.modules())
        activations = self.net_.module_.activations
        self.activation_ = activations if per_layer else activations[0]
        self.n_iter_ = len(self.net_.history)
        self.loss_curve_ = [float(loss) for loss in self.net_.history[:, "train_loss"]]
        self.n_params_ = count_params(self.net_.module_)
        return self

    def _build_net(self, mlp, criterion, activation_name, callbacks, weighted=False):
        callbacks = [("finite_loss", FiniteLossGuard(activation_name)), *callbacks]
        if self.early_stopping:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, load_best=True)))
        extra = {"criterion__reduction": "none"} if weighted else {}
        return WeightedLossNet(
            module=mlp,
            criterion=criterion,
            optimizer=Adam,  # torch's Adam, without the import of torch._dynamo
            lr=self.learning_rate_init,
            optimizer__weight_decay=self.alpha,
            optimizer__fused=_fused_adam_supported(self.device_),
            max_epochs=self.max_iter,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__drop_single=self.batch_norm,
            iterator_valid=BatchIterator,
            train_split=None,  # the paper trains on every row; see early_stopping
            callbacks=callbacks,
            predict_nonlinearity=None,
            verbose=self.verbose,
            device=self.device_,
            compile=self.compile,
            **extra,
        )

    def _datasets(self, X, target, weight, stratify, seed):
        device = self.device_

        def dataset(X_part, target_part, weight_part):
            return TensorDataset(
                torch.from_numpy(X_part).to(device), torch.from_numpy(target_part).to(device),
                None if weight_part is None else torch.from_numpy(weight_part).to(device))

        if not self.early_stopping:
            return dataset(X, target, weight), None
        parts = [X, target] + ([] if weight is None else [weight])
        n_valid, stratify = self._validation_rows(len(X), stratify)
        split = train_test_split(*parts, test_size=n_valid, stratify=stratify,
                                 random_state=seed)
        train, valid = split[0::2], split[1::2]
        if weight is None:
            train, valid = [*train, None], [*valid, None]
        return dataset(*train), dataset(*valid)

    def _validation_rows(self, n_rows, stratify):
        """How many rows early stopping holds out, and whether the split can be stratified.

        ``ceil(validation_fraction * n_rows)`` rows (what ``train_test_split``
        takes for the fraction itself), stratified by class when every class
        has two rows or more and both parts can hold every class; on data too
        small for that (a few rows, a class seen once) the split is a plain
        random one, instead of scikit-learn's error about ``test_size``.
        """
        n_valid = int(np.ceil(self.validation_fraction * n_rows))
        if n_rows < 2 or n_valid >= n_rows:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction="
                f"{self.validation_fraction} of the rows, which leaves no training rows "
                f"of the {n_rows} given: give more rows, lower validation_fraction, or "
                "set early_stopping=False."
            )
        if stratify is not None:
            counts = np.unique(stratify, return_counts=True)[1]
            if counts.min() < 2 or min(n_valid, n_rows - n_valid) < len(counts):
                stratify = None
        return n_valid, stratify

    def _outputs(self, X):
        """The network's raw outputs on ``X`` (eval mode), as a float32 CPU tensor.

        The module is called directly, on batches of ``batch_size`` rows as
        skorch's ``net.forward`` would, under ``torch.inference_mode``.  skorch's
        forward adds its iterator, ``evaluation_step`` and, on every call,
        ``module.train(False)`` over every submodule: together more than the
        module itself costs on one row (the speed page's prediction latency
        table).  Here every submodule found in train mode (none after a fit)
        is put in eval mode for the call and back in train mode after it, so
        a prediction never changes the model; the outputs are skorch's, bit
        for bit.  The thread budget follows the
        batches of this call, so a prediction of a few rows runs on one
        thread.
        """
        check_is_fitted(self, "net_")
        X = validate_numeric_data(self, X, reset=False, dtype=[np.float32, np.float64])
        # The net's device, not device_: a model trained on a GPU and unpickled
        # where there is none has been moved to the CPU by skorch.
        X = torch.from_numpy(_as_float32(X)).to(self.net_.device)
        module = self.net_.module_
        threads = network_thread_budget(min(self.batch_size, len(X)),
                                        (X.shape[1], *self._hidden_sizes()))
        # Prediction never changes the model: a submodule left in train mode
        # (a user's ``.train()`` on one BatchNorm, an MC-dropout loop) would
        # use batch statistics and rewrite BatchNorm's running statistics.
        # Every submodule is switched to eval mode for the call and given its
        # own mode back afterwards.
        submodules = getattr(self, "_submodules", ())
        if not submodules or submodules[0] is not module:  # replaced, or an older pickle
            submodules = tuple(module.modules())
        in_training = [m for m in submodules if m.training]
        try:
            with limit_torch_threads(threads), torch.inference_mode():
                for submodule in in_training:
                    submodule.training = False
                outputs = [module(batch) for batch in X.split(self.batch_size)]
        finally:
            for submodule in in_training:
                submodule.training = True
        return (outputs[0] if len(outputs) == 1 else torch.cat(outputs)).cpu()
