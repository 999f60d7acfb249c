"""Evaluate a collapsed formula on tensors, with its derivative in the same pass.

A formula is compiled once into a *plan*: a straight-line program of tensor
kernels over numbered registers, in static single assignment form.  Training
runs the plan in forward mode -- every node contributes its value and its
derivative with respect to ``x`` -- and keeps only ``f'(x)`` for the backward
pass, which is then a single multiplication.  Compared with autograd over the
same operations this records no graph and saves one tensor instead of every
intermediate.

The compiler works on symbols, not tensors, so every decision is taken once,
from the program itself:

- constants are folded (gplearn's numpy semantics, float64) and the trivial
  derivative arithmetic (``0 * a``, ``1 * a``, ``a + 0``, ``-(-a)``) costs
  nothing;
- identical kernels on identical operands are computed once (value
  numbering), which shares repeated subtrees and the ``sin(a)``/``cos(a)``
  pair of a value and its derivative;
- kernels whose result is not needed are dropped;
- a **liveness pass** decides where a kernel may write its result into one of
  its operands: only at that operand's last use, never into ``x``, never into
  a constant, an output, or a register of another dtype.  Nothing else in the
  module decides what may be overwritten, so no helper can hand out a tensor
  that a later step still reads (the bug of the interpreted tape this replaced,
  where ``div(a, 1.0)`` returned a shared ``sin(x)`` as its own).

Each operator's value and derivative come from its rule in the operator
registry (:mod:`sksymact._operators`); the protected operators keep gplearn's
values and the finite gradients of their torch kernels (zero on the fallback
branch, the derivative of ``sqrt(|a|)`` taken at the threshold below
``|a| = 0.001``).  One deliberate
difference from autograd: a derivative known to be zero stays zero when
multiplied by a non-finite value (autograd would give ``0 * inf = nan``).

A plan runs as straight-line Python generated from its steps (kernel calls
on local variables, nothing else: no text of the formula reaches the
generated source, only slot numbers and the names of the kernels below); the
loop that interprets the same steps one by one, :meth:`Plan.interpret`, is
kept as the reference the tests hold the generated code to.

On the CPU in float32, ``sin``, ``cos``, ``tan`` and ``log`` run as numpy's
float32 kernels on the tensors' memory: on the machine of the speed page they
take a third to a half of the time of torch's (numpy's SIMD code has a
maximum error of about 1.5 ulp for ``sin`` and ``cos`` and 3.4 for ``tan``,
torch's under 1 ulp).  A *value* plan -- prediction, evaluation, anything
without a gradient -- chooses them by dtype and device only, never by size,
so a row's prediction is the same function in a call of one row and in a
call of a thousand: a size rule once gave ``cos(tan(x))`` at ``x =
1.5707964`` 0.254 in a large tensor and -0.985 in a small one (``tan``'s error
near its pole is amplified).  numpy's kernels compute the tail of an array
with the same vector code as its body, so an element's bits do not depend on
where it sits (tested).  A *training* plan (value and derivative) takes
numpy's only from :data:`NUMPY_MIN_ELEMENTS` elements, where they pay for the
crossing: a training batch's bits define no prediction.  Every other kernel,
every other dtype and device, and code being traced by ``torch.compile`` use
torch's.
"""

import math

import numpy as np
import torch
from torch.autograd.function import once_differentiable

from ._operators import OPERATORS, PROTECTION_THRESHOLD

__all__ = ["Plan", "compile_plan", "FormulaFunction"]


# -- kernels: what one plan step runs -----------------------------------------------------
#
# Each kernel takes its operands (tensors, or Python floats for constants) and
# ``out``: None, or one of its own tensor operands to overwrite.  Kernels whose
# result is bool (comparisons) or that allocate by nature never write in place.


def _rsub(t, c, out=None):
    # c - t, exactly (IEEE negation is exact and c - t == c + (-t)).
    return torch.neg(t, out=out).add_(c)


def _rdiv(t, c, out=None):
    # c / t for a float c: torch's own ``c / t`` (reciprocal, then scale).
    return torch.reciprocal(t, out=out).mul_(c)


def _sigmoid(t, out=None):
    # 1 / (1 + exp(-t)), as gplearn writes it, from kernels whose value does not
    # depend on an element's position: torch.sigmoid computes a tensor's tail
    # with scalar code that differs from its vector code in the last bit.
    return torch.neg(t, out=out).exp_().add_(1.0).reciprocal_()


