"""Torch activations built from formulas, and the one place activation specs are resolved.

A :class:`SymbolicActivation` applies a collapsed :class:`~sksymact.Formula`
elementwise, with exactly the protected semantics gplearn used while the
formula was being discovered.  Its state is the formula (plain Python data)
and a tensor of constants, so it pickles, deep-copies and ``torch.save``-s
without lambdas or generated code.
"""

import copy
import functools
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import _is_fitted
from torch import nn

from ._formula import Formula
from ._operators import OPERATORS, _FieldView
from .library import LibraryEntry, get_builtin
from ._tape import FormulaFunction, compile_plan

__all__ = ["SymbolicActivation", "NAMED_ACTIVATIONS", "interpret_activation",
           "interpret_activations",
           "resolve_activation", "ResolvedActivation"]

#: Activations known by name, as the classes that build them.
NAMED_ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}


#: ``name -> torch kernel`` for plain autograd, derived from the operator registry.
TORCH_OPERATORS = _FieldView("torch")


class SymbolicActivation(nn.Module):
    """Elementwise activation computing a discovered formula.

    The fused path compiles the formula once into a plan (value and
    derivative in one pass, see :mod:`sksymact._tape`); with learnable
    constants it runs plain autograd over the operators' torch kernels.

    Parameters
    ----------
    formula : Formula or str
        A formula in the single variable ``x`` (text is parsed with
        :meth:`Formula.parse`, never executed).  Multi-variable formulas must be
        collapsed first with :meth:`Formula.collapse`.
    learnable_constants : bool, default=False
        If True, the formula's numeric constants become one trainable
        ``nn.Parameter`` vector (initialised at their discovered values);
        otherwise they are a buffer that moves with the module but is not
        trained.
    num_channels : int or None, default=None
        With learnable constants: one set of constants per channel (the last
        dimension of the input, which must then have this size) instead of
        one for the whole layer.

    Attributes
    ----------
    formula : Formula
        The formula with its original constants.  With learnable constants,
        :meth:`current_formula` gives the formula with the trained values.
    constants : torch.Tensor
        The constants in pre-order (``Formula.constants``); of shape
        ``(n_constants, num_channels)`` with per-channel constants.

    See Also
    --------
    Formula : The formula language.
    HybridTransferClassifier : The network that uses it.

    Notes
    -----
    Protected operators behave exactly as in ``gplearn.functions``: division,
    inverse and logarithm return 1, 0 and 0 where ``|argument| <= 0.001``, the
    square root acts on ``|argument|``.  Their gradients stay finite: the
    masked-out branch never sees a zero denominator, and the derivative of
    ``sqrt(|a|)`` is capped below ``|a| = 0.001``.

    Examples
    --------
    >>> import torch
    >>> from sksymact import SymbolicActivation
    >>> act = SymbolicActivation("x * cos(x)")
    >>> act
    SymbolicActivation(mul(x, cos(x)))
    >>> act(torch.tensor([0.0, 3.141592653589793], dtype=torch.float64))
    tensor([ 0.0000, -3.1416], dtype=torch.float64)
    """

    def __init__(self, formula, learnable_constants=False, num_channels=None):
        super().__init__()
        if isinstance(formula, str):
            formula = Formula.parse(formula)
        if not isinstance(formula, Formula):
            raise TypeError(
                f"formula must be a Formula or formula text, got {type(formula).__name__}."
            )
        self.formula = formula
        self.learnable_constants = bool(learnable_constants)
        if num_channels is not None and (
                not self.learnable_constants or isinstance(num_channels, bool)
                or not isinstance(num_channels, int) or num_channels < 1):
            raise ValueError(f"num_channels={num_channels!r}: per-channel constants need "
                             "learnable_constants=True and a positive int.")
        self.num_channels = num_channels
        # Compiling checks the formula (one variable, x) before anything is stored.
        self._plans = self._compile(formula.constants)
        # float64 whatever the default dtype: the discovered constants stay exact,
        # and forward casts them to the input's dtype.
        constants = torch.tensor(formula.constants, dtype=torch.float64)
        if num_channels is not None:
            constants = constants[:, None].repeat(1, num_channels)
        if self.learnable_constants:
            self.constants = nn.Parameter(constants)
        else:
            self.register_buffer("constants", constants)
        self._plans_key = self._constants_key()

    def _compile(self, constants):
        return tuple(compile_plan(self.formula, constants, with_derivative=d)
                     for d in (False, True))

    def _constants_key(self):
        # The buffer is the one truth about the constants: the fused path reads
        # Python floats (reading a tensor in every forward would synchronise a
        # GPU), so they are recompiled whenever the buffer was replaced
        # (load_state_dict, .to()) or written in place (``_version`` counts
        # every in-place write of a tensor).
        # (The buffer from ``_buffers`` directly: ``self.constants`` goes through
        # ``nn.Module.__getattr__``, which costs a microsecond on every call.)
        tensor = self._buffers.get("constants")
        if tensor is None:  # learnable constants: a parameter
            tensor = self.constants
        return id(tensor), tensor._version

    def fused_plans(self):
        """The compiled plans of the fused path, current with the constants.

        Returns
        -------
        tuple of sksymact._tape.Plan
            ``(value plan, value-and-derivative plan)``.
        """
        key = self._constants_key()
        if key != self._plans_key:
            self._plans = self._compile(self._scalar_constants())
            self._plans_key = key
        return self._plans

    def _scalar_constants(self):
        # Per-channel constants have no single value: the plans (used only with
        # fixed constants) keep the formula's own.
        if getattr(self, "num_channels", None) is not None:
            return list(self.formula.constants)
        return [float(v) for v in self.constants.detach().cpu()]

    def forward(self, x):
        """Apply the formula elementwise.

        Parameters
        ----------
        x : torch.Tensor
            Pre-activations of any shape.

        Returns
        -------
        torch.Tensor
            ``f(x)``, of the shape and dtype of ``x``.
        """
        if self.learnable_constants:
            return self._autograd_forward(x)
        # Fixed constants: one fused op that saves only f'(x) for backward
        # (see sksymact._tape).
        return FormulaFunction.apply(x, self.fused_plans())

    def _autograd_forward(self, x):
        """Plain autograd, node by node, so gradients reach the constants too."""
        # Pre-order, as fold visits them; per channel, each is a row that
        # broadcasts over the input's last dimension.
        constants = iter(self.constants.to(x.dtype))

        def leaf(kind, payload):
            return x if kind == "var" else next(constants).expand_as(x)

        return self.formula.fold(leaf, lambda name, args: OPERATORS[name].torch(*args))

    def __getstate__(self):
        # The plans hold torch functions; they are compiled again on load, so a
        # pickle carries only the formula and the constants.
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        for name in ("_plans", "_plans_key", "_tape", "_constant_values"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        # A module pickled by an older sksymact carries the interpreted tape it
        # compiled (and a float copy of the constants); both are dropped.
        state = dict(state)
        for name in ("_tape", "_constant_values"):
            state.pop(name, None)
        state.setdefault("num_channels", None)  # older pickles: constants per layer
        super().__setstate__(state)
        self._plans = self._compile(self._scalar_constants())
        self._plans_key = self._constants_key()

    def current_formula(self, channel=None):
        """The formula with the module's current constant values.

        Parameters
        ----------
        channel : int or None, default=None
            With per-channel constants, the channel whose constants to use
            (required then).

        Returns
        -------
        Formula
            ``formula`` with the constants read from ``constants``.
        """
        if self.num_channels is None:
            values = [float(v) for v in self.constants.detach().cpu()]
        elif channel is None:
            raise ValueError(f"The constants are per channel ({self.num_channels} channels): "
                             "pass channel=i for the formula of channel i.")
        else:
            values = [float(v) for v in self.constants.detach().cpu()[:, channel]]
        return self.formula.with_constants(values)

    def extra_repr(self):
        """The current formula, for torch's module repr.

        Returns
        -------
        str
            The formula with its current constants.
        """
        if self.num_channels is not None:
            return f"{self.formula}, constants per channel ({self.num_channels})"
        return str(self.current_formula())

    def __repr__(self):
        # A one-line repr that shows the formula, e.g. inside an nn.Sequential.
        return f"{type(self).__name__}({self.extra_repr()})"


#: ``activation="library:NAME"`` names a built-in entry of the activation library.
LIBRARY_PREFIX = "library:"


@dataclass(frozen=True)
class ResolvedActivation:
    """What an ``activation`` spec means for one fit.

    Attributes
    ----------
    formula : Formula or None
        The collapsed formula, or None for named activations and foreign modules.
    estimator : estimator or None
        The discoverer fitted on the training rows (the specialist case);
        None when nothing was fitted (a transfer hands back its own
        ``FrozenEstimator``, which is not a new fit).
    entry : LibraryEntry or None
        The activation-library entry the formula came from, if any.
    """

    formula: Optional[Formula]
    estimator: Any
    _factory: Callable
    _per_channel: bool = False
    entry: Optional[LibraryEntry] = None

    def new_module(self, width=None):
        """A new torch module computing the activation, shared with nothing.

        Parameters
        ----------
        width : int or None, default=None
            The layer's width; needed for per-channel learnable constants.

        Returns
        -------
        torch.nn.Module
        """
        if self._per_channel:
            if width is None:
                raise ValueError("Per-channel constants need the layer's width.")
            return self._factory(num_channels=width)
        return self._factory()


def interpret_activation(spec, X=None, y=None, *, learnable_constants=False,
                         random_state=None, sample_weight=None, task=None):
    """Interpret an ``activation`` spec: the one place that reads one.

    Parameters
    ----------
    spec : str, Formula, LibraryEntry, torch.nn.Module or estimator
        - a name in ``NAMED_ACTIVATIONS`` (``"relu"``, ``"gelu"``, ``"silu"``,
          ``"tanh"``, ``"sigmoid"``, ``"identity"``, case-insensitive),
        - ``"library:NAME"``, a built-in entry of :mod:`sksymact.library`
          (``"library:higgs-paper"`` is the paper's ``x·cos(x)``), or a
          :class:`~sksymact.library.LibraryEntry` of any library,
        - any other text: a formula in ``x`` (or gplearn's ``X<i>``, which is
          collapsed), parsed with a whitelist,
        - a :class:`Formula` (collapsed if needed),
        - a :class:`SymbolicActivation` or any other ``nn.Module`` (each layer
          gets its own deep copy),
        - an estimator with a ``formula_`` once fitted: scikit-learn's protocol
          ``clone(spec).fit(X, y)`` decides what happens.  An unfitted
          :class:`~sksymact.SymbolicActivationDiscoverer` is fitted on ``X``,
          ``y`` (the *specialist*); a ``sklearn.frozen.FrozenEstimator`` around
          a fitted one comes back from ``clone`` and ``fit`` untouched (the
          *transfer*).
    X, y : array-like, optional
        The training rows, for an estimator spec.
    learnable_constants : bool or {"per_layer", "per_channel"}, default=False
        Whether a formula's constants are trained (True is ``"per_layer"``):
        passed to :class:`SymbolicActivation` when a formula is built, with the
        layer's width for ``"per_channel"``.
    random_state : int or None, default=None
        Given to an estimator whose own ``random_state`` is None.
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Passed to an estimator's ``fit`` when given (a discoverer weighs its
        search with it; a ``FrozenEstimator`` ignores it).
    task : {"classification", "regression"} or None, default=None
        What the network is trained for; given to an estimator whose own
        ``task`` is ``"auto"`` (a regressor's integer-valued target is then
        searched as a regression, not as classes).

    Returns
    -------
    ResolvedActivation

    Examples
    --------
    >>> from sksymact._activation import interpret_activation
    >>> interpret_activation("relu").new_module()
    ReLU()
    >>> str(interpret_activation("mul(cos(X3), X3)").formula)
    'mul(cos(x), x)'
    """
    if isinstance(spec, str) and spec.strip().lower().startswith(LIBRARY_PREFIX):
        name = spec.strip()[len(LIBRARY_PREFIX):]
        try:
            spec = get_builtin(name)
        except KeyError as exc:
            raise ValueError(f"activation={spec!r}: {exc}") from None
    if isinstance(spec, LibraryEntry):
        resolved = interpret_activation(spec.formula, learnable_constants=learnable_constants)
        return ResolvedActivation(resolved.formula, None, resolved._factory,
                                  resolved._per_channel, spec)
    if isinstance(spec, str):
        named = NAMED_ACTIVATIONS.get(spec.strip().lower())
        if named is not None:
            return ResolvedActivation(None, None, named)
        try:
            spec = Formula.parse(spec)
        except ValueError as exc:
            raise ValueError(
                f"activation={spec!r} is neither one of {sorted(NAMED_ACTIVATIONS)} "
                f"nor a valid formula: {exc}"
            ) from exc
    if isinstance(spec, Formula):
        formula = spec.collapse()
        per_channel = learnable_constants == "per_channel" and bool(formula.constants)
        return ResolvedActivation(formula, None, functools.partial(
            SymbolicActivation, formula, learnable_constants=bool(learnable_constants)),
            per_channel)
    if isinstance(spec, nn.Module):
        formula = (spec.current_formula() if isinstance(spec, SymbolicActivation)
                   and spec.num_channels is None else None)
        return ResolvedActivation(formula, None, functools.partial(copy.deepcopy, spec))
    if hasattr(spec, "fit") and hasattr(spec, "get_params"):
        fitted = _fit_estimator(spec, X, y, random_state, sample_weight, task)
        formula = getattr(fitted, "formula_", None)
        if not isinstance(formula, Formula):
            raise TypeError(
                f"activation={spec!r} has no Formula in formula_ once fitted; pass a "
                "SymbolicActivationDiscoverer or a FrozenEstimator around a fitted one."
            )
        resolved = interpret_activation(formula, learnable_constants=learnable_constants)
        return ResolvedActivation(resolved.formula, None if fitted is spec else fitted,
                                  resolved._factory, resolved._per_channel)
    raise TypeError(
        f"activation={spec!r} (type {type(spec).__name__}) is not understood. Accepted: "
        f"one of {sorted(NAMED_ACTIVATIONS)}, formula text such as 'x*cos(x)', a Formula, "
        "'library:NAME' or a LibraryEntry, "
        "a torch.nn.Module, a SymbolicActivationDiscoverer (unfitted: fitted on the "
        "training rows; FrozenEstimator(fitted): transferred as is)."
    )


def interpret_activations(spec, n_layers, X=None, y=None, *, learnable_constants=False,
                          random_state=None, sample_weight=None, task=None):
    """One :class:`ResolvedActivation` per hidden layer.

    Parameters
    ----------
    spec : spec or list of specs
        One spec (see :func:`interpret_activation`) for every layer -- an
        estimator among them is fitted once -- or a list or tuple with one
        spec per layer.
    n_layers : int
        Number of hidden layers.
    X, y, learnable_constants, random_state, sample_weight, task
        As in :func:`interpret_activation`.

    Returns
    -------
    list of ResolvedActivation
        Of length ``n_layers``.
    """
    if isinstance(spec, (list, tuple)):
        if len(spec) != n_layers:
            raise ValueError(
                f"activation is a list of {len(spec)} specs, but the network has "
                f"{n_layers} hidden layer(s): give one spec per hidden layer, or one spec "
                "for all of them."
            )
        return [interpret_activation(s, X, y, learnable_constants=learnable_constants,
                                     random_state=random_state, sample_weight=sample_weight,
                                     task=task)
                for s in spec]
    resolved = interpret_activation(spec, X, y, learnable_constants=learnable_constants,
                                    random_state=random_state, sample_weight=sample_weight,
                                    task=task)
    return [resolved] * n_layers


def _fit_estimator(spec, X, y, random_state, sample_weight=None, task=None):
    """``clone(spec).fit(X, y)``, scikit-learn's protocol for a nested estimator."""
    if X is None:
        raise ValueError(f"activation={spec!r} is an estimator: it needs training rows.")
    if not isinstance(spec, FrozenEstimator) and _is_fitted(spec):
        warnings.warn(
            f"activation is an already fitted {type(spec).__name__}; it is cloned "
            "and refitted on the training rows (specialist). To transfer its "
            "formula instead, pass FrozenEstimator(discoverer) or its formula_.",
            UserWarning,
            stacklevel=4,
        )
    estimator = clone(spec)
    params = estimator.get_params(deep=False)
    if "random_state" in params and params["random_state"] is None and random_state is not None:
        estimator.set_params(random_state=random_state)
    if params.get("task") == "auto" and task is not None:
        estimator.set_params(task=task)
    try:
        if sample_weight is None:
            return estimator.fit(X, y)
        return estimator.fit(X, y, sample_weight=sample_weight)
    except NotFittedError as exc:
        # FrozenEstimator.fit checks that what it wraps was fitted.
        raise ValueError(
            f"activation={spec!r} wraps an unfitted estimator; fit the discoverer on the "
            "source data before freezing it."
        ) from exc


def resolve_activation(spec, *, learnable_constants=False):
    """A fresh torch module and its formula for a spec that needs no training rows.

    A shortcut over :func:`interpret_activation`, for a single module.

    Parameters
    ----------
    spec : str, Formula, torch.nn.Module or fitted estimator
        See :func:`interpret_activation`.
    learnable_constants : bool, default=False

    Returns
    -------
    module : torch.nn.Module
        A new module, never shared with ``spec``.
    formula : Formula or None

    Examples
    --------
    >>> from sksymact._activation import resolve_activation
    >>> resolve_activation("relu")
    (ReLU(), None)
    """
    resolved = interpret_activation(spec, learnable_constants=learnable_constants,
                                    X=np.empty((0, 0)))
    return resolved.new_module(), resolved.formula
