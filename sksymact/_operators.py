"""The operator registry: one record per operator, every other table derived from it.

An :class:`Operator` says everything sksymact knows about one primitive of
gplearn's function set -- its name and arity, its numpy kernel with gplearn's
protected semantics, its torch kernel for plain autograd, its rule for the
fused forward-mode plan (value and derivative), its sympy reading, and
whether gplearn's ``function_set`` accepts it by name.  The formula parser,
numpy evaluation, sympy conversion, the torch activation, the fused plan, the
ONNX export and the discoverer's list of allowed operators all read
:data:`OPERATORS`, so
adding an operator means adding one record here (``tests/test_operators.py``
adds one in a test and uses it everywhere).

This module is the ground floor: it imports numpy only.  torch and sympy are
handed to the kernels that need them (torch is imported on first use of a
torch kernel, so ``import sksymact`` stays free of torch); the ONNX emitters
only call methods of the graph builder they are handed, so onnx is imported
by the export (:mod:`sksymact._onnx` and :mod:`sksymact._onnx_graph`) alone.
"""

import functools
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

__all__ = ["Operator", "OPERATORS", "ARITIES", "PROTECTION_THRESHOLD"]

#: Threshold below which gplearn's protected ``div``, ``log`` and ``inv``
#: switch to their fallback value (same constant as ``gplearn.functions``).
PROTECTION_THRESHOLD = 0.001


@dataclass(frozen=True)
class Operator:
    """One primitive of the formula language.

    Attributes
    ----------
    name : str
        Name as gplearn prints it (``"add"``, ``"sig"``, ...).
    arity : int
        Number of arguments (1 or 2).
    numpy : callable
        Vectorised float64 kernel with gplearn's protected semantics; the
        definition of the operator's value everywhere else.
    torch_builder : callable
        ``torch_builder(torch) -> kernel``: the torch kernel for plain autograd,
        with the same values as ``numpy`` and finite gradients.  Read it as
        :attr:`torch`.
    rule : callable
        ``rule(plan, args, with_derivative) -> (value, derivative)``: the
        operator in the fused forward-mode plan of :mod:`sksymact._tape`.
        ``args`` are ``(value, derivative)`` pairs of plan operands (registers
        or floats); the rule emits kernels through ``plan``'s methods.
    sympy : callable
        ``sympy(sp, guard, *args) -> expr``; ``guard(arg, plain, fallback)``
        applies gplearn's protection when a protected reading is asked for.
    in_gplearn_function_set : bool
        Whether gplearn's ``function_set`` accepts the name (gplearn knows
        ``sig`` only as a transformer's function).
    onnx : callable or None
        ``onnx(g, *args) -> name``: emits the ONNX nodes of the operator, with
        the same values as ``numpy`` in float32, through the graph builder
        ``g`` of :mod:`sksymact._onnx_graph` and returns the name of the result.
        ``args`` are the names of the operands.  The builder offers
        ``g.op(op_type, *inputs, **attributes) -> name`` (one standard ONNX
        node), ``g.constant(value) -> name`` (a float32 scalar) and
        ``g.guard(a) -> (safe, a_safe)`` (gplearn's mask ``|a| > 0.001`` and
        ``a`` with the unsafe entries set to 1, as :func:`torch_guard`).  None:
        the operator has no ONNX form, and exporting a formula that uses it
        raises an error naming it.
    """

    name: str
    arity: int
    numpy: Callable
    torch_builder: Callable
    rule: Callable
    sympy: Callable
    in_gplearn_function_set: bool = True
    onnx: Optional[Callable] = None

    @functools.cached_property
    def torch(self):
        """The torch kernel (built on first use, so torch loads lazily)."""
        import torch  # noqa: PLC0415 - the registry must import without torch

        return self.torch_builder(torch)


# -- numpy: gplearn's protected semantics -------------------------------------------------


def _protected_division(x1, x2):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(x2) > PROTECTION_THRESHOLD, np.divide(x1, x2), 1.)


def _protected_sqrt(x1):
    return np.sqrt(np.abs(x1))


def _protected_log(x1):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(x1) > PROTECTION_THRESHOLD, np.log(np.abs(x1)), 0.)


def _protected_inverse(x1):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(x1) > PROTECTION_THRESHOLD, 1. / x1, 0.)