def _where(condition, a, b, out=None):
    if type(a) is float or type(b) is float:
        # torch.where takes a float only without ``out``; in place, fill instead.
        if out is None:
            return torch.where(condition, a, b)
        if out is a:
            return a.masked_fill_(torch.logical_not(condition), b)
        return b.masked_fill_(condition, a)
    return torch.where(condition, a, b, out=out)


def _full(x, value, out=None):
    return torch.full_like(x, value)


def _clone(t, out=None):
    return t.clone()


def _lt(a, b, out=None):
    return torch.lt(a, b)


def _gt(a, b, out=None):
    return torch.gt(a, b)


def _clamp_min(a, c, out=None):
    return torch.clamp(a, min=c, out=out)


def _clamp_max(a, c, out=None):
    return torch.clamp(a, max=c, out=out)


#: name -> (function, result is a float tensor, may write into an operand)
_KERNELS = {
    "add": (torch.add, True, True),
    "sub": (torch.sub, True, True),
    "rsub": (_rsub, True, True),
    "mul": (torch.mul, True, True),
    "div": (torch.div, True, True),
    "rdiv": (_rdiv, True, True),
    "neg": (torch.neg, True, True),
    "abs": (torch.abs, True, True),
    "sign": (torch.sign, True, True),
    "sqrt": (torch.sqrt, True, True),
    "log": (torch.log, True, True),
    "sin": (torch.sin, True, True),
    "cos": (torch.cos, True, True),
    "tan": (torch.tan, True, True),
    "sig": (_sigmoid, True, True),
    "maximum": (torch.maximum, True, True),
    "minimum": (torch.minimum, True, True),
    "clamp_min": (_clamp_min, True, True),
    "clamp_max": (_clamp_max, True, True),
    "where": (_where, True, True),
    "gt": (_gt, False, False),
    "lt": (_lt, False, False),
    "full": (_full, True, False),
    "clone": (_clone, True, False),
}


#: The kernels that run as numpy's ufuncs on CPU float32 tensors (faster there
#: than torch's; see the module docstring).
_NUMPY_UFUNCS = {name: getattr(np, name) for name in ("sin", "cos", "tan", "log")}


def _numpy_kernel(ufunc):
    """A float32 CPU kernel computed by a numpy ufunc on the tensors' own memory."""
    def kernel(t, out=None):
        a = t.numpy()
        if out is None:
            # ``out`` also for a 0-d array, for which numpy would return a scalar.
            return torch.from_numpy(ufunc(a, out=np.empty_like(a)))
        ufunc(a, out=out.numpy())
        return out
    kernel.__name__ = kernel.__qualname__ = f"numpy_{ufunc.__name__}"
    return kernel


#: From how many elements a *training* plan (value and derivative) runs numpy's
#: kernels.  Crossing from torch to numpy costs a few microseconds per call
#: (views, numpy's error state) and makes the backward pass of a tiny batch
#: slower, which numpy's faster kernels win back from about 12,000 elements on
#: the machine of the speed page: a batch of 1024 rows of the light net's layers
#: (65,536 and 32,768 elements) takes numpy's, a batch of 64 rows torch's.  A
#: training batch's bits define no prediction; a *value* plan -- prediction,
#: evaluation, anything without a gradient -- takes numpy's kernels at every size.
NUMPY_MIN_ELEMENTS = 16384


def _numpy_applies(x, min_elements=0):
    """Whether a plan runs numpy's kernels on ``x``: CPU float32, not being compiled.

    A value plan (``min_elements=0``) decides by dtype and device only, never
    by size (see the module docstring); a training plan also by size.
    """
    return (x.numel() >= min_elements and x.dtype is torch.float32 and x.is_cpu
            and not torch.compiler.is_compiling())  # torch.compile traces torch's kernels


#: The same as kernels with ``_KERNELS``' contract, for the step-by-step interpreter.
_NUMPY_KERNELS = {name: _numpy_kernel(ufunc) for name, ufunc in _NUMPY_UFUNCS.items()}


# -- the compiler -------------------------------------------------------------------------


class _Reg:
    """A register of the plan: an intermediate tensor (``x`` is register 0)."""

    __slots__ = ("index", "is_float")

    def __init__(self, index, is_float=True):
        self.index = index
        self.is_float = is_float


def _key(operand):
    if isinstance(operand, _Reg):
        return ("r", operand.index)
    # Constants: 0.0 and -0.0 are different operands.
    return ("c", operand, math.copysign(1.0, operand))


