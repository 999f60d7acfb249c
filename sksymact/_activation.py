"""Torch activations built from formulas, and the one place activation specs are resolved.

A :class:`SymbolicActivation` applies a collapsed :class:`~sksymact.Formula`
elementwise, with exactly the protected semantics gplearn used while the
formula was being discovered.  Its state is the formula and its constants
(plain Python data, or a trainable parameter), so it pickles, deep-copies and
``torch.save``-s without lambdas or generated code.
"""

import copy
import functools
import warnings
import weakref
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
from ._operators import OPERATORS, PROTECTION_THRESHOLD, _FieldView, torch_guard
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


#: What a SymbolicActivation is built from and compiles its plans from: fixed
#: once built, so that nothing can leave the plans stale.
_FIXED_AT_CONSTRUCTION = ("formula", "learnable_constants", "num_channels")


def _refuse_change(module, name):
    raise AttributeError(
        f"{type(module).__name__}.{name} is fixed when the module is built (its compiled "
        f"plans depend on it); build a new SymbolicActivation, or change the constants "
        f"with act.constants = tensor.")


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
        otherwise they are fixed: plain numbers of the module, compiled into
        its plans, that have nothing to move to a device and are not trained.
    num_channels : int or None, default=None
        With learnable constants: one set of constants per channel (the last
        dimension of the input, which must then have this size) instead of
        one for the whole layer.

    Attributes
    ----------
    formula : Formula
        The formula with its original constants.  :meth:`current_formula`
        gives the formula with the module's current values.
    constants : torch.Tensor
        The constants in pre-order (``Formula.constants``), float64; of shape
        ``(n_constants, num_channels)`` with per-channel constants.  With
        learnable constants, the ``nn.Parameter`` itself.  With fixed
        constants, a new tensor on every read, built from the module's values:
        an in-place write into it (``act.constants[0] = 2.0``, ``.fill_``, a
        write through ``.data`` or into a slice of it) is applied to the
        module as an assignment, ``.numpy()`` gives a read-only array, and
        ``act.constants = tensor`` (or ``load_state_dict``) sets new values.

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

    Both paths compute the function gplearn evaluated: a variable-free subtree
    is evaluated in float64 and a protection guard on a constant is decided on
    its float64 value, whatever the input's dtype, so learnable constants start
    from the function of the fixed ones (``div(x, 0.0010000000001)`` divides by
    the constant, although it rounds to the threshold in float32).

    With fixed constants the module holds their values as a tuple of floats,
    and its plans are compiled from that tuple each time it is set (at
    construction, by an assignment, an in-place write into ``constants``,
    ``load_state_dict`` or unpickling) and only then; everything else -- the
    forward pass, :meth:`current_formula`, the repr, ``state_dict``, pickles
    and the ONNX export -- reads the same tuple, so none of them can disagree
    with another.

    Examples
    --------
    >>> import torch
    >>> from sksymact import SymbolicActivation
    >>> act = SymbolicActivation("x * cos(x)")
    >>> act
    SymbolicActivation(mul(x, cos(x)))
    >>> act(torch.tensor([0.0, 3.141592653589793], dtype=torch.float64))
    tensor([ 0.0000, -3.1416], dtype=torch.float64)
    >>> shifted = SymbolicActivation("add(x, 0.5)")
    >>> shifted.constants = torch.tensor([2.0])
    >>> shifted
    SymbolicActivation(add(x, 2.0))
    """

    def __init__(self, formula, learnable_constants=False, num_channels=None):
        super().__init__()
        if isinstance(formula, str):
            formula = Formula.parse(formula)
        if not isinstance(formula, Formula):
            raise TypeError(
                f"formula must be a Formula or formula text, got {type(formula).__name__}."
            )
        # Read-only from here on (see _FIXED_AT_CONSTRUCTION): the plans are
        # compiled from these, so changing one would leave them stale.
        self.__dict__["_formula"] = formula
        self.__dict__["_learnable_constants"] = bool(learnable_constants)
        if num_channels is not None and (
                not self.learnable_constants or isinstance(num_channels, bool)
                or not isinstance(num_channels, int) or num_channels < 1):
            raise ValueError(f"num_channels={num_channels!r}: per-channel constants need "
                             "learnable_constants=True and a positive int.")
        self.__dict__["_num_channels"] = num_channels
        # Compiling checks the formula (one variable, x) before anything is stored.
        plans = self._compile(formula.constants)
        if self.learnable_constants:
            # float64 whatever the default dtype: the discovered constants stay
            # exact, and the forward pass computes with them in float64.
            constants = torch.tensor(formula.constants, dtype=torch.float64)
            if num_channels is not None:
                constants = constants[:, None].repeat(1, num_channels)
            self.constants = nn.Parameter(constants)
        else:
            self._install(formula.constants, plans)

    # -- fixed constants: one tuple of floats, the plans compiled from it ---------------

    @property
    def constants(self):
        """The constants in pre-order, float64.

        With learnable constants, the ``nn.Parameter``.  With fixed constants,
        a new tensor on each read, built from the module's values: an in-place
        write into it is applied to the module as an assignment, its numpy
        arrays are read-only, and assigning a tensor of the same shape sets
        new values.
        """
        # A data descriptor: found before nn.Module.__getattr__, which it replaces
        # for this name.
        parameter = self._parameters.get("constants")
        if parameter is not None:
            return parameter
        values = self.__dict__.get("_values")
        if values is None:  # not set yet (hasattr in nn.Module.register_parameter)
            raise AttributeError(f"{type(self).__name__} has no constants yet")
        return _ConstantsView.of(self, values)

    @constants.setter
    def constants(self, value):
        # nn.Module.__setattr__ registers an nn.Parameter and refuses anything
        # else for a parameter's name, so only fixed constants arrive here.
        if self.learnable_constants:
            raise TypeError("learnable constants are an nn.Parameter: assign an nn.Parameter, "
                            "or write into act.constants under torch.no_grad().")
        self._set_values(self._values_from(value))

    def _values_from(self, value):
        """The constants in ``value`` as a tuple of floats, checked against the formula."""
        expected = (len(self.formula.constants),)
        if isinstance(value, torch.Tensor):
            # Plain torch, even for a _ConstantsView (whose reads would be wrapped).
            with torch._C.DisableTorchFunctionSubclass():
                shape = tuple(value.shape)
                if shape == expected:
                    values = value.detach().to(device="cpu", dtype=torch.float64).tolist()
        elif isinstance(value, (np.ndarray, list, tuple)):
            array = np.asarray(value)
            shape = array.shape
            if shape == expected:
                if array.dtype.kind not in "biuf":
                    raise TypeError(f"constants must be real numbers, got {array.dtype}.")
                values = array.astype(np.float64).tolist()
        else:
            raise TypeError(f"constants must be a tensor, an array or a sequence of floats, "
                            f"got {type(value).__name__}.")
        if shape != expected:
            raise ValueError(f"The formula {self.formula} has {expected[0]} constant(s): "
                             f"constants must have shape {expected}, got {shape}.")
        # Finite real numbers, as a formula holds them.
        return self.formula.with_constants(values).constants

    def _set_values(self, values):
        """Make ``values`` the fixed constants, unless they are those already (bit for bit)."""
        current = self.__dict__.get("_values")
        if current is not None and _same_bits(current, values):
            return
        self._install(values)

    def _install(self, values, plans=None):
        # The plans are compiled before anything is stored: a formula that
        # does not compile leaves the module as it was.
        values = tuple(float(v) for v in values)
        plans = self._compile(values) if plans is None else plans
        self.__dict__["_plans"] = plans
        self.__dict__["_values"] = values

    @property
    def formula(self):
        """The formula with its original constants (read-only)."""
        return self.__dict__["_formula"]

    @formula.setter
    def formula(self, value):
        _refuse_change(self, "formula")

    @property
    def learnable_constants(self):
        """Whether the constants are a trained parameter (read-only)."""
        return self.__dict__["_learnable_constants"]

    @learnable_constants.setter
    def learnable_constants(self, value):
        _refuse_change(self, "learnable_constants")

    @property
    def num_channels(self):
        """The number of channels of per-channel constants, or None (read-only)."""
        return self.__dict__["_num_channels"]

    @num_channels.setter
    def num_channels(self, value):
        _refuse_change(self, "num_channels")

    def _compile(self, constants):
        return tuple(compile_plan(self.formula, constants, with_derivative=d)
                     for d in (False, True))

    def fused_plans(self):
        """The compiled plans of the fused path, for the current constants.

        Returns
        -------
        tuple of sksymact._tape.Plan
            ``(value plan, value-and-derivative plan)``.  With learnable
            constants (which the forward pass does not run through plans) they
            are compiled on each call, from the current values per layer and
            from the formula's own per channel.
        """
        if not self.learnable_constants:
            return self._plans
        if self.num_channels is not None:
            return self._compile(self.formula.constants)
        return self._compile(self.current_formula().constants)

    # -- state: the constants under the key "constants", as when they were a buffer -----

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        if not self.learnable_constants:
            destination[prefix + "constants"] = torch.tensor(self._values, dtype=torch.float64)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        key = prefix + "constants"
        if not self.learnable_constants:
            if key in state_dict:
                try:
                    self._set_values(self._values_from(state_dict[key]))
                except (TypeError, ValueError) as exc:
                    error_msgs.append(f"While copying the constants named {key!r}: {exc}")
                # Not a parameter or buffer: nn.Module would call it unexpected.
                state_dict = {k: v for k, v in state_dict.items() if k != key}
            elif strict:
                missing_keys.append(key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)

    def __getstate__(self):
        # The plans hold generated functions; they are compiled again on load, so
        # a pickle carries only the formula and the constants.
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        for name in ("_plans", "_plans_key", "_tape", "_constant_values"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        # Older pickles carry their fixed constants as a buffer (and, older
        # still, the interpreted tape they compiled and a float copy of the
        # constants); all are read into the current layout.
        state = dict(state)
        for name in _FIXED_AT_CONSTRUCTION:  # older pickles: plain attributes
            if name in state:
                state["_" + name] = state.pop(name)
        for name in ("_plans", "_plans_key", "_tape", "_constant_values"):
            state.pop(name, None)
        state.setdefault("_num_channels", None)  # older pickles: constants per layer
        values = state.pop("_values", None)
        buffers = state.get("_buffers")
        if buffers is not None and "constants" in buffers:
            buffers = type(buffers)(buffers)  # not the caller's dict
            legacy = buffers.pop("constants")
            state["_buffers"] = buffers
            if values is None:
                values = legacy.detach().cpu().to(torch.float64).tolist()
        super().__setstate__(state)
        if not self.learnable_constants:
            self._install(self.formula.constants if values is None else values)

    # -- the forward pass ---------------------------------------------------------------

    def forward(self, x):
        """Apply the formula elementwise.

        Parameters
        ----------
        x : torch.Tensor
            Pre-activations of any shape (with per-channel constants, a last
            dimension of ``num_channels``).

        Returns
        -------
        torch.Tensor
            ``f(x)``, of the shape and dtype of ``x``.
        """
        if self.learnable_constants:
            return self._autograd_forward(x)
        # Fixed constants: one fused op that saves only f'(x) for backward (see
        # sksymact._tape), with the plans compiled when the constants were set.
        return FormulaFunction.apply(x, self._plans)

    def _autograd_forward(self, x):
        """Plain autograd, node by node, so gradients reach the constants too.

        As the fused plan: a variable-free subtree is computed in float64, a
        division's guard on a constant is decided on its float64 value, and the
        other operations run in the input's dtype.
        """
        if self.learnable_constants:
            constants = self.constants.to(torch.float64)  # float64 unless cast by hand
        else:
            constants = torch.tensor(self._values, dtype=torch.float64, device=x.device)
        # Pre-order, as fold visits them; per channel, each is a row that
        # broadcasts over the input's last dimension.
        constants = iter(constants)
        dtype = x.dtype

        def leaf(kind, payload):
            return (x, False) if kind == "var" else (next(constants), True)

        def node(name, args):
            if all(is_constant for _, is_constant in args):
                # gplearn's value, in float64 (the plan folds it with numpy's kernels).
                return OPERATORS[name].torch(*(value for value, _ in args)), True
            if name == "div":
                return _mixed_division(args, dtype), False
            return OPERATORS[name].torch(*(value.to(dtype) if is_constant else value
                                           for value, is_constant in args)), False

        value, is_constant = self.formula.fold(leaf, node)
        return value.to(dtype).expand_as(x) if is_constant else value

    # -- reading the constants ----------------------------------------------------------

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
            ``formula`` with the module's current constants.
        """
        if not self.learnable_constants:
            values = self._values
        elif self.num_channels is None:
            values = self.constants.detach().cpu().tolist()
        elif channel is None:
            raise ValueError(f"The constants are per channel ({self.num_channels} channels): "
                             "pass channel=i for the formula of channel i.")
        else:
            values = self.constants.detach().cpu()[:, channel].tolist()
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


