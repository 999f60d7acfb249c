"""Evaluate a collapsed formula on tensors, with its derivative in the same pass.

A formula is flattened once into a post-order *tape*.  Training evaluates the
tape in forward mode: every step carries its value and its derivative with
respect to ``x``, and only the final derivative ``f'(x)`` is kept for the
backward pass, which is then a single multiplication.  Compared with autograd
over the same operations this records no graph, keeps one saved tensor instead
of every intermediate, and lets intermediates be overwritten in place — the
formula is a tree, so each intermediate is read exactly once.

Derivatives are represented as ``None`` (zero), a Python float (a constant)
or a tensor, so constant subtrees cost nothing and ``d/dx x = 1`` multiplies
nothing.  The protected operators keep gplearn's values and the finite
gradients of :mod:`sksymact._activation` (zero on the fallback branch, the
derivative of ``sqrt(|a|)`` capped below ``|a| = 0.001``).
"""

import numpy as np
import torch
from torch.autograd.function import once_differentiable

from ._formula import OPERATORS, PROTECTION_THRESHOLD

__all__ = ["compile_tape", "evaluate", "FormulaFunction"]


_TRIG = ("sin", "cos")


def compile_tape(formula):
    """Flatten a collapsed formula into a post-order (reverse Polish) tape.

    Each step is ``("x", 0)``, ``("const", index)`` or ``(op, arity)``; an
    operator pops its arguments off a value stack.  Constants are numbered in
    pre-order, like ``Formula.constants``.

    Discovered formulas repeat themselves once their variables are collapsed
    (``sub(sin(x), abs(sub(sin(x), cos(x))))``), so two more kinds of step
    share work:

    - a subtree without constants that occurs more than once is evaluated
      once, kept with ``("store", slot)`` and reused with ``("load", slot)``;
    - ``("memo", 0)`` before a sin or cos step whose argument (``x`` or a
      stored subtree) is also the argument of another sin or cos: the value
      and derivative of ``sin(a)`` and ``cos(a)`` need the same two kernels,
      ``sin(a)`` and ``cos(a)``, which are then computed once.

    Subtrees with constants are not shared: with learnable constants each
    occurrence has its own trainable values.
    """
    counts = {}
    stack = [formula]
    while stack:
        node = stack.pop()
        if node.kind == "op":
            counts[node] = counts.get(node, 0) + 1
            stack.extend(node.children)
    shared = {node for node, n in counts.items() if n > 1 and not node.constants}

    tape = []
    slots = {}
    n_constants = 0
    stack = [(formula, False)]
    while stack:
        node, expanded = stack.pop()
        if node.kind == "var":
            if node.name != "x":
                raise ValueError(
                    f"SymbolicActivation needs a formula in the single variable x, "
                    f"got variable {node.name!r} in {formula}; call formula.collapse() first."
                )
            tape.append(("x", 0))
        elif node.kind == "const":
            tape.append(("const", n_constants))
            n_constants += 1
        elif node in slots:
            tape.append(("load", slots[node]))
        elif expanded:
            tape.append((node.op, len(node.children)))
            if node in shared:
                slots[node] = len(slots)
                tape.append(("store", slots[node]))
        else:
            stack.append((node, True))
            # Reversed, so the children come off the stack (and are numbered) in order.
            stack.extend((child, False) for child in reversed(node.children))
    return _mark_shared_trig(tape)


def _mark_shared_trig(tape):
    """Insert ``("memo", 0)`` before sin/cos steps whose argument another one shares."""
    # Follow which argument each stack entry is: "x", a slot, or None (unshareable).
    sources, trig_args = [], []
    for op, arg in tape:
        if op in ("x", "load"):
            sources.append("x" if op == "x" else arg)
        elif op == "store":
            sources[-1] = arg
        elif op == "const":
            sources.append(None)
        else:
            operands = sources[len(sources) - arg:]
            del sources[len(sources) - arg:]
            if op in _TRIG:
                trig_args.append(operands[0])
            sources.append(None)
    repeated = {a for a in trig_args if a is not None and trig_args.count(a) > 1}
    out, trig_index = [], 0
    for step in tape:
        if step[0] in _TRIG:
            if trig_args[trig_index] in repeated:
                out.append(("memo", 0))
            trig_index += 1
        out.append(step)
    return tuple(out)


