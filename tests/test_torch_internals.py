"""The places where sksymact reaches into torch's internals, pinned to the torch they were checked on.

Three pieces depend on how torch is built inside, not on its documented API:

- ``sksymact._training.Adam`` runs torch's own ``Adam.step``, ``add_param_group``
  and ``zero_grad`` without their decorators (``inspect.unwrap``);
- ``sksymact._mlp.Dropout`` draws its mask as 64-bit integers viewed as four
  16-bit ones (``random_()`` on int64 covers [0, 2**63), little-endian views);
- ``sksymact._tape`` runs numpy's float32 kernels on ``tensor.numpy()`` views,
  writing into the tensors' memory;
- ``sksymact._activation._ConstantsView`` (what ``SymbolicActivation.constants``
  gives for fixed constants) is a tensor subclass that runs torch's ops under
  ``torch._C.DisableTorchFunctionSubclass`` and sends in-place writes back to its
  module (tests/test_activation_constants.py).

Each is checked on this torch below; the version test fails loudly on a torch
they were not checked on, so that a new torch is a decision, not a surprise.
"""

import inspect
import sys

import numpy as np
import pytest
import torch

from sksymact import _mlp, _tape, _training

#: The torch minor versions on which the three internals were checked (this file).
CHECKED_ON = {(2, 13)}


def test_torch_is_a_version_the_internals_were_checked_on():
    minor = tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2])
    assert minor in CHECKED_ON, (
        f"torch {torch.__version__} is not a version on which sksymact's use of torch "
        f"internals was checked ({sorted(CHECKED_ON)}): Adam's undecorated methods "
        "(sksymact/_training.py), the Dropout mask (sksymact/_mlp.py), numpy views of "
        "tensor memory (sksymact/_tape.py) and the constants' tensor subclass "
        "(sksymact/_activation.py). Run tests/test_torch_internals.py, "
        "tests/test_optimizer.py, tests/test_tape.py and tests/test_activation_constants.py "
        "on it, then add it to CHECKED_ON and to the torch range in pyproject.toml.")


def test_adams_methods_are_torchs_own_bodies():
    # inspect.unwrap followed torch's functools.wraps chain to plain functions
    # defined by torch, not to a wrapper of another module.
    for function, owner in ((_training._ADAM_STEP, "torch.optim.adam"),
                            (_training._ZERO_GRAD, "torch.optim.optimizer"),
                            (_training._ADD_PARAM_GROUP, "torch.optim.optimizer")):
        assert inspect.isfunction(function) and function.__module__ == owner
        assert not hasattr(function, "__wrapped__")


def test_adam_gives_torchs_updates_bit_for_bit():
    torch.manual_seed(0)
    ours_model, theirs_model = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    theirs_model.load_state_dict(ours_model.state_dict())
    ours = _training.Adam(ours_model.parameters(), lr=1e-2, weight_decay=1e-3, fused=True)
    theirs = torch.optim.Adam(theirs_model.parameters(), lr=1e-2, weight_decay=1e-3, fused=True)
    X = torch.randn(32, 5)
    for _ in range(5):
        for model, optimizer in ((ours_model, ours), (theirs_model, theirs)):
            optimizer.zero_grad()
            model(X).square().mean().backward()
            optimizer.step()
    for a, b in zip(ours_model.parameters(), theirs_model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_dropout_mask_draws_four_15_bit_integers_per_64_bit_draw():
    assert sys.byteorder == "little"  # the int16 view splits an int64 low half first
    torch.manual_seed(0)
    drop = _mlp.Dropout(0.25).train()
    out = drop(torch.ones(100_000))
    kept = out != 0
    assert abs(kept.float().mean().item() - 0.75) < 0.01
    # The survivors are scaled by the exact inverse of the keep probability.
    threshold = round(0.25 * 2 ** 15)
    assert torch.all(out[kept] == 2 ** 15 / (2 ** 15 - threshold))
    # random_() on int64 draws from [0, 2**63): the sign bit is never set.
    torch.manual_seed(1)
    bits = torch.empty(100_000, dtype=torch.int64).random_()
    assert bits.min().item() >= 0 and bits.max().item() > 2 ** 62


def test_numpy_views_write_into_the_tensors_memory():
    t = torch.linspace(0, 1, 1000, dtype=torch.float32)
    expected = np.sin(t.numpy().copy())
    view = t.numpy()
    np.sin(view, out=view)
    assert np.array_equal(t.numpy(), expected)
    out = torch.empty_like(t)
    assert out.numpy().__array_interface__["data"][0] == out.data_ptr()
    # The plan's numpy path gives the same bits as numpy on a copy.
    plan = _tape.compile_plan(__import__("sksymact").Formula.parse("cos(x)"),
                              with_derivative=False)
    x = torch.randn(333)
    assert np.array_equal(plan(x)[0].numpy(), np.cos(x.numpy()))


@pytest.mark.parametrize("name", ["step", "zero_grad", "add_param_group"])
def test_torch_still_decorates_what_adam_unwraps(name):
    # If torch stops wrapping these, the subclass is no longer needed: say so.
    owner = torch.optim.Adam if name == "step" else torch.optim.Optimizer
    assert getattr(owner, name) is not inspect.unwrap(getattr(owner, name))


def test_the_constants_view_uses_torchs_subclass_switch():
    assert hasattr(torch._C, "DisableTorchFunctionSubclass")
    act = __import__("sksymact").SymbolicActivation("add(x, 0.5)")
    view = act.constants
    view.fill_(2.0)  # an in-place write goes back to the module
    assert act(torch.zeros(1)).item() == 2.0 and str(act.current_formula()) == "add(x, 2.0)"
