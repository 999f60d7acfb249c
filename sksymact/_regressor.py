"""HybridTransferRegressor: the hybrid network with a linear output, for continuous targets."""

import numpy as np
import torch
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import StrOptions

from ._network import HybridNetworkBase, insert_docs
from ._scaling import weighted_mean_and_scale
from ._validation import validate_numeric_data

__all__ = ["HybridTransferRegressor"]

#: The loss names and the torch criterion each stands for.
LOSSES = {
    "squared_error": torch.nn.MSELoss,
    "absolute_error": torch.nn.L1Loss,
    "huber": torch.nn.HuberLoss,
}


class HybridTransferRegressor(RegressorMixin, HybridNetworkBase):
    __doc__ = insert_docs("""A small MLP regressor whose activation may be a formula found by GP.

    The same network as :class:`~sksymact.HybridTransferClassifier` --
    ``[Linear → BatchNorm1d → activation → Dropout]`` per hidden layer -- with
    a linear head of one unit per output, trained with Adam by skorch on the
    squared error (or another ``loss``).  The activation accepts the same
    specs, a specialist discoverer included (it then searches a regression
    formula, see :class:`~sksymact.SymbolicActivationDiscoverer`).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 32)
        Widths of the hidden layers.
    activation : str, Formula, torch.nn.Module, estimator or list, default="relu"
        As in :class:`~sksymact.HybridTransferClassifier`: a name, formula
        text or a :class:`~sksymact.Formula`, ``"library:NAME"`` or a
        :class:`~sksymact.library.LibraryEntry`, a torch module, an unfitted
        discoverer (*specialist*, fitted on the rows given to ``fit``), a
        ``FrozenEstimator`` around a fitted one (*transfer*; it may have been
        fitted on a classification source), or one spec per hidden layer.
    loss : {"squared_error", "absolute_error", "huber"}, default="squared_error"
        The training loss, torch's ``MSELoss``, ``L1Loss`` or ``HuberLoss``
        (delta 1, on the standardized target), averaged over outputs.
    standardize_target : bool, default=True
        Train on ``(y - mean) / std`` of the training rows (per output, with
        ``sample_weight`` when given) and map predictions back.  A network
        with Adam's default step size trains poorly on targets of large
        scale, so this is the default; ``TransformedTargetRegressor`` works
        with either setting.
%(network_parameters)s

    Attributes
    ----------
    n_outputs_ : int
        Number of outputs (columns of ``y``).
    target_mean_ : ndarray of shape (n_outputs,)
        The mean subtracted from ``y`` in training (zeros without
        ``standardize_target``).
    target_scale_ : ndarray of shape (n_outputs,)
        The scale ``y`` was divided by (ones without ``standardize_target``).
%(network_attributes)s

    See Also
    --------
    HybridTransferClassifier : The same network for classes.
    sklearn.neural_network.MLPRegressor : The multi-layer perceptron of scikit-learn.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksymact import HybridTransferRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), HybridTransferRegressor(
    ...     activation="x*cos(x)", max_iter=100, batch_size=64, random_state=0))
    >>> reg.fit(X, y).score(X, y) > 0.4
    True
    >>> reg[-1].predict(X[:3]).shape
    (3,)
    """)

    _parameter_constraints = {
        **HybridNetworkBase._parameter_constraints,
        "loss": [StrOptions(set(LOSSES))],
        "standardize_target": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        *,
        loss="squared_error",
        standardize_target=True,
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
        callbacks=None,
        device="auto",
        compile=False,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.standardize_target = standardize_target
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
        self.callbacks = callbacks
        self.device = device
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X``, ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features; standardize them (e.g. with ``StandardScaler``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Continuous targets.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the rows in the loss (the weighted mean over a batch)
            and in the target's standardization, finite and not negative; a
            specialist discoverer gets them too.  Under metadata routing,
            request them with ``set_fit_request(sample_weight=True)``.

        Returns
        -------
        self : HybridTransferRegressor
            The fitted regressor.
        """
        X, y = validate_numeric_data(self, X, y, dtype=[np.float32, np.float64], multi_output=True,
                             y_numeric=True, ensure_min_samples=2)
        weight = self._check_weights(sample_weight, X)
        y2 = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        self.n_outputs_ = y2.shape[1]
        self._y_1d = np.ndim(y) == 1
        if self.standardize_target:
            self.target_mean_, spread = weighted_mean_and_scale(y2, weight)
            # A constant output keeps scale 1 (nothing to divide), as StandardScaler does.
            self.target_scale_ = np.where(spread > 0, spread, 1.0)
        else:
            self.target_mean_ = np.zeros(self.n_outputs_)
            self.target_scale_ = np.ones(self.n_outputs_)
        target = ((y2 - self.target_mean_) / self.target_scale_).astype(np.float32)
        if not np.isfinite(target).all():
            raise ValueError("y has values too large for float32 after scaling; the network "
                             "computes in float32. Rescale the target.")
        # One output is a vector target, as torch's losses expect for a (n,) output.
        target = target[:, 0] if self.n_outputs_ == 1 else target
        return self._fit_network(X, y, target, task="regression", n_outputs=self.n_outputs_,
                                 criterion=LOSSES[self.loss], sample_weight=weight)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features, scaled as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The shape ``y`` had in ``fit``; float64.
        """
        out = self._outputs(X).double().numpy().reshape(-1, self.n_outputs_)
        out = out * self.target_scale_ + self.target_mean_
        return out[:, 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # Tiny data of the checks with the paper's defaults: a handful of steps.
        tags.regressor_tags.poor_score = True
        return tags
