"""Immutable expression trees for gplearn programs and activation formulas.

A :class:`Formula` is the common currency of sksymact: gplearn finds a
program, :meth:`Formula.from_gplearn` turns it into a tree,
:meth:`Formula.collapse` replaces every feature by the single variable ``x``
and the result becomes an activation function.

Formulas are always evaluated with gplearn's *protected* semantics (the
numpy kernels of the operator registry, :mod:`sksymact._operators`), so
``div``, ``log`` and ``inv`` never raise or return ``inf`` for small
arguments.  Formula text is data: it is parsed with a
whitelist parser and never executed.
"""

import math

import numpy as np

from ._formula_parse import VAR_RE as _VAR_RE
from ._formula_parse import parse_tokens as _parse_tokens
from ._operators import ARITIES as _ARITY
from ._operators import OPERATORS, PROTECTION_THRESHOLD, Operator

__all__ = ["Formula", "Operator", "OPERATORS", "PROTECTION_THRESHOLD", "readable_formula"]

# The operating range of an activation.  The layer before it is Linear +
# BatchNorm, which keeps pre-activations near N(0, 1); the degeneracy measures
# weigh a formula's values by that density on a fixed midpoint grid over
# [-6, 6] (beyond 6 the density is below 1e-8).  Midpoints: no grid point is
# exactly 0, so an isolated protected value (``inv(x)`` at 0) weighs nothing,
# as it does for the network.
_OPERATING_RANGE = 6.0
_GRID_POINTS = 4800
_GRID = -_OPERATING_RANGE + (np.arange(_GRID_POINTS) + 0.5) * (2 * _OPERATING_RANGE / _GRID_POINTS)
#: A formula whose weighted standard deviation on the range is at most this
#: (times max(1, its RMS)) is constant there: BatchNorm's ``eps`` (1e-5 on the
#: variance) and float32 rounding leave nothing of such a variation to train.
CONSTANT_TOLERANCE = 1e-9
#: A formula whose nonlinearity is at most this is affine on the range (the
#: affine fit explains all but rounding of its variance).
AFFINE_TOLERANCE = 1e-12


def _check_var(name):
    if not isinstance(name, str) or not _VAR_RE.fullmatch(name):
        raise ValueError(f"invalid variable name {name!r}: use 'x' or 'X<i>' "
                         "(e.g. 'X0', 'X12', no leading zeros)")
    return name


