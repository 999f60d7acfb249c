"""Tests for sksymact._formula: the Formula expression tree."""

import ast
import builtins
import copy
import json
import os
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sksymact._formula import (_ARITY, OPERATORS, PROTECTION_THRESHOLD, Formula, Operator,
                               readable_formula)
from sksymact._formula_parse import tokens_from_ast

SRC = Path(__file__).resolve().parents[1] / "sksymact"
UNARY = sorted(n for n, op in OPERATORS.items() if op.arity == 1)
BINARY = sorted(n for n, op in OPERATORS.items() if op.arity == 2)
P = Formula.parse


def bits_equal(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


# --------------------------------------------------------------- strategies
leaves = st.one_of(
    st.sampled_from(["x", "X0", "X3", "X12"]).map(Formula.variable),
    st.floats(allow_nan=False, allow_infinity=False).map(Formula.constant))


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: Formula.apply(*t)),
        st.tuples(st.sampled_from(BINARY), children, children).map(
            lambda t: Formula.apply(*t)))


formulas = st.recursive(leaves, _extend, max_leaves=25)
SETTINGS = settings(max_examples=150, deadline=None)


# ------------------------------------------------------------- operators
def test_operator_registry_matches_gplearn_bit_for_bit():
    from gplearn.functions import _function_map, sig1
    gp = dict(_function_map, sig=sig1)
    assert set(OPERATORS) == set(gp) and len(OPERATORS) == 15
    assert PROTECTION_THRESHOLD == 0.001
    v = np.array([0.0, -0.0, 1e-3, -1e-3, 5e-4, -5e-4, 1.0000001e-3, 2.5, -3.0, 1e300,
                  -800.0, 800.0, np.pi / 2, 1e-320])
    w = v[::-1].copy()
    for name, op in OPERATORS.items():
        assert isinstance(op, Operator) and op.name == name and op.arity == gp[name].arity
        args = (v, w)[:op.arity]
        with np.errstate(all="ignore"):
            assert bits_equal(op.numpy(*args), gp[name](*args)), name
    with pytest.raises(TypeError):
        OPERATORS["foo"] = OPERATORS["add"]


# ------------------------------------------------------------- gplearn
def _gplearn_programs(n_programs, n_features, seed0):
    from gplearn._program import _Program
    from gplearn.functions import _function_map, sig1
    function_set = list(_function_map.values()) + [sig1]
    arities = {}
    for f in function_set:
        arities.setdefault(f.arity, []).append(f)
    for seed in range(seed0, seed0 + n_programs):
        yield _Program(function_set=function_set, arities=arities, init_depth=(2, 6),
                       init_method="half and half", n_features=n_features,
                       const_range=(-5.0, 5.0), metric=None, p_point_replace=0.05,
                       parsimony_coefficient=0.01,
                       random_state=np.random.RandomState(seed))


def _hard_X(n_features, seed=0):
    rng = np.random.RandomState(seed)
    special = [0.0, -0.0, 1e-3, -1e-3, 5e-4, -5e-4, 1.0000000000000002e-3,
               -0.0009999999999999998, 1e3, -1e6, 1e10, 710.0, -710.0, np.pi / 2]
    cols = [rng.permutation(np.concatenate([special, rng.normal(scale=3, size=40)]))
            for _ in range(n_features)]
    return np.column_stack(cols)


@pytest.mark.parametrize("n_programs,n_features,seed0", [(400, 5, 0), (120, 12, 10_000)])
def test_gplearn_equivalence(n_programs, n_features, seed0):
    X = _hard_X(n_features)
    for p in _gplearn_programs(n_programs, n_features, seed0):
        f = Formula.from_gplearn(p)
        assert Formula.from_gplearn(p.program) == f
        assert f.size == p.length_ and f.depth == p.depth_
        with np.errstate(all="ignore"):
            assert bits_equal(f(X), p.execute(X)), str(p)
        # gplearn prints constants with '%.3f': compare with rounded constants
        rounded = f.with_constants([float("%.3f" % c) for c in f.constants])
        assert Formula.parse(str(p)) == rounded, str(p)