def _sigmoid(x1):
    with np.errstate(over="ignore", under="ignore"):
        return 1 / (1 + np.exp(-x1))


# -- torch: the same values, finite gradients ---------------------------------------------


def torch_guard(torch, a):
    """Mask of entries gplearn treats as safe, and ``a`` with the others set to 1.

    Computing ``1 / a`` on the masked-out entries and discarding them with
    ``torch.where`` would still send ``0 * inf = nan`` into the gradient, so
    the unsafe entries are replaced before the division or logarithm.
    """
    safe = torch.abs(a) > PROTECTION_THRESHOLD
    return safe, torch.where(safe, a, torch.ones_like(a))


def torch_sqrt_slope(torch, a):
    """d sqrt(|a|) / da, taken at the threshold below ``|a| = 0.001`` so it stays finite."""
    return torch.sign(a) * 0.5 / torch.sqrt(torch.clamp(torch.abs(a), min=PROTECTION_THRESHOLD))


def _torch_div(torch):
    def div(a, b):
        safe, b = torch_guard(torch, b)
        return torch.where(safe, a / b, torch.ones_like(a))
    return div


def _torch_log(torch):
    def log(a):
        safe, a = torch_guard(torch, a)
        return torch.where(safe, torch.log(torch.abs(a)), torch.zeros_like(a))
    return log


def _torch_inv(torch):
    def inv(a):
        safe, a = torch_guard(torch, a)
        return torch.where(safe, 1.0 / a, torch.zeros_like(a))
    return inv


def _torch_sqrt(torch):
    class ProtectedSqrt(torch.autograd.Function):
        """``sqrt(|a|)`` whose derivative is capped below ``|a| = 0.001``.

        Autograd of ``torch.sqrt(torch.abs(a))`` gives ``0 * inf = nan`` at zero.
        """

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return torch.sqrt(torch.abs(a))

        @staticmethod
        def backward(ctx, grad_output):
            (a,) = ctx.saved_tensors
            return grad_output * torch_sqrt_slope(torch, a)

    return ProtectedSqrt.apply


# -- rules of the fused plan: value and forward-mode derivative ---------------------------
#
# ``p`` is the plan builder of sksymact._tape; operands are its registers or
# Python floats, and a zero derivative is the float 0.0.  Only the plan's
# methods are used, so no rule decides what memory may be reused: the plan's
# liveness pass does.


def _rule_add(p, args, with_derivative):
    (a, da), (b, db) = args
    return p.add(a, b), (p.d_add(da, db) if with_derivative else 0.0)


def _rule_sub(p, args, with_derivative):
    (a, da), (b, db) = args
    return p.sub(a, b), (p.d_sub(da, db) if with_derivative else 0.0)


def _rule_mul(p, args, with_derivative):
    (a, da), (b, db) = args
    value = p.mul(a, b)
    if not with_derivative:
        return value, 0.0
    return value, p.d_add(p.d_mul(da, b), p.d_mul(a, db))


def _rule_div(p, args, with_derivative):
    (a, da), (b, db) = args
    if p.is_constant(b):
        if abs(b) > PROTECTION_THRESHOLD:
            # Divided (not multiplied by 1/b), so that div(a, 1.0) is a, bit for bit.
            return p.div(a, b), (p.d_div(da, b) if with_derivative else 0.0)
        return p.full(1.0), 0.0
    safe, b_safe = p.guard(b)
    quotient = p.div(a, b_safe)
    value = p.where(safe, quotient, 1.0)
    if not with_derivative:
        return value, 0.0
    # (a / b)' = (a' - (a / b) b') / b on the safe branch, 0 on the fallback.
    numerator = p.d_sub(da, p.d_mul(quotient, db))
    if p.is_zero(numerator):
        return value, 0.0
    return value, p.d_where(safe, p.div(p.tensor(numerator), b_safe), 0.0)


def _rule_extremum(op):
    def rule(p, args, with_derivative):
        (a, da), (b, db) = args
        if p.is_constant(a) or p.is_constant(b):
            tensor, constant = (b, a) if p.is_constant(a) else (a, b)
            value = p.emit("clamp_min" if op == "max" else "clamp_max", tensor, constant)
        else:
            value = p.emit("maximum" if op == "max" else "minimum", a, b)
        if not with_derivative or (p.is_zero(da) and p.is_zero(db)):
            return value, 0.0
        # The winner's derivative; ties split it evenly, as autograd does for maximum.
        a_t, b_t = p.tensor(a), p.tensor(b)
        wins = "gt" if op == "max" else "lt"
        first, second = p.emit(wins, a_t, b_t), p.emit(wins, b_t, a_t)
        tie = p.d_mul(p.d_add(da, db), 0.5)
        return value, p.d_where(first, da, p.d_where(second, db, tie))
    return rule