def _same_bits(a, b):
    """Whether two sequences of floats are equal bit for bit (0.0 and -0.0 differ)."""
    return np.array(a, dtype=np.float64).tobytes() == np.array(b, dtype=np.float64).tobytes()


def _mixed_division(args, dtype):
    """gplearn's protected ``a / b`` where one operand depends on ``x``, as the plan computes it.

    ``args`` are ``(tensor, is_constant)`` pairs; a constant is float64.  A
    guard on a constant denominator is decided on its float64 value (the plan
    decides it when compiling), and a constant numerator is divided as torch's
    own ``c / t``, a reciprocal then a product (the plan's kernel).
    """
    (a, a_is_constant), (b, b_is_constant) = args
    if b_is_constant:
        safe = torch.abs(b) > PROTECTION_THRESHOLD
        b = torch.where(safe, b, torch.ones_like(b)).to(dtype)
        return torch.where(safe, a / b, torch.ones_like(a))
    if a_is_constant:
        safe, b = torch_guard(torch, b)
        quotient = torch.reciprocal(b) * a.to(dtype)
        return torch.where(safe, quotient, torch.ones_like(quotient))
    return OPERATORS["div"].torch(a, b)


#: Names of the tensor methods that write into their first operand, beyond
#: those ending in one underscore (``fill_``, ``copy_``, ``add_``...).
_WRITING_METHODS = frozenset({
    "__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__",
    "__imod__", "__ipow__", "__iand__", "__ior__", "__ixor__", "__ilshift__", "__irshift__",
    "__imatmul__", "__set__",  # a property's setter: ``.data = ...`` (and harmless others)
})


