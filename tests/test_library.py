"""The activation library: its file is data, validated on every read, and no save loses an entry."""

import copy
import hashlib
import json
import os
import pickle
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from sksymact import Formula
from sksymact import _io as io_module
from sksymact import library as library_module
from sksymact._version import __version__
from sksymact.benchmark._library_entries import entries_from_benchmark, write_builtin
from sksymact.library import (
    FORMAT,
    SCHEMA_VERSION,
    ActivationLibrary,
    LibraryEntry,
    get_builtin,
    rows_checksum,
)
from sksymact.library._checks import thaw
from sksymact.library._fields import NO_FORMULA
from sksymact.library._file import dumps

ROOT = Path(__file__).resolve().parents[1]
PAPER_RESULTS = ROOT / "paper_results"

BUILTIN_NAMES = [
    "covertype-20k-seed42", "covertype-20k-seed43", "covertype-20k-seed44",
    "higgs-5k-seed42", "higgs-5k-seed43", "higgs-5k-seed44",
    "higgs-paper",
    "spambase-seed42", "spambase-seed43", "spambase-seed44",
]


def full_entry(name="full", **changes):
    """An entry with every field set to something other than its default."""
    fields = dict(
        name=name,
        formula="x*cos(x) + 0.25*sin(x)",
        source={"name": "toy rows", "n_rows": 300, "sha256": "ab" * 32},
        discoverer_params={"population_size": 50, "function_set": ["add", "cos"],
                           "const_range": [-1.0, 1.0], "selection_training": {"max_iter": 3},
                           "random_state": 7, "verbose": False, "target_class": None},
        random_state=7,
        fitness=0.4321,
        nonlinearity=Formula.parse("x*cos(x) + 0.25*sin(x)").nonlinearity(),
        selection="network",
        candidates={"formula": ["add(mul(x, cos(x)), mul(0.25, sin(x)))", "sin(x)"],
                    "program": ["add(mul(X0, cos(X0)), mul(0.25, sin(X1)))", None],
                    "fitness": [0.43, 0.47], "validation_score": [0.91, 0.9],
                    "nonlinearity": [Formula.parse("x*cos(x) + 0.25*sin(x)").nonlinearity(),
                                     Formula.parse("sin(x)").nonlinearity()],
                    "chosen": [True, False]},
        versions={"sksymact": "0.1.0", "sklearn": "1.8.0", "gplearn": "0.4.3"},
        created="2026-01-02T03:04:05.678+00:00",
        notes="Notes keep any text: é, ∑, \"quotes\" and\nnew lines.",
        scores=[{"target": "spambase", "metric": "roc_auc", "value": 0.93,
                 "seeds": [42, 43], "baseline": 0.92, "date": "2026-02-03"},
                {"target": "covertype", "metric": "accuracy", "value": 0.8}],
    )
    fields.update(changes)
    return LibraryEntry(**fields)


def library_text(*entries):
    """The file ``save`` writes for these entries."""
    return dumps(entries)


# ------------------------------------------------------------------ round trip

def test_every_field_round_trips_through_a_file(tmp_path):
    entry = full_entry()
    plain = LibraryEntry(name="plain", formula=Formula.parse("max(x, 0)"))
    path = tmp_path / "lib.json"
    ActivationLibrary([entry, plain]).save(path)

    loaded = ActivationLibrary.load(path)

    assert loaded.names() == ["full", "plain"]
    assert loaded.get("full") == entry and loaded.get("plain") == plain
    assert loaded.get("full").to_dict() == entry.to_dict()
    got = loaded.get("full")
    assert got.formula == Formula.parse("x*cos(x) + 0.25*sin(x)")
    assert dict(got.source) == {"name": "toy rows", "n_rows": 300, "sha256": "ab" * 32}
    assert got.discoverer_params["selection_training"]["max_iter"] == 3
    assert got.candidates["program"] == ("add(mul(X0, cos(X0)), mul(0.25, sin(X1)))", None)
    assert got.scores[0]["seeds"] == (42, 43) and got.scores[1]["value"] == 0.8
    assert got.notes == entry.notes and got.created == entry.created
    # The file is sorted, indented JSON; saving what was loaded changes no byte.
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["format"] == FORMAT and '\n  "entries": [' in text
    assert "é, ∑" in text  # readable, not \u-escaped
    loaded.save(path)
    assert path.read_text(encoding="utf-8") == text
    assert sorted(os.listdir(tmp_path)) == ["lib.json"]  # no temporary or lock file left


def test_defaults_are_computed_and_recorded():
    entry = LibraryEntry(name="wave", formula="x*cos(x)")

    assert entry.nonlinearity == pytest.approx(Formula.parse("x*cos(x)").nonlinearity())
    assert entry.versions["sksymact"] == __version__
    assert "sklearn" in entry.versions and "gplearn" in entry.versions
    assert entry.created.endswith("+00:00") and entry.scores == () and entry.source is None