def _rule_unary(kernel, slope):
    """A unary operator whose derivative is ``a' * slope(p, a, value)``."""
    def rule(p, args, with_derivative):
        ((a, da),) = args
        value = p.neg(a) if kernel == "neg" else p.emit(kernel, a)
        if not with_derivative or p.is_zero(da):
            return value, 0.0
        return value, slope(p, a, value, da)
    return rule


def _rule_sqrt(p, args, with_derivative):
    ((a, da),) = args
    magnitude = p.emit("abs", a)
    value = p.emit("sqrt", magnitude)
    if not with_derivative or p.is_zero(da):
        return value, 0.0
    # torch_sqrt_slope: sign(a) * 0.5 / sqrt(max(|a|, threshold)).
    slope = p.div(p.mul(p.emit("sign", a), 0.5),
                  p.emit("sqrt", p.emit("clamp_min", magnitude, PROTECTION_THRESHOLD)))
    return value, p.d_scale(da, slope)


def _rule_log(p, args, with_derivative):
    ((a, da),) = args
    safe, a_safe = p.guard(a)
    value = p.where(safe, p.emit("log", p.emit("abs", a_safe)), 0.0)
    if not with_derivative or p.is_zero(da):
        return value, 0.0
    return value, p.d_where(safe, p.tensor(p.d_scale(da, p.div(1.0, a_safe))), 0.0)


def _rule_inv(p, args, with_derivative):
    ((a, da),) = args
    safe, a_safe = p.guard(a)
    inverse = p.div(1.0, a_safe)
    value = p.where(safe, inverse, 0.0)
    if not with_derivative or p.is_zero(da):
        return value, 0.0
    slope = p.neg(p.mul(inverse, inverse))
    return value, p.d_where(safe, p.tensor(p.d_scale(da, slope)), 0.0)


# -- ONNX: the same values in float32 ----------------------------------------------------
#
# ``g`` is the graph builder of sksymact._onnx_graph (see ``Operator.onnx``).  The
# protected operators are built as their torch kernels are: guard the
# argument (unsafe entries set to 1), compute, then ``Where`` picks gplearn's
# fallback, so no node ever divides by zero or takes the logarithm of zero.


def _onnx_simple(op_type):
    """An operator that is one standard ONNX node of the same name and arity."""
    def emit(g, *args):
        return g.op(op_type, *args)
    emit.__qualname__ = f"onnx_{op_type}"
    return emit


def _onnx_div(g, a, b):
    safe, b = g.guard(b)
    return g.op("Where", safe, g.op("Div", a, b), g.constant(1.0))


def _onnx_sqrt(g, a):
    return g.op("Sqrt", g.op("Abs", a))


def _onnx_log(g, a):
    safe, a = g.guard(a)
    return g.op("Where", safe, g.op("Log", g.op("Abs", a)), g.constant(0.0))


def _onnx_inv(g, a):
    safe, a = g.guard(a)
    # torch computes ``1.0 / a`` as a reciprocal: the same node here.
    return g.op("Where", safe, g.op("Reciprocal", a), g.constant(0.0))


def _onnx_sig(g, a):
    # torch's sigmoid is 1 / (1 + exp(-a)); so is this.  ONNX Runtime's own
    # Sigmoid kernel is an approximation whose relative error in the tail
    # reaches 4 (8.9e-8 for sig(-17.81) = 1.8e-8), which log(sig(x)) would show.
    exp = g.op("Exp", g.op("Neg", a))
    return g.op("Reciprocal", g.op("Add", exp, g.constant(1.0)))


# -- the registry --------------------------------------------------------------------------