class _Builder:
    """Emits kernels on symbolic operands: registers or Python floats."""

    def __init__(self):
        self.x = _Reg(0)
        self.steps = []  # (kernel name, operands, result register)
        self._numbered = {}  # value numbering: (kernel, operand keys) -> register
        self._negation_of = {}  # register index -> register it negates
        self._n_registers = 1

    def emit(self, kernel, *operands):
        key = (kernel, tuple(_key(o) for o in operands))
        found = self._numbered.get(key)
        if found is not None:
            return found
        result = _Reg(self._n_registers, is_float=_KERNELS[kernel][1])
        self._n_registers += 1
        self.steps.append((kernel, operands, result))
        self._numbered[key] = result
        return result

    @staticmethod
    def is_constant(operand):
        return not isinstance(operand, _Reg)

    @staticmethod
    def is_zero(operand):
        return not isinstance(operand, _Reg) and operand == 0.0

    # Exact arithmetic for values: folded only where IEEE gives the same bits.

    def full(self, value):
        return self.emit("full", self.x, value)

    def tensor(self, operand):
        return operand if isinstance(operand, _Reg) else self.full(operand)

    def add(self, a, b):
        if not isinstance(a, _Reg):
            a, b = b, a
        return self.emit("add", a, b)

    def sub(self, a, b):
        if not isinstance(a, _Reg):
            return self.emit("rsub", b, a)
        return self.emit("sub", a, b)

    def mul(self, a, b):
        if not isinstance(a, _Reg):
            a, b = b, a
        if not isinstance(b, _Reg) and b == 1.0:
            return a  # a * 1.0 is a, bit for bit
        return self.emit("mul", a, b)

    def div(self, a, b):
        # Plain (unprotected) division; the callers guard the denominator.
        if not isinstance(a, _Reg):
            return self.emit("rdiv", b, a)
        return self.emit("div", a, b)

    def where(self, condition, a, b):
        return self.emit("where", condition, a, b)

    def neg(self, a):
        inner = self._negation_of.get(a.index)
        if inner is not None:
            return inner
        result = self.emit("neg", a)
        self._negation_of[result.index] = a
        return result

    # Derivative arithmetic: zero is the float 0.0 and short-circuits; a negated
    # operand is folded into a subtraction, so ``cos'`` costs no extra kernel.

    def d_add(self, a, b):
        if not isinstance(a, _Reg) and not isinstance(b, _Reg):
            return a + b
        if not isinstance(b, _Reg) and b == 0.0:
            return a
        if not isinstance(a, _Reg) and a == 0.0:
            return b
        if isinstance(b, _Reg) and b.index in self._negation_of:
            return self.d_sub(a, self._negation_of[b.index])
        if isinstance(a, _Reg) and a.index in self._negation_of:
            return self.d_sub(b, self._negation_of[a.index])
        return self.add(a, b)

    def d_sub(self, a, b):
        if not isinstance(a, _Reg) and not isinstance(b, _Reg):
            return a - b
        if not isinstance(b, _Reg) and b == 0.0:
            return a
        if not isinstance(a, _Reg) and a == 0.0:
            return self.d_neg(b)
        if isinstance(b, _Reg) and b.index in self._negation_of:
            return self.d_add(a, self._negation_of[b.index])
        return self.sub(a, b)

    def d_neg(self, a):
        return -a if not isinstance(a, _Reg) else self.neg(a)

    def d_mul(self, a, b):
        if not isinstance(a, _Reg) and not isinstance(b, _Reg):
            return a * b
        if not isinstance(a, _Reg):
            a, b = b, a
        if not isinstance(b, _Reg):
            if b == 0.0:
                return 0.0
            if b == -1.0:
                return self.neg(a)
            return self.mul(a, b)
        for first, second in ((a, b), (b, a)):
            inner = self._negation_of.get(second.index)
            if inner is not None:
                return self.neg(self.d_mul(first, inner))
        return self.emit("mul", a, b)

    def d_scale(self, da, slope):
        """``da * slope``, and exactly zero wherever ``slope`` is zero.

        The chain rule of an operator whose slope vanishes (``log``, ``inv``,
        ``sqrt`` at infinity, a saturated ``sig``): forward mode multiplies the
        operand's derivative first, and where that overflowed (``d(x*x)`` at
        ``x = 3e38``) ``inf * 0`` would be a NaN that reverse-mode autograd,
        which multiplies the slope by the finite factors, does not make.
        """
        product = self.d_mul(da, slope)
        if not (isinstance(da, _Reg) and isinstance(slope, _Reg)
                and isinstance(product, _Reg)):
            return product
        return self.emit("where", self.emit("gt", self.emit("abs", slope), 0.0), product, 0.0)

    def d_div(self, a, c):
        """``a' / c`` for a constant ``c``."""
        return a / c if not isinstance(a, _Reg) else self.div(a, c)

    def d_where(self, condition, a, b):
        if not isinstance(a, _Reg) and not isinstance(b, _Reg):
            if a == b:
                return a
            a = self.full(a)
        return self.emit("where", condition, a, b)

    def guard(self, a):
        """gplearn's safe entries of ``a`` and ``a`` with the others set to 1."""
        safe = self.emit("gt", self.emit("abs", a), PROTECTION_THRESHOLD)
        return safe, self.emit("where", safe, a, 1.0)


