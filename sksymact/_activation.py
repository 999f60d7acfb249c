"""Torch activations built from formulas, and the one place activation specs are resolved.

A :class:`SymbolicActivation` applies a collapsed :class:`~sksymact.Formula`
elementwise, with exactly the protected semantics gplearn used while the
formula was being discovered.  Its state is the formula (plain Python data)
and a tensor of constants, so it pickles, deep-copies and ``torch.save``-s
without lambdas or generated code.
"""

import copy
import numbers

import torch
from torch import nn

from ._formula import Formula
from ._tape import FormulaFunction, compile_tape, guard, sqrt_slope

__all__ = ["SymbolicActivation", "NAMED_ACTIVATIONS", "resolve_activation"]

#: Activations known by name, as the classes that build them.
NAMED_ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}


class _ProtectedSqrt(torch.autograd.Function):
    """``sqrt(|a|)`` whose derivative stays finite at ``a = 0``.

    Autograd of ``torch.sqrt(torch.abs(a))`` gives ``0 * inf = nan`` at zero.
    Below the protection threshold the derivative is taken at the threshold,
    so its magnitude is capped at ``0.5 / sqrt(0.001)`` (about 15.8).
    """

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return torch.sqrt(torch.abs(a))

    @staticmethod
    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return grad_output * sqrt_slope(a)


def _div(a, b):
    safe, b = guard(b)
    return torch.where(safe, a / b, torch.ones_like(a))


def _log(a):
    safe, a = guard(a)
    return torch.where(safe, torch.log(torch.abs(a)), torch.zeros_like(a))


def _inv(a):
    safe, a = guard(a)
    return torch.where(safe, 1.0 / a, torch.zeros_like(a))


def _sig(a):
    # torch.sigmoid equals gplearn's 1 / (1 + exp(-a)) to rounding, without
    # its overflow for very negative a.
    return torch.sigmoid(a)


#: The torch twin of every operator in ``sksymact._formula.OPERATORS``.
TORCH_OPERATORS = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": _div,
    "sqrt": _ProtectedSqrt.apply,
    "log": _log,
    "abs": torch.abs,
    "neg": torch.neg,
    "inv": _inv,
    "max": torch.maximum,
    "min": torch.minimum,
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "sig": _sig,
}


class SymbolicActivation(nn.Module):
    """Elementwise activation computing a discovered formula.

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

    Attributes
    ----------
    formula : Formula
        The formula with its original constants.  With learnable constants,
        :meth:`current_formula` gives the formula with the trained values.
    constants : torch.Tensor
        The constants in pre-order (``Formula.constants``).

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

    def __init__(self, formula, learnable_constants=False):
        super().__init__()
        if isinstance(formula, str):
            formula = Formula.parse(formula)
        if not isinstance(formula, Formula):
            raise TypeError(
                f"formula must be a Formula or formula text, got {type(formula).__name__}."
            )
        self.formula = formula
        self.learnable_constants = bool(learnable_constants)
        self._tape = compile_tape(formula)
        # float64 whatever the default dtype: the discovered constants stay exact,
        # and forward casts them to the input's dtype.
        constants = torch.tensor(formula.constants, dtype=torch.float64)
        if self.learnable_constants:
            self.constants = nn.Parameter(constants)
        else:
            self.register_buffer("constants", constants)
        # Python floats for the fused path: reading the buffer in every forward
        # would synchronise a GPU.  Refreshed by load_state_dict.
        self._constant_values = tuple(float(v) for v in formula.constants)

    def forward(self, x):
        if self.learnable_constants:
            return self._autograd_forward(x)
        # Fixed constants: one fused op that saves only f'(x) for backward
        # (see sksymact._tape).
        return FormulaFunction.apply(x, self._tape, self._constant_values)

    def _autograd_forward(self, x):
        """Plain autograd over the tape, so gradients reach the constants too."""
        constants = self.constants.to(x.dtype)
        values = []
        slots = {}
        for op, arg in self._tape:
            if op == "x":
                values.append(x)
            elif op == "const":
                values.append(constants[arg].expand_as(x))
            elif op == "store":
                slots[arg] = values[-1]
            elif op == "load":
                values.append(slots[arg])
            elif op == "memo":
                continue  # autograd records sin and cos on their own
            else:
                operands = values[len(values) - arg:]
                del values[len(values) - arg:]
                values.append(TORCH_OPERATORS[op](*operands))
        return values[-1]

    def __setstate__(self, state):
        super().__setstate__(state)
        # A module pickled by an older sksymact carries the tape it compiled;
        # compile it again, so that it gets today's shared subexpressions.
        self._tape = compile_tape(self.formula)

    def _load_from_state_dict(self, *args, **kwargs):
        super()._load_from_state_dict(*args, **kwargs)
        self._constant_values = tuple(float(v) for v in self.constants.detach().cpu())

    def current_formula(self):
        """The formula with the module's current constant values."""
        values = [float(v) for v in self.constants.detach().cpu()]
        return self.formula.with_constants(values)

    def extra_repr(self):
        return str(self.current_formula())

    def __repr__(self):
        # A one-line repr that shows the formula, e.g. inside an nn.Sequential.
        return f"{type(self).__name__}({self.extra_repr()})"


