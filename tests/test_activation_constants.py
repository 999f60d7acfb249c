"""The constants of a SymbolicActivation: one truth, whatever touches the tensor.

A module with fixed constants runs a plan compiled with the constants' values
baked in.  Whatever is done to the tensor ``act.constants`` -- a write through
``.data``, through ``.numpy()``, an in-place op, assignments, loading a state
dict, ``.to()``, copies, pickles -- the function the module computes must stay
the function its own ``current_formula()`` names (what ``repr``, the ONNX export
and a pickle carry), and a fitted classifier must predict what its pickle and
its ONNX export predict.
"""

import contextlib
import copy
import io
import pickle

import numpy as np
import pytest
import torch
from torch import nn

from sksymact import HybridTransferClassifier, SymbolicActivation
from sksymact._activation import _ConstantsView

FORMULA = "add(mul(0.5, x), cos(mul(x, 1.5)))"
#: Inputs on both sides of the protection threshold, and far from it.
X_VALUES = [0.0, 1e-3, -1e-3, 0.5, -0.5, 1.0, -1.0, 2.0, -3.25, 7.0]


def _bits(tensor):
    return tensor.detach().numpy().tobytes()


def _assert_computes_its_current_formula(act):
    """``act`` computes, bit for bit, what a fresh module of its current formula computes."""
    fresh = SymbolicActivation(act.current_formula())
    assert repr(act) == repr(fresh)
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor(X_VALUES, dtype=dtype)
        assert _bits(act(x)) == _bits(fresh(x)), (act.current_formula(), act(x), fresh(x))
        # The path that also computes the derivative (training).
        x = x.clone().requires_grad_(True)
        value = act(x)
        (grad,) = torch.autograd.grad(value.sum(), x)
        x_fresh = x.detach().clone().requires_grad_(True)
        value_fresh = fresh(x_fresh)
        (grad_fresh,) = torch.autograd.grad(value_fresh.sum(), x_fresh)
        assert _bits(value) == _bits(value_fresh) and _bits(grad) == _bits(grad_fresh)


def _data_fill(act):
    act.constants.data.fill_(3.0)


def _numpy_write(act):
    # A read-only view may refuse the write; either way the module stays coherent.
    with contextlib.suppress(ValueError):
        act.constants.numpy()[0] = 3.0


def _in_place_op(act):
    with torch.no_grad():
        act.constants.mul_(2.0)


def _item_assignment(act):
    with torch.no_grad():
        act.constants[1] = -0.75


def _write_into_a_slice(act):
    with torch.no_grad():
        act.constants[1:].fill_(2.5)


def _nn_init(act):
    nn.init.constant_(act.constants, 0.125)


def _load_state_dict(act):
    act.load_state_dict({"constants": torch.tensor([-1.25, 4.0], dtype=torch.float64)})


def _to_float64(act):
    act.to(torch.float64)


def _double_then_float(act):
    act.double().float()


def _assignment(act):
    act.constants = torch.tensor([0.25, -2.0], dtype=torch.float64)


WRITES = [_data_fill, _numpy_write, _in_place_op, _item_assignment, _write_into_a_slice,
          _nn_init, _load_state_dict, _to_float64, _double_then_float, _assignment]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.lstrip("_") for w in WRITES])
