"""Small batches train and predict on one torch thread, whatever torch's setting."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sksymact import HybridTransferClassifier
from sksymact._parallel import SMALL_BATCH_VALUES, network_thread_budget


class _Threads(Callback):
    def initialize(self):
        self.seen = set()
        return self

    def on_batch_end(self, net, **kwargs):
        self.seen.add(torch.get_num_threads())


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_budget_follows_the_batch_values():
    assert network_thread_budget(64, (30, 64, 32)) == 1
    assert network_thread_budget(SMALL_BATCH_VALUES // 64 - 1, (64,)) == 1
    assert network_thread_budget(SMALL_BATCH_VALUES // 64, (64,)) is None  # top level


@pytest.mark.parametrize("batch_size, expected", [(32, {1}), (1024, {2})])
def test_fit_threads(two_threads, batch_size, expected):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1200, 16)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    clf = HybridTransferClassifier((16,), max_iter=1, batch_size=batch_size, random_state=0,
                                   callbacks=[("threads", _Threads())], device="cpu").fit(X, y)
    assert dict(clf.net_.callbacks_)["threads"].seen == expected
    assert torch.get_num_threads() == 2


def test_small_batches_predict_the_same_whatever_the_thread_count(binary_data, two_threads):
    X, y = binary_data
    clf = HybridTransferClassifier((16, 8), "x*cos(x)", max_iter=2, batch_size=32,
                                   random_state=0, device="cpu")
    proba_two = clf.fit(X, y).predict_proba(X)
    torch.set_num_threads(1)
    np.testing.assert_array_equal(clf.fit(X, y).predict_proba(X), proba_two)
