import copy
import io
import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold, cross_validate
from torch import nn

from sksymact import Formula, HybridTransferClassifier, SymbolicActivation
from sksymact._mlp import Dropout
from sksymact._training import BatchIterator, TensorDataset

FAST = dict(max_iter=3, batch_size=64, random_state=0)


@pytest.mark.parametrize(
    "n_features, hidden, expected",
    [
        (28, (64, 32), 4161),
        (54, (64, 32), 5825),
        (57, (64, 32), 6017),
        (28, (200, 100), 26601),
        (54, (200, 100), 31801),
        (57, (200, 100), 32401),
    ],
)
def test_parameter_counts_match_the_paper(n_features, hidden, expected):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, n_features))
    y = np.arange(40) % 2
    clf = HybridTransferClassifier(hidden, max_iter=1, random_state=0).fit(X, y)
    assert clf.n_params_ == expected
    # The same count with a discovered activation: its constants are not trained.
    clf = HybridTransferClassifier(hidden, "sub(cos(x), 0.276)", max_iter=1,
                                   random_state=0).fit(X, y)
    assert clf.n_params_ == expected


def test_learnable_constants_count_per_layer(binary_data):
    X, y = binary_data
    clf = HybridTransferClassifier((8, 4), "sin(x) + 2*x - 1.18", learnable_constants=True,
                                   **FAST).fit(X, y)
    plain = HybridTransferClassifier((8, 4), "sin(x) + 2*x - 1.18", **FAST).fit(X, y)
    assert clf.n_params_ == plain.n_params_ + 2 * 2  # two constants in each of two layers
    trained = clf.activation_.current_formula().constants
    assert trained != Formula.parse("sin(x) + 2*x - 1.18").constants


def test_learnable_constants_per_channel(binary_data):
    X, y = binary_data
    formula = "sin(x) + 2*x - 1.18"
    plain = HybridTransferClassifier((8, 4), formula, **FAST).fit(X, y)
    per_layer = HybridTransferClassifier((8, 4), formula, learnable_constants="per_layer",
                                         **FAST).fit(X, y)
    per_channel = HybridTransferClassifier((8, 4), formula, learnable_constants="per_channel",
                                           **FAST).fit(X, y)
    assert per_layer.n_params_ == plain.n_params_ + 2 * 2
    assert per_channel.n_params_ == plain.n_params_ + 2 * (8 + 4)  # two per unit
    shapes = [tuple(m.constants.shape) for m in per_channel.net_.module_.activations]
    assert shapes == [(2, 8), (2, 4)]
    trained = per_channel.net_.module_.activations[0].constants.detach()
    assert trained[1].unique().numel() > 1  # the channels trained apart
    assert per_channel.formula_ == Formula.parse(formula)  # the formula as given
    # A formula without constants has nothing to learn per channel.
    none = HybridTransferClassifier((8, 4), "x*cos(x)", learnable_constants="per_channel",
                                    **FAST).fit(X, y)
    assert none.n_params_ == HybridTransferClassifier((8, 4), "x*cos(x)", **FAST).fit(
        X, y).n_params_
    with pytest.raises(ValueError, match="learnable_constants"):
        HybridTransferClassifier((8,), formula, learnable_constants="per_unit",
                                 **FAST).fit(X, y)


def test_architecture_is_linear_bn_activation_dropout(binary_data):
    X, y = binary_data
    clf = HybridTransferClassifier((8, 4), "x*cos(x)", dropout=0.3, **FAST).fit(X, y)
    kinds = [type(m) for m in clf.net_.module_.hidden]
    assert kinds == [nn.Linear, nn.BatchNorm1d, SymbolicActivation, Dropout] * 2
    assert clf.net_.module_.hidden[3].p == 0.3
    assert clf.net_.module_.head.out_features == 1
    assert str(clf.formula_) == "mul(x, cos(x))"
    no_bn = HybridTransferClassifier((8,), batch_norm=False, dropout=0.0, **FAST).fit(X, y)
    assert [type(m) for m in no_bn.net_.module_.hidden] == [nn.Linear, nn.ReLU]