def test_forward_follows_every_change_of_the_constants(write):
    act = SymbolicActivation(FORMULA)
    act(torch.zeros(3))  # the plans are compiled and in use
    write(act)
    _assert_computes_its_current_formula(act)
    # ... and so do its copies, which are built from what it says its constants are.
    for copied in (copy.deepcopy(act), pickle.loads(pickle.dumps(act))):
        assert copied.current_formula() == act.current_formula()
        _assert_computes_its_current_formula(copied)
    buffer = io.BytesIO()
    torch.save(act, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    assert loaded.current_formula() == act.current_formula()
    _assert_computes_its_current_formula(loaded)


def test_two_assignments_in_a_row():
    """A new tensor may take the address of one freed a moment ago."""
    act = SymbolicActivation("add(x, 0.5)")
    zero = torch.zeros(1, dtype=torch.float64)
    for i in range(200):
        act(zero)
        act.constants = torch.tensor([float(2 * i)], dtype=torch.float64)
        act.constants = torch.tensor([float(2 * i + 1)], dtype=torch.float64)
        assert act(zero).item() == 2 * i + 1, i
        assert str(act.current_formula()) == f"add(x, {float(2 * i + 1)})"


def _fitted_then_written(binary_data):
    """A fitted classifier whose activation's constants were then written through ``.data``,
    its rows, and its probabilities before the write."""
    X, y = binary_data
    clf = HybridTransferClassifier((8,), FORMULA, max_iter=3, batch_size=64,
                                   random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    clf.activation_.constants.data.fill_(3.0)
    return clf, X, before


def _assert_the_write_took_effect(clf, X, before):
    assert "3.0" in repr(clf.activation_)
    assert not np.array_equal(clf.predict_proba(X), before)


def test_a_classifier_predicts_what_its_copies_predict(binary_data):
    clf, X, before = _fitted_then_written(binary_data)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), proba)
    np.testing.assert_array_equal(copy.deepcopy(clf).predict_proba(X), proba)
    _assert_the_write_took_effect(clf, X, before)


def test_a_classifier_predicts_what_its_onnx_export_predicts(binary_data):
    pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    import sksymact

    clf, X, before = _fitted_then_written(binary_data)
    onx = sksymact.to_onnx(clf, X[:1].astype(np.float32), options={"zipmap": False})
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = dict(zip([o.name for o in session.get_outputs()],
                       session.run(None, {session.get_inputs()[0].name: X}), strict=True))
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X), rtol=0,
                               atol=1e-5)
    _assert_the_write_took_effect(clf, X, before)


# -- the documented ways, and the refused ones ----------------------------------------------


def test_in_place_writes_and_assignments_set_the_constants():
    act = SymbolicActivation(FORMULA)
    with torch.no_grad():
        act.constants[0] = 2.0  # under no_grad or not: the tensor is no parameter
    act.constants[1:].add_(1.0)
    assert act.current_formula().constants == (2.0, 2.5)
    act.constants = [0.25, -1.0]
    assert act.current_formula().constants == (0.25, -1.0)
    act.constants = np.array([1.0, 3.0], dtype=np.float32)
    assert act.current_formula().constants == (1.0, 3.0)
    # One read, several writes: each is applied.
    constants = act.constants
    constants[0] = 5.0
    constants.data[1] = 6.0
    assert act.current_formula().constants == (5.0, 6.0)
    assert torch.equal(act.constants, torch.tensor([5.0, 6.0], dtype=torch.float64))


def test_numpy_arrays_of_the_constants_are_read_only():
    act = SymbolicActivation(FORMULA)
    array = act.constants.numpy()
    np.testing.assert_array_equal(array, [0.5, 1.5])
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 3.0
    with pytest.raises(ValueError, match="read-only"):
        np.asarray(act.constants)[0] = 3.0
    assert act.current_formula().constants == (0.5, 1.5)
    # A copy is the caller's to write.
    copied = act.constants.clone()
    copied.numpy()[0] = 3.0
    assert act.current_formula().constants == (0.5, 1.5)


def test_a_tensor_read_before_the_constants_changed_refuses_writes():
    act = SymbolicActivation(FORMULA)
    stale = act.constants
    act.constants = torch.tensor([0.25, -1.0])
    with pytest.raises(RuntimeError, match="read act.constants again"):
        stale.fill_(3.0)
    assert act.current_formula().constants == (0.25, -1.0)
    _assert_computes_its_current_formula(act)


@pytest.mark.parametrize("value, error", [
    (torch.tensor([1.0, 2.0, 3.0]), ValueError), (torch.tensor([[1.0, 2.0]]), ValueError),
    (torch.tensor([1.0, float("nan")]), ValueError), ([1.0, float("inf")], ValueError),
    (None, TypeError), ("0.5, 1.5", TypeError), (np.array(["a", "b"]), TypeError),
])
def test_invalid_constants_are_refused_and_change_nothing(value, error):
    act = SymbolicActivation(FORMULA)
    with pytest.raises(error):
        act.constants = value
    assert act.current_formula().constants == (0.5, 1.5)
    _assert_computes_its_current_formula(act)


