"""ONNX export of a fitted :class:`~sksymact.HybridTransferClassifier`.

Importing this module registers a converter for
:class:`~sksymact.HybridTransferClassifier` with skl2onnx
(``skl2onnx.update_registered_converter``: a shape calculator, a converter
and skl2onnx's own classifier parser, so the ``zipmap``, ``nocl`` and
``output_class_labels`` options work as for scikit-learn's classifiers), and
one for :class:`~sksymact.HybridTransferRegressor` (one output, ``variable``,
of shape ``(n_samples, n_outputs)``: ``predict``'s values).
From then on ``skl2onnx.to_onnx`` converts them, alone or inside a
:class:`~sklearn.pipeline.Pipeline`, like any scikit-learn model.
:func:`to_onnx` (also ``sksymact.to_onnx``, which imports this module on
first use) does the import for you.

The graph computes what ``predict_proba`` computes: the input cast to
float32, each hidden layer's ``Linear`` (``Gemm``), ``BatchNorm1d`` in eval
mode (with the running statistics, rounded as torch rounds) and activation,
dropout left out (it is the identity at inference), the head, then the
sigmoid (two classes) or softmax (more) in float64 on the float32 logits, as
``predict_proba`` does; the label is the argmax of those float64
probabilities, as ``predict``'s is.  The probabilities leave the graph in the
input's type, but as float32 with ``zipmap=True`` whatever the input (ONNX's
``ZipMap`` takes float32 only; a float64 one makes a graph onnxruntime
refuses to load).  A formula activation is built from its
formula with :meth:`Formula.fold <sksymact.Formula.fold>` and the ``onnx``
emitter of each operator's record in the registry
(:mod:`sksymact._operators`), with the module's current constants.

Needs the ``onnx`` extra: ``pip install sksymact[onnx]`` (onnx and skl2onnx
to export, onnxruntime to run the result).
"""

import numpy as np

try:
    import onnx
    from onnx import TensorProto, helper
    from skl2onnx import get_latest_tested_opset_version, update_registered_converter
    from skl2onnx import to_onnx as _skl2onnx_to_onnx
    from skl2onnx.common.data_types import (DoubleTensorType, FloatTensorType,
                                        guess_proto_type)
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
    from skl2onnx.common.utils_classifier import get_label_classes
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "sksymact's ONNX export needs the optional dependencies onnx and skl2onnx "
        "(and onnxruntime to run the exported model): pip install sksymact[onnx]"
    ) from exc

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array, check_is_fitted

from ._classifier import HybridTransferClassifier
from ._onnx_graph import _ContainerBackend, _emit_activation, _emit_network, _Graph, _ModelBackend
from ._regressor import HybridTransferRegressor
from ._version import __version__

__all__ = ["to_onnx"]

#: The aliases of the converters in skl2onnx's registry.
ALIAS = "SksymactHybridTransferClassifier"
REGRESSOR_ALIAS = "SksymactHybridTransferRegressor"

#: The options of the converter: those of scikit-learn's classifiers.
OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [True, False],
           "output_class_labels": [False, True]}


# -- the skl2onnx converter ---------------------------------------------------------------


def _label_classes(scope, model):
    """The labels as skl2onnx writes them: int64 for numbers and bools, else UTF-8 strings."""
    classes = np.asarray(get_label_classes(scope, model))
    if classes.dtype.kind in "biu":
        return classes.astype(np.int64)
    if classes.dtype.kind == "f":
        if not np.all(classes == np.round(classes)):
            raise ValueError(f"Cannot export class labels {classes.tolist()} to ONNX: float "
                             "labels must be integers (or use strings).")
        return classes.astype(np.int64)
    return np.array([str(c) for c in classes], dtype=object)


def _shape_calculator(operator):
    """Output types and shapes: those of scikit-learn's classifiers (label, probabilities).

    With ``zipmap=True`` the probabilities are float32 whatever the input:
    ONNX's ``ZipMap`` takes only float32 (a float64 tensor makes a graph
    onnxruntime refuses to load), and skl2onnx's ``ZipMap`` takes its type
    from this output.  The converter casts to the declared type.
    """
    calculate_linear_classifier_output_shapes(operator)
    options = operator.scope_inst.get_options(operator.raw_operator, dict(zipmap=True))
    probabilities = operator.outputs[1]
    zipmap = options.get("zipmap", True)
    if not isinstance(zipmap, str) and bool(zipmap) and not isinstance(probabilities.type,
                                                                       FloatTensorType):
        probabilities.type = FloatTensorType(probabilities.type.shape)