def test_gplearn_terminal_programs_and_custom_functions():
    from gplearn._program import _Program
    from gplearn.functions import _function_map, make_function
    X = _hard_X(3)
    kw = dict(function_set=list(_function_map.values()), arities={2: [], 1: []},
              init_depth=(2, 6), init_method="full", n_features=3,
              const_range=(-1.0, 1.0), metric=None, p_point_replace=0.05,
              parsimony_coefficient=0.01, random_state=np.random.RandomState(0))
    for program in ([0.25], [2]):
        p = _Program(program=program, **kw)
        out = Formula.from_gplearn(p)(X)
        assert out.shape == (X.shape[0],) and bits_equal(out, p.execute(X))
    cube = make_function(function=lambda a: a ** 3, name="cube", arity=1, wrap=False)
    with pytest.raises(ValueError, match="custom gplearn functions are not supported"):
        Formula.from_gplearn([cube, 0])
    with pytest.raises(ValueError, match="incomplete"):
        Formula.from_gplearn([_function_map["add"], 0])
    with pytest.raises(ValueError, match="extra nodes"):
        Formula.from_gplearn([0, 1])
    for bad in ([True], [-1], ["x"], [float("nan")], "add(X0, X1)"):
        with pytest.raises(ValueError):
            Formula.from_gplearn(bad)


# ------------------------------------------------------------- round trips
@SETTINGS
@given(formulas)
def test_text_roundtrip_is_exact(f):
    g = Formula.parse(str(f), max_depth=1000)
    assert g == f and hash(g) == hash(f) and str(g) == str(f)
    assert bits_equal(g.constants, f.constants)
    assert repr(f) == f"Formula({str(f)!r})" and Formula(str(f)) == f


@SETTINGS
@given(formulas)
def test_dict_json_pickle_copy_roundtrips(f):
    d = f.to_dict()
    assert d["version"] == 1
    assert Formula.from_dict(d) == f
    assert Formula.from_dict(json.loads(json.dumps(d))) == f
    assert pickle.loads(pickle.dumps(f)) == f
    assert copy.deepcopy(f) == f and copy.copy(f) == f
    assert f.with_constants(f.constants) == f
    assert {f: 1}[Formula.from_dict(d)] == 1


@SETTINGS
@given(formulas)
def test_structure_properties_are_consistent(f):
    assert f.size == 1 + sum(c.size for c in f.children)
    assert f.n_operators == (f.kind == "op") + sum(c.n_operators for c in f.children)
    assert f.depth == (1 + max(c.depth for c in f.children) if f.children else 0)
    rebuilt = (Formula.apply(f.op, *f.children) if f.kind == "op"
               else Formula.constant(f.value) if f.kind == "const"
               else Formula.variable(f.name))
    assert rebuilt == f
    assert f.collapse().variables <= {"x"}
    assert f.collapse().size == f.size and f.collapse().constants == f.constants


@SETTINGS
@given(formulas)
def test_simplify_preserves_values(f):
    g = f.collapse()
    s = g.simplify()
    assert s.size <= g.size and s.variables == g.variables
    assert s.simplify() == s  # maximal variable-free subtrees are already folded
    with np.errstate(all="ignore"):
        a, b = g(np.linspace(-4, 4, 33)), s(np.linspace(-4, 4, 33))
    np.testing.assert_array_equal(a, b)


def test_simplify_examples():
    assert P("add(x, mul(2, 3))").simplify() == P("add(x, 6.0)")
    assert P("div(1, sub(2, 2))").simplify() == Formula.constant(1.0)
    assert P("sin(x)").simplify() == P("sin(x)")
    big = P("mul(1e300, 1e300)")
    assert big.simplify() == big  # overflow: not folded