def test_an_in_place_write_of_a_wrong_shape_or_value_is_refused():
    act = SymbolicActivation(FORMULA)
    with pytest.raises(ValueError, match="shape"):
        act.constants.resize_(3)
    with pytest.raises(ValueError, match="finite"):
        act.constants.fill_(float("nan"))
    assert act.current_formula().constants == (0.5, 1.5)
    _assert_computes_its_current_formula(act)


def test_a_bad_state_dict_is_reported_and_changes_nothing():
    act = SymbolicActivation(FORMULA)
    with pytest.raises(RuntimeError, match="shape"):
        act.load_state_dict({"constants": torch.tensor([1.0, 2.0, 3.0])})
    with pytest.raises(RuntimeError, match="Missing key"):
        act.load_state_dict({})
    act.load_state_dict({}, strict=False)
    assert act.current_formula().constants == (0.5, 1.5)


def test_learnable_constants_stay_a_parameter():
    act = SymbolicActivation(FORMULA, learnable_constants=True)
    assert isinstance(act.constants, nn.Parameter)
    assert [name for name, _ in act.named_parameters()] == ["constants"]
    with pytest.raises(TypeError):
        act.constants = torch.tensor([1.0, 2.0])  # torch's rule for a parameter's name
    act.constants = nn.Parameter(torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert act.current_formula().constants == (1.0, 2.0)
    with torch.no_grad():
        act.constants.fill_(3.0)  # read by the forward pass on every call
    x = torch.tensor([0.5, -1.0], dtype=torch.float64)
    torch.testing.assert_close(act(x), SymbolicActivation(act.current_formula()).double()(x))


# -- what a fixed module holds ----------------------------------------------------------------


def test_fixed_constants_have_nothing_to_move_and_stay_exact():
    act = SymbolicActivation("add(x, 0.1)")
    assert not list(act.buffers()) and not list(act.parameters())
    for moved in (act.float(), act.to(torch.float16), act.double(), act.to("cpu")):
        assert moved is act and act.current_formula().constants == (0.1,)  # not float32(0.1)
    assert act.constants.dtype == torch.float64


def _aten_ops(function):
    function()  # warm
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        function()
    return {event.key: event.count for event in prof.key_averages()}


def test_the_forward_pass_reads_no_tensor(monkeypatch):
    """The fused path runs its plan and nothing else: no constants tensor, no device sync."""
    act = SymbolicActivation("add(mul(x, 0.75), 0.5)")
    monkeypatch.setattr(_ConstantsView, "of", classmethod(
        lambda cls, *args: pytest.fail("the forward pass read the constants tensor")))
    for requires_grad, plan in ((False, act.fused_plans()[0]), (True, act.fused_plans()[1])):
        x = torch.randn(16, requires_grad=requires_grad)
        ops = _aten_ops(lambda: act(x))
        assert ops.pop("FormulaFunction") == 1
        detached = x.detach()
        assert ops == _aten_ops(lambda: plan(detached)), requires_grad
        assert "aten::_local_scalar_dense" not in ops  # .item(), .tolist(): a device sync


def test_state_dicts_keep_the_key_constants(binary_data, tmp_path):
    X, y = binary_data
    common = dict(hidden_layer_sizes=(8,), activation=FORMULA, max_iter=2, batch_size=64)
    clf = HybridTransferClassifier(random_state=0, **common).fit(X, y)
    clf.activation_.constants = torch.tensor([0.25, 2.0])
    state = clf.net_.module_.state_dict()
    assert type(state["hidden.activation0.constants"]) is torch.Tensor  # no tie to the module
    torch.testing.assert_close(state["hidden.activation0.constants"],
                               torch.tensor([0.25, 2.0], dtype=torch.float64))
    # skorch's save_params / load_params: a file that loads with weights_only=True.
    path = tmp_path / "params.pt"
    clf.net_.save_params(f_params=path)
    assert "hidden.activation0.constants" in torch.load(path, weights_only=True)
    other = HybridTransferClassifier(random_state=1, **common).fit(X, y)
    other.net_.load_params(f_params=path)
    assert other.activation_.current_formula() == clf.activation_.current_formula()
    np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))