def _network_outputs(scope, operator, container):
    """The graph's builder and the network's outputs on the input, cast to float64."""
    model = operator.raw_operator
    check_is_fitted(model, "net_")
    backend = _ContainerBackend(scope, container)
    g = _Graph(backend, operator.inputs[0].full_name, fused=False)
    x = g.x
    if guess_proto_type(operator.inputs[0].type) != TensorProto.FLOAT:
        x = g.op("Cast", x, to=TensorProto.FLOAT)  # the network computes in float32
    # With compile=True skorch holds torch.compile's wrapper; its module is the MLP.
    mlp = getattr(model.net_.module_, "_orig_mod", model.net_.module_)
    return g, g.op("Cast", _emit_network(backend, x, mlp), to=TensorProto.DOUBLE)


def _converter(scope, operator, container):
    """Emit the graph of a fitted :class:`HybridTransferClassifier` into ``container``."""
    model = operator.raw_operator
    g, logits = _network_outputs(scope, operator, container)
    # predict_proba: sigmoid or softmax in float64 on the float32 logits.
    if len(model.classes_) == 2:
        # torch's sigmoid, 1 / (1 + exp(-z)), in float64 (ONNX Runtime's Sigmoid
        # kernel loses the small probabilities' relative precision).
        one = g.parameter(np.array(1.0))
        positive = g.op("Reciprocal", g.op("Add", g.op("Exp", g.op("Neg", logits)), one))
        proba = g.op("Concat", g.op("Sub", one, positive), positive, axis=1)
    else:
        proba = g.op("Softmax", logits, axis=1)
    # predict: the argmax of the float64 probabilities (the first of a tie, as numpy).
    index = g.op("ArgMax", proba, axis=1, keepdims=0)
    classes = g.parameter(_label_classes(scope, model))
    container.add_node("Gather", [classes, index], operator.outputs[0].full_name,
                       name=scope.get_unique_operator_name("Gather"), axis=0)
    out_type = guess_proto_type(operator.outputs[1].type)
    container.add_node("Cast", [proba], operator.outputs[1].full_name,
                       name=scope.get_unique_operator_name("Cast"), to=out_type)


def _regressor_shape_calculator(operator):
    """One output, ``variable``: ``(n_samples, n_outputs)`` in the input's float type."""
    if len(operator.inputs) != 1 or len(operator.outputs) != 1:
        raise RuntimeError(f"{REGRESSOR_ALIAS} takes one input and gives one output.")
    kind = type(operator.inputs[0].type)
    kind = kind if kind in (FloatTensorType, DoubleTensorType) else FloatTensorType
    operator.outputs[0].type = kind([operator.inputs[0].get_first_dimension(),
                                     operator.raw_operator.n_outputs_])


def _regressor_converter(scope, operator, container):
    """Emit the graph of a fitted :class:`HybridTransferRegressor` into ``container``."""
    model = operator.raw_operator
    g, outputs = _network_outputs(scope, operator, container)
    # predict: the float32 outputs, in float64, times the target's scale plus its mean.
    scale = g.parameter(np.asarray(model.target_scale_, dtype=np.float64))
    mean = g.parameter(np.asarray(model.target_mean_, dtype=np.float64))
    value = g.op("Add", g.op("Mul", outputs, scale), mean)
    container.add_node("Cast", [value], operator.outputs[0].full_name,
                       name=scope.get_unique_operator_name("Cast"),
                       to=guess_proto_type(operator.outputs[0].type))


update_registered_converter(HybridTransferClassifier, ALIAS, _shape_calculator, _converter,
                            options=OPTIONS)
update_registered_converter(HybridTransferRegressor, REGRESSOR_ALIAS,
                            _regressor_shape_calculator, _regressor_converter)


# -- the public function ------------------------------------------------------------------