def _written_tensor(func, args, kwargs):
    """The tensors an op writes into: its first operand if it works in place, and ``out``."""
    name = getattr(func, "__name__", "")
    written = []
    if name in _WRITING_METHODS or (name.endswith("_") and not name.endswith("__")):
        first = args[0] if args else next(iter(kwargs.values()), None)
        written += list(first) if isinstance(first, (list, tuple)) else [first]
    out = kwargs.get("out")
    if out is not None:
        written += list(out) if isinstance(out, (list, tuple)) else [out]
    return [t for t in written if isinstance(t, _ConstantsView)]


class _ConstantsView(torch.Tensor):
    """What ``SymbolicActivation.constants`` gives with fixed constants.

    A float64 tensor built from the module's values on each read, never read
    by the module itself.  Its in-place writes -- into it, into an alias of its
    memory (a slice, ``.data``) or through ``out=`` -- are written back to the
    module as an assignment of its whole value, which recompiles the plans; its
    numpy arrays are read-only copies, since a numpy write cannot be seen.  A
    write into a tensor read before the module's constants changed raises
    instead of undoing the change.  Every other operation gives plain tensors.
    """

    @classmethod
    def of(cls, module, values):
        view = torch.tensor(values, dtype=torch.float64).as_subclass(cls)
        view._module = weakref.ref(module)
        view._source = values  # the module's tuple this copy was built from
        view._root = None  # a view of the whole; an alias points at the view it aliases
        return view

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if not all(issubclass(cls, t) for t in types):
            return NotImplemented
        written = _written_tensor(func, args, kwargs)
        with torch._C.DisableTorchFunctionSubclass():
            result = func(*args, **kwargs)
        for view in written:
            view._write_back()
        root = next((a._whole() for a in (*args, *kwargs.values())
                     if isinstance(a, _ConstantsView)), None)
        return _wrapped(result, root)

    def _whole(self):
        root = getattr(self, "_root", None)
        return self if root is None else root

    def _write_back(self):
        whole = self._whole()
        module = getattr(whole, "_module", lambda: None)()
        if module is None:  # the module is gone (or never was): nothing to keep coherent
            return
        if module.__dict__.get("_values") is not whole._source:
            raise RuntimeError(
                "This tensor was read from SymbolicActivation.constants before the module's "
                "constants changed; read act.constants again (or assign act.constants = "
                "tensor) to change them.")
        module._set_values(module._values_from(whole))
        whole._source = module._values

    def __repr__(self, *, tensor_contents=None):
        with torch._C.DisableTorchFunctionSubclass():
            return repr(torch.Tensor.as_subclass(self, torch.Tensor))

    def __reduce_ex__(self, protocol):
        # A plain tensor: the view's link to its module does not travel.
        with torch._C.DisableTorchFunctionSubclass():
            return torch.Tensor.as_subclass(self, torch.Tensor).clone().__reduce_ex__(protocol)

    def __deepcopy__(self, memo):
        with torch._C.DisableTorchFunctionSubclass():
            return torch.Tensor.as_subclass(self, torch.Tensor).clone()


def _wrapped(result, root):
    """``result`` of an op on a constants view: aliases of its memory stay tied to it."""
    if isinstance(result, np.ndarray):
        result = result.copy()
        result.flags.writeable = False
        return result
    if type(result) in (tuple, list):
        return type(result)(_wrapped(r, root) for r in result)
    if type(result) is torch.Tensor and root is not None and result.numel():
        with torch._C.DisableTorchFunctionSubclass():
            shares = result.untyped_storage().data_ptr() == root.untyped_storage().data_ptr()
        if shares:
            alias = result.as_subclass(_ConstantsView)
            alias._root = root
            return alias
    return result


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
