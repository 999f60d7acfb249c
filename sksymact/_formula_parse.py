"""Whitelist parser: formula text -> prefix tokens.

The text is data.  It is screened character by character, its parenthesis
nesting is bounded, then ``ast.parse`` builds a syntax tree that is walked
with a strict whitelist.  Nothing is ever evaluated or executed.
"""

import ast
import math
import re

#: Variable names: ``x`` or ``X<i>`` (ASCII digits, no leading zeros).
VAR_RE = re.compile(r"x|X(?:0|[1-9][0-9]{0,8})")
_BAD_CHAR = re.compile(r"[^A-Za-z0-9_+\-*/()., \t\r\n]")
_MAX_EXPONENT = 8
_MAX_INT = 10 ** 30
_NAMED_CONSTANTS = {"pi": math.pi, "e": math.e}
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
_DESCRIPTIONS = {
    ast.Subscript: "subscript", ast.Lambda: "lambda", ast.ListComp: "comprehension",
    ast.SetComp: "comprehension", ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression", ast.JoinedStr: "f-string",
    ast.NamedExpr: "assignment expression ':='", ast.Compare: "comparison",
    ast.BoolOp: "boolean operator", ast.IfExp: "conditional expression",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
    ast.Tuple: "tuple", ast.List: "list", ast.Set: "set", ast.Dict: "dict",
    ast.Starred: "starred expression",
}
_OP_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
               ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
               ast.Not: "not", ast.Invert: "~"}


def _short(text, limit=60):
    return text if len(text) <= limit else text[:limit] + "..."


#: A number written against a name or a parenthesis, as in "2x" or "3(x + 1)".
_IMPLICIT_PRODUCT = re.compile(r"(?<![A-Za-z_0-9.])([0-9][0-9.]*)\s*([A-Za-z_][A-Za-z_0-9]*)")


def _implicit_product_hint(text):
    """Python's 'invalid decimal literal' for "2x" says nothing of the fix; this does."""
    found = _IMPLICIT_PRODUCT.search(text)
    if found is None or re.fullmatch(r"[eE][0-9]*", found.group(2)):  # 1e3 is a number
        return ""
    number, name = found.groups()
    return f"; products need a *: write {number}*{name} instead of {number}{name}"


def parse_tokens(text, arities, *, max_depth=100, max_length=10_000):
    """Return the prefix tokens of ``text`` or raise ValueError naming the problem.

    ``arities`` maps each allowed operator name to its arity.
    """
    if not isinstance(text, str):
        raise TypeError(f"formula text must be str, got {type(text).__name__}")
    if len(text) > max_length:
        raise ValueError(f"formula text is too long ({len(text)} characters, "
                         f"max_length={max_length})")
    if not text.strip():
        raise ValueError("formula text is empty")
    bad = _BAD_CHAR.search(text)
    if bad:
        hint = " (write a power as x**2)" if bad.group() == "^" else ""
        raise ValueError(f"invalid character {bad.group()!r} at position {bad.start()} "
                         f"in formula{hint}")
    text = " ".join(text.split())  # no indentation or line structure
    level = deepest = 0
    for ch in text:
        if ch == "(":
            level += 1
            deepest = max(deepest, level)
        elif ch == ")":
            level -= 1
    if deepest > max_depth:
        raise ValueError(f"formula is nested deeper than max_depth={max_depth} "
                         f"({deepest} levels of parentheses)")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not a valid formula: {_short(text)!r} ({exc.msg})"
                         f"{_implicit_product_hint(text)}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ValueError(f"not a valid formula: {_short(text)!r} (too complex to parse)") \
            from None
    try:
        return tokens_from_ast(tree, arities, text, max_depth=max_depth,
                               max_size=max_length)
    except RecursionError:
        raise ValueError(f"formula is nested deeper than max_depth={max_depth}") from None


def tokens_from_ast(tree, arities, text="", *, max_depth=100, max_size=10_000):
    """Walk an ``ast.Expression`` with the whitelist; return prefix tokens."""
    if not isinstance(tree, ast.Expression):
        raise ValueError("expected a single expression")
    return _Walker(arities, text, max_depth, max_size).walk(tree.body, 0)


