"""The network's Adam: torch's update, bit for bit, without importing torch._dynamo."""

import json
import subprocess
import sys

import pytest
import torch

from sksymact._training import Adam


def _trajectory(optimizer_class, seed=0, steps=5, **options):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    optimizer = optimizer_class(net.parameters(), lr=1e-2, **options)
    data, target = torch.randn(16, 5), torch.randn(16, 1)
    losses = []
    for _ in range(steps):
        def closure():
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(net(data), target)
            loss.backward()
            return loss
        losses.append(float(optimizer.step(closure).detach()))
    return losses, [p.detach().clone() for p in net.parameters()], optimizer


@pytest.mark.parametrize("options", [{}, {"fused": True}, {"foreach": True},
                                     {"fused": True, "weight_decay": 0.1, "amsgrad": True}])
def test_updates_are_torchs_bit_for_bit(options):
    losses, params, ours = _trajectory(Adam, **options)
    losses_torch, params_torch, theirs = _trajectory(torch.optim.Adam, **options)

    assert losses == losses_torch
    for a, b in zip(params, params_torch, strict=True):
        assert torch.equal(a, b)
    assert str(ours.state_dict()) == str(theirs.state_dict())


def test_step_hooks_run():
    _, _, optimizer = _trajectory(Adam, steps=1)
    seen = []
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: seen.append("pre"))
    optimizer.register_step_post_hook(lambda opt, args, kwargs: seen.append("post"))
    optimizer.step()
    assert seen == ["pre", "post"]


def test_a_fit_does_not_import_dynamo():
    code = """
import json, sys
import numpy as np
from sksymact import HybridTransferClassifier
X = np.random.RandomState(0).normal(size=(64, 3)).astype(np.float32)
HybridTransferClassifier((4,), max_iter=2, batch_size=16, device="cpu").fit(X, X[:, 0] > 0)
print(json.dumps("torch._dynamo" in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False
