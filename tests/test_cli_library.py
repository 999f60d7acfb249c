"""The command line of the activation library: discover --save-to, library list/show/plot."""

import json

import pytest

from sksymact.cli import main
from sksymact.library import ActivationLibrary

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    from sklearn.datasets import load_breast_cancer

    path = tmp_path_factory.mktemp("data") / "cancer.csv"
    load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)
    return path


SEARCH = ["--population-size", "40", "--generations", "2"]


def test_discover_saves_to_a_library_and_list_show_plot_read_it(csv, tmp_path, capsys):
    lib = tmp_path / "lib.json"
    args = ["discover", "--data", str(csv), "--target", "target", *SEARCH,
            "--save-to", str(lib), "--name", "cancer-1"]
    assert main(args) == 0
    entry = ActivationLibrary.load(lib).get("cancer-1")
    assert entry.source["name"] == "cancer.csv" and entry.source["n_rows"] == 569
    assert len(entry.source["sha256"]) == 64 and entry.selection == "fitness"
    # The same name again is refused (exit 2), the file untouched; --replace replaces.
    before = lib.read_bytes()
    assert main(args) == 2 and lib.read_bytes() == before
    assert "already has an entry" in capsys.readouterr().err
    assert main([*args, "--replace", "--random-state", "1"]) == 0
    assert main(["library", "list", str(lib)]) == 0
    assert "cancer-1" in capsys.readouterr().out
    assert main(["library", "show", "cancer-1", str(lib)]) == 0
    shown = capsys.readouterr().out
    assert f"Formula:      {ActivationLibrary.load(lib).get('cancer-1').formula}" in shown
    assert "LaTeX:" in shown and "Source:" in shown and "cancer.csv" in shown
    png = tmp_path / "a.png"
    assert main(["library", "plot", "cancer-1", "--file", str(lib), "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_builtin_entries_without_a_file(capsys):
    assert main(["library", "list"]) == 0
    out = capsys.readouterr().out
    assert "higgs-paper" in out and "x*cos(x)" in out
    assert main(["library", "show", "higgs-paper"]) == 0
    assert "Simplified:   x*cos(x)" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["library", "show", "nope"], "no entry 'nope'"),
    (["library", "list", "missing.json"], "no such library file"),
    (["library", "plot", "nope"], "nope"),
    (["library", "build-builtin", "no-such-folder"], "no such folder"),
])
def test_user_errors_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_damaged_library_file_is_named_and_untouched(tmp_path, capsys, csv):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "sksymact-activation-library", "schema_version": 99, '
                   '"entries": []}')
    before = bad.read_bytes()
    assert main(["library", "list", str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err
    assert main(["discover", "--data", str(csv), "--target", "target", *SEARCH,
                 "--save-to", str(bad), "--name", "x"]) == 2
    assert bad.read_bytes() == before


def test_discover_needs_both_save_to_and_name(csv, tmp_path, capsys):
    assert main(["discover", "--data", str(csv), "--target", "target", *SEARCH,
                 "--save-to", str(tmp_path / "lib.json")]) == 2
    assert "go together" in capsys.readouterr().err


def test_build_builtin_regenerates_the_shipped_file(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "builtin.json"
    assert main(["library", "build-builtin", str(root / "paper_results"), "--out", str(out)]) == 0
    shipped = root / "sksymact" / "library" / "_builtin_activations.json"
    assert json.loads(out.read_text()) == json.loads(shipped.read_text())


def test_a_file_that_lies_about_a_formula_is_refused_not_listed(tmp_path, capsys):
    # x is affine (nonlinearity 0); a file that calls it fully non-linear is refused.
    lie = tmp_path / "lie.json"
    lie.write_text(json.dumps({"format": "sksymact-activation-library", "schema_version": 1,
                               "entries": [{
                                   "name": "straight", "formula": "x", "nonlinearity": 1.0,
                                   "source": None, "discoverer_params": None,
                                   "random_state": None, "fitness": None, "selection": None,
                                   "candidates": None, "versions": {},
                                   "created": "2026-01-01T00:00:00+00:00", "notes": "",
                                   "scores": []}]}))

    assert main(["library", "list", str(lie)]) == 2

    err = capsys.readouterr().err
    assert "lie.json" in err and "'straight'" in err and "field 'nonlinearity'" in err
    assert "stored value 1.0" in err and "which is 0.0" in err