def test_entries_are_immutable_values():
    entry = full_entry()

    with pytest.raises(AttributeError):
        entry.name = "other"
    with pytest.raises(TypeError):
        entry.source["name"] = "other"  # a read-only mapping
    assert pickle.loads(pickle.dumps(entry)) == entry
    assert copy.deepcopy(entry) is entry
    assert hash(entry) == hash(LibraryEntry.from_dict(entry.to_dict()))
    scored = entry.with_score("higgs", "roc_auc", 0.7, seeds=42)
    assert len(entry.scores) == 2 and len(scored.scores) == 3
    assert dict(scored.scores[-1]) == {"target": "higgs", "metric": "roc_auc", "value": 0.7,
                                       "seeds": (42,)}
    with pytest.raises(ValueError, match="unknown key"):
        entry.with_score("higgs", "roc_auc", 0.7, colour="red")
    with pytest.raises(ValueError, match="'value'"):
        entry.with_score("higgs", "roc_auc", float("nan"))


@pytest.mark.parametrize("field, value, message", [
    ("name", "Bad Name!", "field 'name'"),
    ("name", ".hidden", "field 'name'"),
    ("formula", "mul(X3, cos(X3))", "collapse"),
    ("formula", "__import__('os')", "field 'formula'"),
    ("fitness", float("inf"), "field 'fitness'"),
    ("nonlinearity", 1.5, "field 'nonlinearity'"),
    ("random_state", -1, "field 'random_state'"),
    ("selection", "best", "field 'selection'"),
    ("source", {"name": "x", "rows": 3}, "unknown key"),
    ("created", "2026-01-02T03:04:05+02:00", "UTC"),
    ("versions", {"torch": 2}, "field 'versions'"),
    ("discoverer_params", {"f": object()}, "field 'discoverer_params'"),
])
def test_the_constructor_names_the_bad_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        full_entry(**{field: value})


def test_reprs():
    entry = full_entry(name="wave", notes="<script>alert(1)</script>")
    library = ActivationLibrary([entry])

    assert repr(entry).startswith("LibraryEntry(name='wave', formula='add(mul(x, cos(x))")
    assert "<script>" not in entry._repr_html_() and "&lt;script&gt;" in entry._repr_html_()
    assert "wave" in library._repr_html_() and "<table>" in library._repr_html_()
    assert repr(library) == "ActivationLibrary(1 entry: 'wave')"
    assert repr(ActivationLibrary()) == "ActivationLibrary(0 entries)"


# -------------------------------------------------------------------- adding

def test_add_text_formula_and_names():
    library = ActivationLibrary()
    entry = library.add("wave", "mul(X3, cos(X3))", notes="collapsed", fitness=0.5)

    assert entry.formula == Formula.parse("x*cos(x)") and entry.fitness == 0.5
    assert "wave" in library and len(library) == 1 and list(library) == [entry]
    with pytest.raises(ValueError, match="replace=True"):
        library.add("wave", "sin(x)")
    assert library.add("wave", "sin(x)", replace=True).formula == Formula.parse("sin(x)")
    with pytest.raises(TypeError, match="unknown provenance"):
        library.add("other", "sin(x)", colour="red")
    with pytest.raises(TypeError, match="Formula"):
        library.add("other", 3.0)
    with pytest.raises(KeyError, match="wave") as caught:
        library.get("missing")
    assert isinstance(caught.value, ValueError)
    scored = library.add_score("wave", "spambase", "roc_auc", 0.9)
    assert library.get("wave") == scored and scored.scores[0]["target"] == "spambase"


def test_add_a_fitted_discoverer_records_its_provenance(tmp_path):
    from sklearn.datasets import load_breast_cancer
    from sklearn.exceptions import NotFittedError
    from sklearn.frozen import FrozenEstimator

    from sksymact import SymbolicActivationDiscoverer

    X, y = load_breast_cancer(return_X_y=True)
    disc = SymbolicActivationDiscoverer(population_size=50, generations=2, random_state=0)
    library = ActivationLibrary()
    with pytest.raises(NotFittedError):
        library.add("unfitted", disc)
    disc.fit(X, y)
    source = {"name": "breast cancer", "n_rows": len(y), "sha256": rows_checksum(X, y)}

    entry = library.add("cancer", disc, source=source, notes="tiny search")

    assert entry.formula == disc.formula_
    assert entry.fitness == disc.fitness_ and entry.nonlinearity == disc.nonlinearity_
    assert entry.selection == "fitness" and entry.random_state == 0
    assert entry.candidates is None
    params = entry.discoverer_params
    assert params["population_size"] == 50 and params["generations"] == 2
    assert params["function_set"] == ("add", "sub", "mul", "sin", "cos", "abs")
    assert set(params) == set(disc.get_params(deep=False))
    assert dict(entry.source) == source and entry.notes == "tiny search"
    assert entry.versions["sksymact"] == __version__
    # The recorded parameters rebuild the search.
    rebuilt = SymbolicActivationDiscoverer(**thaw(params))
    assert rebuilt.get_params()["population_size"] == 50
    # A frozen (transferred) discoverer is the same discoverer.
    assert library.add("frozen", FrozenEstimator(disc)).formula == disc.formula_
    path = tmp_path / "lib.json"
    library.save(path)
    assert ActivationLibrary.load(path).get("cancer") == entry


