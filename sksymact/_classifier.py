"""HybridTransferClassifier: a parameter-light MLP with a pluggable (discovered) activation."""

import numpy as np
import torch
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets

from ._network import HybridNetworkBase, insert_docs
from ._validation import validate_numeric_data

__all__ = ["HybridTransferClassifier"]


class HybridTransferClassifier(ClassifierMixin, HybridNetworkBase):
    __doc__ = insert_docs("""A small MLP whose activation may be a formula found by GP.

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
    activation : str, Formula, LibraryEntry, torch.nn.Module or estimator, default="relu"
        - ``"relu"``, ``"gelu"``, ``"silu"``, ``"tanh"``, ``"sigmoid"``,
          ``"identity"``;
        - formula text in ``x`` such as ``"x*cos(x)"`` or gplearn's
          ``"mul(cos(X3), X3)"`` (parsed with a whitelist, never executed;
          variables are collapsed to ``x``), or a :class:`~sksymact.Formula`;
        - ``"library:NAME"``, a built-in entry of the activation library
          (``"library:higgs-paper"``: the paper's ``x·cos(x)``), or a
          :class:`~sksymact.library.LibraryEntry`; ``library_entry_`` then
          records it, provenance included;
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
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn: a dict
        ``{label: weight}`` (labels not in it weigh 1), ``"balanced"``
        (``n_samples / (n_classes * count(label))``, from the training rows),
        or None.  Multiplied with ``sample_weight`` when both are given.
%(network_parameters)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
%(network_attributes)s

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
    """)

    _parameter_constraints = {
        **HybridNetworkBase._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        *,
        class_weight=None,
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
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.device = device
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting ---------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X``, ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features; standardize them (e.g. with ``StandardScaler``)
            as the paper does.
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the rows in the loss (the weighted mean over a batch),
            finite and not negative; a specialist discoverer gets them too.
            An integer weight is the row repeated, a zero weight the row left
            out (see the user guide on weights for when that holds exactly).
            Under metadata routing, request them with
            ``set_fit_request(sample_weight=True)``.

        Returns
        -------
        self : HybridTransferClassifier
            The fitted classifier.
        """
        X, y = validate_numeric_data(self, X, y, dtype=[np.float32, np.float64], ensure_min_samples=2)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"The target has only one class ({self.classes_[0]!r}); a classifier needs "
                "samples of at least 2 classes."
            )
        weight = self._check_weights(sample_weight, X)
        if self.class_weight is not None:
            if isinstance(self.class_weight, dict):
                unknown = [k for k in self.class_weight if k not in set(self.classes_.tolist())]
                if unknown:
                    raise ValueError(f"class_weight names labels that are not classes of y: "
                                     f"{unknown!r}; classes are {self.classes_.tolist()!r}.")
            by_class = compute_sample_weight(self.class_weight, y)
            weight = by_class if weight is None else weight * by_class
        binary = len(self.classes_) == 2
        target = y_encoded.astype(np.float32 if binary else np.int64)
        return self._fit_network(
            X, y, target, task="classification", n_outputs=1 if binary else len(self.classes_),
            criterion=torch.nn.BCEWithLogitsLoss if binary else torch.nn.CrossEntropyLoss,
            sample_weight=weight, stratify=y_encoded)

    # -- prediction ------------------------------------------------------------------------

    def _logits(self, X):
        return self._outputs(X)

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
        # The defaults (15 epochs, batches of 1024) are the paper's for 100k rows;
        # on the tiny data sets of scikit-learn's checks that is a handful of
        # gradient steps, so no accuracy threshold can be expected there.
        tags.classifier_tags.poor_score = True
        return tags