def _is_estimator_with_formula(spec):
    # A fitted discoverer, or a FrozenEstimator around one (FrozenEstimator
    # forwards attribute access to the estimator it wraps).
    return hasattr(spec, "fit") and getattr(spec, "formula_", None) is not None


def resolve_activation(spec, *, learnable_constants=False):
    """Turn an activation spec into a fresh torch module and its formula.

    This is the single place where everything the ``activation`` parameter of
    :class:`~sksymact.HybridTransferClassifier` accepts is interpreted, except
    an unfitted discoverer, which the classifier first fits on its training
    rows.

    Parameters
    ----------
    spec : str, Formula, torch.nn.Module or fitted discoverer
        - a name in ``NAMED_ACTIVATIONS`` (``"relu"``, ``"gelu"``, ``"silu"``,
          ``"tanh"``, ``"sigmoid"``, ``"identity"``, case-insensitive),
        - any other text: a formula in ``x`` (or gplearn's ``X<i>``, which is
          collapsed), parsed with a whitelist,
        - a :class:`Formula` (collapsed if needed),
        - a :class:`SymbolicActivation` or any other ``nn.Module`` (deep-copied),
        - an object with a non-None ``formula_`` attribute: a fitted
          :class:`~sksymact.SymbolicActivationDiscoverer`, or a
          ``sklearn.frozen.FrozenEstimator`` around one.
    learnable_constants : bool, default=False
        Passed to :class:`SymbolicActivation` when a formula is built.

    Returns
    -------
    module : torch.nn.Module
        A new module, never shared with ``spec``.
    formula : Formula or None
        The collapsed formula, or None for named activations and foreign modules.

    Examples
    --------
    >>> from sksymact._activation import resolve_activation
    >>> resolve_activation("relu")
    (ReLU(), None)
    >>> module, formula = resolve_activation("mul(cos(X3), X3)")
    >>> str(formula)
    'mul(cos(x), x)'
    """
    if isinstance(spec, str):
        named = NAMED_ACTIVATIONS.get(spec.strip().lower())
        if named is not None:
            return named(), None
        try:
            formula = Formula.parse(spec)
        except ValueError as exc:
            raise ValueError(
                f"activation={spec!r} is neither one of {sorted(NAMED_ACTIVATIONS)} "
                f"nor a valid formula: {exc}"
            ) from exc
        spec = formula
    if isinstance(spec, Formula):
        formula = spec.collapse()
        return SymbolicActivation(formula, learnable_constants=learnable_constants), formula
    if isinstance(spec, SymbolicActivation):
        module = copy.deepcopy(spec)
        return module, module.current_formula()
    if isinstance(spec, nn.Module):
        return copy.deepcopy(spec), None
    if _is_estimator_with_formula(spec):
        return resolve_activation(spec.formula_, learnable_constants=learnable_constants)
    if isinstance(spec, numbers.Number):
        raise TypeError(
            f"activation={spec!r} is a number; a constant activation is degenerate. "
            "Pass a name, a formula in x, a torch module or a discoverer."
        )
    raise TypeError(
        f"activation={spec!r} (type {type(spec).__name__}) is not understood. Accepted: "
        f"one of {sorted(NAMED_ACTIVATIONS)}, formula text such as 'x*cos(x)', a Formula, "
        "a torch.nn.Module, a SymbolicActivationDiscoverer (unfitted: fitted on the "
        "training rows; FrozenEstimator(fitted): transferred as is)."
    )