def test_add_a_network_selected_discoverer_keeps_its_candidates(tmp_path):
    import warnings

    from sklearn.datasets import load_breast_cancer

    from sksymact import SymbolicActivationDiscoverer
    from sksymact.exceptions import WeakActivationWarning

    X, y = load_breast_cancer(return_X_y=True)
    disc = SymbolicActivationDiscoverer(
        population_size=50, generations=2, selection="network", n_candidates=2,
        selection_training={"max_iter": 2}, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakActivationWarning)  # a fallback to ReLU is fine
        disc.fit(X, y)
    library = ActivationLibrary()

    entry = library.add("cancer-network", disc)

    assert entry.selection == "network"
    assert entry.discoverer_params["selection_training"] == {"max_iter": 2}
    assert {k: list(v) for k, v in entry.candidates.items()} == disc.candidates_
    if disc.program_ is None:  # fell back to ReLU: no program, so no fitness
        assert entry.fitness is None and entry.formula == Formula.parse("max(x, 0)")
    path = tmp_path / "lib.json"
    library.save(path)
    assert ActivationLibrary.load(path).get("cancer-network") == entry


# ------------------------------------------------- what can be recomputed is

def _file_of(*entries):
    return json.dumps({"format": FORMAT, "schema_version": SCHEMA_VERSION,
                       "entries": list(entries)})


def test_a_file_that_lies_about_the_nonlinearity_is_refused(tmp_path):
    lying = LibraryEntry(name="affine", formula="x").to_dict()
    lying["nonlinearity"] = 1.0  # x is affine: 0
    path = tmp_path / "lib.json"
    path.write_text(_file_of(lying), encoding="utf-8")

    with pytest.raises(ValueError, match=(
            r"lib\.json', entry 0 \('affine'\): field 'nonlinearity': the stored value 1\.0 "
            r"is not the nonlinearity of the formula x, which is 0\.0 \(recomputed")):
        ActivationLibrary.load(path)
    # The constructor and add refuse it as well; None computes it.
    with pytest.raises(ValueError, match="field 'nonlinearity': the stored value 1.0"):
        ActivationLibrary().add("affine", "x", nonlinearity=1.0)
    assert ActivationLibrary().add("affine", "x", nonlinearity=None).nonlinearity == 0.0


def test_the_nonlinearity_is_compared_with_a_float_tolerance(tmp_path):
    wave = LibraryEntry(name="wave", formula="mul(cos(x), x)").to_dict()
    exact = Formula.parse("mul(cos(x), x)").nonlinearity()
    assert exact != 1.0  # the least-squares fit's last bits
    wave["nonlinearity"] = 1.0  # as the built-in higgs-paper entry writes it
    affine = LibraryEntry(name="affine", formula="x").to_dict()
    affine["nonlinearity"] = 1e-9
    path = tmp_path / "lib.json"
    path.write_text(_file_of(wave, affine), encoding="utf-8")

    library = ActivationLibrary.load(path)

    assert library.get("wave").nonlinearity == 1.0  # kept as stored: the file round-trips
    assert library.get("affine").nonlinearity == 1e-9
    affine["nonlinearity"] = 2 * library_module.NONLINEARITY_TOLERANCE
    path.write_text(_file_of(affine), encoding="utf-8")
    with pytest.raises(ValueError, match="'affine'.*field 'nonlinearity'"):
        ActivationLibrary.load(path)


def test_a_candidates_table_must_agree_with_its_formulas():
    good = full_entry()
    candidates = {key: list(value) for key, value in good.candidates.items()}

    lying = dict(candidates, nonlinearity=[candidates["nonlinearity"][0], 1.0])
    with pytest.raises(ValueError, match=r"field 'candidates': \['nonlinearity'\]\[1\]: the "
                                         r"stored value 1\.0 .* sin\(x\)"):
        full_entry(candidates=lying)
    with pytest.raises(ValueError, match=r"\['chosen'\]\[1\]: candidate 1, sin\(x\), is marked"):
        full_entry(candidates=dict(candidates, chosen=[False, True]))
    with pytest.raises(ValueError, match=r"\['nonlinearity'\]\[0\] must be a number"):
        full_entry(candidates=dict(candidates, nonlinearity=["high", None]))
    # None of a fallback to ReLU is chosen, and a missing nonlinearity is not checked.
    assert full_entry(candidates=dict(candidates, chosen=[False, False],
                                      nonlinearity=[None, None])).candidates is not None


def test_the_source_may_be_a_plain_name():
    entry = ActivationLibrary().add("wave", "x*cos(x)", source="breast cancer")

    assert dict(entry.source) == {"name": "breast cancer", "n_rows": None, "sha256": None}
    assert LibraryEntry.from_dict(entry.to_dict()) == entry  # written as the full dict
    with pytest.raises(ValueError, match=r"field 'source': \['name'\] must be the data set's"):
        LibraryEntry(name="wave", formula="x", source="  ")
    with pytest.raises(ValueError, match="field 'source': must be a data set's name, a dict"):
        LibraryEntry(name="wave", formula="x", source=3)
    # A file keeps the dict: text there is a damaged file, not a shortcut.
    with pytest.raises(ValueError, match="field 'source': must be an object or null"):
        LibraryEntry.from_dict({**entry.to_dict(), "source": "breast cancer"})


# ------------------------------------------------------- what add() accepts