# ------------------------------------------------------------- parsing
@pytest.mark.parametrize("text,expected", [
    ("x*cos(x)", "mul(x, cos(x))"),
    ("sin(x) + 0.5*x", "add(sin(x), mul(0.5, x))"),
    ("x**2", "mul(x, x)"),
    ("x**3", "mul(mul(x, x), x)"),
    ("x**1", "x"),
    ("x**0", "1.0"),
    ("-x", "neg(x)"),
    ("-0.5", "-0.5"),
    ("--0.5", "neg(-0.5)"),
    ("+x", "x"),
    ("x/2", "div(x, 2.0)"),
    ("x - 1.5e-3", "sub(x, 0.0015)"),
    ("abs(x)", "abs(x)"),
    ("max(x, 0)", "max(x, 0.0)"),
    ("-pi*e", "mul(-3.141592653589793, 2.718281828459045)"),
    ("mul(cos(X3), -0.5)", "mul(cos(X3), -0.5)"),
    ("add(X0, div(X1, X2))", "add(X0, div(X1, X2))"),
    ("sub(X12, 0.276)", "sub(X12, 0.276)"),
    ("sig(x)", "sig(x)"),
    ("  (x)\n + 1 ", "add(x, 1.0)"),
])
def test_parse_expected_trees(text, expected):
    f = Formula.parse(text)
    assert str(f) == expected
    assert Formula(text) == f


def test_parse_numeric_values_match_numpy():
    x = np.linspace(-3, 3, 61)
    cases = {"x*cos(x)": x * np.cos(x), "sin(x) + 0.5*x": np.sin(x) + 0.5 * x,
             "x**3 - x": x * x * x - x, "-x": -x, "x/2 + 1": x / 2 + 1,
             "max(x, 0)": np.maximum(x, 0), "sig(x)": 1 / (1 + np.exp(-x))}
    for text, want in cases.items():
        assert bits_equal(Formula.parse(text)(x), want), text
    with np.errstate(all="ignore"):
        assert np.array_equal(P("1/x")(np.array([0.0, 5e-4, 2.0])), [1.0, 1.0, 0.5])


def test_parse_depth_and_size_limits():
    deep = "neg(" * 100 + "x" + ")" * 100
    assert Formula.parse(deep).depth == 100
    with pytest.raises(ValueError, match="max_depth=100"):
        Formula.parse("neg(" + deep + ")")
    with pytest.raises(ValueError, match="max_depth=3"):
        Formula.parse("sin(sin(sin(sin(x))))", max_depth=3)
    with pytest.raises(ValueError, match="max_depth=3"):
        Formula.parse("-(-(-(-x)))", max_depth=3)
    with pytest.raises(ValueError, match="max_depth=5"):
        Formula.parse("(x**2)**8", max_depth=5)  # expansion counts
    with pytest.raises(ValueError, match="max_depth=2"):
        Formula.parse("x+x+x+x", max_depth=2)
    assert Formula.parse("((x**8)**8)**8").size == 1023
    with pytest.raises(ValueError, match="too large after expanding"):
        Formula.parse("((((x**8)**8)**8)**8)**8")
    with pytest.raises(ValueError, match="too long"):
        Formula.parse("x+x+x+x+x+x", max_length=10)
    assert Formula.parse("x+x+x+x+x+x", max_length=11).size == 11


