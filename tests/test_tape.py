"""The fused activation path against slow, obviously correct ones.

Every formula is evaluated three ways in float64: by the fused plan of
:class:`SymbolicActivation` (value and forward-mode derivative, in place where
the liveness pass allows), by plain autograd node by node (no sharing, no
in-place work), and by numpy with gplearn's protected semantics.  The
formulas come from an adversarial grammar: every operator, the constants 0, 1,
-1, 0.5, 2 and gplearn's protection boundaries +-0.001, repeated subtrees,
shared sin/cos arguments and nested div/log/inv of constants, enumerated
exhaustively up to a small size, plus hypothesis draws that mix those
constants with a continuous range.
"""

import itertools
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sksymact import Formula, HybridTransferClassifier, SymbolicActivation
from sksymact._activation import TORCH_OPERATORS
from sksymact._formula import OPERATORS, PROTECTION_THRESHOLD
from sksymact import _tape
from sksymact._tape import compile_plan

SPECIAL_CONSTANTS = (0.0, 1.0, -1.0, 0.5, 2.0, PROTECTION_THRESHOLD, -PROTECTION_THRESHOLD)
# Inputs on both sides of the protection threshold, exactly at it, and moderate
# values away from the poles of tan (where float64 itself cannot agree with itself).
X_VALUES = np.array([0.0, 5e-4, -5e-4, 1e-3, -1e-3, 1.5e-3, -1.5e-3, 0.25, -0.25, 0.5, -0.5,
                     1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 7.5, -10.0])
UNARY = sorted(name for name, op in OPERATORS.items() if op.arity == 1)
BINARY = sorted(name for name, op in OPERATORS.items() if op.arity == 2)
RTOL = 1e-12
#: Where float32 overflows (x * x, tan near its poles, 1 / tiny): the fused path
#: must not make a NaN that plain autograd does not.
LARGE_VALUES = np.array([1e19, -1e19, 3e38, -3e38])


def _leaves():
    return [Formula.variable("x")] + [Formula.constant(c) for c in SPECIAL_CONSTANTS]


def _formulas_of_size(max_size):
    """Every formula over all operators and the special leaves, up to ``max_size`` nodes."""
    by_size = {1: _leaves()}
    for size in range(2, max_size + 1):
        out = [Formula.apply(op, f) for op in UNARY for f in by_size[size - 1]]
        for left in range(1, size - 1):
            for a, b in itertools.product(by_size[left], by_size[size - 1 - left]):
                out.extend(Formula.apply(op, a, b) for op in BINARY)
        by_size[size] = out
    return [f for size in sorted(by_size) for f in by_size[size]]


def _repeated_subtrees():
    """op(u(S), v(S)): a subtree used twice, sin and cos of one argument, div by 1."""
    x = Formula.variable("x")
    one = Formula.constant(1.0)
    subtrees = [x] + [Formula.apply(op, x) for op in UNARY] + [Formula.apply("div", x, one)]
    wrappers = [lambda f: f] + [lambda f, op=op: Formula.apply(op, f) for op in UNARY] + [
        lambda f: Formula.apply("div", f, one),
        lambda f: Formula.apply("mul", f, Formula.constant(-1.0))]
    for s in subtrees:
        for u, v in itertools.product(wrappers, repeat=2):
            for op in BINARY:
                yield Formula.apply(op, u(s), v(s))


def _nested_constants():
    """op(T, x) and op(x, T) for every variable-free T of up to 3 nodes (div(c, c), ...)."""
    x = Formula.variable("x")
    constant_trees = [f for f in _formulas_of_size(3) if not f.variables]
    for t in constant_trees:
        for op in BINARY:
            yield Formula.apply(op, t, x)
            yield Formula.apply(op, x, t)


def _plain_autograd(formula, x):
    """Node by node with autograd: nothing shared, nothing overwritten."""
    if formula.kind == "var":
        return x
    if formula.kind == "const":
        return torch.full_like(x, formula.value)
    return TORCH_OPERATORS[formula.op](*(_plain_autograd(c, x) for c in formula.children))