_REGISTRY = {op.name: op for op in (
    Operator("add", 2, np.add, lambda torch: torch.add, _rule_add,
             lambda sp, guard, a, b: a + b, onnx=_onnx_simple("Add")),
    Operator("sub", 2, np.subtract, lambda torch: torch.sub, _rule_sub,
             lambda sp, guard, a, b: a - b, onnx=_onnx_simple("Sub")),
    Operator("mul", 2, np.multiply, lambda torch: torch.mul, _rule_mul,
             lambda sp, guard, a, b: a * b, onnx=_onnx_simple("Mul")),
    Operator("div", 2, _protected_division, _torch_div, _rule_div,
             lambda sp, guard, a, b: guard(b, a / b, sp.S.One), onnx=_onnx_div),
    Operator("sqrt", 1, _protected_sqrt, _torch_sqrt, _rule_sqrt,
             lambda sp, guard, a: sp.sqrt(sp.Abs(a)), onnx=_onnx_sqrt),
    Operator("log", 1, _protected_log, _torch_log, _rule_log,
             lambda sp, guard, a: guard(a, sp.log(sp.Abs(a)), sp.S.Zero), onnx=_onnx_log),
    Operator("abs", 1, np.abs, lambda torch: torch.abs,
             _rule_unary("abs", lambda p, a, value, da: p.d_mul(da, p.emit("sign", a))),
             lambda sp, guard, a: sp.Abs(a), onnx=_onnx_simple("Abs")),
    Operator("neg", 1, np.negative, lambda torch: torch.neg,
             _rule_unary("neg", lambda p, a, value, da: p.d_neg(da)),
             lambda sp, guard, a: -a, onnx=_onnx_simple("Neg")),
    Operator("inv", 1, _protected_inverse, _torch_inv, _rule_inv,
             lambda sp, guard, a: guard(a, 1 / a, sp.S.Zero), onnx=_onnx_inv),
    Operator("max", 2, np.maximum, lambda torch: torch.maximum, _rule_extremum("max"),
             lambda sp, guard, a, b: sp.Max(a, b), onnx=_onnx_simple("Max")),
    Operator("min", 2, np.minimum, lambda torch: torch.minimum, _rule_extremum("min"),
             lambda sp, guard, a, b: sp.Min(a, b), onnx=_onnx_simple("Min")),
    Operator("sin", 1, np.sin, lambda torch: torch.sin,
             _rule_unary("sin", lambda p, a, value, da: p.d_mul(da, p.emit("cos", a))),
             lambda sp, guard, a: sp.sin(a), onnx=_onnx_simple("Sin")),
    Operator("cos", 1, np.cos, lambda torch: torch.cos,
             _rule_unary("cos", lambda p, a, value, da: p.d_neg(p.d_mul(da, p.emit("sin", a)))),
             lambda sp, guard, a: sp.cos(a), onnx=_onnx_simple("Cos")),
    # tan' = 1 + tan**2 and sig' = sig * (1 - sig), from the value.
    Operator("tan", 1, np.tan, lambda torch: torch.tan,
             _rule_unary("tan", lambda p, a, value, da: p.d_mul(
                 da, p.add(p.mul(value, value), 1.0))),
             lambda sp, guard, a: sp.tan(a), onnx=_onnx_simple("Tan")),
    # torch.sigmoid equals gplearn's 1 / (1 + exp(-a)) to rounding, without its
    # overflow for very negative a.
    Operator("sig", 1, _sigmoid, lambda torch: torch.sigmoid,
             _rule_unary("sig", lambda p, a, value, da: p.d_scale(
                 da, p.mul(value, p.sub(1.0, value)))),
             lambda sp, guard, a: 1 / (1 + sp.exp(-a)),
             in_gplearn_function_set=False, onnx=_onnx_sig),
)}

#: Read-only mapping ``name -> Operator``: every operator formulas may use.
OPERATORS = types.MappingProxyType(_REGISTRY)


class _FieldView(Mapping):
    """``name -> getattr(record, field)`` over the registry, always current."""

    def __init__(self, field):
        self._field = field

    def __getitem__(self, name):
        return getattr(_REGISTRY[name], self._field)

    def __iter__(self):
        return iter(_REGISTRY)

    def __len__(self):
        return len(_REGISTRY)

    def __contains__(self, name):
        return name in _REGISTRY


#: ``name -> arity``, derived from :data:`OPERATORS`.
ARITIES = _FieldView("arity")


def gplearn_function_names():
    """The names gplearn's ``function_set`` accepts, from the registry.

    Returns
    -------
    frozenset of str
    """
    return frozenset(name for name, op in _REGISTRY.items() if op.in_gplearn_function_set)
