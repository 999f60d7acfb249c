"""The operator registry is the one place an operator is defined.

The test below adds an operator -- one record, in the test, not in the
package -- and uses it everywhere a formula goes: the parser, numpy, sympy,
the dict format, the fused plan and plain autograd.
"""

import numpy as np
import pytest
import torch
from test_tape import check_formula

from sksymact import Formula, SymbolicActivation, _operators
from sksymact._activation import TORCH_OPERATORS
from sksymact._operators import ARITIES, OPERATORS, Operator, gplearn_function_names


def _rule_square(p, args, with_derivative):
    ((a, da),) = args
    value = p.mul(a, a)
    return value, (p.d_mul(da, p.mul(a, 2.0)) if with_derivative else 0.0)


SQUARE = Operator("sq", 1, np.square, lambda torch: torch.square, _rule_square,
                  lambda sp, guard, a: a ** 2, in_gplearn_function_set=False)


@pytest.fixture
def with_square():
    _operators._REGISTRY["sq"] = SQUARE
    try:
        yield SQUARE
    finally:
        del _operators._REGISTRY["sq"]


def test_one_record_makes_an_operator_work_everywhere(with_square):
    f = Formula.parse("sq(x) - sin(sq(x))")
    assert str(f) == "sub(sq(x), sin(sq(x)))" and ARITIES["sq"] == 1
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(f(x), x ** 2 - np.sin(x ** 2), rtol=1e-15)
    assert str(f.to_sympy()) == "x**2 - sin(x**2)"
    assert Formula.from_dict(f.to_dict()) == f
    assert f.nonlinearity() == pytest.approx(1.0)  # even
    check_formula(f)
    check_formula(Formula.parse("div(sq(x), sq(sub(x, 0.5)))"))
    learnable = SymbolicActivation("mul(0.5, sq(x))", learnable_constants=True).double()
    t = torch.linspace(-1, 1, 5, dtype=torch.float64)
    torch.testing.assert_close(learnable(t), 0.5 * t ** 2)
    assert TORCH_OPERATORS["sq"] is torch.square
    # gplearn does not know it, so the discoverer does not offer it.
    assert "sq" not in gplearn_function_names()


def test_an_unknown_operator_is_refused_once_its_record_is_gone(with_square):
    Formula.parse("sq(x)")
    del _operators._REGISTRY["sq"]
    try:
        with pytest.raises(ValueError, match="sq"):
            Formula.parse("sq(x)")
    finally:
        _operators._REGISTRY["sq"] = SQUARE


def test_every_table_is_derived_from_the_records():
    assert set(TORCH_OPERATORS) == set(ARITIES) == set(OPERATORS)
    assert gplearn_function_names() == {
        "add", "sub", "mul", "div", "sqrt", "log", "abs", "neg", "inv", "max", "min",
        "sin", "cos", "tan"}
    from gplearn.functions import _function_map

    # gplearn's own names and arities, for the operators it accepts by name.
    for name in gplearn_function_names():
        assert _function_map[name].arity == OPERATORS[name].arity


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_numpy_and_torch_kernels_agree(name):
    op = OPERATORS[name]
    rng = np.random.RandomState(0)
    args = [np.concatenate([rng.uniform(-3, 3, 50), [0.0, 1e-3, -1e-3, 2e-3]])
            for _ in range(op.arity)]
    expected = op.numpy(*args)
    got = op.torch(*(torch.from_numpy(a) for a in args)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