def _rounding_scales(formula, x):
    """Per point, the size of what rounding can move in the value and the derivative.

    Float64 results of two correct evaluations (fused forward mode, autograd's
    reverse mode, numpy) differ by rounding, and where terms cancel -- ``1/x -
    x/x**2`` is autograd's derivative of ``div(x, x)`` -- the difference is
    relative to the terms, not to the (zero) result.  This propagates the
    magnitudes of the terms through the formula (a first-order condition
    estimate): ``V`` bounds the value's terms, ``D`` the derivative's.
    """
    def walk(node):
        if node.kind == "var":
            return x, np.ones_like(x), np.abs(x), np.ones_like(x)
        if node.kind == "const":
            zero = np.zeros_like(x)
            return np.full_like(x, node.value), zero, np.full_like(x, abs(node.value)), zero
        args = [walk(child) for child in node.children]
        op = node.op
        value = OPERATORS[op].numpy(*(a[0] for a in args))
        with np.errstate(all="ignore"):
            if len(args) == 2:
                (a, da, va, ca), (b, db, vb, cb) = args
                if op in ("add", "sub"):
                    return value, da + db if op == "add" else da - db, va + vb, ca + cb
                if op == "mul":
                    return (value, da * b + a * db, va * np.abs(b) + np.abs(a) * vb,
                            ca * np.abs(b) + np.abs(da) * vb + va * np.abs(db) + np.abs(a) * cb)
                if op == "div":
                    safe = np.abs(b) > PROTECTION_THRESHOLD
                    b1 = np.where(safe, b, 1.0)
                    q = a / b1
                    d = (da - q * db) / b1
                    v = (va + np.abs(q) * vb) / np.abs(b1)
                    c = (ca + np.abs(q) * cb + np.abs(db) * v + np.abs(d) * vb) / np.abs(b1)
                    return value, np.where(safe, d, 0.0), np.where(safe, v, 1.0), \
                        np.where(safe, c, 0.0)
                first = (a >= b) if op == "max" else (a <= b)
                return (value, np.where(first, da, db), np.maximum(va, vb),
                        np.maximum(ca, cb))
            ((a, da, va, ca),) = args
            if op in ("neg", "abs"):
                return value, (-da if op == "neg" else np.sign(a) * da), va, ca
            if op in ("sin", "cos"):
                g1 = np.cos(a) if op == "sin" else -np.sin(a)
                g2 = np.abs(value)
            elif op == "tan":
                g1 = 1 + value ** 2
                g2 = np.abs(2 * value * g1)
            elif op == "sig":
                g1 = value * (1 - value)
                g2 = np.abs(g1 * (1 - 2 * value))
            elif op == "sqrt":
                m = np.abs(a)
                g1 = np.sign(a) * 0.5 / np.sqrt(np.maximum(m, PROTECTION_THRESHOLD))
                g2 = np.where(m > PROTECTION_THRESHOLD, 0.25 * m ** -1.5, 0.0)
            else:  # log, inv: zero slope on the protected branch
                safe = np.abs(a) > PROTECTION_THRESHOLD
                a1 = np.where(safe, a, 1.0)
                g1 = np.where(safe, 1 / a1 if op == "log" else -1 / a1 ** 2, 0.0)
                g2 = np.where(safe, 1 / a1 ** 2 if op == "log" else 2 / np.abs(a1) ** 3, 0.0)
            return (value, g1 * da, np.abs(value) + np.abs(g1) * va,
                    np.abs(g1) * ca + g2 * np.abs(da) * va)

    _, _, value_scale, derivative_scale = walk(formula)
    return value_scale, derivative_scale


def _close(got, expected, scale):
    return np.abs(got - expected) <= RTOL * np.maximum(np.abs(expected), scale)


def check_formula(formula, x_values=X_VALUES):
    """Fused value and gradient equal plain autograd and numpy; no_grad equals grad."""
    act = SymbolicActivation(formula).double()
    x = torch.tensor(x_values, dtype=torch.float64, requires_grad=True)
    value = act(x)
    (grad,) = torch.autograd.grad(value.sum(), x)
    with torch.no_grad():
        value_no_grad = act(x)
    x_ref = torch.tensor(x_values, dtype=torch.float64, requires_grad=True)
    reference = _plain_autograd(formula, x_ref)
    if reference.requires_grad:
        (grad_ref,) = torch.autograd.grad(reference.sum(), x_ref)
    else:  # x does not reach the output
        grad_ref = torch.zeros_like(x_ref)
    value, value_no_grad = value.detach().numpy(), value_no_grad.numpy()
    reference, grad_ref, grad = reference.detach().numpy(), grad_ref.numpy(), grad.numpy()
    expected = formula(x_values)
    value_scale, grad_scale = _rounding_scales(formula, x_values)

    # The fused value is the same with and without a graph, bit for bit.
    assert np.array_equal(value, value_no_grad, equal_nan=True), f"no_grad differs: {formula}"
    assert np.array_equal(np.isfinite(reference), np.isfinite(value)), str(formula)
    finite = np.isfinite(reference) & np.isfinite(value_scale)
    assert _close(value[finite], reference[finite], value_scale[finite]).all(), (
        f"{formula}: fused value {value} != autograd {reference}")
    finite &= np.isfinite(expected)
    assert _close(value[finite], expected[finite], value_scale[finite]).all(), (
        f"{formula}: fused value {value} != numpy {expected}")
    usable = finite & np.isfinite(grad_ref) & np.isfinite(grad_scale)
    assert _close(grad[usable], grad_ref[usable], grad_scale[usable]).all(), (
        f"{formula}: fused gradient {grad} != autograd {grad_ref}")


