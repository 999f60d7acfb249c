import copy
import io
import pickle

import numpy as np
import pytest
import torch
from torch import nn

from sksymact import Formula, SymbolicActivation
from sksymact._activation import TORCH_OPERATORS, resolve_activation
from sksymact._formula import OPERATORS

# Inputs on both sides of gplearn's protection threshold and far from it.
SPECIAL = np.array([0.0, 1e-4, -1e-4, 1e-3, -1e-3, 1.0001e-3, -1.0001e-3, 0.5, -0.5,
                    1.0, -1.0, np.pi / 2, 3.0, -7.5, 1e4, -1e4])


def _random_collapsed_formulas(n, seed=0):
    """Random formulas in x built by gplearn itself, with every operator."""
    from gplearn._program import _Program
    from gplearn.functions import _function_map, sig1

    functions = list(_function_map.values()) + [sig1]
    arities = {}
    for function in functions:
        arities.setdefault(function.arity, []).append(function)
    rng = np.random.RandomState(seed)
    for _ in range(n):
        program = _Program(function_set=functions, arities=arities, init_depth=(2, 5),
                           init_method="half and half", n_features=1, const_range=(-2.0, 2.0),
                           metric=None, p_point_replace=0.05, parsimony_coefficient=0.0,
                           random_state=rng)
        yield Formula.from_gplearn(program.program).collapse()


def test_every_formula_operator_has_a_torch_twin():
    assert set(TORCH_OPERATORS) == set(OPERATORS)


def test_float64_matches_numpy_to_1e12():
    x = np.concatenate([SPECIAL, np.random.RandomState(0).normal(scale=3, size=500)])
    checked = 0
    for formula in _random_collapsed_formulas(300):
        expected = formula(x)
        if not np.all(np.isfinite(expected)):
            continue
        got = SymbolicActivation(formula).double()(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=str(formula))
        checked += 1
    assert checked > 200


def test_float32_matches_numpy_within_float32_tolerance():
    x = np.random.RandomState(1).uniform(-4, 4, size=400)
    # Away from the thresholds, where float32 rounding may flip a protected branch.
    x = x[np.abs(np.abs(x) - 1e-3) > 1e-5]
    for text in ["x*cos(x)", "sub(cos(x), 0.276)", "sin(x) + 2*x - 1.18", "div(x, add(x, 2))",
                 "log(x)", "sqrt(x)", "inv(x)", "max(x, 0)", "tan(x)", "sig(x)"]:
        formula = Formula.parse(text)
        got = SymbolicActivation(formula)(torch.from_numpy(x).float()).double().numpy()
        np.testing.assert_allclose(got, formula(x), rtol=2e-5, atol=2e-5, err_msg=text)


