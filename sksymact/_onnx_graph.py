"""The ONNX graph of a fitted network: what :mod:`sksymact._onnx` converts with.

Nodes go either into an skl2onnx converter's scope and container or into a
stand-alone graph; :class:`_Graph` is the builder handed to each operator's
``onnx`` emitter (its record in :mod:`sksymact._operators`), and the
``_emit_*`` functions write the network's layers in eval mode: ``Linear`` as
``Gemm``, ``BatchNorm1d`` with its running statistics rounded as torch
rounds, each activation, dropout left out.  Imported by :mod:`sksymact._onnx`
only, after its check that onnx is installed.
"""

import math

import numpy as np
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from ._activation import SymbolicActivation
from ._operators import OPERATORS, PROTECTION_THRESHOLD


# -- where nodes go: an skl2onnx container, or a stand-alone graph ------------------------


class _ContainerBackend:
    """Nodes and initializers into the scope and container of an skl2onnx converter."""

    def __init__(self, scope, container):
        self._scope = scope
        self._container = container

    def unique(self, hint):
        return self._scope.get_unique_variable_name(hint)

    def node(self, op_type, inputs, output, attributes):
        self._container.add_node(op_type, list(inputs), output,
                                 name=self._scope.get_unique_operator_name(op_type),
                                 **attributes)

    def initializer(self, name, array):
        if array.dtype.kind in "OSU":
            values = [str(v).encode("utf-8") for v in array.ravel()]
            self._container.add_initializer(name, TensorProto.STRING, list(array.shape), values)
        else:
            # The container copies a TensorProto's raw bytes: exact for every numeric type.
            self._container.add_initializer(name, None, None, numpy_helper.from_array(array))


