"""HybridTransferClassifier: a parameter-light MLP with a pluggable (discovered) activation."""

import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split

from ._activation import interpret_activations
from ._formula import Formula
from ._metrics import count_params
from ._mlp import MLP
from ._parallel import limit_torch_threads
from ._persistence import VersionedPickleMixin
from ._training import BatchIterator, FiniteLossGuard, TensorDataset

__all__ = ["HybridTransferClassifier"]


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


class HybridTransferClassifier(VersionedPickleMixin, ClassifierMixin, BaseEstimator):
    """A small MLP whose activation may be a formula discovered by genetic programming.

    The network is ``[Linear → BatchNorm1d → activation → Dropout]`` per hidden
    layer followed by a linear head (one logit and a binary cross-entropy for two
    classes, one logit per class and a cross-entropy for more), trained with
    Adam (its fused kernel on CPU and CUDA) by skorch.  Parameter names follow
    :class:`sklearn.neural_network.MLPClassifier` where they mean the same.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 32)
        Widths of the hidden layers.  ``(64, 32)`` is the paper's light net,
        ``(200, 100)`` its heavy baseline.
    activation : str, Formula, torch.nn.Module or estimator, default="relu"
        - ``"relu"``, ``"gelu"``, ``"silu"``, ``"tanh"``, ``"sigmoid"``,
          ``"identity"``;
        - formula text in ``x`` such as ``"x*cos(x)"`` or gplearn's
          ``"mul(cos(X3), X3)"`` (parsed with a whitelist, never executed;
          variables are collapsed to ``x``), or a :class:`~sksymact.Formula`;
        - a :class:`~sksymact.SymbolicActivation` or any torch module (copied);
        - an **unfitted** :class:`~sksymact.SymbolicActivationDiscoverer`
          (*specialist*): it is cloned and fitted on the rows given to ``fit``,
          so under cross-validation discovery never sees a test fold.  A
          discoverer that is not frozen is always refitted, like the
          estimators inside scikit-learn's meta-estimators; if it was already
          fitted a warning says so;
        - ``sklearn.frozen.FrozenEstimator(fitted_discoverer)`` (*transfer*):
          its formula is used as is;
        - a list or tuple of any of these, one per hidden layer (*per-layer
          activations*), e.g. ``["relu", "x*cos(x)"]``; a list of the wrong
          length is an error.  ``activation_``, ``formula_`` and
          ``discoverer_`` are then lists, one entry per layer.
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
        If True, hold out ``validation_fraction`` of the rows (stratified) and
        stop when the validation loss has not improved for
        ``n_iter_no_change`` epochs, restoring the best weights.  By default
        every row is used for training, as in the paper.
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
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        ``"auto"`` uses CUDA when it is available.  The training rows are
        moved to the device once per fit.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout, the validation split
        and, when it has none of its own, a specialist discoverer.  The same
        integer gives identical predictions on CPU with the same number of
        torch threads (``torch.get_num_threads()``; the order of floating-point
        reductions depends on it).  The caller's global torch random state is
        left untouched.
    verbose : int, default=0
        Print skorch's per-epoch table when positive.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
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
    device_ : str
        The device the net was trained on.
    n_iter_ : int
        Epochs run (fewer than ``max_iter`` after early stopping).
    loss_curve_ : list of float
        Mean training loss of each epoch.

    See Also
    --------
    SymbolicActivationDiscoverer : Discovers a formula to use as ``activation``.
    sklearn.neural_network.MLPClassifier : The multi-layer perceptron of scikit-learn.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksymact import HybridTransferClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), HybridTransferClassifier(
    ...     activation="x*cos(x)", max_iter=20, batch_size=64, random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> clf[-1].n_params_   # (30*64 + 64) + 2*64 + (64*32 + 32) + 2*32 + (32 + 1)
    4289
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        # Estimators: a discoverer (specialist) or a FrozenEstimator (transfer).
        # A list or tuple: one spec per hidden layer.
        "activation": [str, Formula, torch.nn.Module, HasMethods(["fit", "get_params"]),
                       list, tuple],
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
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        *,
        batch_norm=True,
        dropout=0.3,
        batch_size=1024,
        learning_rate_init=1e-3,
        max_iter=15,
        alpha=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        learnable_constants=False,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.alpha = alpha
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.learnable_constants = learnable_constants
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting ---------------------------------------------------------------------------

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

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Train the network on ``X``, ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features; standardize them (e.g. with ``StandardScaler``)
            as the paper does.
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings).

        Returns
        -------
        self : HybridTransferClassifier
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=[np.float32, np.float64], ensure_min_samples=2)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"The target has only one class ({self.classes_[0]!r}); a classifier needs "
                "samples of at least 2 classes."
            )
        hidden = self._hidden_sizes()
        self.device_ = _resolve_device(self.device)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

        per_layer = isinstance(self.activation, (list, tuple))
        resolved = interpret_activations(self.activation, len(hidden), X, y, random_state=seed,
                                         learnable_constants=self.learnable_constants)
        self.formula_ = [r.formula for r in resolved] if per_layer else resolved[0].formula
        self.discoverer_ = ([r.estimator for r in resolved] if per_layer
                            else resolved[0].estimator)
        binary = len(self.classes_) == 2
        X = _as_float32(X)
        target = y_encoded.astype(np.float32 if binary else np.int64)

        # Fork the RNG so a seeded fit neither depends on nor disturbs the
        # caller's global torch state.
        devices = [torch.device(self.device_)] if self.device_.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices, device_type="cuda"), limit_torch_threads():
            torch.manual_seed(seed)
            mlp = MLP(X.shape[1], hidden, 1 if binary else len(self.classes_),
                      [r.new_module(width) for r, width in zip(resolved, hidden)],
                      batch_norm=self.batch_norm, dropout=self.dropout)
            self.net_ = self._build_net(mlp, binary, repr(mlp.activations[0]))
            train, valid = self._datasets(X, target, y_encoded, seed)
            if valid is not None:
                self.net_.set_params(train_split=predefined_split(valid))
            self.net_.fit(train, None)
        activations = self.net_.module_.activations
        self.activation_ = activations if per_layer else activations[0]
        self.n_iter_ = len(self.net_.history)
        self.loss_curve_ = [float(loss) for loss in self.net_.history[:, "train_loss"]]
        self.n_params_ = count_params(self.net_.module_)
        return self

    def _build_net(self, mlp, binary, activation_name):
        callbacks = [("finite_loss", FiniteLossGuard(activation_name))]
        if self.early_stopping:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, load_best=True)))
        return NeuralNet(
            module=mlp,
            criterion=torch.nn.BCEWithLogitsLoss if binary else torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
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
        )

    def _datasets(self, X, target, y_encoded, seed):
        device = self.device_
        if not self.early_stopping:
            return TensorDataset(torch.from_numpy(X).to(device),
                                 torch.from_numpy(target).to(device)), None
        X_train, X_valid, t_train, t_valid = train_test_split(
            X, target, test_size=self.validation_fraction, stratify=y_encoded,
            random_state=seed)
        return (TensorDataset(torch.from_numpy(X_train).to(device),
                              torch.from_numpy(t_train).to(device)),
                TensorDataset(torch.from_numpy(X_valid).to(device),
                              torch.from_numpy(t_valid).to(device)))

    # -- prediction ------------------------------------------------------------------------

    def _logits(self, X):
        check_is_fitted(self, "net_")
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        # The net's device, not device_: a model trained on a GPU and unpickled
        # where there is none has been moved to the CPU by skorch.
        X = torch.from_numpy(_as_float32(X)).to(self.net_.device)
        with limit_torch_threads():
            return self.net_.forward(TensorDataset(X), training=False, device="cpu")

    def decision_function(self, X):
        """Return the logits of the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features, scaled as in ``fit``.

        Returns
        -------
        logits : ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            Positive values favour ``classes_[1]`` in the binary case.
        """
        return self._logits(X).double().numpy()

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features, scaled as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``; rows sum to 1.
        """
        logits = self._logits(X).double()
        if len(self.classes_) == 2:
            positive = torch.sigmoid(logits).numpy()
            return np.column_stack([1.0 - positive, positive])
        return torch.softmax(logits, dim=1).numpy()

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features, scaled as in ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``.
        """
        logits = self._logits(X).double()
        if len(self.classes_) == 2:
            return torch.stack([torch.nn.functional.logsigmoid(-logits),
                                torch.nn.functional.logsigmoid(logits)], dim=1).numpy()
        return torch.log_softmax(logits, dim=1).numpy()

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features, scaled as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``, of the type ``y`` had in ``fit``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        # The defaults (15 epochs, batches of 1024) are the paper's for 100k rows;
        # on the tiny data sets of scikit-learn's checks that is a handful of
        # gradient steps, so no accuracy threshold can be expected there.
        tags.classifier_tags.poor_score = True
        return tags