# -- the regressions that started this file -------------------------------------------------


@pytest.mark.parametrize("text, value, gradient", [
    ("sin(x)/1 + cos(x)", [1.3570081004945758, 1.3817732906760363, 0.4931505902785393], None),
    ("(x*x/1) * (x*x)", None, [0.5, 4.0, 32.0]),
])
def test_issue_examples(text, value, gradient):
    x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = SymbolicActivation(text).double()(x)
    (grad,) = torch.autograd.grad(y.sum(), x)
    if value is not None:
        np.testing.assert_allclose(y.detach().numpy(), value, rtol=1e-15)
    if gradient is not None:
        np.testing.assert_allclose(grad.numpy(), gradient, rtol=1e-15)


@pytest.mark.parametrize("text", ["div(sin(x), 1.0)", "div(sin(x), div(cos(x), cos(x)))",
                                  "div(sin(x), sub(2.0, 1.0))", "div(sin(x), div(0.5, 0.0))"])
def test_subtrees_equal_to_one_do_not_corrupt_shared_values(text):
    check_formula(Formula.parse(f"add({text}, cos(x))"))
    check_formula(Formula.parse(f"mul({text}, sin(x))"))


# -- the adversarial grammar -----------------------------------------------------------------


_SMALL_FORMULAS = _formulas_of_size(4)


def test_the_enumeration_is_exhaustive():
    # 8 leaves; 9 unary and 6 binary operators: T(n) = 9 T(n-1) + 6 sum T(i) T(n-1-i).
    assert len(_SMALL_FORMULAS) == 8 + 72 + 1032 + 16200
    assert len(set(_SMALL_FORMULAS)) == len(_SMALL_FORMULAS)
    assert len(UNARY) == 9 and len(BINARY) == 6


@pytest.mark.parametrize("chunk", range(4))
def test_exhaustive_small_formulas(chunk):
    # In chunks, so that parallel test workers share the work.
    for formula in _SMALL_FORMULAS[chunk::4]:
        check_formula(formula)


def test_repeated_subtrees_and_shared_trig_arguments():
    formulas = list(_repeated_subtrees())
    assert len(formulas) > 5000
    for formula in formulas:
        check_formula(formula)


def test_nested_protected_operators_of_constants():
    formulas = list(_nested_constants())
    assert any(str(f).startswith("div(div(") for f in formulas)
    for formula in formulas:
        check_formula(formula)


_CONSTANTS = st.one_of(st.sampled_from(SPECIAL_CONSTANTS),
                       st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False))


def _trees(shared):
    leaves = st.one_of(st.just(Formula.variable("x")), _CONSTANTS.map(Formula.constant), shared)

    def extend(children):
        return st.one_of(
            st.builds(Formula.apply, st.sampled_from(UNARY), children),
            st.builds(Formula.apply, st.sampled_from(BINARY), children, children))
    return st.recursive(leaves, extend, max_leaves=10)