class _Walker:
    def __init__(self, arities, text, max_depth, max_size):
        self.arities, self.text = arities, text
        self.max_depth, self.max_size = max_depth, max_size

    def source(self, node):
        segment = None
        if self.text:
            try:
                segment = ast.get_source_segment(self.text, node)
            except Exception:  # pragma: no cover - positions missing
                segment = None
        return _short(segment) if segment else type(node).__name__

    def walk(self, node, level):
        if level > self.max_depth:
            raise ValueError(f"formula is nested deeper than max_depth={self.max_depth}")
        if isinstance(node, ast.Constant) or (
                isinstance(node, ast.Name) and node.id in _NAMED_CONSTANTS):
            return (("const", self.number(node)),)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return self.walk(node.operand, level)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = node.operand
            if isinstance(operand, ast.Constant) or (
                    isinstance(operand, ast.Name) and operand.id in _NAMED_CONSTANTS):
                return (("const", -self.number(operand)),)
            return (("op", "neg"),) + self.walk(operand, level + 1)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return ((("op", _BINOPS[type(node.op)]),) + self.walk(node.left, level + 1)
                    + self.walk(node.right, level + 1))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(node, level)
        if isinstance(node, ast.Call):
            return self.call(node, level)
        if isinstance(node, (ast.UnaryOp, ast.BinOp)):
            symbol = _OP_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise ValueError(f"unsupported operator {symbol!r} in formula")
        if isinstance(node, ast.Attribute):
            raise ValueError(f"unsupported syntax in formula: attribute access '.{node.attr}'")
        what = _DESCRIPTIONS.get(type(node), type(node).__name__)
        raise ValueError(f"unsupported syntax in formula: {what} {self.source(node)!r}")

    def number(self, node):
        if isinstance(node, ast.Name):
            return _NAMED_CONSTANTS[node.id]
        value = node.value
        if type(value) is int:
            if abs(value) >= _MAX_INT:
                raise ValueError(f"integer literal {self.source(node)!r} is too large "
                                 "(more than 30 digits)")
            return float(value)
        if type(value) is float:
            if not math.isfinite(value):
                raise ValueError(f"number literal {self.source(node)!r} is not finite")
            return value
        raise ValueError(f"unsupported literal in formula: {type(value).__name__} "
                         f"{self.source(node)!r} (only int and float numbers)")

    def name(self, node):
        if VAR_RE.fullmatch(node.id):
            return (("var", node.id),)
        if node.id in self.arities:
            raise ValueError(f"operator {node.id!r} must be called with "
                             f"{self.arities[node.id]} argument(s)")
        raise ValueError(f"unknown name {node.id!r} in formula (variables are 'x' and "
                         "'X0', 'X1', ...; constants 'pi' and 'e')")

    def power(self, node, level):
        exponent = node.right
        if not (isinstance(exponent, ast.Constant) and type(exponent.value) is int
                and 0 <= exponent.value <= _MAX_EXPONENT):
            raise ValueError(f"exponent {self.source(exponent)!r} not supported: '**' "
                             f"needs an integer literal from 0 to {_MAX_EXPONENT}")
        n = exponent.value
        base = self.walk(node.left, level + 1)
        if len(base) * max(n, 1) + n > self.max_size:
            raise ValueError(f"formula is too large after expanding '**' "
                             f"(more than {self.max_size} nodes)")
        if n == 0:
            return (("const", 1.0),)
        tokens = base
        for _ in range(n - 1):
            tokens = (("op", "mul"),) + tokens + base
        return tokens

    def call(self, node, level):
        if not isinstance(node.func, ast.Name):
            raise ValueError(f"only operator names can be called, not "
                             f"{self.source(node.func)!r}")
        name = node.func.id
        arity = self.arities.get(name)
        if arity is None:
            raise ValueError(f"unknown function {name!r} in formula; operators are "
                             f"{sorted(self.arities)}")
        if node.keywords:
            raise ValueError(f"keyword arguments are not allowed in call to {name!r}")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise ValueError(f"starred arguments are not allowed in call to {name!r}")
        if len(node.args) != arity:
            raise ValueError(f"operator {name!r} takes {arity} argument(s), "
                             f"got {len(node.args)}")
        tokens = (("op", name),)
        for arg in node.args:
            tokens += self.walk(arg, level + 1)
        return tokens