# -- arithmetic on tensors, floats and None (= zero), in place where it is safe ---------
#
# Every quantity travels with an ``owned`` flag: True only for a tensor this
# evaluation allocated and that nothing else refers to, which may therefore be
# overwritten.  ``x`` and any tensor shared by two quantities are never owned.


def _is_scalar(value):
    # Scalars here are always Python floats (constants and constant derivatives);
    # an exact type test is far cheaper than an ABC isinstance on the hot path.
    return type(value) is float


def _mul(a, a_own, b, b_own):
    """``a * b``; a and b may be floats, tensors or None (zero)."""
    if a is None or b is None:
        return None, False
    if _is_scalar(a) and _is_scalar(b):
        return a * b, False
    if _is_scalar(a):
        a, a_own, b, b_own = b, b_own, a, a_own
    if _is_scalar(b):
        if b == 1.0:
            return a, a_own
        return (a.mul_(b), True) if a_own else (a * b, True)
    if a_own:
        return a.mul_(b), True
    if b_own:
        return b.mul_(a), True
    return a * b, True


def _add(a, a_own, b, b_own):
    if a is None:
        return b, b_own
    if b is None:
        return a, a_own
    if _is_scalar(a) and _is_scalar(b):
        return a + b, False
    if _is_scalar(a) or (b_own and not a_own):
        a, a_own, b, b_own = b, b_own, a, a_own
    return (a.add_(b), True) if a_own else (a + b, True)


def _neg(a, a_own):
    if a is None:
        return None, False
    if _is_scalar(a):
        return -a, False
    return (a.neg_(), True) if a_own else (-a, True)


def _sub(a, a_own, b, b_own):
    if b is None:
        return a, a_own
    if a is None:
        return _neg(b, b_own)
    if _is_scalar(a) and _is_scalar(b):
        return a - b, False
    if a_own:
        return a.sub_(b), True
    if b_own:
        return (torch.sub(a, b, out=b), True) if not _is_scalar(a) else (b.neg_().add_(a), True)
    return a - b, True


def _fresh(tensor):
    return tensor, True


def _unary(op, a, a_own, da, da_own, with_derivative):
    """sin, cos, tan, sig, abs, neg: the derivative factor is taken before ``a`` is overwritten."""
    factor = None
    if with_derivative and da is not None:
        if op == "sin":
            factor = _fresh(torch.cos(a))
        elif op == "cos":
            factor = _neg(*_fresh(torch.sin(a)))
        elif op == "abs":
            factor = _fresh(torch.sign(a))
        elif op == "neg":
            factor = (-1.0, False)
    inplace = {"sin": "sin_", "cos": "cos_", "tan": "tan_", "sig": "sigmoid_",
               "abs": "abs_", "neg": "neg_"}[op]
    if a_own:
        value = getattr(a, inplace)()
    else:
        value = getattr(torch, {"sig": "sigmoid"}.get(op, op) if op != "neg" else "neg")(a)
    if with_derivative and da is not None and factor is None:
        # tan' = 1 + tan**2 and sig' = sig * (1 - sig), from the value.
        if op == "tan":
            factor = _fresh(torch.addcmul(torch.ones_like(value), value, value))
        else:
            factor = _fresh(value * (1.0 - value))
    if factor is None:
        return value, True, None, False
    d, d_own = _mul(da, da_own, *factor)
    return value, True, d, d_own