def _node(builder, op, args, with_derivative):
    """Value and derivative of one operator applied to ``args`` [(value, derivative)]."""
    values = [v for v, _ in args]
    if not any(isinstance(v, _Reg) for v in values):
        # A constant subtree: gplearn's own numpy semantics, in float64.
        with np.errstate(all="ignore"):
            return float(OPERATORS[op].numpy(*(np.float64(v) for v in values))), 0.0
    return OPERATORS[op].rule(builder, args, with_derivative)


class Plan:
    """A compiled straight-line program computing ``f(x)`` (and ``f'(x)``).

    Attributes
    ----------
    steps : tuple
        ``(kernel name, operand slots, result slot, slot to overwrite or -1,
        slots to release)`` per step.  Slot 0 is ``x``; constant slots hold
        Python floats.
    outputs : tuple of int
        Slots of the value and, if compiled with the derivative, of ``f'(x)``.
    source : str
        The generated Python function that runs the steps with torch's kernels
        (the one for CPU float32 differs only in the kernels of numpy's).
    """

    __slots__ = ("steps", "outputs", "source", "_template", "_run", "_run_numpy",
                 "_numpy_from")

    def __init__(self, steps, outputs, template):
        self.steps = steps
        self.outputs = outputs
        # A value plan (one output) is prediction's: numpy's kernels at every size.
        self._numpy_from = NUMPY_MIN_ELEMENTS if len(outputs) == 2 else 0
        self._template = template
        self.source, self._run = _generate(steps, outputs, template, numpy_kernels=False)
        uses_numpy = any(name in _NUMPY_UFUNCS for name, *_ in steps)
        self._run_numpy = (_generate(steps, outputs, template, numpy_kernels=True)[1]
                           if uses_numpy else None)

    def __call__(self, x):
        """Run the plan on ``x``.

        Parameters
        ----------
        x : torch.Tensor
            The input, of any shape.

        Returns
        -------
        tuple of torch.Tensor
            ``(f(x),)`` or ``(f(x), f'(x))``, as :func:`compile_plan` says.
        """
        if self._run_numpy is not None and _numpy_applies(x, self._numpy_from):
            with np.errstate(all="ignore"):  # numpy would warn where torch is silent
                return self._run_numpy(x.detach())
        return self._run(x)

    def interpret(self, x):
        """Run the steps one by one: the slow reference the generated code is tested against.

        The same kernels as a call (numpy's for CPU float32, see the module
        docstring), looked up and called step by step.

        Parameters
        ----------
        x : torch.Tensor
            The input, of any shape.

        Returns
        -------
        tuple of torch.Tensor
            What a call returns, bit for bit.
        """
        overrides = _NUMPY_KERNELS if _numpy_applies(x, self._numpy_from) else {}
        slots = list(self._template)
        slots[0] = x.detach()
        with np.errstate(all="ignore"):
            for name, operands, result, out, free in self.steps:
                function = overrides.get(name, _KERNELS[name][0])
                slots[result] = function(*[slots[i] for i in operands],
                                         out=None if out < 0 else slots[out])
                for i in free:
                    slots[i] = None
        return tuple(slots[i] for i in self.outputs)

    def kernel_counts(self):
        """How many times each kernel runs per call (for tests and the speed page).

        Returns
        -------
        dict
            ``{kernel name: count}``.
        """
        counts = {}
        for name, *_ in self.steps:
            counts[name] = counts.get(name, 0) + 1
        return counts

    def __len__(self):
        return len(self.steps)