@st.composite
def _formulas_with_repeats(draw):
    # A subtree drawn once and offered as a leaf, so it recurs verbatim.
    shared = draw(_trees(st.nothing()))
    return draw(_trees(st.just(shared)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_formulas_with_repeats())
def test_random_formulas_with_special_and_continuous_constants(formula):
    check_formula(formula)


# -- what users see -----------------------------------------------------------------------


def test_outputs_share_no_memory_with_the_input_or_each_other():
    for text in ["x", "abs(x)", "mul(x, 1.0)", "div(x, 1.0)", "add(x, 0.0)", "0.5", "mul(x, x)"]:
        plan = compile_plan(Formula.parse(text), with_derivative=True)
        x = torch.randn(7, dtype=torch.float64)
        before = x.clone()
        value, derivative = plan(x)
        assert value.data_ptr() not in (x.data_ptr(), derivative.data_ptr()), text
        assert derivative.data_ptr() != x.data_ptr(), text
        torch.testing.assert_close(x, before, rtol=0, atol=0)


def test_in_place_writes_only_at_an_operands_last_use():
    """The liveness pass, checked on the plan itself: a slot that is overwritten
    (or released) is never read again, and x (slot 0) is never written."""
    for formula in list(_repeated_subtrees())[::7]:
        plan = compile_plan(formula, with_derivative=True)
        dead = set()
        for _, operands, result, out, free in plan.steps:
            assert not dead & set(operands), formula
            assert out != 0 and result != 0, formula
            dead.discard(result)
            dead.update(free)
        assert not dead & set(plan.outputs), formula


def test_equal_formulas_give_identical_models(binary_data):
    X, y = binary_data
    common = dict(hidden_layer_sizes=(8,), max_iter=5, batch_size=64, random_state=0)
    a = HybridTransferClassifier(activation="sin(x)/1 + cos(x)", **common).fit(X, y)
    b = HybridTransferClassifier(activation="sin(x) + cos(x)", **common).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.net_.history[-1, "train_loss"] == b.net_.history[-1, "train_loss"]


def test_changed_constants_change_the_computed_function():
    act = SymbolicActivation("x + 0.5").double()
    zero = torch.zeros(1, dtype=torch.float64)
    with torch.no_grad():
        act.constants[0] = 3.0
    assert str(act.current_formula()) == "add(x, 3.0)" and repr(act).endswith("add(x, 3.0))")
    assert act(zero).item() == 3.0
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    assert act(x).item() == 3.0
    act.load_state_dict({"constants": torch.tensor([-1.25], dtype=torch.float64)})
    assert act(zero).item() == -1.25 and "add(x, -1.25)" in repr(act)
    act.constants = torch.tensor([7.0], dtype=torch.float64)
    assert act(zero).item() == 7.0 and "add(x, 7.0)" in repr(act)


# -- the generated code, and numpy's kernels on the CPU in float32 --------------------------


def _bits(tensor):
    return tensor.numpy().tobytes()


@pytest.fixture
def numpy_kernels_in_training_plans_too(monkeypatch):
    """numpy's float32 kernels from one element on in training plans as well (value
    plans use them at every size), so that small inputs test that path."""
    monkeypatch.setattr(_tape, "NUMPY_MIN_ELEMENTS", 1)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("numpy_from", ["one element", "the default size"])
def test_generated_code_runs_the_steps_bit_for_bit(dtype, numpy_from, monkeypatch):
    """A call (generated straight-line code) equals the step-by-step interpreter."""
    if numpy_from == "one element":
        monkeypatch.setattr(_tape, "NUMPY_MIN_ELEMENTS", 1)
    formulas = _SMALL_FORMULAS[::7] + list(_repeated_subtrees())[::3]
    x = torch.tensor(X_VALUES, dtype=dtype)
    for formula in formulas:
        for with_derivative in (False, True):
            plan = compile_plan(formula, with_derivative=with_derivative)
            got, expected = plan(x), plan.interpret(x)
            assert len(got) == len(expected) == 1 + with_derivative, formula
            for a, b in zip(got, expected, strict=True):
                assert a.dtype == dtype and a.shape == x.shape, formula
                assert _bits(a) == _bits(b), f"{formula}: {a} != {b}"


class _NumpyKernel(torch.autograd.Function):
    """numpy's float32 kernel with its derivative: the slow reference of the fused path."""

    @staticmethod
    def forward(ctx, a, name):
        an = a.detach().numpy()
        with np.errstate(all="ignore"):
            value = getattr(np, name)(an)
            slope = {"sin": lambda: np.cos(an), "cos": lambda: -np.sin(an),
                     "tan": lambda: value * value + np.float32(1.0),
                     "log": lambda: np.float32(1.0) / an}[name]()
        ctx.save_for_backward(torch.from_numpy(np.asarray(slope)))
        return torch.from_numpy(np.asarray(value))

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope, None


class _TorchWithNumpyKernels:
    """torch, except for the four kernels the fused path takes from numpy in float32."""

    def __getattr__(self, name):
        if name in ("sin", "cos", "tan", "log"):
            return lambda a: _NumpyKernel.apply(a, name)
        return getattr(torch, name)


_NUMPY_TORCH = {name: op.torch_builder(_TorchWithNumpyKernels())
                for name, op in OPERATORS.items()}
# Rounding in float32 where the float64 checks allow 1e-12: the same multiple of the epsilon.
RTOL32 = RTOL * float(np.finfo(np.float32).eps / np.finfo(np.float64).eps)


def _plain_autograd32(formula, x):
    if formula.kind == "var":
        return x
    if formula.kind == "const":
        return torch.full_like(x, formula.value)
    return _NUMPY_TORCH[formula.op](*(_plain_autograd32(c, x) for c in formula.children))


def check_formula32(formula):
    """Fused float32 value and gradient (numpy's sin, cos, tan, log) against plain autograd
    over the same kernels, node by node, in float32."""
    x_values = X_VALUES.astype(np.float32)
    act = SymbolicActivation(formula)
    x = torch.tensor(x_values, requires_grad=True)
    value = act(x)
    (grad,) = torch.autograd.grad(value.sum(), x)
    x_ref = torch.tensor(x_values, requires_grad=True)
    reference = _plain_autograd32(formula, x_ref)
    if reference.requires_grad:
        (grad_ref,) = torch.autograd.grad(reference.sum(), x_ref)
    else:
        grad_ref = torch.zeros_like(x_ref)
    value, grad = value.detach().numpy(), grad.numpy()
    reference, grad_ref = reference.detach().numpy(), grad_ref.numpy()
    value_scale, grad_scale = _rounding_scales(formula, x_values.astype(np.float64))

    def close(got, expected, scale):
        return np.abs(got - expected) <= RTOL32 * np.maximum(np.abs(expected), scale)

    # Where autograd is finite, the fused path must be finite too: a NaN or an
    # infinity that only the fast path makes is a failure, never skipped.
    assert np.isfinite(value[np.isfinite(reference)]).all(), (
        f"{formula}: fused value {value} is not finite where autograd's {reference} is")
    assert np.isfinite(grad[np.isfinite(grad_ref)]).all(), (
        f"{formula}: fused gradient {grad} is not finite where autograd's {grad_ref} is")
    # Where autograd is not finite, the value is the same non-finite value; the
    # derivative may be finite where autograd's is NaN (a derivative known to be
    # zero stays zero when multiplied by a non-finite value, see the fused path).
    assert np.array_equal(value[~np.isfinite(reference)], reference[~np.isfinite(reference)],
                          equal_nan=True), f"{formula}: fused value {value} != {reference}"
    infinite = np.isinf(grad_ref)
    assert np.array_equal(grad[infinite], grad_ref[infinite]), (
        f"{formula}: fused gradient {grad} != autograd {grad_ref}")
    finite = np.isfinite(reference) & np.isfinite(value_scale)
    assert close(value[finite], reference[finite], value_scale[finite]).all(), (
        f"{formula}: fused value {value} != autograd {reference}")
    usable = np.isfinite(grad_ref) & np.isfinite(grad_scale)
    assert close(grad[usable], grad_ref[usable], grad_scale[usable]).all(), (
        f"{formula}: fused gradient {grad} != autograd {grad_ref}")


def check_overflow32(formula):
    """Where float32 overflows, the fused path makes no NaN that autograd does not."""
    x = torch.tensor(LARGE_VALUES.astype(np.float32), requires_grad=True)
    value = SymbolicActivation(formula)(x)
    (grad,) = torch.autograd.grad(value.sum(), x)
    x_ref = torch.tensor(LARGE_VALUES.astype(np.float32), requires_grad=True)
    reference = _plain_autograd32(formula, x_ref)
    grad_ref = (torch.autograd.grad(reference.sum(), x_ref)[0] if reference.requires_grad
                else torch.zeros_like(x_ref))
    value, reference = value.detach().numpy(), reference.detach().numpy()
    assert not (np.isnan(value) & ~np.isnan(reference)).any(), (
        f"{formula}: fused value {value}, autograd {reference}")
    assert not (np.isnan(grad.numpy()) & ~np.isnan(grad_ref.numpy())).any(), (
        f"{formula}: fused gradient {grad}, autograd {grad_ref}")


def test_float32_overflow_makes_no_nan_that_autograd_does_not(
        numpy_kernels_in_training_plans_too):
    # f(x * x) with x * x overflowing: forward mode multiplies inf by a slope
    # that vanished (log, inv, sqrt, sig), reverse mode never does.
    overflowing = [Formula.parse(f"{name}(mul(x, x))") for name in ("log", "inv", "sqrt", "sig")]
    for formula in overflowing + _SMALL_FORMULAS[:1112] + _SMALL_FORMULAS[1112::4]:
        check_overflow32(formula)


def test_float32_on_the_cpu_against_autograd_over_numpys_kernels(
        numpy_kernels_in_training_plans_too):
    formulas = _SMALL_FORMULAS[:1112] + list(_repeated_subtrees())  # up to 3 nodes, repeats
    for formula in formulas:
        check_formula32(formula)


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "log"])
def test_float32_cpu_value_plans_take_numpys_kernels_at_every_size(name):
    plan = compile_plan(Formula.parse(f"{name}(x)"), with_derivative=False)
    values = torch.linspace(0.01, 3.0, 20_000)
    for size in (1, 7, 16, 17, 20_000):
        part = values[:size]
        assert _bits(plan(part)[0]) == getattr(np, name)(part.numpy()).tobytes()
    for other in (values.double(), values.to(torch.float16)):
        assert torch.equal(plan(other)[0], getattr(torch, name)(other))


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "log"])
def test_training_plans_take_numpys_kernels_on_large_tensors_only(name):
    plan = compile_plan(Formula.parse(f"{name}(x)"), with_derivative=True)
    large = torch.linspace(0.01, 3.0, _tape.NUMPY_MIN_ELEMENTS)
    small = large[:-1]
    assert _bits(plan(large)[0]) == getattr(np, name)(large.numpy()).tobytes()
    assert _bits(plan(small)[0]) == getattr(torch, name)(small).numpy().tobytes()