def _step(op, args, with_derivative):
    """One operator on (value, owned, derivative, owned) quadruples."""
    values = [term[0] for term in args]
    if all(_is_scalar(v) for v in values):
        # A constant subtree: gplearn's own numpy semantics, in float64.
        with np.errstate(all="ignore"):
            out = float(OPERATORS[op].numpy(*(np.float64(v) for v in values)))
        return out, False, None, False
    if len(args) == 1:
        a, a_own, da, da_own = args[0]
        if op in ("sin", "cos", "tan", "sig", "abs", "neg"):
            return _unary(op, a, a_own, da, da_own, with_derivative)
        if op == "sqrt":
            value, d = _sqrt(a, da, with_derivative)
        else:
            value, d = _log_inv(op, a, da, with_derivative)
        return value, True, d, d is not None
    (a, a_own, da, da_own), (b, b_own, db, db_own) = args
    if op in ("add", "sub"):
        combine = _add if op == "add" else _sub
        d, d_own = combine(da, da_own, db, db_own) if with_derivative else (None, False)
        return (*combine(a, a_own, b, b_own), d, d_own)
    if op == "mul":
        d, d_own = None, False
        if with_derivative:
            # (a b)' = a' b + a b'; a and b are still needed, so neither is overwritten.
            d, d_own = _add(*_mul(da, da_own, b, False), *_mul(db, db_own, a, False))
            # A derivative that is one of the operands must survive the product.
            a_own = a_own and d is not a
            b_own = b_own and d is not b
        return (*_mul(a, a_own, b, b_own), d, d_own)
    if op == "div":
        value, d = _div(a, da, b, db, with_derivative)
    else:
        value, d = _extremum(op, a, da, b, db, with_derivative)
    return value, not _is_scalar(value), d, d is not None and not _is_scalar(d)


def _shared_trig(op, argument, with_derivative, memo):
    """sin or cos of an argument shared with another sin or cos step.

    ``sin(a)`` and ``cos(a)`` are computed once per argument and handed out as
    shared (not owned) tensors: the value of one step is the derivative factor
    of the other.
    """
    a, _, da, da_own = argument
    if _is_scalar(a):
        return _step(op, (argument,), with_derivative)
    kernels = memo.get(id(a))
    if kernels is None:
        # ``a`` is kept in the entry so its id cannot be reused by another tensor.
        kernels = memo[id(a)] = {"a": a}
    needed = [op] + (["cos" if op == "sin" else "sin"]
                     if with_derivative and da is not None else [])
    for name in needed:
        if name not in kernels:
            kernels[name] = torch.sin(a) if name == "sin" else torch.cos(a)
    value = kernels[op]
    if len(needed) == 1:
        return value, False, None, False
    factor = (kernels["cos"], False) if op == "sin" else _neg(kernels["sin"], False)
    d, d_own = _mul(da, da_own, *factor)
    return value, False, d, d_own


def guard(a):
    """Mask of entries gplearn treats as safe, and ``a`` with the others set to 1.

    Computing ``1 / a`` on the masked-out entries and discarding them with
    ``torch.where`` would still send ``0 * inf = nan`` into the gradient, so
    the unsafe entries are replaced before the division or logarithm.
    """
    safe = torch.abs(a) > PROTECTION_THRESHOLD
    return safe, torch.where(safe, a, torch.ones_like(a))


def sqrt_slope(a):
    """d sqrt(|a|) / da, taken at the threshold below ``|a| = 0.001`` so it stays finite."""
    return torch.sign(a) * 0.5 / torch.sqrt(torch.clamp(torch.abs(a), min=PROTECTION_THRESHOLD))


def _scale(d, t):
    """``d * t`` without in-place work (for the rarely used operators)."""
    return _mul(d, False, t, False)[0]


def _sqrt(a, da, with_derivative):
    value = torch.sqrt(torch.abs(a))
    if not with_derivative or da is None:
        return value, None
    return value, _scale(da, sqrt_slope(a))


def _extremum(op, a, da, b, db, with_derivative):
    like = b if _is_scalar(a) else a
    a_t, b_t = (torch.full_like(like, v) if _is_scalar(v) else v for v in (a, b))
    value = torch.maximum(a_t, b_t) if op == "max" else torch.minimum(a_t, b_t)
    if not with_derivative or (da is None and db is None):
        return value, None
    first = a_t > b_t if op == "max" else a_t < b_t
    second = b_t > a_t if op == "max" else b_t < a_t
    # Ties split the gradient evenly, as autograd does for torch.maximum.
    da_t, db_t = (torch.zeros_like(value) if d is None
                  else torch.full_like(value, d) if _is_scalar(d) else d for d in (da, db))
    d = torch.where(first, da_t, torch.where(second, db_t, 0.5 * (da_t + db_t)))
    return value, d