def _generate(steps, outputs, template, numpy_kernels):
    """The steps as one Python function ``run(s0)``: ``(source, function)``.

    Each slot is a local variable ``s<slot>``, each constant a name bound in
    the function's namespace, each torch kernel ``k_<name>``; a released slot
    is deleted, so its tensor is freed exactly where the interpreter frees it.
    The source is built from slot numbers and kernel names only.

    With ``numpy_kernels`` (CPU float32), the kernels of ``_NUMPY_UFUNCS`` are
    numpy's ufuncs ``u_<name>`` on ndarray views ``a<slot>`` of the slots'
    tensors, each view made once and kept while its slot holds the same
    tensor (an in-place write keeps it).  Their results are numpy's own
    arrays, except where the result is an output of the plan: the autograd
    engine frees outputs without the GIL, and freeing a numpy array there
    costs more than a torch allocation, so outputs are allocated by torch.
    """
    namespace = {"__builtins__": {}, "empty_like": torch.empty_like,
                 "np_empty_like": np.empty_like, "from_numpy": torch.from_numpy}
    registers = {0} | {result for _, _, result, _, _ in steps}
    views = set()  # slots whose ndarray view a<slot> is valid

    def name(slot):
        if slot in registers:
            return f"s{slot}"
        namespace[f"c{slot}"] = template[slot]
        return f"c{slot}"

    def view(slot):
        if slot not in views:
            lines.append(f"    a{slot} = s{slot}.numpy()")
            views.add(slot)
        return f"a{slot}"

    lines = ["def run(s0):"]
    for kernel, operands, result, out, free in steps:
        # Only this module's kernel names and integer slots reach the source:
        # the formula and its constants are bound as objects, never as text.
        slots = (*operands, result, out, *free)
        if kernel not in _KERNELS or not all(type(i) is int for i in slots):
            raise ValueError(f"not a plan step: {(kernel, operands, result, out, free)!r}")
        if numpy_kernels and kernel in _NUMPY_UFUNCS:
            namespace[f"u_{kernel}"] = _NUMPY_UFUNCS[kernel]
            (operand,) = operands
            source = view(operand)
            if out >= 0:  # in place: the slot keeps its tensor (result == out)
                lines.append(f"    u_{kernel}({source}, out={view(out)})")
            elif result in outputs:
                lines.append(f"    s{result} = empty_like(s{operand})")
                lines.append(f"    u_{kernel}({source}, out={view(result)})")
            else:
                lines.append(f"    a{result} = u_{kernel}({source}, "
                             f"out=np_empty_like({source}))")
                lines.append(f"    s{result} = from_numpy(a{result})")
                views.add(result)
        else:
            namespace[f"k_{kernel}"] = _KERNELS[kernel][0]
            call = ", ".join(name(i) for i in operands)
            if out >= 0:
                call += f", out={name(out)}"
            else:
                views.discard(result)  # a new tensor in this slot
            lines.append(f"    s{result} = k_{kernel}({call})")
        if free:
            lines.append("    del " + ", ".join(f"s{i}" for i in free))
            for i in free:
                if i in views:
                    lines.append(f"    del a{i}")
                    views.discard(i)
    lines.append("    return (" + "".join(f"s{i}, " for i in outputs) + ")")
    source = "\n".join(lines) + "\n"
    exec(compile(source, "<sksymact plan>", "exec"), namespace)  # noqa: S102
    return source, namespace["run"]


def compile_plan(formula, constants=None, *, with_derivative):
    """Compile a collapsed formula into a :class:`Plan`.

    Parameters
    ----------
    formula : Formula
        A formula in the single variable ``x``.
    constants : sequence of float, optional
        Values of the formula's constants in pre-order (default: its own).
    with_derivative : bool
        Whether the plan also computes ``f'(x)``.

    Returns
    -------
    Plan
        Called on a tensor ``x`` it returns ``(f(x),)`` or ``(f(x), f'(x))``:
        new tensors of ``x``'s shape and dtype that share no memory with
        ``x``, with each other, or with anything the plan keeps.
    """
    if formula.variables - {"x"}:
        raise ValueError(
            f"SymbolicActivation needs a formula in the single variable x, got "
            f"variable {sorted(formula.variables - {'x'})[0]!r} in {formula}; call "
            "formula.collapse() first."
        )
    values = list(formula.constants if constants is None else constants)
    if len(values) != len(formula.constants):
        raise ValueError(f"expected {len(formula.constants)} constants, got {len(values)}")
    builder = _Builder()
    result = _evaluate_symbolically(builder, formula, iter(float(v) for v in values),
                                    with_derivative)
    return _finish(builder, result, with_derivative)