class _ModelBackend:
    """Nodes and initializers of a stand-alone graph (the activation alone, for tests)."""

    def __init__(self):
        self.nodes, self.initializers, self._count = [], [], 0

    def unique(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def node(self, op_type, inputs, output, attributes):
        self.nodes.append(helper.make_node(op_type, list(inputs), [output],
                                           name=self.unique(op_type), **attributes))

    def initializer(self, name, array):
        self.initializers.append(numpy_helper.from_array(array, name))


# -- the graph builder the operators' ``onnx`` emitters are handed ------------------------


class _Graph:
    """The ``g`` of ``Operator.onnx``: emits nodes as the torch module computes.

    ``fused`` (a formula's graph) follows :class:`SymbolicActivation`: on
    both of its paths a constant's value is known in float64 -- a float, or
    with per-channel constants a float64 vector of one value per channel --
    so a variable-free subtree is folded by the exporter, a guard on a
    constant is decided in float64, and ``constant / tensor`` is a reciprocal
    times the constant, as torch computes it.  A constant reaches the graph
    as float32 only where a node uses it.  Without ``fused`` (torch's named
    activations) every operation is a node.
    """

    def __init__(self, backend, x, *, fused=True):
        self._backend = backend
        self.x = x
        self._fused = fused
        self._known = {}  # name -> float64 (or bool) value of a constant not yet in the graph
        self._in_graph = set()
        self._names_of_known = {}
        self._memo = {}  # value numbering: a repeated subtree is computed once
        self._depends_on_x = {x}

    # Constants -------------------------------------------------------------

    def known(self, value):
        """A constant whose value the exporter knows: a float, a bool, or a vector per channel."""
        if isinstance(value, (bool, np.bool_)):
            value = bool(value)
            key = ("bool", value)
        elif isinstance(value, np.ndarray):
            value = np.array(value)  # its own copy
            key = ("array", value.dtype.str, value.shape, value.tobytes())
        else:
            value = float(value)
            # 0.0 and -0.0, and every NaN, are distinct keys; bits decide.
            key = ("float", np.float64(value).tobytes())
        name = self._names_of_known.get(key)
        if name is None:
            name = self._backend.unique("const")
            self._names_of_known[key] = name
            self._known[name] = value
        return name

    def constant(self, value):
        """A float32 scalar constant (its value is known to the exporter)."""
        return self.known(float(value))

    def parameter(self, array):
        """A constant the module holds as a tensor (learnable constants): always a node input."""
        name = self._backend.unique("constant")
        self._backend.initializer(name, np.asarray(array))
        self._in_graph.add(name)
        return name

    def value_of(self, name):
        """The float64 value (a float, or a vector per channel) of a known constant, or None."""
        value = self._known.get(name)
        if isinstance(value, float) or (isinstance(value, np.ndarray)
                                        and value.dtype == np.float64):
            return value
        return None

    def _materialise(self, name):
        if name in self._known and name not in self._in_graph:
            value = self._known[name]
            dtype = np.bool_ if np.asarray(value).dtype == np.bool_ else np.float32
            with np.errstate(over="ignore"):  # a folded value beyond float32 is inf, as in torch
                self._backend.initializer(name, np.array(value, dtype=dtype))
            self._in_graph.add(name)
        return name

    # Nodes -----------------------------------------------------------------

    def guard(self, a):
        """gplearn's safe entries ``|a| > 0.001`` and ``a`` with the others set to 1."""
        value = self.value_of(a) if self._fused else None
        if value is not None:
            # The module decides a constant's guard in float64.
            safe = np.abs(value) > PROTECTION_THRESHOLD
            if np.all(safe) or not np.any(safe):
                safe = bool(np.all(safe))
                return self.known(safe), (a if safe else self.constant(1.0))
            # Per channel, safe in some channels only: the mask is a constant too.
            return self.known(safe), self.known(np.where(safe, value, 1.0))
        safe = self.op("Greater", self.op("Abs", a), self.constant(PROTECTION_THRESHOLD))
        return safe, self.op("Where", safe, a, self.constant(1.0))

    def op(self, op_type, *inputs, **attributes):
        """One ONNX node of the default domain; returns the name of its output."""
        if op_type == "Where" and isinstance(self._known.get(inputs[0]), bool):
            return inputs[1] if self._known[inputs[0]] else inputs[2]
        if op_type == "Div" and self._fused and self.value_of(inputs[0]) is not None:
            # torch computes ``float / tensor`` as ``reciprocal(tensor) * float``.
            return self.op("Mul", self.op("Reciprocal", inputs[1]), inputs[0])
        key = (op_type, inputs, tuple(sorted(attributes.items())))
        name = self._memo.get(key)
        if name is not None:
            return name
        name = self._backend.unique(op_type.lower())
        self._backend.node(op_type, [self._materialise(i) for i in inputs], name, attributes)
        self._memo[key] = name
        if any(i in self._depends_on_x for i in inputs):
            self._depends_on_x.add(name)
        return name

    def finish(self, name):
        """The activation's output: a new name, of the shape of ``x``."""
        if name == self.x:
            return self.op("Identity", name)
        if name not in self._depends_on_x:
            # A formula that does not depend on x (once folded) is a constant map.
            return self.op("Expand", name, self.op("Shape", self.x))
        return name


# -- the network --------------------------------------------------------------------------


def _unsupported_operator(name, formula):
    return ValueError(
        f"Cannot export operator {name!r} of the formula {formula} to ONNX: its record in "
        "the operator registry has no onnx emitter (onnx=None)."
    )


def _emit_formula(backend, x, module):
    """The nodes of a :class:`SymbolicActivation`, with its current constants.

    Fixed and learnable constants alike: the module computes a variable-free
    subtree in float64 (the fused plan with gplearn's numpy kernels, learnable
    constants with the torch kernels), so the exporter folds it the same way.
    """
    formula = module.formula
    learnable = module.learnable_constants
    g = _Graph(backend, x)
    # float64, the module's own values; per channel, one row of values per constant.
    values = iter(np.array(module.constants.detach().cpu().to(torch.float64).numpy()))

    def leaf(kind, payload):
        if kind == "var":
            if payload != "x":
                raise ValueError(f"Cannot export the formula {formula}: variable {payload!r} "
                                 "is not x (collapse it first).")
            return x
        value = next(values)
        # Per layer, a float; per channel, a row that broadcasts over the last axis.
        return g.known(float(value) if value.ndim == 0 else value)

    def node(name, args):
        operator = OPERATORS.get(name)
        if operator is None or operator.onnx is None:
            raise _unsupported_operator(name, formula)
        known = [g.value_of(a) for a in args]
        if all(value is not None for value in known):
            return g.known(_fold(operator, known, learnable))
        return operator.onnx(g, *args)

    return g.finish(formula.fold(leaf, node))


def _fold(operator, values, learnable):
    """A variable-free node's float64 value, computed as the module computes it."""
    if learnable:
        # SymbolicActivation._autograd_forward: the torch kernel on float64 tensors.
        with torch.no_grad():
            value = operator.torch(*(torch.as_tensor(v, dtype=torch.float64)
                                     for v in values)).numpy()
    else:
        # The fused plan: gplearn's numpy kernel (sksymact._tape).
        with np.errstate(all="ignore"):
            value = operator.numpy(*(np.float64(v) for v in values))
    value = np.asarray(value, dtype=np.float64)
    return float(value) if value.ndim == 0 else value


def _emit_named(backend, x, module):
    """The nodes of one of torch's activations that ``NAMED_ACTIVATIONS`` names."""
    g = _Graph(backend, x, fused=False)
    kind = type(module)
    if kind is nn.Identity:
        return g.finish(x)
    if kind in (nn.ReLU, nn.Tanh):
        return g.op({nn.ReLU: "Relu", nn.Tanh: "Tanh"}[kind], x)
    if kind is nn.Sigmoid:
        return OPERATORS["sig"].onnx(g, x)  # 1 / (1 + exp(-x)), as torch computes it
    if kind is nn.SiLU:
        # torch: x / (1 + exp(-x)).
        return g.op("Div", x, g.op("Add", g.op("Exp", g.op("Neg", x)), g.constant(1.0)))
    if kind is nn.GELU and module.approximate == "none":
        # torch's exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))).  ONNX's own Gelu
        # needs opset 20; Erf is in every opset skl2onnx targets.
        erf = g.op("Erf", g.op("Mul", x, g.constant(math.sqrt(0.5))))
        return g.op("Mul", g.op("Mul", x, g.constant(0.5)), g.op("Add", erf, g.constant(1.0)))
    if kind is nn.GELU and module.approximate == "tanh":
        cube = g.op("Mul", g.op("Mul", x, x), x)
        inner = g.op("Mul", g.op("Add", x, g.op("Mul", cube, g.constant(0.044715))),
                     g.constant(math.sqrt(2 / math.pi)))
        half = g.op("Mul", x, g.constant(0.5))
        return g.op("Mul", half, g.op("Add", g.op("Tanh", inner), g.constant(1.0)))
    return None


def _emit_activation(backend, x, module, where):
    # Exact types: a subclass may compute something else in its forward.
    if type(module) is SymbolicActivation:
        return _emit_formula(backend, x, module)
    out = _emit_named(backend, x, module)
    if out is None:
        raise TypeError(
            f"Cannot export the activation {type(module).__module__}."
            f"{type(module).__qualname__} ({where}) to ONNX: only SymbolicActivation and "
            "torch's ReLU, GELU, SiLU, Tanh, Sigmoid and Identity have an ONNX form."
        )
    return out


def _as_float32(tensor):
    return np.ascontiguousarray(tensor.detach().cpu().numpy(), dtype=np.float32)


def _emit_linear(backend, x, linear):
    weight = backend.unique("weight")
    backend.initializer(weight, _as_float32(linear.weight))
    inputs = [x, weight]
    if linear.bias is not None:
        bias = backend.unique("bias")
        backend.initializer(bias, _as_float32(linear.bias))
        inputs.append(bias)
    out = backend.unique("linear")
    backend.node("Gemm", inputs, out, {"transB": 1})
    return out


def _emit_batch_norm(backend, x, norm, where):
    if norm.running_mean is None or norm.running_var is None:
        raise ValueError(f"Cannot export {where} to ONNX: a BatchNorm1d without running "
                         "statistics normalises each batch by itself.")
    # torch's CPU kernel in eval mode computes, per channel, alpha = (1 /
    # sqrt(var + eps)) * weight and beta = bias - mean * alpha in float32, then
    # x * alpha + beta, the last two as fused multiply-adds (one rounding).  ONNX
    # has no fused multiply-add, and its BatchNormalization rounds in another
    # order (2e-7 apart on N(0, 1) data, which a formula with a pole magnifies).
    # The product of two float32 numbers is exact in float64, so x * alpha + beta
    # computed in float64 and cast to float32 gives torch's bits (bar a double
    # rounding about once in 2**29 values).
    size = norm.num_features
    weight = _as_float32(norm.weight) if norm.weight is not None else np.ones(size, "f4")
    bias = _as_float32(norm.bias) if norm.bias is not None else np.zeros(size, "f4")
    invstd = np.float32(1) / np.sqrt(_as_float32(norm.running_var) + np.float32(norm.eps))
    alpha = (invstd * weight).astype(np.float64)
    beta = (bias - _as_float32(norm.running_mean).astype(np.float64) * alpha)
    beta = beta.astype(np.float32).astype(np.float64)
    names = []
    for hint, array in (("bn_scale", alpha), ("bn_shift", beta)):
        names.append(backend.unique(hint))
        backend.initializer(names[-1], np.ascontiguousarray(array))
    chain = [("Cast", [], {"to": TensorProto.DOUBLE}), ("Mul", [names[0]], {}),
             ("Add", [names[1]], {}), ("Cast", [], {"to": TensorProto.FLOAT})]
    for op_type, operands, attributes in chain:
        out = backend.unique("batch_norm")
        backend.node(op_type, [x, *operands], out, attributes)
        x = out
    return x


def _emit_network(backend, x, mlp):
    """The nodes of :class:`~sksymact._mlp.MLP` in eval mode; returns the logits' name."""
    for name, module in mlp.hidden.named_children():
        where = f"hidden layer module {name!r}"
        if type(module) is nn.Linear:
            x = _emit_linear(backend, x, module)
        elif type(module) is nn.BatchNorm1d:
            x = _emit_batch_norm(backend, x, module, where)
        elif isinstance(module, nn.Dropout):
            continue  # the identity at inference
        else:
            x = _emit_activation(backend, x, module, where)
    return _emit_linear(backend, x, mlp.head)