def test_same_seed_same_predictions_and_global_rng_untouched(binary_data):
    X, y = binary_data
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a = HybridTransferClassifier(activation="x*cos(x)", **FAST).fit(X, y)
    after = torch.rand(3)
    b = HybridTransferClassifier(activation="x*cos(x)", **FAST).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    torch.testing.assert_close(before, after)
    c = HybridTransferClassifier(activation="x*cos(x)", **{**FAST, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


def test_trains_on_every_row_and_reshuffles_each_epoch(binary_data):
    X, y = binary_data
    clf = HybridTransferClassifier(max_iter=2, batch_size=64, random_state=0).fit(X, y)
    assert clf.net_.train_split is None
    for epoch in clf.net_.history:
        assert sum(b["train_batch_size"] for b in epoch["batches"]) == len(X)
        assert "valid_loss" not in epoch

    dataset = TensorDataset(torch.arange(10.0))
    iterator = BatchIterator(dataset, batch_size=4, shuffle=True)
    torch.manual_seed(0)
    first = torch.cat([xb for xb, _ in iterator])
    second = torch.cat([xb for xb, _ in iterator])
    assert sorted(first.tolist()) == list(range(10))
    assert not torch.equal(first, second)


def test_single_row_last_batch_is_dropped_only_with_batch_norm():
    dataset = TensorDataset(torch.zeros(9, 2), torch.zeros(9))
    assert len(BatchIterator(dataset, 4, drop_single=True)) == 2
    assert len(BatchIterator(dataset, 4, drop_single=False)) == 3
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(65, 3)), np.arange(65) % 2
    HybridTransferClassifier(max_iter=1, batch_size=64).fit(X, y)  # would raise in BatchNorm


def test_early_stopping_is_opt_in(binary_data):
    X, _ = binary_data
    y = np.random.RandomState(0).randint(0, 2, len(X))  # noise: validation loss soon rises
    clf = HybridTransferClassifier(early_stopping=True, validation_fraction=0.2,
                                   n_iter_no_change=3, max_iter=100, batch_size=32,
                                   learning_rate_init=1e-2, random_state=0).fit(X, y)
    epochs = clf.net_.history
    assert len(epochs) < 100
    trained_rows = sum(b.get("train_batch_size", 0) for b in epochs[-1]["batches"])
    assert trained_rows == 240
    # The weights of the best epoch are restored, not those of the last.
    best = min(epochs[:, "valid_loss"])
    assert epochs[-1, "valid_loss"] > best
    assert not epochs[-1, "valid_loss_best"]


def test_string_labels_pandas_and_float64(binary_data):
    pd = pytest.importorskip("pandas")
    X, y = binary_data
    labels = np.array(["bkg", "signal"])[y]
    frame = pd.DataFrame(X.astype(np.float64), columns=[f"f{i}" for i in range(X.shape[1])])
    clf = HybridTransferClassifier(**FAST).fit(frame, labels)
    assert list(clf.classes_) == ["bkg", "signal"]
    assert list(clf.feature_names_in_) == list(frame.columns)
    assert set(clf.predict(frame)) <= {"bkg", "signal"}
    proba = clf.predict_proba(frame)
    assert proba.dtype == np.float64 and proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(frame)), proba, rtol=1e-10)