def _input_type(X_sample, model):
    """The graph's input type for ``X_sample``: float32 rows stay float32, the rest float64.

    The rest becomes float64 because scikit-learn computes a pipeline's steps
    in float64 for anything but float32 rows, and a step such as
    ``StandardScaler`` run in float32 instead would round the network's input
    differently from ``predict_proba`` (enough, before an activation with a
    pole, to change a label).  Only the number of columns and the dtype are
    taken from the sample; its values (NaN included) do not matter.
    """
    n_features = getattr(model, "n_features_in_", None)
    if X_sample is None:
        if n_features is None:
            raise ValueError("X_sample=None needs a fitted model with n_features_in_; pass a "
                             "row of the training data instead, such as X[:1].")
        return FloatTensorType([None, n_features])
    try:
        # A DataFrame or a list of lists becomes one 2-D array: the exported graph
        # has one input of all the columns (skl2onnx would make a DataFrame one
        # input per column, which a pipeline of arrays cannot take).
        X = check_array(X_sample, dtype="numeric", ensure_all_finite=False,
                        input_name="X_sample")
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"X_sample must be rows of numbers with the model's columns -- an array, a "
            f"DataFrame or a list of lists, such as X[:1] -- got {type(X_sample).__name__}: "
            f"{exc}") from None
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X_sample has {X.shape[1]} columns, but the model was fitted on "
                         f"{n_features}: pass rows of the data it was fitted on, such as "
                         "X[:1].")
    names = getattr(X_sample, "columns", None)
    fitted_names = getattr(model, "feature_names_in_", None)
    if names is not None and fitted_names is not None and list(map(str, names)) != list(
            fitted_names):
        raise ValueError(
            f"X_sample's columns {list(map(str, names))} are not the columns the model was "
            f"fitted on, in their order ({list(fitted_names)}): the exported model takes "
            "one array of the columns in the fitted order.")
    kind = FloatTensorType if X.dtype == np.float32 else DoubleTensorType
    return kind([None, X.shape[1]])


def _network_estimator_of(model):
    if isinstance(model, Pipeline):
        return _network_estimator_of(model.steps[-1][1])
    networks = (HybridTransferClassifier, HybridTransferRegressor)
    return model if isinstance(model, networks) else None