@pytest.mark.parametrize("text", ["cos(tan(x))", "sin(tan(x))", "mul(x, cos(x))",
                                  "log(abs(tan(x)))", "sub(sqrt(x), log(abs(x)))",
                                  "div(sin(x), cos(x))", "mul(x, sig(mul(1.702, x)))"])
def test_an_elements_value_does_not_depend_on_the_size_of_the_call(text):
    """Each element is the same function in a one-element call and in a large one,
    wherever it sits in the tensor (prediction's value plan, bit for bit; a
    training plan the same among calls on the same side of its size rule)."""
    rng = np.random.default_rng(0)
    pole = np.float32(1.5707964)  # tan's pole in float32: its error is amplified there
    values = np.concatenate([[pole, -pole, 0.0, 1.0, -1.0, 1e-3, -1e-3],
                             rng.normal(size=40_000)]).astype(np.float32)
    for with_derivative, calls in ((False, ((0, 1), (0, 7), (1, 16), (3, 33), (5, 1000),
                                            (0, 16_384))),
                                   (True, ((0, 16_384), (7, 20_000), (1, 16_385)))):
        plan = compile_plan(Formula.parse(text), with_derivative=with_derivative)
        full = plan(torch.from_numpy(values))
        for start, size in calls:
            part = plan(torch.from_numpy(values[start:start + size].copy()))
            for got, expected in zip(part, full, strict=True):
                assert _bits(got) == _bits(expected[start:start + size]), (text, start, size)