def test_multiclass_uses_one_logit_per_class(multiclass_data):
    X, y = multiclass_data
    clf = HybridTransferClassifier((16,), "silu", **FAST).fit(X, y)
    assert clf.net_.module_.head.out_features == 3
    assert isinstance(clf.net_.criterion_, nn.CrossEntropyLoss)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_learns_a_nonlinear_problem(binary_data):
    X, y = binary_data
    clf = HybridTransferClassifier((32, 16), "x*cos(x)", max_iter=60, batch_size=32,
                                   learning_rate_init=1e-2, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.85
    losses = clf.net_.history[:, "train_loss"]
    assert losses[-1] < 0.7 * losses[0]


@pytest.mark.parametrize(
    "spec, expected_type, expected_formula",
    [
        ("gelu", nn.GELU, None),
        ("SiLU", nn.SiLU, None),
        ("identity", nn.Identity, None),
        ("mul(cos(X3), X3)", SymbolicActivation, "mul(cos(x), x)"),
        (Formula.parse("sin(x) + 0.5*x"), SymbolicActivation, "add(sin(x), mul(0.5, x))"),
        (SymbolicActivation("abs(x)"), SymbolicActivation, "abs(x)"),
        (nn.LeakyReLU(0.1), nn.LeakyReLU, None),
    ],
)
def test_activation_specs(binary_data, spec, expected_type, expected_formula):
    X, y = binary_data
    clf = HybridTransferClassifier((8,), spec, **FAST).fit(X, y)
    assert type(clf.activation_) is expected_type
    assert (None if clf.formula_ is None else str(clf.formula_)) == expected_formula
    if isinstance(spec, nn.Module):
        assert clf.activation_ is not spec


@pytest.mark.parametrize(
    "spec, error, match",
    [
        ("cos(", ValueError, "neither one of"),
        ("__import__('os')", ValueError, "neither one of"),
        (3, TypeError, "'activation' parameter .* must be an instance of 'str'"),
        ([1, 2], TypeError, r"activation=1 \(type int\) is not understood"),
        (["relu"], ValueError, "list of 1 specs, but the network has 2 hidden layer"),
    ],
)
def test_bad_activation_specs(binary_data, spec, error, match):
    X, y = binary_data
    with pytest.raises(error, match=match):
        HybridTransferClassifier(activation=spec, **FAST).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(hidden_layer_sizes=(64, 0)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=()), "hidden_layer_sizes"),
        (dict(dropout=1.0), "dropout"),
        (dict(max_iter=0), "max_iter"),
        (dict(learning_rate_init=0), "learning_rate_init"),
    ],
)
def test_bad_parameters_are_named(binary_data, params, match):
    X, y = binary_data
    with pytest.raises(ValueError, match=match):
        HybridTransferClassifier(**params).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_is_a_clear_error(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="CUDA is not available"):
        HybridTransferClassifier(device="cuda", **FAST).fit(X, y)
    assert HybridTransferClassifier(device="auto", **FAST).fit(X, y).device_ == "cpu"


def test_one_class_is_refused():
    with pytest.raises(ValueError, match="only one class"):
        HybridTransferClassifier().fit(np.zeros((10, 2)), np.ones(10))


def test_divergence_stops_with_a_clear_error():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 3)) * 1e18
    y = np.arange(64) % 2
    with pytest.raises(FloatingPointError, match=r"mul\(mul\(x, x\), mul\(x, x\)\)"):
        HybridTransferClassifier((4,), "mul(mul(x, x), mul(x, x))", batch_norm=False,
                                 **FAST).fit(X, y)