def test_add_a_named_activation_stores_its_formula():
    import torch

    from sksymact._activation import NAMED_ACTIVATIONS

    library = ActivationLibrary()
    grid = torch.linspace(-8, 8, 1601, dtype=torch.float64)
    for name, module in NAMED_ACTIVATIONS.items():
        if name in NO_FORMULA:
            with pytest.raises(ValueError, match=f"named activation '{name}' has no formula "
                                                 "form: .*Named activations with one: "
                                                 "identity, relu, sigmoid, silu, tanh"):
                library.add(name, name.upper())
            continue
        entry = library.add(name, f" {name.upper()} ")  # as activation= reads it
        assert str(entry.formula) == str(Formula.parse(library_module.NAMED_FORMULAS[name]))
        assert f"named activation '{name}'" in entry.notes
        # The formula is the same function as the torch module.
        np.testing.assert_allclose(entry.formula(grid.numpy()), module()(grid).numpy(),
                                   rtol=0, atol=1e-12, err_msg=name)
    assert set(NAMED_ACTIVATIONS) == set(library_module.NAMED_FORMULAS) | set(NO_FORMULA)
    assert library.get("relu").formula == Formula.parse("max(x, 0)")
    assert library.get("identity").nonlinearity == 0.0


def test_add_text_that_is_no_formula_says_what_is_taken():
    with pytest.raises(ValueError, match=r"unknown name 'leaky_relu'.*the operators abs, add, "
                                         r".* named activations identity, relu, .*'relu' is "
                                         r"max\(x, 0\)"):
        ActivationLibrary().add("leaky", "leaky_relu")
    copied = ActivationLibrary().add("paper", "library:higgs-paper")
    paper = get_builtin("higgs-paper")
    assert copied.formula == paper.formula and copied.source == paper.source
    assert copied.created == paper.created and copied.notes == paper.notes
    assert ActivationLibrary().add("again", paper).to_dict() == {**paper.to_dict(),
                                                                 "name": "again"}


@pytest.fixture(scope="module")
def cancer():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


NETWORK = dict(hidden_layer_sizes=(8,), max_iter=2, batch_size=64, random_state=0)
SEARCH = dict(population_size=40, generations=2, random_state=0)


def _pipeline(activation, **params):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sksymact import HybridTransferClassifier

    return make_pipeline(StandardScaler(), HybridTransferClassifier(
        activation=activation, **{**NETWORK, **params}))


def test_add_the_best_estimator_of_a_search(cancer, tmp_path):
    from sklearn.model_selection import GridSearchCV

    X, y = cancer
    search = GridSearchCV(_pipeline("relu"), {"hybridtransferclassifier__activation": [
        "library:higgs-paper"]}, cv=2).fit(X, y)
    library = ActivationLibrary()

    entry = library.add("best", search.best_estimator_, source="breast cancer")

    paper = get_builtin("higgs-paper")
    assert entry.formula == paper.formula == search.best_estimator_[-1].formula_
    assert entry.notes.startswith("The activation of a fitted HybridTransferClassifier, from "
                                  "the library entry 'higgs-paper'. The paper's published")
    assert entry.created == paper.created and entry.nonlinearity == paper.nonlinearity
    assert dict(entry.source) == {"name": "breast cancer", "n_rows": None, "sha256": None}
    # The fitted network alone gives the same entry.
    assert library.add("net", search.best_estimator_[-1]).formula == paper.formula
    library.save(tmp_path / "lib.json")
    assert ActivationLibrary.load(tmp_path / "lib.json").get("best") == entry


def test_add_a_network_records_the_discoverer_it_fitted_or_transferred(cancer):
    from sklearn.frozen import FrozenEstimator

    from sksymact import HybridTransferRegressor, SymbolicActivationDiscoverer

    X, y = cancer
    library = ActivationLibrary()
    specialist = _pipeline(SymbolicActivationDiscoverer(**SEARCH)).fit(X, y)
    fitted = specialist[-1].discoverer_

    entry = library.add("specialist", specialist)

    assert entry.formula == fitted.formula_ and entry.fitness == fitted.fitness_
    assert entry.random_state == 0 and entry.discoverer_params["population_size"] == 40
    assert "discovered on its training rows (specialist)" in entry.notes
    transfer = _pipeline(FrozenEstimator(fitted)).fit(X, y)
    assert transfer[-1].discoverer_ is None  # a transfer fits nothing
    entry = library.add("transfer", transfer)
    assert entry.formula == fitted.formula_ and entry.fitness == fitted.fitness_
    assert "transferred from a discoverer" in entry.notes
    regressor = HybridTransferRegressor(activation="x*cos(x)", **NETWORK).fit(X, X[:, 0])
    entry = library.add("regressor", regressor)
    assert entry.formula == Formula.parse("x*cos(x)") and entry.fitness is None
    assert entry.notes == "The activation of a fitted HybridTransferRegressor."


def test_add_a_discoverer_that_fell_back_to_relu_says_so(cancer):
    from sksymact import SymbolicActivationDiscoverer

    X, y = cancer
    disc = SymbolicActivationDiscoverer(**SEARCH).fit(X, y)
    # What fit leaves when network-aware selection falls back (see the fallback parameter).
    disc.program_, disc.fitness_ = None, float("nan")
    disc.formula_ = Formula.parse("max(x, 0)")

    entry = ActivationLibrary().add("fallback", disc)

    assert entry.formula == Formula.parse("max(x, 0)") and entry.fitness is None
    assert "fell back to ReLU" in entry.notes