# ------------------------------------------------------------- hostile input
HOSTILE = [
    ("__import__('os').system('touch SENTINEL')", "invalid character"),
    ("__import__(x)", "unknown function '__import__'"),
    ("x.__class__", "attribute access '.__class__'"),
    ("().__class__.__bases__[0]", "invalid character '\\['"),
    ("lambda: 1", "invalid character ':'"),
    ("[x for x in ()]", "invalid character '\\['"),
    ("f'{x}'", "invalid character"),
    ("'abc'", "invalid character"),
    ("(y := 1)", "invalid character ':'"),
    ("sin(*x)", "starred"),
    ("sin(x=1)", "invalid character '='"),
    ("foo(x)", "unknown function 'foo'"),
    ("sin(x, x)", "'sin' takes 1 argument"),
    ("add(x)", "'add' takes 2 argument"),
    ("x ** x", "exponent 'x'"),
    ("x ** 100000", "exponent '100000'"),
    ("9**9**9**9", "exponent '9\\*\\*9\\*\\*9'"),
    ("x**-1", "exponent '-1'"),
    ("x**2.0", "exponent '2.0'"),
    ("x**True", "exponent 'True'"),
    ("1e999", "'1e999' is not finite"),
    ("1" + "0" * 400, "too large"),
    ("10**400", "exponent '400'"),
    ("x if x else 1", "conditional expression"),
    ("x < 1", "invalid character '<'"),
    ("x and 1", "boolean operator"),
    ("not x", "unsupported operator 'not'"),
    ("x // 2", "unsupported operator '//'"),
    ("open('f')", "invalid character"),
    ("open(x)", "unknown function 'open'"),
    ("(", "not a valid formula"),
    ("sin(x", "not a valid formula"),
    ("\x00", "invalid character '\\\\x00'"),
    ("x\x00", "invalid character '\\\\x00'"),
    ("\u0455in(x)", "invalid character '\u0455'"),
    ("\uff58", "invalid character '\uff58'"),
    ("X", "unknown name 'X'"),
    ("X-1", "unknown name 'X'"),
    ("X01", "unknown name 'X01'"),
    ("y", "unknown name 'y'"),
    ("inf", "unknown name 'inf'"),
    ("nan", "unknown name 'nan'"),
    ("__builtins__", "unknown name '__builtins__'"),
    ("True", "unsupported literal in formula: bool"),
    ("None", "unsupported literal in formula: NoneType"),
    ("1j", "unsupported literal in formula: complex"),
    ("...", "unsupported literal in formula: ellipsis"),
    ("x.real", "attribute access '.real'"),
    ("sin", "'sin' must be called"),
    ("x(1)", "unknown function 'x'"),
    ("sin(x)(x)", "only operator names can be called"),
    ("x[0]", "invalid character '\\['"),
    ("{x}", "invalid character '\\{'"),
    ("(x, x)", "tuple"),
    ("await x", "await"),
    ("yield x", "not a valid formula"),
    ("x; import os", "invalid character ';'"),
    ("import os", "not a valid formula"),
    ("", "empty"),
    ("  \n ", "empty"),
    ("-" * 9999 + "x", "too complex to parse|max_depth=100"),
    ("x+" * 4999 + "x", "too complex to parse|max_depth=100"),
    ("sin(" * 101 + "x" + ")" * 101, "max_depth=100"),
    ("(" * 10000 + "x" + ")" * 10000, "too long"),
    ("x+" * 500000 + "x", "too long"),
]


@pytest.fixture
def guarded(monkeypatch, tmp_path):
    """Run a callable with import/eval/exec/open/spawn replaced by recorders."""
    calls = []
    monkeypatch.chdir(tmp_path)

    def recorder(name):
        def fake(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} called while parsing")
        return fake

    targets = [(builtins, n) for n in ("eval", "exec", "__import__", "open", "breakpoint")]
    targets += [(os, "system"), (os, "popen"), (subprocess, "Popen"), (sympy, "sympify")]

    def run(func, *args):
        saved = [getattr(obj, name) for obj, name in targets]
        for obj, name in targets:
            setattr(obj, name, recorder(name))
        try:
            func(*args)
        except ValueError as exc:
            return exc
        finally:
            for (obj, name), value in zip(targets, saved):
                setattr(obj, name, value)
        return None

    yield run
    assert calls == []
    assert not (tmp_path / "SENTINEL").exists()