@pytest.mark.parametrize("dump", ["pickle", "joblib", "deepcopy"])
def test_persistence_keeps_predictions(binary_data, dump):
    X, y = binary_data
    clf = HybridTransferClassifier((8, 4), "sub(cos(x), 0.276)", **FAST).fit(X, y)
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(clf))
    elif dump == "joblib":
        buffer = io.BytesIO()
        joblib.dump(clf, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
    else:
        loaded = copy.deepcopy(clf)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert str(loaded.formula_) == "sub(cos(x), 0.276)"


def test_pickle_from_another_minor_version_warns(binary_data, monkeypatch):
    import sksymact._persistence as persistence
    from sksymact._warnings import InconsistentSksymactVersionWarning

    X, y = binary_data
    clf = HybridTransferClassifier((4,), **FAST).fit(X, y)
    monkeypatch.setattr(persistence, "__version__", "0.0.1")
    data = pickle.dumps(clf)
    monkeypatch.undo()
    with pytest.warns(InconsistentSksymactVersionWarning, match="saved with sksymact 0.0.1"):
        loaded = pickle.loads(data)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert "_sksymact_version" not in vars(loaded)


# -- transfer and specialist -------------------------------------------------------------------

class RecordingDiscoverer:
    """Mixin recording every row the discoverer was fitted on."""

    seen = []

    def fit(self, X, y):
        type(self).seen.append(np.asarray(X).copy())
        return super().fit(X, y)


def _small_discoverer(**kwargs):
    from sksymact import SymbolicActivationDiscoverer

    return SymbolicActivationDiscoverer(population_size=60, generations=2, **kwargs)


def test_transfer_with_frozen_estimator_survives_clone(binary_data):
    X, y = binary_data
    source = _small_discoverer(random_state=0).fit(X[:, ::-1], y)
    clf = HybridTransferClassifier((8,), FrozenEstimator(source), **FAST)
    cloned = clone(clf)
    assert cloned.activation.estimator is source  # frozen: not cloned
    cloned.fit(X, y)
    assert cloned.formula_ == source.formula_
    assert cloned.discoverer_ is None


def test_frozen_unfitted_discoverer_is_refused(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="unfitted"):
        HybridTransferClassifier(activation=FrozenEstimator(_small_discoverer()),
                                 **FAST).fit(X, y)


def test_specialist_discovery_sees_only_training_rows(binary_data):
    from sksymact import SymbolicActivationDiscoverer

    class Recording(RecordingDiscoverer, SymbolicActivationDiscoverer):
        seen = []

    X, y = binary_data
    discoverer = Recording(population_size=60, generations=2, random_state=0)
    clf = HybridTransferClassifier((8,), discoverer, **FAST)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    result = cross_validate(clf, X, y, cv=folds, return_estimator=True)
    assert len(Recording.seen) == 3
    assert discoverer.seen is Recording.seen and not hasattr(discoverer, "formula_")
    for (train, test), rows, fitted in zip(folds, Recording.seen, result["estimator"]):
        np.testing.assert_array_equal(rows, X[train])
        assert fitted.discoverer_.formula_ == fitted.formula_
        assert fitted.discoverer_.scaler_.n_samples_seen_ == len(train)


def test_fitted_bare_discoverer_is_refitted_with_a_warning(binary_data):
    X, y = binary_data
    source = _small_discoverer(random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="FrozenEstimator"):
        clf = HybridTransferClassifier((8,), source, **FAST).fit(X, y)
    assert clf.discoverer_ is not source


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_model_saved_on_a_gpu_loads_and_predicts_on_cpu(binary_data):
    """Stand-in for a GPU fit: the pickle says 'cuda', this machine has none."""
    from skorch.exceptions import DeviceWarning

    X, y = binary_data
    clf = HybridTransferClassifier((8,), "x*cos(x)", **FAST).fit(X, y)
    expected = clf.predict_proba(X)
    clf.net_.device = clf.device_ = "cuda"
    with pytest.warns(DeviceWarning, match="cuda"):
        loaded = pickle.loads(pickle.dumps(clf))
    assert str(loaded.net_.device) == "cpu" and loaded.device_ == "cuda"
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)


def test_dropout_drops_p_and_keeps_the_mean():
    torch.manual_seed(0)
    layer = Dropout(0.3).train()
    x = torch.full((1000, 1000), 2.0, requires_grad=True)
    out = layer(x)
    dropped = (out == 0).double().mean().item()
    # 1e6 Bernoulli(0.3) draws: the standard error of the fraction is 4.6e-4.
    assert abs(dropped - 0.3) < 5 * 4.6e-4
    kept = out[out != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, 2.0 / (1 - 9830 / 32768)))
    assert abs(out.mean().item() - 2.0) < 5 * 2.0 * (0.3 / 0.7 / 1e6) ** 0.5
    out.sum().backward()
    # The gradient is the same mask and scale.
    torch.testing.assert_close(x.grad, out.detach() / 2.0)


def test_dropout_is_seeded_by_torch_and_uses_every_draw():
    layer = Dropout(0.5).train()
    x = torch.ones(4, 1001)  # not a multiple of four elements
    torch.manual_seed(1)
    a = layer(x)
    torch.manual_seed(1)
    b = layer(x)
    torch.testing.assert_close(a, b)
    assert not torch.equal(a, layer(x))
    # Each of the four 15-bit integers cut from one 64-bit draw decides on its own:
    # the masks of elements 4i, 4i+1, 4i+2, 4i+3 are uncorrelated.
    torch.manual_seed(2)
    masks = (Dropout(0.5).train()(torch.ones(400_000)) > 0).double().view(-1, 4)
    corr = torch.corrcoef(masks.T)
    assert (corr - torch.eye(4)).abs().max() < 0.02


@pytest.mark.parametrize("p", [1e-6, 0.99999])
def test_dropout_falls_back_to_torch_where_p_does_not_round(p):
    x = torch.randn(50, 20)
    torch.manual_seed(3)
    expected = nn.Dropout(p).train()(x)
    torch.manual_seed(3)
    torch.testing.assert_close(Dropout(p).train()(x), expected)