def test_add_a_network_whose_activation_has_no_single_formula(cancer):
    from sklearn.exceptions import NotFittedError
    from sklearn.preprocessing import StandardScaler
    from torch import nn

    from sksymact import HybridTransferClassifier

    X, y = cancer
    library = ActivationLibrary()
    named = library.add("silu", _pipeline(nn.SiLU()).fit(X, y))
    assert named.formula == Formula.parse("mul(x, sig(x))")
    assert "the named activation 'silu'" in named.notes
    with pytest.raises(ValueError, match=r"activation of this HybridTransferClassifier, gelu, "
                                         "has no formula form: .*erf"):
        library.add("gelu", _pipeline("gelu").fit(X, y))
    with pytest.raises(ValueError, match="LeakyReLU, has no formula form"):
        library.add("leaky", _pipeline(nn.LeakyReLU()).fit(X, y))
    per_layer = _pipeline(["relu", "x*cos(x)"], hidden_layer_sizes=(8, 4)).fit(X, y)
    with pytest.raises(ValueError, match=r"one activation per hidden layer \('relu', "
                                         r"mul\(x, cos\(x\)\)\).*model\.formula_\[0\]"):
        library.add("layers", per_layer)
    assert library.add("layer1", per_layer[-1].formula_[1]).formula == Formula.parse(
        "x*cos(x)")
    with pytest.raises(NotFittedError):
        library.add("unfitted", _pipeline("relu"))
    with pytest.raises(NotFittedError):
        library.add("unfitted", HybridTransferClassifier())
    with pytest.raises(TypeError, match="got a fitted StandardScaler, which has no formula_"):
        library.add("scaler", StandardScaler().fit(X))
    with pytest.raises(TypeError, match="got a Pipeline ending in 'passthrough'"):
        library.add("nothing", _pipeline("relu").fit(X, y).set_params(
            hybridtransferclassifier="passthrough"))
    assert library.names() == ["layer1", "silu"]


def test_rows_checksum():
    X = np.arange(12).reshape(4, 3)
    y = np.array([0, 1, 0, 1])
    expected = hashlib.sha256(X.astype(np.float64).tobytes() + y.astype(np.float64).tobytes())

    assert rows_checksum(X, y) == expected.hexdigest()
    assert rows_checksum(np.asfortranarray(X.astype(np.float32)), y) == expected.hexdigest()
    assert rows_checksum(X) == hashlib.sha256(X.astype(np.float64).tobytes()).hexdigest()
    assert rows_checksum(X, [1, 1, 0, 1]) != rows_checksum(X, y)
    assert rows_checksum(X, ["a", "b", "a", "b"]) != rows_checksum(X, ["a", "b", "b", "b"])
    assert rows_checksum(X[::-1], y[::-1]) != rows_checksum(X, y)


# ----------------------------------------------------------- damaged files

def _valid_document():
    return json.loads(library_text(full_entry("first"), full_entry("second")))


def _with(change):
    """The bytes of a valid file after ``change(document)``."""
    def make():
        document = _valid_document()
        change(document)
        return json.dumps(document, indent=2).encode("utf-8")
    return make


def _set(field, value, index=0):
    return _with(lambda d: d["entries"][index].__setitem__(field, value))


def _text_replace(old, new):
    def make():
        text = library_text(full_entry("first"), full_entry("second"))
        assert old in text
        return text.replace(old, new, 1).encode("utf-8")
    return make


def _deeply_nested():
    document = _valid_document()
    text = json.dumps(document)
    return text.replace('"population_size": 50', '"deep": ' + "[" * 100_000 + "]" * 100_000,
                        1).encode("utf-8")