def _div(a, da, b, db, with_derivative):
    if _is_scalar(b):
        if abs(b) > PROTECTION_THRESHOLD:
            return a / b, _scale(da, 1.0 / b) if with_derivative else None
        return torch.ones_like(a), None
    safe, b_safe = guard(b)
    value = torch.where(safe, a / b_safe, torch.ones_like(b_safe))
    if not with_derivative:
        return value, None
    # (a / b)' = (a' b - a b') / b**2 = (a' - value * b') / b on the safe branch.
    numerator = _sub(da, False, _scale(db, value), False)[0]
    if numerator is None:
        return value, None
    d = numerator / b_safe
    return value, torch.where(safe, d, torch.zeros_like(value))


def _log_inv(op, a, da, with_derivative):
    safe, a_safe = guard(a)
    if op == "log":
        value = torch.where(safe, torch.log(torch.abs(a_safe)), torch.zeros_like(a_safe))
        slope = 1.0 / a_safe
    else:
        inverse = 1.0 / a_safe
        value = torch.where(safe, inverse, torch.zeros_like(a_safe))
        slope = -inverse * inverse
    if not with_derivative or da is None:
        return value, None
    return value, torch.where(safe, _scale(da, slope), torch.zeros_like(value))


def evaluate(tape, x, constants, with_derivative=False):
    """Run the tape on tensor ``x``; returns ``(f(x), f'(x) or None)``.

    ``constants`` is a sequence of Python floats (folded into scalar
    arithmetic).  The results always have the shape and dtype of ``x`` and
    never share memory with it.
    """
    stack = []
    slots = {}
    memo = None  # sin/cos kernels of shared arguments, for the step after ("memo", 0)
    shared_next = False
    for op, arg in tape:
        shared_next_now, shared_next = shared_next, False
        if op == "x":
            stack.append((x, False, 1.0, False))
        elif op == "const":
            stack.append((float(constants[arg]), False, None, False))
        elif op == "store":
            # Shared from now on: no step may overwrite it in place.
            value, _, derivative, _ = stack[-1]
            stack[-1] = slots[arg] = (value, False, derivative, False)
        elif op == "load":
            stack.append(slots[arg])
        elif op == "memo":
            memo = {} if memo is None else memo
            shared_next = True
            continue
        elif shared_next_now:
            stack.append(_shared_trig(op, stack.pop(), with_derivative, memo))
        elif arg == 1:
            stack.append(_step(op, (stack.pop(),), with_derivative))
        else:
            second = stack.pop()
            stack.append(_step(op, (stack.pop(), second), with_derivative))
    value, _, derivative, _ = stack[-1]
    if _is_scalar(value):
        value = torch.full_like(x, value)
    elif value is x:
        value = x.clone()
    if not with_derivative:
        return value, None
    if derivative is None:
        derivative = torch.zeros_like(x)
    elif _is_scalar(derivative):
        derivative = torch.full_like(x, derivative)
    elif derivative is value:
        # Backward multiplies the derivative in place; the output must survive.
        derivative = derivative.clone()
    return value, derivative


class FormulaFunction(torch.autograd.Function):
    """Autograd op for a formula: forward mode inside, one multiply in backward.

    The backward pass multiplies the saved derivative in place (a fresh
    tensor per call costs more than the multiplication on small batches), so
    the graph can be walked backwards once; a second walk (``retain_graph``)
    raises instead of returning a wrong gradient.
    """

    @staticmethod
    def forward(ctx, x, tape, constants):
        needs_grad = ctx.needs_input_grad[0]
        value, derivative = evaluate(tape, x, constants, with_derivative=needs_grad)
        if needs_grad:
            ctx.save_for_backward(derivative)
            ctx.consumed = False
        return value

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        if ctx.consumed:
            raise RuntimeError(
                "A SymbolicActivation's graph can be walked backwards only once; "
                "use learnable_constants=True for double backward or retain_graph."
            )
        ctx.consumed = True
        (derivative,) = ctx.saved_tensors
        return derivative.mul_(grad_output), None, None