def test_dropout_is_the_identity_in_eval_mode_and_keeps_dtype():
    x = torch.randn(10, 5, dtype=torch.float64)
    assert torch.equal(Dropout(0.3).eval()(x), x)
    assert Dropout(0.3).train()(x).dtype == torch.float64


def test_shuffled_batches_are_the_rows_of_a_permutation():
    torch.manual_seed(0)
    X = torch.arange(30.0).reshape(10, 3)
    y = torch.arange(10)
    batches = list(BatchIterator(TensorDataset(X, y), batch_size=4, shuffle=True))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    rows = torch.cat([b[1] for b in batches])
    assert sorted(rows.tolist()) == list(range(10)) and rows.tolist() != list(range(10))
    for xb, yb in batches:
        torch.testing.assert_close(xb, X[yb])


def test_adam_is_fused_on_the_cpu(binary_data):
    X, y = binary_data
    clf = HybridTransferClassifier(**FAST).fit(X, y)
    assert clf.net_.optimizer_.defaults["fused"] is True  # the torch this suite runs on


@pytest.mark.parametrize("version, fused", [
    ("2.3.1", False), ("2.4.0", True), ("2.10.0", True), ("2.13.0+cpu", True),
    ("3.0.0", True),
])
def test_fused_adam_is_chosen_by_version_not_by_text(monkeypatch, version, fused):
    # torch added the fused CPU kernel in 2.4.  As text "2.10.0" < "2.4":
    # the comparison must be a version comparison.
    from torch.torch_version import TorchVersion

    from sksymact import _network

    monkeypatch.setattr(torch, "__version__", TorchVersion(version))
    assert _network._fused_adam_supported("cpu") is fused


# -- per-layer activations ------------------------------------------------------------------


def test_per_layer_activations(binary_data):
    X, y = binary_data
    source = _small_discoverer(random_state=0).fit(X, y)
    specs = ["relu", "x*cos(x)", FrozenEstimator(source)]
    clf = HybridTransferClassifier((8, 6, 4), specs, **FAST).fit(X, y)
    assert [type(m) for m in clf.activation_] == [nn.ReLU, SymbolicActivation,
                                                  SymbolicActivation]
    assert clf.formula_ == [None, Formula.parse("x*cos(x)"), source.formula_]
    assert clf.discoverer_ == [None, None, None]  # nothing was fitted here
    assert clf.activation_ == clf.net_.module_.activations
    assert len({id(m) for m in clf.activation_}) == 3
    # A specialist in one layer is fitted on the training rows, once.
    mixed = HybridTransferClassifier((8, 4), [_small_discoverer(), "silu"], **FAST).fit(X, y)
    assert mixed.discoverer_[0].formula_ == mixed.formula_[0] and mixed.discoverer_[1] is None
    # A tuple works as a list, and clone keeps it.
    from sklearn.base import clone

    assert clone(HybridTransferClassifier((8, 4), ("relu", "gelu"))).activation == (
        "relu", "gelu")


def test_a_list_of_the_wrong_length_is_refused(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="list of 3 specs.*2 hidden layer"):
        HybridTransferClassifier((8, 4), ["relu"] * 3, **FAST).fit(X, y)


def test_one_spec_for_all_layers_gives_each_layer_its_own_module(binary_data):
    X, y = binary_data
    template = SymbolicActivation("x*cos(x)", learnable_constants=False)
    clf = HybridTransferClassifier((8, 4), template, **FAST).fit(X, y)
    modules = clf.net_.module_.activations
    assert modules[0] is not modules[1] and template not in modules
    assert clf.activation_ is modules[0]