def test_float32_plans_take_any_layout_and_shape_and_stay_silent(
        numpy_kernels_in_training_plans_too):
    plan = compile_plan(Formula.parse("sub(mul(x, cos(x)), log(tan(x)))"), with_derivative=True)
    x = torch.randn(5, 4)
    dense = plan(x)
    for strided in (x.t(), x[:, ::2], x.expand(2, 5, 4)[1]):
        for got, expected in zip(plan(strided), plan(strided.contiguous()), strict=True):
            assert got.shape == strided.shape
            assert _bits(got.contiguous()) == _bits(expected)
    assert [tuple(t.shape) for t in plan(torch.tensor(0.5))] == [(), ()]
    assert all(t.shape == (5, 4) for t in dense)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy would warn about these, torch does not
        value, _ = plan(torch.tensor([np.inf, -np.inf, np.nan, 0.0, -1.0]))
    assert not np.isfinite(value.numpy()[:3]).any()


@pytest.mark.parametrize("step", [
    ("__import__('os').getcwd", (0,), 1, -1, ()),  # not a kernel of the module
    ("sin", ("0; import os",), 1, -1, ()),  # a slot that is not an integer
])
def test_generated_code_takes_only_kernel_names_and_integer_slots(step):
    with pytest.raises(ValueError, match="not a plan step"):
        _tape._generate([step], (1,), [None, None], numpy_kernels=False)
