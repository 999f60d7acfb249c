import os

import numpy as np
import pytest
import torch

# Two pytest-xdist workers on two cores: one torch thread each, or they fight.
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)


@pytest.fixture
def binary_data():
    """A small standardized binary problem where a non-linear net helps."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6)).astype(np.float32)
    y = ((X[:, 0] * np.cos(X[:, 1]) + 0.5 * X[:, 2] ** 2) > 0.3).astype(int)
    return X, y


@pytest.fixture
def multiclass_data():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 5))
    y = np.digitize(X[:, 0] + np.sin(2 * X[:, 1]), [-0.5, 0.5])
    return X, y