@pytest.mark.parametrize("text,match", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_rejected_fast_and_never_executed(text, match, guarded):
    start = time.perf_counter()
    error = guarded(Formula.parse, text)
    assert time.perf_counter() - start < 3.0
    assert error is not None, f"{text[:40]!r} was accepted"
    assert re.search(match, str(error)), (match, str(error))


def test_hostile_big_inputs_with_raised_limits_stay_bounded():
    for text, kw in [("(" * 10000 + "x" + ")" * 10000, dict(max_length=10 ** 6)),
                     ("x+" * 500000 + "x", dict(max_length=10 ** 7)),
                     ("-" * 10 ** 6 + "x", dict(max_length=10 ** 7)),
                     ("neg(" * 5000 + "x" + ")" * 5000, dict(max_length=10 ** 6,
                                                             max_depth=10 ** 6))]:
        start = time.perf_counter()
        with pytest.raises(ValueError, match="nested|too complex|not a valid"):
            Formula.parse(text, **kw)
        assert time.perf_counter() - start < 5.0


def test_non_str_input_is_type_error():
    for bad in (None, b"x", 1.0, ["x"]):
        with pytest.raises(TypeError):
            Formula.parse(bad)


@pytest.mark.parametrize("text", [
    "lambda: 1", "[x for x in ()]", "f'{x}'", "'abc'", "b'x'", "(y := 1)", "sin(x=1)",
    "x < 1", "x[0]", "{x}", "{x: 1}", "x @ x", "x % 2", "~x", "().__class__",
    "__import__('os').system('touch SENTINEL')", "sin(**x)", "x if 1 else 2",
    "(x for x in y)", "[x]", "x.y(1)", "sin(x)[0]", "-'a'", "'a' + x", "x ** 'a'",
])
def test_ast_whitelist_rejects_even_without_character_screen(text):
    tree = ast.parse(text, mode="eval")
    with pytest.raises(ValueError, match="unsupported|unknown|not allowed|only operator"
                                         "|exponent|must be"):
        tokens_from_ast(tree, _ARITY, text)


def test_module_source_never_evaluates_text_and_imports_are_light(tmp_path):
    banned = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "lambdify"}
    for path in (SRC / "_formula.py", SRC / "_formula_parse.py", SRC / "_operators.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in banned, (path.name, node.func.id)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in banned - {"compile"}, (path.name, node.func.attr)
        top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import)
               for a in n.names}
        top |= {n.module.split(".")[0] for n in tree.body
                if isinstance(n, ast.ImportFrom) and n.level == 0}
        assert top <= {"ast", "math", "re", "types", "dataclasses", "typing", "numpy",
                       "functools", "collections"}
    # import the two files as a stand-alone package, away from sksymact/__init__.py
    pkg = tmp_path / "probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name in ("_formula.py", "_formula_parse.py", "_operators.py"):
        (pkg / name).write_text((SRC / name).read_text())
    probe = ("import sys\nimport probe_pkg._formula as m\n"
             "assert m.Formula.parse('x*cos(x)')(0.0) == 0.0\n"
             "print(sorted(k for k in ('torch', 'sklearn', 'gplearn', 'matplotlib', 'sympy')"
             " if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------- structure API
def test_constructors_properties_and_immutability():
    x, c = Formula.variable(), Formula.constant(2)
    f = Formula.apply("mul", Formula.apply("cos", Formula.variable("X3")),
                      Formula.variable("X3"))
    assert (x.kind, x.name, x.op, x.value, x.children) == ("var", "x", None, None, ())
    assert (c.kind, c.value, type(c.value)) == ("const", 2.0, float)
    assert (f.kind, f.op, f.size, f.depth, f.n_operators) == ("op", "mul", 4, 2, 2)
    assert f.children == (P("cos(X3)"), P("X3"))
    assert f.variables == frozenset({"X3"}) and f.constants == ()
    assert f.collapse() == P("mul(cos(x), x)") == P("cos(x)*x")
    assert P("add(X0, X1)").collapse("X5") == P("add(X5, X5)")
    assert repr(f.collapse()) == "Formula('mul(cos(x), x)')"
    g = P("add(mul(X0, 0.5), sub(-1e-300, X2))")
    assert g.constants == (0.5, -1e-300) and g.variables == {"X0", "X2"}
    assert g.with_constants([1, -2.5]).constants == (1.0, -2.5)
    assert g.with_constants([1, -2.5]).variables == g.variables
    for bad in ([1.0], [1.0, 2.0, 3.0], [1.0, float("inf")], [1.0, "2"]):
        with pytest.raises(ValueError):
            g.with_constants(bad)
    with pytest.raises(AttributeError):
        f._tokens = ()
    with pytest.raises(AttributeError):
        f.anything = 1
    with pytest.raises(AttributeError):
        del f._tokens
    assert f != "mul(cos(X3), X3)" and f.__eq__("x") is NotImplemented
    assert Formula.constant(0.0) != Formula.constant(-0.0)
    assert len({P("x+1"), P("add(x, 1.0)"), P("add(1, x)")}) == 2


def test_constructor_validation():
    for bad in ("y", "X", "X01", "x1", "X1\n", "\uff38", "", 1, None):
        with pytest.raises(ValueError):
            Formula.variable(bad)
    for bad in (float("nan"), float("inf"), True, "1", 10 ** 400, None, 1j):
        with pytest.raises(ValueError):
            Formula.constant(bad)
    with pytest.raises(ValueError, match="unknown operator"):
        Formula.apply("pow", Formula.variable(), Formula.variable())
    with pytest.raises(ValueError, match="takes 1 argument"):
        Formula.apply("sin")
    with pytest.raises(TypeError):
        Formula.apply("sin", "x")


def test_call_shapes_and_errors():
    f = P("mul(x, cos(x))")
    assert f(0.5).shape == () and f(0.5).dtype == np.float64
    cube = np.arange(24.0).reshape(2, 3, 4)
    assert bits_equal(f(cube), cube * np.cos(cube))
    assert bits_equal(f([1, 2]), np.array([1.0, 2.0]) * np.cos([1.0, 2.0]))
    X = np.arange(12.0).reshape(4, 3)
    assert bits_equal(P("0.5")(X), np.full(4, 0.5))
    assert bits_equal(P("add(0.5, 1)")(X), np.full(4, 1.5))
    assert bits_equal(P("0.5")(np.zeros(7)), np.full(7, 0.5))
    assert bits_equal(P("x")(X), X)
    col = P("X2")(X)
    col[0] = 99.0
    assert X[0, 2] == 2.0  # result is a copy
    with pytest.raises(ValueError, match="2-D"):
        P("X0")(np.zeros(3))
    with pytest.raises(ValueError, match="X3 but X has only 3 columns"):
        P("X3")(X)
    with pytest.raises(ValueError, match="mixes"):
        P("add(x, X0)")(X)
    with pytest.raises(ValueError, match="complex"):
        f(np.array([1j]))


# ------------------------------------------------------------- serialisation
def test_to_dict_format():
    assert P("mul(x, -0.5)").to_dict() == {
        "version": 1, "op": "mul", "args": [{"var": "x"}, {"const": -0.5}]}
    assert P("X3").to_dict() == {"version": 1, "var": "X3"}
    assert Formula.from_dict({"const": 2}) == Formula.constant(2.0)


def _cyclic():
    d = {"op": "neg", "args": []}
    d["args"].append(d)
    return d


def _shared(levels):
    d = {"var": "x"}
    for _ in range(levels):
        d = {"op": "add", "args": [d, d]}
    return d


@pytest.mark.parametrize("bad,match", [
    ([], "must be a dict"),
    ({}, "invalid formula node keys"),
    ({"op": "foo", "args": []}, "unknown operator"),
    ({"op": "sin", "args": []}, "needs a list of 1"),
    ({"op": "sin", "args": {"var": "x"}}, "needs a list"),
    ({"op": "neg", "args": [1]}, "must be a dict"),
    ({"var": "y"}, "invalid variable name"),
    ({"var": 3}, "invalid variable name"),
    ({"const": float("nan")}, "finite"),
    ({"const": float("inf")}, "finite"),
    ({"const": "1.0"}, "real number"),
    ({"const": True}, "real number"),
    ({"const": 1, "extra": 2}, "invalid formula node keys"),
    ({"version": 2, "var": "x"}, "version"),
    ({"version": "1", "var": "x"}, "version"),
    ({"op": "neg", "args": [{"version": 1, "var": "x"}]}, "invalid formula node keys"),
    (_cyclic(), "max_size"),
    (_shared(40), "max_size"),
])
def test_from_dict_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        Formula.from_dict(bad)


def test_pickle_rejects_tampered_tokens():
    from sksymact._formula import _rebuild
    with pytest.raises(ValueError):
        _rebuild((("op", "add"), ("var", "x")))
    with pytest.raises(ValueError):
        _rebuild((("op", "system"),))
    with pytest.raises(ValueError):
        _rebuild((("const", float("nan")),))


# ------------------------------------------------------------- sympy
def test_to_sympy_and_latex():
    x = sympy.Symbol("x", real=True)
    X0 = sympy.Symbol("X0", real=True)
    assert P("mul(cos(x), x)").latex() == sympy.latex(x * sympy.cos(x))
    assert P("mul(cos(x), x)").to_sympy() == x * sympy.cos(x)
    plain = {"div(x, X0)": x / X0, "sqrt(x)": sympy.sqrt(sympy.Abs(x)),
             "log(x)": sympy.log(sympy.Abs(x)), "inv(x)": 1 / x,
             "sig(x)": 1 / (1 + sympy.exp(-x)), "max(x, X0)": sympy.Max(x, X0),
             "min(x, 0.5)": sympy.Min(x, sympy.Float(0.5)), "neg(tan(x))": -sympy.tan(x),
             "sub(abs(x), sin(x))": sympy.Abs(x) - sympy.sin(x)}
    for text, want in plain.items():
        assert P(text).to_sympy() == want, text
    assert P("div(x, X0)").to_sympy(protected=True).has(sympy.Piecewise)
    assert not P("div(x, X0)").to_sympy().has(sympy.Piecewise)


def test_readable_formula_is_simplified_with_short_constants(monkeypatch):
    assert readable_formula("sub(add(sin(x), sin(x)), cos(sub(x, x)))") == "2*sin(x) - 1"
    assert readable_formula(P("mul(x, 0.123456)")) == "0.123*x"  # a Formula too
    assert readable_formula("mul(x, 0.123456)", digits=5) == "0.12346*x"

    def fail(self, protected=False):
        raise TypeError("sympy cannot")

    # A label is not worth a failure: the prefix text instead.
    monkeypatch.setattr(Formula, "to_sympy", fail)
    assert readable_formula("mul(x, 2.0)") == "mul(x, 2.0)"


@pytest.mark.parametrize("text", [
    "div(1, x)", "inv(x)", "log(x)", "div(sin(x), sub(x, 0.5))", "add(inv(mul(x, 3)), log(x))",
    "div(x, x)", "mul(x, inv(x))", "sig(x)", "sqrt(neg(x))", "max(inv(x), min(x, 0.2))"])
def test_protected_sympy_matches_numpy(text):
    pts = np.array([0.0, 2e-4, -4e-4, 7e-4, -0.0013, 0.0021, 0.25, -0.7, 1.3, 3.7, -9.1])
    f = P(text)
    expr, x = f.to_sympy(protected=True), sympy.Symbol("x", real=True)
    with np.errstate(all="ignore"):
        want = f(pts)
    got = [float(expr.subs(x, sympy.Float(float(p))).evalf(30)) for p in pts]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------- classification
@pytest.mark.parametrize("text,constant,linear", [
    ("x", False, True), ("add(x, 0.5)", False, True), ("mul(x, 2)", False, True),
    ("sub(x, x)", True, True), ("0.3", True, True), ("add(0.3, 2)", True, True),
    ("mul(cos(x), x)", False, False), ("abs(x)", False, False), ("sin(x)", False, False),
    ("add(mul(x, 2), sub(0.5, x))", False, True), ("div(x, x)", True, True),
    ("neg(neg(x))", False, True), ("max(x, x)", False, True),
    # The operating range is N(0, 1) on [-6, 6]; isolated points weigh nothing.
    ("mul(x, inv(x))", True, True),            # 1 everywhere except exactly at 0
    ("inv(sub(x, x))", True, True),            # plain 1/0, protected 0
    ("max(x, 20)", True, True),                # 20 on the whole operating range
    ("max(x, 3)", False, False),               # a kink inside it
    ("log(mul(x, 1e-9))", True, True),         # protected 0 on [-1e6, 1e6]
    ("mul(x, inv(mul(x, 1e-6)))", True, True),
    ("abs(mul(x, 1e-15))", True, True),        # a variation no layer after it can use
    ("abs(mul(x, 1e-3))", False, False),
    ("log(mul(sin(x), 0.0001))", True, True),  # protection is active everywhere
    ("sub(mul(add(x, 1), add(x, 1)), add(mul(x, x), add(mul(2, x), 1)))", True, True),
    ("sub(add(sin(x)**2, cos(x)**2), 1)", True, True),
    ("mul(1000, max(0, sub(0.004, abs(sub(x, 5.005)))))", False, False),  # a narrow bump
    ("add(X0, mul(X1, 3))", False, True), ("mul(X0, X1)", False, False),
    ("sub(X0, X0)", True, True), ("add(x, X4)", False, True),
])
def test_is_constant_is_linear(text, constant, linear):
    f = P(text)
    assert f.is_constant() is constant
    assert f.is_linear() is linear


def test_is_linear_large_tree():
    f = P("+".join(["x"] * 70))
    assert f.size > 60 and f.is_linear() and not f.is_constant()
    g = P("+".join(["sin(x)"] * 40))
    assert not g.is_linear()


@pytest.mark.parametrize("text, expected", [
    ("x", 0.0), ("add(mul(3, x), 2)", 0.0), ("0.5", 0.0),
    # Even functions: the best affine fit under N(0, 1) is flat.
    ("cos(x)", 1.0), ("abs(x)", 1.0), ("mul(x, x)", 1.0), ("sub(cos(x), 0.276)", 1.0),
    # x cos(x) is odd but uncorrelated with x: E[x^2 cos x] = 0 under N(0, 1).
    ("mul(x, cos(x))", 1.0),
    # 1 - R^2 with E[x sin x] = e^-1/2, Var(sin x) = (1 - e^-2) / 2.
    ("sin(x)", 1 - np.exp(-1) / ((1 - np.exp(-2)) / 2)),
    ("add(mul(6, x), sin(x))", ((1 - np.exp(-2)) / 2 - np.exp(-1))
     / (36 + 12 * np.exp(-0.5) + (1 - np.exp(-2)) / 2)),
    # ReLU: 1 - R^2 = 1 - (1/4) / (1/2 - 1/(2 pi)).
    ("max(x, 0)", 1 - 0.25 / (0.5 - 1 / (2 * np.pi))),
])
def test_nonlinearity_matches_the_gaussian_closed_form(text, expected):
    assert P(text).nonlinearity() == pytest.approx(expected, abs=2e-6)


def test_nonlinearity_is_invariant_under_the_layers_around_an_activation():
    base = P("add(sin(x), mul(0.3, x))").nonlinearity()
    # a * f(x) + b: the Linear layer after the activation absorbs it.
    assert P("add(mul(-4.0, add(sin(x), mul(0.3, x))), 7.5)").nonlinearity() \
        == pytest.approx(base, rel=1e-9)
    assert 0 < base < 1


def test_nonlinearity_is_nan_when_the_formula_is_not_finite_on_the_range():
    huge = P("mul(mul(mul(x, 1e200), 1e200), x)")
    assert np.isnan(huge.nonlinearity()) and not huge.is_linear() and not huge.is_constant()


def test_degeneracy_decisions_take_no_time_budget():
    """The same answer whatever the machine's load: no clock is read."""
    import time

    formulas = [P(t) for t in ("max(x, 20)", "mul(1000, max(0, sub(0.004, abs(sub(x, 5.005)))))",
                               "mul(cos(x), x)", "add(x, mul(1e-12, sin(x)))")]
    first = [(f.is_constant(), f.is_linear(), f.nonlinearity()) for f in formulas]
    real_monotonic = time.monotonic
    try:  # a clock that jumps a minute per call, as on a machine that stalls
        ticks = iter(range(0, 10**9, 60))
        time.monotonic = lambda: float(next(ticks))
        again = [(f.is_constant(), f.is_linear(), f.nonlinearity()) for f in formulas]
    finally:
        time.monotonic = real_monotonic
    assert again == first
    assert first[0][:2] == (True, True) and first[1][:2] == (False, False)


# A grammar-shaped alphabet: random text that is often almost a formula, plus
# anything at all, so the fuzz reaches deep into the parser.
_PIECES = st.sampled_from(
    ["x", "X0", "X12", "(", ")", ",", "+", "-", "*", "/", "**", " ", "0.5", "1e3", "2",
     "sin", "cos", "mul", "add", "div", "log", "max", "sig", "__", ".", "[", "]", "lambda",
     ":", "=", "'", "j", "e", "pi", "\x00", "ｘ"])
_ALMOST_FORMULAS = st.lists(_PIECES, max_size=30).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_ALMOST_FORMULAS, st.text(max_size=60)))
def test_fuzz_parse_round_trips_or_raises_value_error(text):
    """Any text parses to a Formula whose text parses back equal, or raises ValueError."""
    try:
        formula = Formula.parse(text)
    except ValueError:
        return
    assert Formula.parse(str(formula)) == formula
