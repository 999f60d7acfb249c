"""``compile=True``: the network trained and run through ``torch.compile`` (skorch's option).

One small fit: compiling takes seconds (and a C++ compiler).  The test is
skipped, saying why, where torch.compile cannot compile a trivial function.
"""

import pickle

import numpy as np
import pytest
import torch

from sksymact import HybridTransferClassifier, HybridTransferRegressor


@pytest.fixture(scope="module")
def compile_works():
    try:
        compiled = torch.compile(lambda t: torch.sin(t) * 2.0)
        compiled(torch.ones(3))
    except Exception as exc:  # noqa: BLE001 - any failure means: not on this platform
        pytest.skip(f"torch.compile does not work here ({type(exc).__name__}: {exc})")


def test_compiled_model_trains_pickles_and_predicts(binary_data, compile_works):
    X, y = binary_data
    # One epoch without dropout: the two trainings differ only by the rounding
    # of the compiled kernels (torch's sin and cos, fused by inductor, against
    # numpy's in eager float32), not by a dropout mask drawn another way.
    common = dict(hidden_layer_sizes=(16, 8), activation="x*cos(x)", max_iter=1,
                  batch_size=64, dropout=0.0, random_state=0, device="cpu")
    compiled = HybridTransferClassifier(compile=True, **common).fit(X, y)
    plain = HybridTransferClassifier(**common).fit(X, y)

    assert compiled.get_params()["compile"] is True and compiled.net_.compile is True
    assert compiled.n_params_ == plain.n_params_
    proba = compiled.predict_proba(X)
    # The compiled forward pass is the module's own, up to the rounding of fused kernels.
    module = compiled.net_.module_._orig_mod.eval()
    with torch.no_grad():
        eager = torch.sigmoid(module(torch.from_numpy(X))).double().numpy().ravel()
    np.testing.assert_allclose(proba[:, 1], eager, atol=1e-5)
    # The same training: rounding differences grow over the five steps (4.1e-4
    # measured on 300 rows; 1.4e-3 after three epochs), never to a different model.
    np.testing.assert_allclose(proba, plain.predict_proba(X), atol=2e-3)
    loaded = pickle.loads(pickle.dumps(compiled))
    np.testing.assert_array_equal(loaded.predict_proba(X), proba)
    np.testing.assert_array_equal(loaded.predict(X), compiled.predict(X))


def test_compile_is_a_checked_parameter_of_both_networks():
    for estimator in (HybridTransferClassifier(), HybridTransferRegressor()):
        assert estimator.get_params()["compile"] is False
    with pytest.raises(ValueError, match="compile"):
        HybridTransferRegressor(compile="yes").fit(np.zeros((4, 2)), np.arange(4.0))