def _truncated():
    data = library_text(full_entry("first"), full_entry("second")).encode("utf-8")
    return data[: len(data) // 2]


#: (id, the file's bytes, what the message must name besides the file)
DAMAGED = [
    ("empty", lambda: b"", ["empty"]),
    ("blank", lambda: b"  \n\n", ["empty"]),
    ("truncated", _truncated, ["truncated"]),
    ("not-utf8", lambda: library_text(full_entry("first")).encode("utf-8").replace(
        "é".encode("utf-8"), b"\xe9"), ["UTF-8"]),
    ("list-at-top", lambda: b"[]", ["list"]),
    ("foreign-format", lambda: (PAPER_RESULTS / "formulas.json").read_bytes(),
     ["sksymact-benchmark-formulas"]),
    ("no-format", _with(lambda d: d.pop("format")), ["format"]),
    ("newer-schema", _with(lambda d: d.__setitem__("schema_version", SCHEMA_VERSION + 1)),
     [f"schema_version {SCHEMA_VERSION + 1}", f"reads schema_version {SCHEMA_VERSION}"]),
    ("schema-as-text", _with(lambda d: d.__setitem__("schema_version", "1")),
     ["schema_version"]),
    ("no-entries", _with(lambda d: d.pop("entries")), ["entries"]),
    ("unknown-top-field", _with(lambda d: d.__setitem__("comment", "hi")), ["comment"]),
    ("entry-not-object", _with(lambda d: d["entries"].append("higgs")), ["entry 2"]),
    ("missing-field", _with(lambda d: d["entries"][1].pop("fitness")),
     ["entry 1", "'second'", "fitness"]),
    ("unknown-field", _set("colour", "red"), ["'first'", "colour"]),
    ("formula-does-not-parse", _set("formula", "mul(x, "), ["'first'", "field 'formula'"]),
    ("formula-is-code", _set("formula", "__import__('os').system('touch PWNED')"),
     ["'first'", "field 'formula'"]),
    ("formula-of-features", _set("formula", "mul(X3, cos(X3))"),
     ["'first'", "field 'formula'", "X3"]),
    ("candidate-is-code", _with(lambda d: d["entries"][0]["candidates"]["formula"].__setitem__(
        1, "exec('x')")), ["'first'", "field 'candidates'"]),
    ("nan-fitness", _text_replace('"fitness": 0.4321', '"fitness": NaN'),
     ["'first'", "field 'fitness'", "nan"]),
    ("infinite-nonlinearity", _with(lambda d: d["entries"][0].__setitem__(
        "nonlinearity", float("inf"))), ["'first'", "field 'nonlinearity'"]),
    # Derived values that disagree with their formulas: the file lies.
    ("affine-called-non-linear", _with(lambda d: d["entries"][1].update(
        formula="x", nonlinearity=1.0, candidates=None)),
     ["entry 1", "'second'", "field 'nonlinearity'", "1.0", "0.0", "recomputed"]),
    ("candidate-nonlinearity-lies", _with(lambda d: d["entries"][0]["candidates"][
        "nonlinearity"].__setitem__(1, 0.0)),
     ["'first'", "field 'candidates'", "['nonlinearity'][1]", "sin(x)", "recomputed"]),
    ("chosen-is-another-formula", _with(lambda d: d["entries"][0]["candidates"].__setitem__(
        "chosen", [False, True])), ["'first'", "field 'candidates'", "['chosen'][1]"]),
    ("infinity-in-params", _text_replace('"population_size": 50', '"population_size": Infinity'),
     ["'first'", "field 'discoverer_params'", "population_size"]),
    ("duplicate-names", _set("name", "first", index=1), ["entries 0 and 1", "'first'"]),
    ("duplicate-json-key", _text_replace('"fitness": 0.4321,', '"fitness": 0.4321,\n'
                                         '      "fitness": 0.1,'), ["'fitness' twice"]),
    ("fitness-as-text", _set("fitness", "0.4321"), ["'first'", "field 'fitness'"]),
    ("random-state-float", _set("random_state", 7.0), ["'first'", "field 'random_state'"]),
    ("random-state-bool", _set("random_state", True), ["'first'", "field 'random_state'"]),
    ("notes-not-text", _set("notes", 3), ["'first'", "field 'notes'"]),
    ("bad-name", _set("name", "HIGGS paper!"), ["entry 0", "field 'name'"]),
    ("source-unknown-key", _set("source", {"name": "a", "n_rows": 1, "sha256": None,
                                           "url": "x"}), ["'first'", "field 'source'", "url"]),
    ("source-missing-key", _set("source", {"name": "a"}), ["'first'", "field 'source'"]),
    ("bad-sha256", _set("source", {"name": "a", "n_rows": 1, "sha256": "xyz"}),
     ["'first'", "sha256"]),
    ("created-not-iso", _set("created", "yesterday"), ["'first'", "field 'created'"]),
    ("score-not-finite", _text_replace('"value": 0.93', '"value": -Infinity'),
     ["'first'", "field 'scores'"]),
    ("candidates-unequal", _with(lambda d: d["entries"][0]["candidates"]["chosen"].append(True)),
     ["'first'", "field 'candidates'"]),
    ("deeply-nested", _deeply_nested, ["nested"]),
]


@pytest.fixture
def sentinel(tmp_path, monkeypatch):
    """Run from an empty folder: a formula that were executed would leave PWNED there."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder / "PWNED"


@pytest.mark.parametrize("make, expected", [d[1:] for d in DAMAGED],
                         ids=[d[0] for d in DAMAGED])
def test_a_damaged_file_is_named_and_left_untouched(tmp_path, sentinel, make, expected):
    path = tmp_path / "damaged-library.json"
    data = make()
    path.write_bytes(data)

    with pytest.raises(ValueError) as caught:
        ActivationLibrary.load(path)
    message = str(caught.value)
    assert repr(str(path)) in message
    for part in expected:
        assert part in message, message
    assert path.read_bytes() == data
    # Saving onto it is refused as well: a damaged file is never replaced.
    library = ActivationLibrary([full_entry("new")])
    with pytest.raises(ValueError, match="damaged-library.json"):
        library.save(path)
    assert path.read_bytes() == data
    assert library.names() == ["new"]
    assert sorted(os.listdir(tmp_path)) == ["cwd", "damaged-library.json"]
    assert not sentinel.exists()


def test_the_catalogue_of_damage_is_large_enough():
    assert len(DAMAGED) >= 12


def test_a_missing_file_is_not_a_library(tmp_path):
    with pytest.raises(FileNotFoundError):
        ActivationLibrary.load(tmp_path / "nothing.json")


# ------------------------------------------------------------------- merging

def test_save_merges_entries_saved_by_another_library(tmp_path):
    path = tmp_path / "lib.json"
    ActivationLibrary([full_entry("base")]).save(path)
    ours, theirs = ActivationLibrary.load(path), ActivationLibrary.load(path)
    ours.add("ours", "sin(x)")
    theirs.add("theirs", "cos(x)")
    theirs.add_score("base", "higgs", "roc_auc", 0.7)  # changed there only
    theirs.save(path)

    ours.save(path)

    merged = ActivationLibrary.load(path)
    assert merged.names() == ["base", "ours", "theirs"]
    assert len(merged.get("base").scores) == 3  # their change is kept
    assert ours.names() == ["base", "ours", "theirs"]  # and read into this library
    # The same entry added on both sides is no conflict.
    same = LibraryEntry(name="same", formula="x*sin(x)", created="2026-01-01T00:00:00+00:00")
    one, two = ActivationLibrary.load(path), ActivationLibrary.load(path)
    one._entries["same"] = two._entries["same"] = same
    one.save(path)
    two.save(path)
    assert ActivationLibrary.load(path).get("same") == same


def test_overwrite_writes_exactly_this_library(tmp_path):
    path = tmp_path / "lib.json"
    ActivationLibrary([full_entry("old")]).save(path)

    ActivationLibrary([full_entry("new")]).save(path, overwrite=True)

    assert ActivationLibrary.load(path).names() == ["new"]


@pytest.mark.parametrize("how", ["both-changed", "both-added"])
def test_a_conflict_leaves_file_and_library_untouched(tmp_path, how):
    path = tmp_path / "lib.json"
    ActivationLibrary([full_entry("base")]).save(path)
    ours, theirs = ActivationLibrary.load(path), ActivationLibrary.load(path)
    if how == "both-changed":
        theirs.add("base", "cos(x)", replace=True)
        ours.add_score("base", "spambase", "roc_auc", 0.9)
        name = "base"
    else:
        theirs.add("wave", "cos(x)")
        ours.add("wave", "sin(x)")
        name = "wave"
    theirs.save(path)
    before = path.read_bytes()
    ours_before = list(ours)

    with pytest.raises(ValueError, match=f"'{name}'") as caught:
        ours.save(path)

    assert "left untouched" in str(caught.value) and "lib.json" in str(caught.value)
    assert path.read_bytes() == before
    assert list(ours) == ours_before
    assert sorted(os.listdir(tmp_path)) == ["lib.json"]


_WRITER = textwrap.dedent("""
    import os, sys, time
    from sksymact import _io
    if sys.argv[4] == "no-fcntl":
        _io._fcntl = None  # the O_EXCL lock file, as where fcntl does not exist
    from sksymact.library import ActivationLibrary
    path, folder, worker = sys.argv[1], sys.argv[2], int(sys.argv[3])
    open(os.path.join(folder, f"ready-{worker}"), "w").close()
    for _ in range(6000):  # wait for the start signal, so that all write at once
        if os.path.exists(os.path.join(folder, "go")):
            break
        time.sleep(0.005)
    lib = ActivationLibrary()
    for k in range(5):
        if k % 2:  # both ways: one library saved again and again, and fresh loads
            lib = ActivationLibrary.load(path)
        lib.add(f"w{worker}-e{k}", f"add(mul(x, cos(x)), {worker + k / 10})")
        lib.save(path)
""")


@pytest.mark.parametrize("lock", ["fcntl", "no-fcntl"])
def test_concurrent_processes_lose_no_entry(tmp_path, lock):
    if lock == "fcntl" and io_module._fcntl is None:
        pytest.skip("no fcntl on this platform")
    path = tmp_path / "shared.json"
    sync = tmp_path / "sync"
    sync.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")]))
    workers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(sync), str(i),
                                 lock], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
               for i in range(3)]
    try:
        for _ in range(6000):
            if all((sync / f"ready-{i}").exists() for i in range(3)):
                break
            if any(w.poll() is not None for w in workers):
                break
            import time
            time.sleep(0.01)
        (sync / "go").touch()
        errors = [w.communicate(timeout=120)[1] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert [w.returncode for w in workers] == [0, 0, 0], errors

    library = ActivationLibrary.load(path)

    assert library.names() == sorted(f"w{i}-e{k}" for i in range(3) for k in range(5))
    assert library.get("w2-e3").formula == Formula.parse("add(mul(x, cos(x)), 2.3)")
    assert sorted(os.listdir(tmp_path)) == ["shared.json", "sync"]  # no lock or part file


def test_the_fallback_lock_gives_up_after_its_retries(tmp_path, monkeypatch):
    monkeypatch.setattr(io_module, "_fcntl", None)
    monkeypatch.setattr(io_module, "_LOCK_RETRIES", 3)
    monkeypatch.setattr(io_module, "_LOCK_RETRY_DELAY", 0.0)
    path = tmp_path / "lib.json"
    ActivationLibrary([full_entry("base")]).save(path)
    before = path.read_bytes()
    (tmp_path / "lib.json.lock").touch()  # left by a process that was killed

    with pytest.raises(TimeoutError, match="delete the lock file"):
        ActivationLibrary([full_entry("new")]).save(path)

    assert path.read_bytes() == before


# ----------------------------------------------------------------- built-ins

def test_the_builtin_entries():
    library = ActivationLibrary.builtin()
    grid = np.linspace(-6, 6, 1201)

    assert library.names() == BUILTIN_NAMES
    paper = get_builtin("higgs-paper")
    assert paper.formula == Formula.parse("cos(x)*x") and paper.nonlinearity == 1.0
    assert "arXiv 2601.10740" in paper.notes and "not a run of sksymact" in paper.notes
    for entry in library:
        assert np.all(np.isfinite(entry.formula(grid))), entry.name
        assert entry.formula.variables == {"x"}
        assert ("Near-linear" in entry.notes) == (entry.nonlinearity < 0.1), entry.name
    assert {e.name for e in library if e.nonlinearity < 0.1} == {
        "covertype-20k-seed44", "spambase-seed42", "spambase-seed43", "spambase-seed44"}
    seed42 = get_builtin("higgs-5k-seed42")
    assert seed42.random_state == 42 and seed42.selection == "fitness"
    assert dict(seed42.source) == {"name": "HIGGS", "n_rows": 4000, "sha256": None}
    # A new library each time: changing one changes no other, nor get_builtin.
    library.add("mine", "sin(x)")
    assert "mine" not in ActivationLibrary.builtin()


def test_every_builtin_entry_builds_an_activation_that_runs():
    import torch

    from sksymact import SymbolicActivation

    x = torch.linspace(-6, 6, 101, dtype=torch.float32)
    for name in BUILTIN_NAMES:
        activation = SymbolicActivation(get_builtin(name).formula)
        out = activation(x)
        assert out.shape == x.shape and torch.isfinite(out).all(), name


def test_an_unknown_builtin_names_the_known_ones():
    with pytest.raises(KeyError, match="higgs-paper") as caught:
        get_builtin("higgs")
    assert isinstance(caught.value, ValueError)
    assert "spambase-seed44" in str(caught.value)


def test_write_builtin_regenerates_the_shipped_file(tmp_path):
    path = tmp_path / "builtin.json"

    written = write_builtin(PAPER_RESULTS, path)

    shipped = resources.files("sksymact.library").joinpath(
        "_builtin_activations.json").read_bytes()
    assert path.read_bytes() == shipped
    assert written == ActivationLibrary.builtin()
    # Again, onto the file: the same bytes (nothing depends on the time).
    write_builtin(PAPER_RESULTS, path)
    assert path.read_bytes() == shipped


# ---------------------------------------------------------- from benchmarks

def test_entries_from_benchmark_keep_the_runs_provenance():
    records = {r["key"]: r for r in json.loads(
        (PAPER_RESULTS / "formulas.json").read_text(encoding="utf-8"))["formulas"]}

    entries = {e.name: e for e in entries_from_benchmark(PAPER_RESULTS)}

    assert sorted(entries) == [n for n in BUILTIN_NAMES if n != "higgs-paper"]
    for name, key in [("covertype-20k-seed43", "covertype/seed=43"),
                      ("spambase-seed44", "spambase/seed=44")]:
        entry, record = entries[name], records[key]
        assert entry.formula == Formula.parse(record["formula"])
        assert entry.fitness == record["fitness"]
        assert entry.nonlinearity == record["nonlinearity"]
        assert entry.random_state == record["seed"] == record["random_state"]
        assert entry.source["n_rows"] == record["rows_seen"]
        assert entry.created == record["discovered_at"]
        assert entry.versions["gplearn"] == record["gplearn_version"]
        assert entry.discoverer_params["population_size"] == record["population_size"]
        assert record["program"] in entry.notes and "leakage-free" in entry.notes
    chosen = entries_from_benchmark(PAPER_RESULTS, names=["spambase-seed42"])
    assert [e.name for e in chosen] == ["spambase-seed42"]
    with pytest.raises(ValueError, match="higgs-5k-seed42"):
        entries_from_benchmark(PAPER_RESULTS, names=["higgs-seed42"])


def test_entries_from_a_benchmark_with_network_selection_and_the_reference_protocol():
    matrix = {e.name: e for e in entries_from_benchmark(PAPER_RESULTS / "transfer-matrix")}
    reference = {e.name: e for e in entries_from_benchmark(
        PAPER_RESULTS / "reference-protocol")}

    network = matrix["covertype-20k-seed42-network"]
    assert network.selection == "network" and network.discoverer_params["selection"] == "network"
    assert len(network.candidates["formula"]) == len(network.candidates["validation_score"]) > 1
    assert "ReLU's validation score" in network.notes
    assert matrix["covertype-20k-seed42"].selection == "fitness"
    assert sorted(reference) == ["covertype-20k-all-rows", "higgs-5k-all-rows",
                                 "spambase-all-rows"]
    assert "test rows included" in reference["higgs-5k-all-rows"].notes


def test_a_damaged_benchmark_folder_is_named(tmp_path):
    (tmp_path / "settings.json").write_bytes((PAPER_RESULTS / "settings.json").read_bytes())
    document = json.loads((PAPER_RESULTS / "formulas.json").read_text(encoding="utf-8"))
    del document["formulas"][2]["rows_seen"]
    (tmp_path / "formulas.json").write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(ValueError, match=r"formulas.json.*covertype/seed=44.*rows_seen"):
        entries_from_benchmark(tmp_path)
    (tmp_path / "formulas.json").write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="formulas.json"):
        entries_from_benchmark(tmp_path)