def _as_constant(value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise ValueError(f"constant must be a real number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError("constant is too large to be a float") from None
    if not math.isfinite(value):
        raise ValueError(f"constant must be finite, got {value!r}")
    return value


def _check_tokens(tokens):
    """Raise ValueError unless ``tokens`` is exactly one complete prefix tree."""
    need = 1
    for tok in tokens:
        if need == 0:
            raise ValueError("extra nodes after a complete formula")
        need += _ARITY[tok[1]] - 1 if tok[0] == "op" else -1
    if need != 0:
        raise ValueError(f"incomplete formula: {need} argument(s) missing")
    return tokens


def _rebuild(tokens):
    """Unpickling helper: validate every token, then rebuild."""
    out = []
    for tok in tokens:
        kind, payload = tok
        if kind == "op" and payload in OPERATORS:
            out.append(("op", payload))
        elif kind == "var":
            out.append(("var", _check_var(payload)))
        elif kind == "const":
            out.append(("const", _as_constant(payload)))
        else:
            raise ValueError(f"invalid formula node {tok!r}")
    return Formula._new(_check_tokens(tuple(out)))


def _subtree_end(tokens, start):
    need, i = 1, start
    while need:
        tok = tokens[i]
        need += _ARITY[tok[1]] - 1 if tok[0] == "op" else -1
        i += 1
    return i


def _fold(tokens, leaf, node):
    """Bottom-up fold over prefix tokens without recursion."""
    stack = []
    for tok in tokens:
        if tok[0] == "op":
            stack.append((tok[1], []))
            continue
        value = leaf(tok)
        while stack:
            name, args = stack[-1]
            args.append(value)
            if len(args) < _ARITY[name]:
                break
            stack.pop()
            value = node(name, args)
        else:
            return value
    raise ValueError("incomplete formula")  # pragma: no cover (tokens are validated)


class Formula:
    """Immutable expression tree over gplearn's operators.

    Nodes are operator applications, variables (``"x"`` or ``"X<i>"``) and
    finite float constants.  Build formulas with :meth:`parse` (also
    ``Formula(text)``), :meth:`from_gplearn`, :meth:`from_dict` or the
    :meth:`variable` / :meth:`constant` / :meth:`apply` constructors.
    Equality and hashing are structural (``0.0`` and ``-0.0`` differ).
    Evaluation always uses gplearn's protected semantics: ``div(a, b)`` is 1
    where ``|b| <= 0.001``, ``log`` is 0 and ``inv`` is 0 where ``|a| <= 0.001``,
    ``sqrt(a)`` is ``sqrt(|a|)``.  Depth follows gplearn: a leaf has depth 0.

    Parameters
    ----------
    text : str
        Formula text, read as :meth:`parse` reads it (with its default limits).

    See Also
    --------
    SymbolicActivation : A torch activation module that evaluates a formula.
    SymbolicActivationDiscoverer : Finds a formula with gplearn's genetic programming.

    Examples
    --------
    >>> f = Formula.parse("mul(cos(X3), X3)")
    >>> g = f.collapse()
    >>> g
    Formula('mul(cos(x), x)')
    >>> g == Formula.parse("cos(x)*x")
    True
    >>> round(float(g(0.5)), 6)
    0.438791
    >>> g.size, g.depth, sorted(f.variables)
    (4, 2, ['X3'])
    >>> print(g.latex())
    x \\cos{\\left(x \\right)}
    """

    __slots__ = ("_tokens", "_hash")

    def __init__(self, text):
        object.__setattr__(self, "_tokens", Formula.parse(text)._tokens)
        object.__setattr__(self, "_hash", None)

    @classmethod
    def _new(cls, tokens):
        self = object.__new__(cls)
        object.__setattr__(self, "_tokens", tokens)
        object.__setattr__(self, "_hash", None)
        return self

    def __setattr__(self, name, value):
        raise AttributeError("Formula objects are immutable")

    def __delattr__(self, name):
        raise AttributeError("Formula objects are immutable")

    def __reduce__(self):
        return (_rebuild, (self._tokens,))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    # ----------------------------------------------------------- constructors
    @classmethod
    def variable(cls, name="x"):
        """Build a variable leaf.

        Parameters
        ----------
        name : str, default="x"
            ``"x"`` (the collapsed variable) or ``"X<i>"`` (feature ``i``, no
            leading zeros); any other name raises ValueError.

        Returns
        -------
        Formula
            The one-node formula of that variable.
        """
        return cls._new((("var", _check_var(name)),))

    @classmethod
    def constant(cls, value):
        """Build a constant leaf.

        Parameters
        ----------
        value : int or float
            A finite real number, stored as a Python float; a bool, a
            non-finite or a non-real value raises ValueError.

        Returns
        -------
        Formula
            The one-node formula of that constant.
        """
        return cls._new((("const", _as_constant(value)),))

    @classmethod
    def apply(cls, op_name, *children):
        """Apply an operator to child formulas.

        Parameters
        ----------
        op_name : str
            The name of one of gplearn's operators (``"add"``, ``"cos"``, ...);
            an unknown name raises ValueError.
        *children : Formula
            The operands, as many as the operator's arity (else ValueError);
            a child that is not a Formula raises TypeError.

        Returns
        -------
        Formula
            The tree with ``op_name`` at its root and ``children`` below it.
        """
        if op_name not in OPERATORS:
            raise ValueError(f"unknown operator {op_name!r}; known: {sorted(OPERATORS)}")
        if len(children) != _ARITY[op_name]:
            raise ValueError(f"operator {op_name!r} takes {_ARITY[op_name]} "
                             f"argument(s), got {len(children)}")
        tokens = [("op", op_name)]
        for child in children:
            if not isinstance(child, Formula):
                raise TypeError(f"children must be Formula objects, got {type(child).__name__}")
            tokens.extend(child._tokens)
        return cls._new(tuple(tokens))

    @classmethod
    def parse(cls, text, *, max_depth=100, max_length=10_000):
        """Parse gplearn prefix text or plain infix math into a Formula.

        Accepted: gplearn's printed programs (``mul(cos(X3), -0.5)``) and
        infix math in ``x`` / ``X<i>`` with ``+ - * /``, calls of operator
        names with the right arity, unary ``+``/``-``, ``pi``, ``e`` and
        ``**`` with an integer literal exponent 0..8 (expanded into repeated
        ``mul``).  Infix ``/`` means gplearn's protected ``div``.  Unary
        minus on a number literal gives a negative constant, otherwise
        ``neg``.  The text is never executed: anything else (attributes,
        subscripts, strings, unknown names, non-ASCII, ...) raises
        ValueError, as does text longer than ``max_length`` characters or
        nested (parentheses or tree depth) deeper than ``max_depth``.

        Parameters
        ----------
        text : str
            Formula text; not a str raises TypeError.
        max_depth : int, default=100
            Largest accepted tree depth and parenthesis nesting.
        max_length : int, default=10_000
            Largest accepted text length; also caps the node count after
            ``**`` expansion.

        Returns
        -------
        Formula

        Examples
        --------
        >>> Formula.parse("x*cos(x)")
        Formula('mul(x, cos(x))')
        >>> Formula.parse("sin(x) + 0.5*x")
        Formula('add(sin(x), mul(0.5, x))')
        >>> Formula.parse("x**3 - x/2")
        Formula('sub(mul(mul(x, x), x), div(x, 2.0))')
        >>> Formula.parse("add(X0, -0.5)").constants
        (-0.5,)
        >>> Formula.parse("x.__class__")
        Traceback (most recent call last):
        ...
        ValueError: unsupported syntax in formula: attribute access '.__class__'
        """
        tokens = _parse_tokens(text, _ARITY, max_depth=max_depth, max_length=max_length)
        formula = cls._new(_check_tokens(tokens))
        if formula.depth > max_depth:
            raise ValueError(f"formula is nested deeper than max_depth={max_depth}")
        return formula

    @classmethod
    def from_gplearn(cls, program):
        """Convert a gplearn ``_Program`` (or its ``.program`` list) exactly.

        The prefix list is walked directly (no text round trip), so
        constants keep full precision.  Only gplearn's built-in functions
        are supported; custom functions raise ValueError.

        Parameters
        ----------
        program : gplearn ``_Program`` or list
            Prefix list of ``_Function`` objects (duck-typed: ``.name`` and
            ``.arity``), int feature indices (-> ``X<i>``) and float constants.

        Returns
        -------
        Formula
        """
        nodes = getattr(program, "program", program)
        if not isinstance(nodes, (list, tuple)):
            raise ValueError("expected a gplearn _Program or its .program list, "
                             f"got {type(program).__name__}")
        tokens = []
        for node in nodes:
            if isinstance(node, (bool, np.bool_)):
                raise ValueError(f"invalid gplearn program node {node!r}")
            if isinstance(node, (int, np.integer)):
                if node < 0:
                    raise ValueError(f"invalid gplearn feature index {node!r}")
                tokens.append(("var", _check_var(f"X{int(node)}")))
            elif isinstance(node, (float, np.floating)):
                tokens.append(("const", _as_constant(node)))
            elif hasattr(node, "name") and hasattr(node, "arity"):
                name = node.name
                if name not in OPERATORS or _ARITY[name] != node.arity:
                    raise ValueError(
                        f"unsupported gplearn function {name!r} (arity {node.arity!r}): "
                        "custom gplearn functions are not supported, only "
                        f"{sorted(OPERATORS)}")
                tokens.append(("op", name))
            else:
                raise ValueError(f"invalid gplearn program node {node!r}")
        return cls._new(_check_tokens(tuple(tokens)))

    @classmethod
    def from_dict(cls, data, *, max_size=100_000):
        """Rebuild a formula from :meth:`to_dict` output, validating strictly.

        Iterative; at most ``max_size`` nodes are read (guards against
        cyclic or exponentially shared dicts).

        Parameters
        ----------
        data : dict
            A nested dict as :meth:`to_dict` writes it; an optional top-level
            ``"version"`` must be 1.  Any other shape raises ValueError.
        max_size : int, default=100_000
            Largest number of nodes read before raising ValueError.

        Returns
        -------
        Formula
            The formula the dict describes.
        """
        if not isinstance(data, dict):
            raise ValueError(f"formula dict must be a dict, got {type(data).__name__}")
        top = dict(data)
        version = top.pop("version", 1)
        if type(version) is not int or version != 1:
            raise ValueError(f"unsupported formula dict version {version!r}")
        tokens, stack = [], [top]
        while stack:
            node = stack.pop()
            if len(tokens) >= max_size:
                raise ValueError(f"formula dict has more than max_size={max_size} nodes")
            if not isinstance(node, dict):
                raise ValueError(f"formula node must be a dict, got {type(node).__name__}")
            keys = set(node)
            if keys == {"op", "args"}:
                name, args = node["op"], node["args"]
                if not isinstance(name, str) or name not in OPERATORS:
                    raise ValueError(f"unknown operator {name!r} in formula dict")
                if not isinstance(args, (list, tuple)) or len(args) != _ARITY[name]:
                    raise ValueError(f"operator {name!r} needs a list of "
                                     f"{_ARITY[name]} args in formula dict")
                tokens.append(("op", name))
                stack.extend(reversed(args))
            elif keys == {"var"}:
                tokens.append(("var", _check_var(node["var"])))
            elif keys == {"const"}:
                tokens.append(("const", _as_constant(node["const"])))
            else:
                raise ValueError(f"invalid formula node keys {sorted(map(repr, keys))}")
        return cls._new(tuple(tokens))

    # ------------------------------------------------------------- properties
    @property
    def kind(self):
        """``"op"``, ``"var"`` or ``"const"`` for the root node."""
        return self._tokens[0][0]

    @property
    def op(self):
        """Operator name of the root, or None for a leaf."""
        return self._tokens[0][1] if self.kind == "op" else None

    @property
    def children(self):
        """Tuple of child formulas (empty for a leaf)."""
        out, i = [], 1
        for _ in range(_ARITY[self.op] if self.kind == "op" else 0):
            j = _subtree_end(self._tokens, i)
            out.append(Formula._new(self._tokens[i:j]))
            i = j
        return tuple(out)

    @property
    def value(self):
        """Value of a constant leaf, else None."""
        return self._tokens[0][1] if self.kind == "const" else None

    @property
    def name(self):
        """Name of a variable leaf, else None."""
        return self._tokens[0][1] if self.kind == "var" else None

    @property
    def variables(self):
        """Frozenset of the variable names used anywhere in the tree."""
        return frozenset(t[1] for t in self._tokens if t[0] == "var")

    @property
    def constants(self):
        """Tuple of the constants in pre-order."""
        return tuple(t[1] for t in self._tokens if t[0] == "const")

    @property
    def size(self):
        """Number of nodes."""
        return len(self._tokens)

    @property
    def n_operators(self):
        """Number of operator nodes."""
        return sum(t[0] == "op" for t in self._tokens)

    @property
    def depth(self):
        """Depth as in gplearn: a leaf has depth 0, ``mul(x, x)`` depth 1."""
        best, pending = 0, []
        for tok in self._tokens:
            if tok[0] == "op":
                pending.append(_ARITY[tok[1]])
                best = max(best, len(pending))
                continue
            while pending:
                pending[-1] -= 1
                if pending[-1]:
                    break
                pending.pop()
        return best

    def fold(self, leaf, node):
        """Evaluate the tree bottom-up, without recursion.

        Parameters
        ----------
        leaf : callable
            ``leaf(kind, payload)`` for each leaf, with ``kind`` ``"var"``
            (payload: the name) or ``"const"`` (payload: the float).  Leaves
            come in pre-order, so the ``i``-th constant leaf is
            ``constants[i]``.
        node : callable
            ``node(op_name, args)`` for each operator, with the values of its
            children in order.

        Returns
        -------
        object
            What ``node`` (or ``leaf``, for a single leaf) returns at the root.

        Examples
        --------
        >>> f = Formula.parse("x*cos(x) + 2")
        >>> f.fold(lambda kind, payload: 1, lambda name, args: 1 + sum(args)) == f.size
        True
        """
        return _fold(self._tokens, lambda tok: leaf(*tok), node)

    # ----------------------------------------------------------- transforms
    def with_constants(self, values):
        """Return a copy with the constants replaced, in pre-order.

        Parameters
        ----------
        values : iterable of float
            One finite real number per constant of :attr:`constants`, in the
            same pre-order; a different count raises ValueError.

        Returns
        -------
        Formula
            The same tree with the new constants.
        """
        values = [_as_constant(v) for v in values]
        if len(values) != len(self.constants):
            raise ValueError(f"expected {len(self.constants)} constants, got {len(values)}")
        it = iter(values)
        return Formula._new(tuple(("const", next(it)) if t[0] == "const" else t
                                  for t in self._tokens))

    def collapse(self, var="x"):
        """Replace every variable by one variable.

        ``mul(cos(X3), X3)`` collapses to ``mul(cos(x), x)``: the step that turns a
        formula over features into an activation of one scalar.

        Parameters
        ----------
        var : str, default="x"
            The variable that replaces every other: ``"x"`` or ``"X<i>"``.

        Returns
        -------
        Formula
            The same tree over the single variable ``var``.
        """
        _check_var(var)
        return Formula._new(tuple(("var", var) if t[0] == "var" else t
                                  for t in self._tokens))

    def simplify(self):
        """Fold variable-free subtrees into constants.

        Each subtree with no variable is evaluated once (numpy float64,
        gplearn's protected semantics) and replaced by its value; subtrees
        whose value is not finite are kept.

        Returns
        -------
        Formula
            The folded formula; it evaluates as the original does.
        """
        def node(name, args):
            if all(a[0][0] == "const" and len(a) == 1 for a in args):
                with np.errstate(all="ignore"):
                    out = OPERATORS[name].numpy(*(np.full(1, a[0][1]) for a in args))
                value = float(np.asarray(out).reshape(-1)[0])
                if math.isfinite(value):
                    return (("const", value),)
            return (("op", name),) + tuple(t for a in args for t in a)
        return Formula._new(_fold(self._tokens, lambda tok: (tok,), node))

    # ------------------------------------------------------------ evaluation
    def _evaluate(self, env, shape):
        def leaf(tok):
            return env[tok[1]] if tok[0] == "var" else np.full(shape, tok[1])
        return _fold(self._tokens, leaf, lambda name, args: OPERATORS[name].numpy(*args))

    def __call__(self, X):
        """Evaluate with gplearn's protected semantics, returning float64.

        * Only ``x`` (or no variable): elementwise on any shape (scalars
          give a 0-d array) -- except that a variable-free formula given a
          2-D ``X`` returns shape ``(n_samples,)`` like gplearn.
        * ``X<i>``: ``X`` must be 2-D ``(n_samples, n_features)``; ``X<i>``
          is column ``i`` and the result matches ``_Program.execute(X)``
          bit for bit.

        Parameters
        ----------
        X : array-like or scalar
            Real input, converted to float64.

        Returns
        -------
        ndarray of float64
            Input shape (``x`` formulas) or ``(n_samples,)``.
        """
        X = np.asarray(X)
        if np.iscomplexobj(X):
            raise ValueError("complex input is not supported")
        X = np.asarray(X, dtype=np.float64)
        names = self.variables
        features = sorted(int(v[1:]) for v in names if v != "x")
        if features and "x" in names:
            raise ValueError("formula mixes 'x' and 'X<i>' variables; collapse() it first")
        if features:
            if X.ndim != 2:
                raise ValueError(f"formula uses features, X must be 2-D, got shape {X.shape}")
            if features[-1] >= X.shape[1]:
                raise ValueError(f"formula uses X{features[-1]} but X has only "
                                 f"{X.shape[1]} columns")
            env, shape = {f"X{i}": X[:, i] for i in features}, (X.shape[0],)
        else:
            shape = (X.shape[0],) if (X.ndim == 2 and not names) else X.shape
            env = {"x": X}
        out = self._evaluate(env, shape)
        if self.kind == "var":
            out = np.array(out)
        return np.asarray(out, dtype=np.float64)

    # ---------------------------------------------------------------- sympy
    def to_sympy(self, protected=False):
        """Sympy expression in real symbols ``x``, ``X0``, ....

        ``protected=False`` is the plain mathematical reading (``div`` ->
        ``a/b``, ``log`` -> ``log(Abs(a))``, ``sqrt`` -> ``sqrt(Abs(a))``,
        ``inv`` -> ``1/a``); ``protected=True`` uses ``Piecewise`` for
        ``div``/``log``/``inv`` exactly like gplearn (threshold 0.001).

        Parameters
        ----------
        protected : bool, default=False
            Whether to give gplearn's protected reading (``Piecewise``) rather
            than the plain mathematical one.

        Returns
        -------
        sympy.Expr
            The expression; sympy is imported on first use.
        """
        return self._to_sympy(protected, exact=False)

    def _to_sympy(self, protected, exact):
        import sympy as sp
        num = sp.Rational if exact else sp.Float
        thr = num(PROTECTION_THRESHOLD)

        def guard(arg, plain, fallback):
            if not protected:
                return plain
            return sp.Piecewise((plain, sp.Abs(arg) > thr), (fallback, True))

        def leaf(tok):
            return sp.Symbol(tok[1], real=True) if tok[0] == "var" else num(tok[1])
        return _fold(self._tokens, leaf,
                     lambda name, args: OPERATORS[name].sympy(sp, guard, *args))

    def latex(self):
        """Write the plain reading as LaTeX.

        Returns
        -------
        str
            ``sympy.latex(self.to_sympy())``.
        """
        import sympy
        return sympy.latex(self.to_sympy())

    # ------------------------------------------------------- classification
    def nonlinearity(self):
        """How far the formula is from affine where an activation operates.

        The fraction of the formula's variance that the best affine function
        of its variables leaves unexplained, ``1 - R**2``, with each variable
        distributed as N(0, 1) (the pre-activations BatchNorm produces),
        computed on a fixed grid of 4,800 midpoints over [-6, 6] weighted by
        the normal density (for several variables, one fixed permutation of
        the grid per variable).  The grid never changes, so the same formula
        gives the same number on any machine at any load.

        Scale: 0 for an affine or constant function, 1 for a function that
        no affine one approximates at all (every even function, such as
        ``cos(x)`` or ``abs(x)``, has nonlinearity 1: its best affine fit is
        flat).  ``6x + sin(x)`` has 0.0015: an affine fit explains 99.85% of
        it.  The value is invariant under ``a * f(x) + b``, as the layers
        around an activation are.

        Returns
        -------
        float
            In [0, 1]; exactly 0 for a formula that is constant on the range
            (see :meth:`is_constant`) or affine to rounding (a share of at most
            ``AFFINE_TOLERANCE``, 1e-12); NaN if the formula is not finite
            somewhere on the range.
        """
        if not self.variables:
            return 0.0
        y, columns, weights = self._on_operating_range()
        if not np.all(np.isfinite(y)):
            return float("nan")
        if self._is_flat(y, weights):
            return 0.0
        mean = weights @ y
        variance = weights @ (y - mean) ** 2
        design = np.column_stack([np.ones_like(y)] + columns)
        root = np.sqrt(weights)
        coefficients = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
        share = float(weights @ (y - design @ coefficients) ** 2 / variance)
        # Below the affine tolerance the residual is rounding: the formula is affine.
        return 0.0 if share <= AFFINE_TOLERANCE else min(1.0, share)

    def is_constant(self):
        """True if the protected function is constant where an activation operates.

        Constant means: the standard deviation of its values under N(0, 1)
        inputs (the grid of :meth:`nonlinearity`) is at most
        ``CONSTANT_TOLERANCE * max(1, RMS)`` (1e-9).  A variable-free
        formula is constant.  ``max(x, 20)`` is constant here (it is 20 on the
        whole range), as is ``abs(mul(x, 1e-15))`` (its variation is far below
        what any layer after it can use).  The decision is numeric, on a
        fixed grid: deterministic, with no time limit.

        Returns
        -------
        bool
            Whether the formula is constant on the operating range.
        """
        if not self.variables:
            return True
        y, _, weights = self._on_operating_range()
        return bool(np.all(np.isfinite(y)) and self._is_flat(y, weights))

    def is_linear(self):
        """True if the protected function is affine where an activation operates.

        Affine means a :meth:`nonlinearity` of 0: constant
        (:meth:`is_constant`), or an affine fit that explains the variance to
        rounding (all but ``AFFINE_TOLERANCE``, 1e-12).  Deterministic, on a
        fixed grid.

        Returns
        -------
        bool
            Whether the formula is affine on the operating range.
        """
        return bool(self.nonlinearity() == 0.0)

    def _on_operating_range(self):
        names = sorted(self.variables)
        columns = [_GRID if j == 0 else np.random.RandomState(j).permutation(_GRID)
                   for j in range(len(names))]
        with np.errstate(all="ignore"):
            y = np.asarray(self._evaluate(dict(zip(names, columns)), _GRID.shape),
                           dtype=np.float64)
            log_density = -0.5 * sum(c ** 2 for c in columns)
        weights = np.exp(log_density - log_density.max())
        return np.broadcast_to(y, _GRID.shape), columns, weights / weights.sum()

    @staticmethod
    def _is_flat(y, weights):
        mean = weights @ y
        spread = math.sqrt(max(0.0, float(weights @ (y - mean) ** 2)))
        rms = math.sqrt(float(weights @ y ** 2))
        return spread <= CONSTANT_TOLERANCE * max(1.0, rms)

    # ------------------------------------------------------- serialisation
    def to_dict(self):
        """Describe the formula as a JSON-serialisable nested dict.

        Returns
        -------
        dict
            For example ``{"version": 1, "op": "neg", "args": [{"var": "x"}]}``
            (``"version"`` only at the top); :meth:`from_dict` reads it back.
        """
        def leaf(tok):
            return {"var": tok[1]} if tok[0] == "var" else {"const": tok[1]}
        tree = _fold(self._tokens, leaf, lambda name, args: {"op": name, "args": args})
        return {"version": 1, **tree}

    def __str__(self):
        def leaf(tok):
            return tok[1] if tok[0] == "var" else repr(tok[1])
        return _fold(self._tokens, leaf, lambda name, args: f"{name}({', '.join(args)})")

    def __repr__(self):
        return f"Formula({str(self)!r})"

    def __eq__(self, other):
        if not isinstance(other, Formula):
            return NotImplemented
        return self._tokens == other._tokens and all(
            math.copysign(1.0, a) == math.copysign(1.0, b)
            for a, b in zip(self.constants, other.constants))

    def __hash__(self):
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(self._tokens))
        return self._hash


def readable_formula(formula, digits=3):
    """A formula as simplified mathematics: sympy's form, constants to ``digits`` digits.

    ``sub(add(sin(x), sin(x)), cos(sub(x, x)))`` reads ``2*sin(x) - 1``; gplearn's
    prefix text is what formulas.json keeps, this is what a reader is shown.

    Parameters
    ----------
    formula : str or Formula
        The formula.
    digits : int, default=3
        Significant digits of its constants.

    Returns
    -------
    text : str
        The simplified formula; its prefix text if sympy cannot handle it.

    Examples
    --------
    >>> from sksymact._formula import readable_formula
    >>> readable_formula("sub(add(sin(x), sin(x)), cos(sub(x, x)))")
    '2*sin(x) - 1'
    >>> readable_formula("mul(x, 0.123456)")
    '0.123*x'
    """
    formula = formula if isinstance(formula, Formula) else Formula.parse(str(formula))
    try:
        import sympy  # noqa: PLC0415 (heavy; only the text needs it)

        expression = formula.to_sympy()
        return str(expression.xreplace(
            {c: sympy.Float(c, digits) for c in expression.atoms(sympy.Float)}))
    except Exception:  # noqa: BLE001 (a label is not worth a failure)
        return str(formula)