@pytest.mark.parametrize("make", [
    lambda: HybridTransferClassifier((8, 4), "x*cos(x)", batch_size=16, max_iter=2,
                                     random_state=0),
    lambda: HybridTransferClassifier((8,), "add(x, 0.5)", learnable_constants="per_channel",
                                     batch_size=64, max_iter=2, random_state=0),
    lambda: HybridTransferClassifier((6,), "relu", batch_size=32, max_iter=2, dropout=0.5,
                                     early_stopping=True, random_state=0),
])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_prediction_equals_skorchs_forward_bit_for_bit(make, n_classes):
    """predict_proba calls the module itself; skorch's forward is the slow reference."""
    X, y = make_classification(200, 6, n_informative=4, n_classes=n_classes, random_state=0)
    clf = make().fit(X, y)
    X32 = torch.from_numpy(X.astype(np.float32))
    for rows in (slice(0, 1), slice(0, 17), slice(None)):  # one batch, part of one, several
        expected = clf.net_.forward(TensorDataset(X32[rows]), training=False)
        got = clf._outputs(X[rows])
        assert got.dtype == torch.float32 and torch.equal(got, expected)
    # A module a user put back in train mode (dropout on, batch statistics)
    # still predicts in eval mode, and keeps the mode it was given.
    reference = clf.predict_proba(X)
    clf.net_.module_.train()
    assert np.array_equal(clf.predict_proba(X), reference)
    assert all(m.training for m in clf.net_.module_.modules())


def _state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("in_train_mode", [
    [nn.BatchNorm1d], [Dropout, nn.Dropout], [nn.BatchNorm1d, Dropout, nn.Dropout],
    ["first BatchNorm only"],
])
def test_prediction_never_changes_the_model(binary_data, in_train_mode):
    """Mixed train/eval submodules: the eval-mode answer, and nothing of the model changes."""
    X, y = binary_data
    clf = HybridTransferClassifier((8, 4), "x*cos(x)", batch_size=16, max_iter=2,
                                   random_state=0).fit(X, y)
    module = clf.net_.module_
    reference = clf.predict_proba(X)
    before = _state(module)
    if in_train_mode == ["first BatchNorm only"]:
        switched = [next(m for m in module.modules() if isinstance(m, nn.BatchNorm1d))]
    else:
        switched = [m for m in module.modules() if isinstance(m, tuple(in_train_mode))]
    assert switched
    for m in switched:
        m.train()
    modes = [m.training for m in module.modules()]
    assert any(modes) and not all(modes)  # mixed
    for _ in range(2):
        assert np.array_equal(clf.predict_proba(X), reference)
        assert np.array_equal(clf.predict_proba(X[:3]), reference[:3])
    after = _state(module)
    assert before.keys() == after.keys()
    for key in before:  # running statistics, weights, batch counters: unchanged
        assert torch.equal(before[key], after[key]), key
    assert [m.training for m in module.modules()] == modes  # the user's modes are kept
    # skorch's forward, the reference, agrees afterwards too.
    X32 = torch.from_numpy(X.astype(np.float32))
    assert torch.equal(clf.net_.forward(TensorDataset(X32), training=False),
                       clf._outputs(X))


@pytest.mark.parametrize("activation, atol", [
    ("relu", 5e-7), ("x*cos(x)", 5e-7), ("silu", 5e-7), ("mul(x, sig(mul(1.702, x)))", 5e-7),
    # log(|x|) amplifies a last-bit difference of its input near x = 0 (slope 1/x).
    ("sub(sqrt(x), log(abs(x)))", 1e-5),
])
def test_a_rows_prediction_does_not_depend_on_the_size_of_the_call(activation, atol):
    """Every elementwise kernel gives a row the same bits in any call; only the
    matrix products may differ in their last bit (tests/test_common.py), so a
    row's probabilities agree to a few float32 ulps between calls of 1, 100 and
    1,024 rows, in any order -- times the formula's own amplification (a
    formula through tan's poles, such as cos(tan(x)), can turn a last-bit
    difference of a pre-activation into any other value; measured 0.008 on
    these rows, and documented)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1024, 10))
    y = (X[:, 0] * X[:, 1] + X[:, 2] > 0).astype(int)
    clf = HybridTransferClassifier((64, 32), activation, max_iter=2, random_state=0).fit(X, y)
    full = clf.predict_proba(X)
    single = np.vstack([clf.predict_proba(X[i:i + 1]) for i in range(0, 1024, 37)])
    hundred = clf.predict_proba(X[:100])
    order = rng.permutation(1024)
    shuffled = clf.predict_proba(X[order])
    for got, expected in ((single, full[::37]), (hundred, full[:100]),
                          (shuffled, full[order])):
        np.testing.assert_allclose(got, expected, rtol=0, atol=atol)