def _evaluate_symbolically(builder, formula, constants, with_derivative):
    """Fold the formula bottom-up into (value, derivative) symbols.

    ``constants`` is an iterator over the constants' values in pre-order,
    the order in which the fold meets the constant leaves.
    """
    def leaf(kind, payload):
        return (builder.x, 1.0) if kind == "var" else (next(constants), 0.0)

    return formula.fold(leaf, lambda name, args: _node(builder, name, args, with_derivative))


def _finish(builder, result, with_derivative):
    value, derivative = result
    # Outputs are new tensors: never x, never each other (backward overwrites f').
    if not isinstance(value, _Reg):
        value = builder.full(value)
    elif value is builder.x:
        value = builder.emit("clone", value)
    outputs = [value]
    if with_derivative:
        if not isinstance(derivative, _Reg):
            derivative = builder.emit("full", builder.x, float(derivative))
        if derivative is builder.x or derivative is value:
            derivative = builder.emit("clone", derivative)
        outputs.append(derivative)
    return _allocate(builder, outputs)


def _allocate(builder, outputs):
    """Drop dead steps, then decide in-place writes and releases by liveness."""
    needed = {r.index for r in outputs}
    live_steps = []
    for kernel, operands, result in reversed(builder.steps):
        if result.index in needed:
            live_steps.append((kernel, operands, result))
            needed.update(o.index for o in operands if isinstance(o, _Reg))
    live_steps.reverse()

    # Slots: 0 is x, then one per constant operand, then one per result.
    template, constant_slot, slot_of = [None], {}, {0: 0}
    for _, operands, _ in live_steps:
        for o in operands:
            if not isinstance(o, _Reg) and _key(o) not in constant_slot:
                constant_slot[_key(o)] = len(template)
                template.append(o)
    for _, _, result in live_steps:
        slot_of[result.index] = len(template)
        template.append(None)

    last_use = {}
    for position, (_, operands, _) in enumerate(live_steps):
        for o in operands:
            if isinstance(o, _Reg):
                last_use[o.index] = position
    for r in outputs:
        last_use[r.index] = math.inf

    steps = []
    for position, (kernel, operands, result) in enumerate(live_steps):
        _, result_is_float, may_overwrite = _KERNELS[kernel]
        dying = [o.index for o in dict.fromkeys(
            o for o in operands if isinstance(o, _Reg)) if last_use[o.index] == position]
        target = -1
        if may_overwrite:
            for o in operands:
                if (isinstance(o, _Reg) and o.index != 0 and o.is_float == result_is_float
                        and last_use[o.index] == position):
                    target = o.index
                    break
        operand_slots = tuple(slot_of[o.index] if isinstance(o, _Reg)
                              else constant_slot[_key(o)] for o in operands)
        if target >= 0:
            # The result lives in the operand's memory, so it takes the operand's slot.
            slot_of[result.index] = slot_of[target]
        free = tuple(slot_of[i] for i in dying if i != 0 and i != target)
        steps.append((kernel, operand_slots, slot_of[result.index],
                      slot_of[target] if target >= 0 else -1, free))
    return Plan(tuple(steps), tuple(slot_of[r.index] for r in outputs), tuple(template))


class FormulaFunction(torch.autograd.Function):
    """Autograd op for a formula: forward mode inside, one multiply in backward.

    ``plans`` is ``(value plan, value-and-derivative plan)``.  The backward
    pass multiplies the saved derivative in place (a fresh tensor per call
    costs more than the multiplication on small batches), so the graph can be
    walked backwards once; a second walk (``retain_graph``) raises instead of
    returning a wrong gradient.  The backward is once differentiable: with
    ``create_graph=True`` it goes through ``once_differentiable``, so that a
    second derivative raises; without (training), it skips that wrapper.
    """

    @staticmethod
    def forward(ctx, x, plans):
        if not ctx.needs_input_grad[0]:
            return plans[0](x)[0]
        value, derivative = plans[1](x)
        ctx.save_for_backward(derivative)
        ctx.consumed = False
        return value

    @staticmethod
    def backward(ctx, grad_output):
        if torch.is_grad_enabled():  # create_graph=True
            return _once_differentiable_backward(ctx, grad_output)
        return _backward(ctx, grad_output)


def _backward(ctx, grad_output):
    if ctx.consumed:
        raise RuntimeError(
            "A SymbolicActivation's graph can be walked backwards only once; "
            "use learnable_constants=True for double backward or retain_graph."
        )
    ctx.consumed = True
    (derivative,) = ctx.saved_tensors
    return derivative.mul_(grad_output), None


_once_differentiable_backward = once_differentiable(_backward)