@pytest.mark.parametrize("op", sorted(OPERATORS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_are_finite_for_every_operator(op, dtype):
    x = torch.cat([torch.linspace(-1e4, 1e4, 20001, dtype=torch.float64),
                   torch.from_numpy(SPECIAL)]).to(dtype).requires_grad_(True)
    arity = OPERATORS[op].arity
    formula = Formula.apply(op, *[Formula.variable("x")] * arity)
    y = SymbolicActivation(formula).to(dtype)(x)
    (grad,) = torch.autograd.grad(y.sum(), x)
    finite = torch.isfinite(y).numpy()
    if op == "tan":
        # tan, unprotected as in gplearn, is finite exactly where numpy's tan of
        # the same floats is.  Its poles, the odd multiples of pi/2, are no float:
        # the float nearest pi/2 (in SPECIAL) gives 1.6e16 in float64 and -2.3e7
        # in float32, so here both are finite everywhere -- an activation that
        # turned near-poles into inf or nan fails.
        expected = np.isfinite(np.tan(x.detach().numpy()))
        np.testing.assert_array_equal(finite, expected, err_msg=f"tan in {dtype}")
    else:
        assert finite.all(), f"{op}: non-finite value at {x[~torch.isfinite(y)]}"
    assert torch.isfinite(grad).all(), f"{op}: non-finite gradient at {x[~torch.isfinite(grad)]}"


def test_protected_values_at_the_threshold():
    x = torch.tensor([0.0, 1e-3, -1e-3, 2e-3], dtype=torch.float64)
    act = lambda text: SymbolicActivation(text).double()(x).tolist()  # noqa: E731
    assert act("div(1, x)") == [1.0, 1.0, 1.0, 500.0]
    assert act("inv(x)") == [0.0, 0.0, 0.0, 500.0]
    assert act("log(x)") == [0.0, 0.0, 0.0, pytest.approx(np.log(2e-3))]
    assert act("sqrt(neg(x))") == pytest.approx(np.sqrt(np.abs(x.numpy())).tolist())


def test_sqrt_gradient_is_capped_near_zero():
    x = torch.tensor([0.0, 1e-9, -1e-9, 4.0], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(SymbolicActivation("sqrt(x)").double()(x).sum(), x)
    cap = 0.5 / np.sqrt(1e-3)
    assert grad.tolist() == pytest.approx([0.0, cap, -cap, 0.25])


def test_persistence_without_code():
    act = SymbolicActivation("x*cos(x) - 0.5", learnable_constants=True)
    x = torch.linspace(-3, 3, 11)
    for loaded in [pickle.loads(pickle.dumps(act)), copy.deepcopy(act)]:
        torch.testing.assert_close(loaded(x), act(x))
        assert loaded.formula == act.formula
    buffer = io.BytesIO()
    torch.save(act, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    torch.testing.assert_close(loaded(x), act(x))
    state = act.state_dict()
    assert list(state) == ["constants"]


def test_per_channel_constants_start_equal_and_train_apart():
    """Each unit has its own constants: the same function at first, each channel's own later."""
    act = SymbolicActivation("sin(x) + 2*x - 1.18", learnable_constants=True,
                             num_channels=3).double()
    assert act.constants.shape == (2, 3) and isinstance(act.constants, nn.Parameter)
    x = torch.linspace(-2, 2, 12, dtype=torch.float64).reshape(4, 3)
    fixed = SymbolicActivation("sin(x) + 2*x - 1.18").double()
    torch.testing.assert_close(act(x), fixed(x))
    # A gradient that differs per channel reaches each channel's constants.
    (act(x) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    grad = act.constants.grad
    assert grad.shape == (2, 3) and len(set(grad[0].tolist())) == 3
    with torch.no_grad():
        act.constants[1, 2] = 0.5
    assert str(act.current_formula(channel=2)) == "sub(add(sin(x), mul(2.0, x)), 0.5)"
    assert str(act.current_formula(channel=0)) == "sub(add(sin(x), mul(2.0, x)), 1.18)"
    expected = np.sin(x.numpy()) + 2 * x.numpy() - np.array([1.18, 1.18, 0.5])
    np.testing.assert_allclose(act(x).detach().numpy(), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="per channel"):
        act.current_formula()
    assert repr(act) == ("SymbolicActivation(sub(add(sin(x), mul(2.0, x)), 1.18), "
                         "constants per channel (3))")
    loaded = pickle.loads(pickle.dumps(act))
    torch.testing.assert_close(loaded(x), act(x))
    with pytest.raises(ValueError, match="num_channels"):
        SymbolicActivation("sin(x) + 1.5", num_channels=3)  # fixed constants: no channels
    with pytest.raises(ValueError, match="num_channels"):
        SymbolicActivation("sin(x) + 1.5", learnable_constants=True, num_channels=0)


def test_repr_shows_the_formula():
    act = SymbolicActivation(Formula.parse("mul(cos(X3), X3)").collapse())
    assert repr(act) == "SymbolicActivation(mul(cos(x), x))"
    assert "SymbolicActivation(mul(cos(x), x))" in repr(nn.Sequential(act))


def test_learnable_constants_get_gradients():
    act = SymbolicActivation("sin(x) + 2*x - 1.18", learnable_constants=True)
    assert isinstance(act.constants, nn.Parameter)
    assert act.constants.tolist() == pytest.approx([2.0, 1.18])
    act(torch.linspace(0.1, 1, 5)).sum().backward()
    assert act.constants.grad is not None and torch.all(act.constants.grad != 0)
    with torch.no_grad():
        act.constants[1] = 0.5
    assert str(act.current_formula()) == "sub(add(sin(x), mul(2.0, x)), 0.5)"
    frozen = SymbolicActivation("sin(x) + 2*x - 1.18")
    assert not any(True for _ in frozen.parameters())
    # Fixed constants are no buffer (nothing to move or train), but the state dict
    # carries them under the same key as when they were one.
    assert not dict(frozen.named_buffers())
    assert list(frozen.state_dict()) == ["constants"]


def test_multi_variable_formula_is_refused():
    with pytest.raises(ValueError, match="collapse"):
        SymbolicActivation("add(X0, X1)")
    with pytest.raises(TypeError, match="Formula or formula text"):
        SymbolicActivation(3.0)


def test_constant_formula_keeps_the_input_shape():
    out = SymbolicActivation("0.5")(torch.zeros(4, 3))
    assert out.shape == (4, 3) and torch.all(out == 0.5)


@pytest.mark.parametrize("name, cls", [("relu", nn.ReLU), ("GELU", nn.GELU), ("silu", nn.SiLU),
                                       ("tanh", nn.Tanh), ("sigmoid", nn.Sigmoid),
                                       ("identity", nn.Identity)])
def test_named_activations(name, cls):
    module, formula = resolve_activation(name)
    assert type(module) is cls and formula is None


def test_resolve_returns_fresh_modules():
    template = SymbolicActivation("x*cos(x)")
    module, formula = resolve_activation(template)
    assert module is not template and str(formula) == "mul(x, cos(x))"
    a, _ = resolve_activation("x*cos(x)")
    b, _ = resolve_activation("x*cos(x)")
    assert a is not b


def test_fused_derivative_equals_autograd():
    """The forward-mode derivative of the fused path is autograd's, formula by formula."""
    rng = np.random.RandomState(2)
    x_np = rng.uniform(-3, 3, size=300)
    checked = 0
    for formula in _random_collapsed_formulas(300, seed=5):
        fused = SymbolicActivation(formula).double()
        x = torch.from_numpy(x_np).requires_grad_(True)
        value = fused(x)
        (grad,) = torch.autograd.grad(value.sum(), x)
        x_ref = torch.from_numpy(x_np).requires_grad_(True)
        reference = fused._autograd_forward(x_ref)
        if not reference.requires_grad:  # x cancelled out of the formula
            assert torch.all(grad == 0)
            continue
        (grad_ref,) = torch.autograd.grad(reference.sum(), x_ref)
        if not (torch.isfinite(grad_ref).all() and torch.isfinite(reference).all()):
            continue
        torch.testing.assert_close(value, reference, rtol=1e-12, atol=1e-12, msg=str(formula))
        torch.testing.assert_close(grad, grad_ref, rtol=1e-9, atol=1e-9, msg=str(formula))
        checked += 1
    assert checked > 200


def test_no_graph_and_one_saved_tensor():
    act = SymbolicActivation("x - sin(x) * cos(x)")
    x = torch.randn(8, 4, requires_grad=True)
    y = act(x)
    assert type(y.grad_fn).__name__ == "FormulaFunctionBackward"
    assert len(y.grad_fn.saved_tensors) == 1
    with torch.no_grad():
        assert act(x).grad_fn is None


def test_second_backward_through_the_same_graph_is_refused():
    act = SymbolicActivation("x*cos(x)")
    x = torch.randn(5, requires_grad=True)
    y = act(x).sum()
    y.backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="only once"):
        y.backward()
    learnable = SymbolicActivation("x*cos(x)", learnable_constants=True)
    z = learnable(x).sum()
    z.backward(retain_graph=True)
    z.backward()  # the autograd path supports it


# Formulas the benchmark discovered on the UCI data, with repeated subtrees.
DISCOVERED = [
    "sub(sin(x), abs(sub(sin(x), cos(x))))",
    "sub(add(x, sub(add(x, x), sin(sin(cos(x))))), sin(cos(x)))",
    "sub(cos(x), cos(abs(cos(x))))",
    "add(add(sin(x), add(sub(x, x), x)), add(x, sub(sin(x), sub(x, add(sin(x), sub(x, x))))))",
    "x - sin(x) * cos(x)",
    "add(mul(2.0, sin(x)), mul(2.0, sin(x)))",
]


def _has_repeated_subtree(formula):
    """A subtree that recurs, or an argument shared by a sin and a cos."""
    seen, trig_arguments, stack = set(), set(), [formula]
    while stack:
        node = stack.pop()
        if node.kind == "op":
            if node in seen:
                return True
            seen.add(node)
            if node.op in ("sin", "cos"):
                (argument,) = node.children
                if argument in trig_arguments:
                    return True
                trig_arguments.add(argument)
            stack.extend(node.children)
    return False


def _tree_autograd(formula, x):
    """The formula evaluated node by node with autograd: no tape, nothing shared."""
    if formula.kind == "var":
        return x
    if formula.kind == "const":
        return torch.full_like(x, formula.value)
    return TORCH_OPERATORS[formula.op](*(_tree_autograd(c, x) for c in formula.children))


@pytest.mark.parametrize("learnable", [False, True])
def test_shared_subexpressions_give_autograd_values_and_gradients(learnable):
    x_np = np.random.RandomState(3).uniform(-4, 4, size=200)
    formulas = [Formula.parse(t) for t in DISCOVERED]
    # Random formulas in which a subtree recurs once collapsed.
    formulas += [f for f in _random_collapsed_formulas(1500, seed=9)
                 if _has_repeated_subtree(f)]
    assert len(formulas) > 60
    for formula in formulas:
        act = SymbolicActivation(formula, learnable_constants=learnable).double()
        x = torch.from_numpy(x_np).requires_grad_(True)
        value = act(x)
        (grad,) = torch.autograd.grad(value.sum(), x)
        x_ref = torch.from_numpy(x_np).requires_grad_(True)
        reference = _tree_autograd(formula, x_ref)
        (grad_ref,) = torch.autograd.grad(reference.sum(), x_ref)
        if not (torch.isfinite(grad_ref).all() and torch.isfinite(reference).all()):
            continue
        torch.testing.assert_close(value, reference, rtol=1e-12, atol=1e-12, msg=str(formula))
        torch.testing.assert_close(grad, grad_ref, rtol=1e-9, atol=1e-9, msg=str(formula))
        # The output survives the in-place backward of the fused path.
        torch.testing.assert_close(value.detach(), reference.detach(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text, n_sin, n_cos", [
    ("x*cos(x)", 1, 1),  # cos for the value, sin for the derivative
    ("sub(sin(x), abs(sub(sin(x), cos(x))))", 1, 1),
    ("x - sin(x) * cos(x)", 1, 1),
    ("add(add(sin(x), add(sub(x, x), x)), add(x, sub(sin(x), sub(x, add(sin(x), sub(x, x))))))",
     1, 1),
    ("sub(cos(x), cos(abs(cos(x))))", 2, 2),  # 3 and 3 without sharing
])
def test_shared_sin_and_cos_are_computed_once(text, n_sin, n_cos):
    act = SymbolicActivation(text)
    # The plan every dtype runs; on the CPU in float32 its sin and cos are
    # numpy's kernels, which torch's profiler does not see, so it counts them
    # in float64.
    counts = act.fused_plans()[1].kernel_counts()
    assert (counts.get("sin", 0), counts.get("cos", 0)) == (n_sin, n_cos)
    x = torch.randn(6, dtype=torch.float64, requires_grad=True)
    act = act.double()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        act(x)
    calls = {"sin": 0, "cos": 0}
    for event in prof.key_averages():
        for name in calls:
            if event.key in (f"aten::{name}", f"aten::{name}_"):
                calls[name] += event.count
    assert calls == {"sin": n_sin, "cos": n_cos}


def test_old_pickles_get_the_new_plan():
    act = SymbolicActivation("sub(sin(x), abs(sub(sin(x), cos(x))))")
    old = {k: v for k, v in act.__dict__.items() if k not in ("_plans", "_plans_key")}
    old["_tape"] = (("x", 0), ("sin", 1), ("x", 0), ("sin", 1), ("x", 0), ("cos", 1),
                    ("sub", 2), ("abs", 1), ("sub", 2))  # what 0.1.0.dev0 compiled
    old["_constant_values"] = ()
    state = pickle.dumps(act)
    act.__dict__.clear()
    act.__dict__.update(old)
    legacy = pickle.dumps(act)
    for blob in (state, legacy):
        loaded = pickle.loads(blob)
        assert not hasattr(loaded, "_tape") and not hasattr(loaded, "_constant_values")
        x = torch.randn(20, dtype=torch.float64)
        torch.testing.assert_close(loaded.double()(x), _tree_autograd(loaded.formula, x))


# -- learnable constants start from the function of the fixed ones --------------------------
#
# The fused plan (fixed constants) folds variable-free subtrees in float64 with
# gplearn's numpy kernels and decides a protection guard on a constant in
# float64.  At initialisation, learnable constants -- per layer and per channel
# -- must give the same function, in float32 as in float64: the same
# protection decisions, and values equal to rounding.

THRESHOLD = 0.001
_F32_THRESHOLD = np.float32(THRESHOLD)
#: Constants where a guard switches, and their float64 and float32 neighbours.
GUARD_CONSTANTS = sorted({
    0.0, 1.0, -1.0, 1.5, -0.3, THRESHOLD, -THRESHOLD,
    float(np.nextafter(THRESHOLD, 0.0)), float(np.nextafter(THRESHOLD, 1.0)),
    float(_F32_THRESHOLD), float(np.nextafter(_F32_THRESHOLD, np.float32(0))),
    float(np.nextafter(_F32_THRESHOLD, np.float32(1))),
    0.0010000000001, -0.00100000002, 0.0005,
})
#: Variable-free subtrees whose value sits on either side of the threshold.
NEAR_THRESHOLD_TEXTS = ["sub(1.001, 1.0)", "sub(1.0, 0.999)", "sub(1.0011, 1.0)",
                        "sub(1.0009, 1.0)", "add(0.0005, 0.0005)", "mul(0.5, 0.002)",
                        "div(1.0, 1000.0)", "inv(1000.0)", "inv(999.99)", "log(1.001)",
                        "neg(sub(1.001, 1.0))", "sqrt(0.000001)"]


def _constant_trees():
    """Variable-free subtrees: special constants, every unary operator of them, and sums."""
    leaves = [Formula.constant(c) for c in GUARD_CONSTANTS]
    unary = sorted(name for name, op in OPERATORS.items() if op.arity == 1)
    trees = leaves + [Formula.apply(op, c) for op in unary for c in leaves]
    return trees + [Formula.parse(t) for t in NEAR_THRESHOLD_TEXTS]


def _adversarial_formulas():
    """Every operator with a constant operand (alone, or a variable-free subtree) and x."""
    x = Formula.variable("x")
    binary = sorted(name for name, op in OPERATORS.items() if op.arity == 2)
    unary = sorted(name for name, op in OPERATORS.items() if op.arity == 1)
    formulas = []
    for tree in _constant_trees():
        for op in binary:
            formulas += [Formula.apply(op, x, tree), Formula.apply(op, tree, x)]
    for c in GUARD_CONSTANTS:
        for op in unary:  # the argument of a protected operator near its threshold
            for inner in ("add", "mul", "div"):
                formulas.append(Formula.apply(op, Formula.apply(inner, x, Formula.constant(c))))
    for text in NEAR_THRESHOLD_TEXTS:  # repeated subtrees
        tree = Formula.parse(text)
        formulas += [
            Formula.apply("add", Formula.apply("div", x, tree), Formula.apply("div", x, tree)),
            Formula.apply("mul", Formula.apply("sin", Formula.apply("mul", x, tree)),
                          Formula.apply("cos", Formula.apply("mul", x, tree))),
            Formula.apply("div", Formula.apply("sub", x, tree), Formula.apply("mul", tree, x)),
        ]
    return formulas


def _inputs(formula):
    """0, +-1, +-0.001 and their float32 neighbours, N(0, 1) draws, and the x that
    puts an operand ``x + t``, ``x * t``, ``x / t`` ... of the formula on a threshold."""
    values = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 1e-4, THRESHOLD, -THRESHOLD]
    values += list(np.random.RandomState(4).normal(size=30))
    targets = []
    with np.errstate(all="ignore"):
        for tree in _constant_trees_of(formula):
            t = float(tree(np.zeros(1))[0])
            for edge in (THRESHOLD, -THRESHOLD):
                targets += [edge - t, t - edge, edge * t]
                if t != 0:
                    targets.append(edge / t)
    values += [v for v in targets if np.isfinite(v) and abs(v) < 1e6]
    values = np.asarray(values, dtype=np.float32)
    neighbours = [np.nextafter(values, np.float32(np.inf)),
                  np.nextafter(values, np.float32(-np.inf))]
    return np.concatenate([values, *neighbours])


def _constant_trees_of(formula):
    """The maximal variable-free subtrees of ``formula``."""
    if formula.kind == "const":
        return [formula]
    if formula.kind == "op" and not formula.variables:
        return [formula]
    if formula.kind == "op":
        return [t for child in formula.children for t in _constant_trees_of(child)]
    return []


def _ordered_bits(values):
    """float32 values as integers whose differences count float32 steps (-0 == +0)."""
    bits = np.asarray(values, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.where(bits < 0, -(bits & 0x7FFFFFFF), bits)


def _learnable_modules(formula):
    """The learnable module per layer, and per channel (3 channels, one column each)."""
    per_layer = SymbolicActivation(formula, learnable_constants=True)
    per_channel = SymbolicActivation(formula, learnable_constants=True, num_channels=3)
    return {"per layer": lambda x: per_layer(x),
            "per channel": lambda x: per_channel(x[:, None].expand(-1, 3).contiguous())}


def _assert_same_function_float32(formula, fixed, learnable, x):
    assert learnable.dtype == torch.float32, formula
    if learnable.dim() == 2:  # per channel: every column is the whole function
        learnable = learnable.T
    else:
        learnable = learnable[None]
    for column in learnable.numpy():
        fixed_nan, learnable_nan = np.isnan(fixed), np.isnan(column)
        np.testing.assert_array_equal(fixed_nan, learnable_nan, err_msg=str(formula))
        with np.errstate(invalid="ignore"):
            steps = np.abs(_ordered_bits(fixed) - _ordered_bits(column))
        far = ~fixed_nan & (steps > 4)
        assert not far.any(), (str(formula), x[far][:5], fixed[far][:5], column[far][:5])


def test_learnable_constants_start_from_the_fixed_function():
    """Per layer and per channel, float32 and float64: the fixed function at initialisation."""
    formulas = _adversarial_formulas()
    assert len(formulas) > 2000
    assert {op for f in formulas for op in _operators_of(f)} == set(OPERATORS)
    with torch.no_grad():
        for formula in formulas:
            x32 = torch.from_numpy(_inputs(formula))
            x64 = x32.double()
            fixed = SymbolicActivation(formula)
            fixed32, fixed64 = fixed(x32).numpy(), fixed(x64).numpy()
            for kind, learnable in _learnable_modules(formula).items():
                _assert_same_function_float32(formula, fixed32, learnable(x32), x32.numpy())
                got64 = learnable(x64)
                assert got64.dtype == torch.float64
                got64 = got64.T if got64.dim() == 2 else got64[None]
                for column in got64.numpy():
                    np.testing.assert_allclose(column, fixed64, rtol=1e-12, atol=1e-300,
                                               err_msg=f"{formula} ({kind})")


def _operators_of(formula):
    if formula.kind != "op":
        return set()
    return {formula.op}.union(*(_operators_of(c) for c in formula.children))


@pytest.mark.parametrize("text, safe", [("div(x, 0.0010000000001)", True),
                                        ("div(x, sub(1.001, 1.0))", False),
                                        ("mul(x, inv(-0.00100000002))", True),
                                        ("div(x, 0.0005)", False)])
def test_a_guard_on_a_constant_is_decided_in_float64(text, safe):
    x = torch.tensor([0.5], dtype=torch.float32)
    fixed = SymbolicActivation(text)(x).item()
    per_layer = SymbolicActivation(text, learnable_constants=True)(x).item()
    per_channel = SymbolicActivation(text, learnable_constants=True, num_channels=1)(
        x[:, None]).item()
    assert fixed == per_layer == per_channel
    assert (abs(fixed) > 400) == safe  # 0.5 / 0.001 and 0.5 * -1 / 0.001: 500 and -500


def test_gradients_reach_constants_inside_variable_free_subtrees():
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float32)
    # f = x * (c1 - c2): df/dc1 = sum(x), df/dc2 = -sum(x).
    act = SymbolicActivation("mul(x, sub(1.5, 0.25))", learnable_constants=True)
    act(x).sum().backward()
    assert act.constants.grad.dtype == torch.float64
    assert act.constants.grad.tolist() == pytest.approx([1.5, -1.5])
    # f = x / c on the safe branch: df/dc = -sum(x) / c**2; on the fallback, 0.
    act = SymbolicActivation("add(div(x, 0.5), div(x, 0.0005))", learnable_constants=True)
    act(x).sum().backward()
    assert act.constants.grad.tolist() == pytest.approx([-1.5 / 0.25, 0.0])
    # Per channel: each channel's constants get their own column's gradient.
    act = SymbolicActivation("mul(x, sub(1.5, 0.25))", learnable_constants=True,
                             num_channels=2)
    x2 = torch.tensor([[0.5, 1.0], [2.0, -4.0]])
    y = act(x2)
    assert y.dtype == torch.float32
    y.sum().backward()
    np.testing.assert_allclose(act.constants.grad.numpy(), [[2.5, -3.0], [-2.5, 3.0]])
    # A constant-only formula still passes gradients, in the input's shape and dtype.
    act = SymbolicActivation("sin(1.5)", learnable_constants=True, num_channels=2)
    y = act(x2)
    assert y.shape == x2.shape and y.dtype == torch.float32
    y.sum().backward()
    np.testing.assert_allclose(act.constants.grad.numpy(), [[2 * np.cos(1.5)] * 2])