def to_onnx(model, X_sample=None, *, target_opset=None, options=None, name="sksymact"):
    """Convert a fitted classifier or regressor, or a pipeline ending in one, to ONNX.

    A thin layer over ``skl2onnx.to_onnx``, with the converters of
    :class:`HybridTransferClassifier` and :class:`HybridTransferRegressor`
    registered (importing :mod:`sksymact._onnx` registers them, so
    ``skl2onnx.to_onnx`` works as well).
    The model follows skl2onnx's convention for classifiers: two outputs, the
    labels and the class probabilities; with the default ``zipmap=True`` the
    probabilities are a list of ``{label: probability}`` dicts
    (``output_label``, ``output_probability``), with ``{"zipmap": False}`` a
    tensor (``label``, ``probabilities``).  A
    :class:`~sksymact.HybridTransferRegressor` gives one output,
    ``variable``, of shape ``(n_samples, n_outputs)``: the values of
    ``predict``.

    Parameters
    ----------
    model : HybridTransferClassifier, HybridTransferRegressor or Pipeline
        A fitted network, or a fitted pipeline whose steps skl2onnx can
        convert (for example ``make_pipeline(StandardScaler(), clf)``).
    X_sample : array-like of shape (n_samples, n_features), default=None
        A row (or a few) of the data the model was fitted on -- an array, a
        DataFrame or a list of lists of numbers, such as ``X[:1]`` -- from
        which the input is made: one tensor ``X`` of ``n_features`` columns,
        float32 for float32 rows and float64 for anything else (float64,
        integers, lists), as scikit-learn computes a pipeline's steps in
        float64 for anything but float32 rows.  Feed the model rows of that
        type: ``X`` as it is for a float64 sample,
        ``X.astype(np.float32)`` for a float32 one.  The network computes in
        float32 either way (its input is cast after the pipeline's other
        steps, as ``predict_proba`` casts).  The probabilities (or values)
        have the input's type, but inside ``zipmap``'s dicts they are float32
        (ONNX's ``ZipMap`` takes nothing else).  Only the number of columns
        and the type are read, not the values.  None: a float32 input of
        ``model.n_features_in_`` columns.
    target_opset : int or dict, default=None
        The ONNX opset (skl2onnx's ``target_opset``); None is skl2onnx's latest
        tested one.
    options : dict, default=None
        The options of skl2onnx.  A dict of option names (``{"zipmap": False}``,
        ``"nocl"``, ``"output_class_labels"``) applies to the classifier (the
        last step of a pipeline; the regressor has no options); a dict keyed
        by a model's class or ``id`` is passed to skl2onnx unchanged.
    name : str, default="sksymact"
        Name of the ONNX graph.

    Returns
    -------
    onnx.ModelProto
        The model; ``model.SerializeToString()`` gives the bytes to save.  Its
        metadata records the sksymact version that wrote it
        (``sksymact_version``).

    Raises
    ------
    ValueError
        If the network holds a formula operator without an ONNX form (an
        operator record with ``onnx=None``), or float class labels that are not
        integers; if ``X_sample`` is not rows of numbers (text, one dimension,
        no rows), has another number of columns than the model was fitted on,
        or is a DataFrame whose columns are not the fitted ones in order.
    TypeError
        If an activation is a torch module that has no ONNX form here (only
        :class:`SymbolicActivation` and torch's ReLU, GELU, SiLU, Tanh,
        Sigmoid and Identity have one).

    See Also
    --------
    HybridTransferClassifier : The classifier converted.
    HybridTransferRegressor : The regressor converted.

    Notes
    -----
    The graph computes the network in float32 as ``predict_proba`` does, and
    its sigmoid or softmax in float64 on the float32 logits.  The float32 sums
    of a matrix product run in another order in onnxruntime than in torch
    (and the libraries' sine or logarithm differ by a float32 step or so), and
    the activation magnifies those differences by its slope.  So how closely
    onnxruntime's probabilities follow ``predict_proba`` depends on the
    formula's operators; on 40,000 N(0, 1) rows (``speed/onnx_tolerance.py``)
    they agreed to 1e-6 with ``add``, ``sub``, ``mul``, ``neg``, ``abs``,
    ``max``, ``min``, ``sin``, ``cos`` and ``sig``, 1e-5 with ``sqrt``,
    ``div`` and ``inv``, 2e-5 with ``log`` and 1e-3 with ``tan``; ``sin``,
    ``cos`` or ``tan`` of ``tan(x)`` follows no bound (one float32 step next
    to a pole moves its value anywhere in its range).  Where rounding puts a
    pre-activation on the other side of the protected operators' guard
    (``|a| > 0.001``, kept with ``Where``), their value jumps, and so may the
    probability.  The labels agree with ``predict`` but where a probability
    is within that difference of a tie.  The ONNX file depends on neither
    torch nor sksymact: onnxruntime and numpy run it.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sksymact import HybridTransferClassifier, to_onnx
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)).astype(np.float32)
    >>> y = (X[:, 0] * np.cos(X[:, 1]) > 0).astype(int)
    >>> clf = HybridTransferClassifier((8,), "x*cos(x)", max_iter=2, batch_size=64,
    ...                                random_state=0).fit(X, y)
    >>> onx = to_onnx(clf, X[:1], options={"zipmap": False})
    >>> session = ort.InferenceSession(onx.SerializeToString(),
    ...                                providers=["CPUExecutionProvider"])
    >>> label, proba = session.run(None, {"X": X})
    >>> bool(np.abs(proba - clf.predict_proba(X)).max() < 1e-6)
    True
    >>> bool((label == clf.predict(X)).all())
    True
    """
    estimator = _network_estimator_of(model)
    if estimator is not None:
        check_is_fitted(estimator, "net_")
    if options and all(isinstance(k, str) for k in options):
        if estimator is None:
            raise ValueError("options given by name need a HybridTransferClassifier (or a "
                             "pipeline ending in one); key them by model otherwise.")
        options = {id(estimator): dict(options)}
    onx = _skl2onnx_to_onnx(model, initial_types=[("X", _input_type(X_sample, model))],
                            target_opset=target_opset, options=options, name=name)
    onnx.helper.set_model_props(onx, {"sksymact_version": __version__})
    return onx


def _activation_to_onnx(module, *, n_channels=None, target_opset=None):
    """A stand-alone ONNX model of one activation module: input ``x``, output ``y``.

    ``x`` is float32 of shape ``(n, n_channels)`` (any number of columns when
    ``n_channels`` is None and the module has no per-channel constants).  The
    graph is the one the converter emits for a hidden layer's activation.
    """
    backend = _ModelBackend()
    out = _emit_activation(backend, "x", module, "the activation")
    opset = target_opset or get_latest_tested_opset_version()
    channels = getattr(module, "num_channels", None) or n_channels
    shape = ["n", "channels" if channels is None else channels]
    backend.nodes.append(helper.make_node("Identity", [out], ["y"], name="output"))
    graph = helper.make_graph(
        backend.nodes, "activation",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        initializer=backend.initializers)
    opsets = [helper.make_opsetid("", opset)]
    model = helper.make_model(graph, opset_imports=opsets,
                              ir_version=helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(model, full_check=True)
    return model