def test_pickles_with_the_constants_in_a_buffer_load():
    """sksymact up to 0.1 kept fixed constants in a float64 buffer named constants."""
    act = SymbolicActivation(FORMULA)
    act.constants = torch.tensor([0.75, -2.0])
    legacy = SymbolicActivation(FORMULA)
    del legacy.__dict__["_values"], legacy.__dict__["_plans"]
    legacy._buffers["constants"] = torch.tensor([0.75, -2.0], dtype=torch.float64)
    loaded = pickle.loads(pickle.dumps(legacy))
    assert not dict(loaded.named_buffers())
    assert loaded.current_formula() == act.current_formula()
    assert list(loaded.state_dict()) == ["constants"]
    _assert_computes_its_current_formula(loaded)
    x = torch.linspace(-2, 2, 9)
    assert _bits(loaded(x)) == _bits(act(x))


def test_the_constants_tensor_travels_as_a_plain_tensor():
    act = SymbolicActivation(FORMULA)
    for copied in (pickle.loads(pickle.dumps(act.constants)), copy.deepcopy(act.constants)):
        assert type(copied) is torch.Tensor
        copied.fill_(9.0)
    assert act.current_formula().constants == (0.5, 1.5)
    assert repr(act.constants) == repr(torch.tensor([0.5, 1.5], dtype=torch.float64))


def test_onnx_export_of_learnable_constants_per_channel_follows_the_module():
    """Per channel, some channels' constants safe and others not: the export decides as
    the module does, on float64 values, and folds variable-free subtrees per channel."""
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from sksymact._onnx import _activation_to_onnx

    x = np.array([[0.5, 0.5, 0.5, 0.5], [-2.0, 3.0, 1e-3, -1e-3], [7.0, 0.0, -0.25, 1.5]],
                 dtype=np.float32)
    for text, rows in [
        ("div(x, 0.5)", [[0.0010000000001, 0.0005, 2.0, -0.00100000002]]),
        ("div(x, sub(1.5, 0.5))", [[1.001, 1.5, 1.0011, 1.0009], [1.0, 0.5, 1.0, 1.0]]),
        ("add(mul(x, inv(0.5)), div(2.0, x))",
         [[0.001, 0.0010000000001, -4.0, 1e-9], [2.0, 0.0, -1.0, 0.5]]),
    ]:
        module = SymbolicActivation(text, learnable_constants=True, num_channels=4)
        with torch.no_grad():
            module.constants.copy_(torch.tensor(rows, dtype=torch.float64))
        session = ort.InferenceSession(_activation_to_onnx(module).SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        (y,) = session.run(None, {session.get_inputs()[0].name: x})
        with torch.no_grad():
            expected = module(torch.from_numpy(x)).numpy()
        np.testing.assert_array_equal(y, expected, err_msg=text)
        # Each channel is the fixed module of its own constants.
        for channel in range(4):
            fixed = SymbolicActivation(module.current_formula(channel=channel))
            np.testing.assert_array_equal(
                expected[:, channel], fixed(torch.from_numpy(x[:, channel])).numpy(),
                err_msg=f"{text}, channel {channel}")


@pytest.mark.parametrize("name, value", [("formula", "x"), ("learnable_constants", True),
                                         ("num_channels", 4)])
def test_what_the_plans_are_compiled_from_cannot_be_changed(name, value):
    act = SymbolicActivation("add(x, 0.5)")
    before = act(torch.zeros(3))
    with pytest.raises(AttributeError, match=f"{name} is fixed when the module is built"):
        setattr(act, name, value)
    assert torch.equal(act(torch.zeros(3)), before) and str(act.formula) == "add(x, 0.5)"
