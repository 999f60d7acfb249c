"""The ``sksymact`` command: discover, demo, option errors and exit statuses."""

import json
import os
import re
import runpy
import sys
import types

import pytest

from sksymact import Formula, __version__, benchmark
from sksymact.benchmark import read_results
from sksymact.cli import main
from sksymact.datasets import make_collider_events

pd = pytest.importorskip("pandas")


@pytest.fixture
def events_csv(tmp_path):
    frame = make_collider_events(400, random_state=0, as_frame=True).frame
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    return path


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"sksymact {__version__}"


def test_a_command_is_required(capsys):
    assert main([]) == 2
    assert "required" in capsys.readouterr().err


@pytest.mark.parametrize("args, expected", [
    (["benchmark", "--n-jobs", "0"], "'0'"),
    (["benchmark", "--higgs-rows", "-5"], "'-5'"),
    (["benchmark", "--covertype-rows", "many"], "'many'"),
    (["benchmark", "--seeds", "x"], "'x'"),
    (["benchmark", "--device", "gpu"], "'gpu'"),
    (["benchmark", "--datasets", "mnist"], "'mnist'"),
    (["benchmark", "--configs", "heavy-gelu"], "'heavy-gelu'"),
    (["discover", "--data", "x.csv", "--target", "y", "--subsample", "1.5"], "'1.5'"),
    (["discover", "--data", "x.csv"], "--target"),
])
def test_bad_option_values_exit_2_naming_the_value(args, expected, capsys):
    assert main(args) == 2
    error = capsys.readouterr().err
    assert expected in error and "Traceback" not in error


def test_benchmark_data_home_must_exist(tmp_path, capsys):
    assert main(["benchmark", "--data-home", str(tmp_path / "nope"), "--out",
                 str(tmp_path / "out")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, seeds", [([], (42, 43, 44)), (["--seeds", "7", "8"], [7, 8])])
def test_benchmark_seeds_default_to_the_papers(args, seeds, tmp_path, monkeypatch, capsys):
    calls = []

    def fake_run_benchmark(out, settings, **kwargs):
        calls.append(kwargs)
        return types.SimpleNamespace(summary="table", n_run=0, n_resumed=0)

    monkeypatch.setattr(benchmark, "run_benchmark", fake_run_benchmark)
    assert main(["benchmark", "--out", str(tmp_path / "out"), "--device", "cpu", *args]) == 0
    assert calls[0]["seeds"] == seeds
    assert tuple(benchmark.PAPER_SEEDS) == (42, 43, 44)


def test_discover_prints_and_saves_the_formula(events_csv, tmp_path, capsys):
    save = tmp_path / "formula.json"
    assert main(["discover", "--data", str(events_csv), "--target", "label",
                 "--population-size", "40", "--generations", "2", "--random-state", "1",
                 "--subsample", "0.5", "--save", str(save)]) == 0
    out = capsys.readouterr().out
    record = json.loads(save.read_text())
    assert f"Activation: {record['expression']}" in out
    assert f"LaTeX:      {record['latex']}" in out
    formula = Formula.parse(record["formula"])
    assert formula.variables <= {"x"}
    assert Formula.parse(record["program"]).collapse() == formula
    assert record["source"] == "events.csv" and record["target"] == "label"
    assert record["n_rows"] == 400 and "m_jj" in record["features"]
    assert record["parameters"] == {"population_size": 40, "generations": 2,
                                    "random_state": 1, "subsample": 0.5,
                                    "function_set": ["add", "sub", "mul", "sin", "cos", "abs"]}
    assert not re.search(r"\bX\d+\b", record["program_with_columns"])
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []  # no temp file left


def test_discover_unknown_column_names_it(events_csv, capsys):
    assert main(["discover", "--data", str(events_csv), "--target", "nope"]) == 2
    error = capsys.readouterr().err
    assert "'nope'" in error and "'m_jj'" in error and "Traceback" not in error


def test_discover_user_errors_exit_2(tmp_path, events_csv, capsys):
    assert main(["discover", "--data", str(tmp_path / "missing.csv"), "--target", "y"]) == 2
    assert "no such file" in capsys.readouterr().err

    text = tmp_path / "text.csv"
    text.write_text("a,kind,y\n1.0,red,0\n2.0,blue,1\n3.0,red,0\n")
    assert main(["discover", "--data", str(text), "--target", "y"]) == 2
    error = capsys.readouterr().err
    assert "'kind'" in error and "not numeric" in error

    assert main(["discover", "--data", str(events_csv), "--target", "label",
                 "--save", str(tmp_path / "no" / "f.json")]) == 2
    assert "does not exist" in capsys.readouterr().err

    assert main(["discover", "--data", str(events_csv), "--target", "label",
                 "--function-set", "add", "exp"]) == 2
    assert "'exp'" in capsys.readouterr().err


def test_python_m_sksymact_runs_main(events_csv, monkeypatch, capsys):
    """``python -m sksymact`` exits with main's status (run in-process, like -m does)."""
    monkeypatch.setattr(sys, "argv", ["sksymact", "discover", "--data", str(events_csv),
                                      "--target", "nope"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("sksymact", run_name="__main__")
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "sksymact discover: error: --target 'nope'" in error
    assert "Traceback" not in error


def test_quick_demo_runs_on_the_bundled_uci_rows(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKSYMACT_DATA", str(tmp_path / "no-data-here"))  # nothing to read
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Settings (smaller than the paper's" in printed and "What it shows" in printed
    table = [line for line in printed.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 4 + 6 + 6  # no transfer on HIGGS, the source
    assert table[1].startswith("| HIGGS | Light ReLU |")
    rows = read_results(out)
    assert {r["dataset"] for r in rows} == {"higgs", "covertype", "spambase"}
    light = {r["dataset"]: r["n_params"] for r in rows if r["configuration"] == "light-relu"}
    assert light == {"higgs": 4161, "covertype": 5825, "spambase": 6017}  # 28, 54, 57 features
    assert {r["n_params"] for r in rows if r["configuration"] == "logistic-regression"} == {""}
    formulas = {f["key"]: f for f in benchmark.read_formulas(out)}
    assert {"higgs/seed=42", "higgs/seed=42/network", "spambase/seed=42/network"} <= set(formulas)
    transfer = {r["formula_key"] for r in rows if r["configuration"] == "hybrid-transfer-network"}
    assert transfer == {"higgs/seed=42/network"}
    # The paragraph is computed from the numbers: each data set's baseline AUC is quoted.
    records = benchmark.summarize(rows)
    for r in records:
        if r["configuration"] == "light-relu":
            assert f"(Light ReLU AUC {r['roc_auc']:.3f})" in printed
    weak = sum(bool(f.get("weak_activation")) for f in formulas.values())
    fell = sum(bool(f.get("fell_back_to_relu")) for f in formulas.values())
    assert f"in {weak} of 3 discoveries no candidate" in printed
    assert f"and in {fell} of them the discoverer returned ReLU" in printed
    for name in ("activations.png", "efficiency.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    assert (out / "summary.md").read_text().startswith("# sksymact demo: summary")
    # The discovered formulas are shown simplified, where they come from in words.
    from sksymact._formula import readable_formula

    fitness = formulas["higgs/seed=42"]
    assert f"   HIGGS, seed 42, best fitness: {readable_formula(fitness['formula'])}" in printed
    network = formulas["higgs/seed=42/network"]
    assert ("   HIGGS, seed 42, network-selected: " + (
        "ReLU, max(x, 0): no candidate trained better than ReLU"
        if network.get("fell_back_to_relu") else readable_formula(network["formula"]))
    ) in printed
    # A network-selected row that is the ReLU fallback says so in the table.
    for r in benchmark.summarize(rows, formulas=formulas):
        k = r["relu_fallback"]
        if k:
            assert f"| {r['label']} [= ReLU in {k}/1 seed] |" in printed


def _record(config, auc, p, relu_fallback=0):
    return {"dataset": "covertype", "configuration": config, "roc_auc": auc,
            "p_value": p, "seeds": [1, 2, 3], "relu_fallback": relu_fallback,
            "label": benchmark.CONFIGURATIONS[config].label}


def test_demo_findings_say_better_worse_or_indistinguishable():
    from sksymact.benchmark._demo import findings

    records = [_record("light-relu", 0.80, None), _record("hybrid-transfer", 0.70, 0.01),
               _record("hist-gradient-boosting", 0.90, 0.02),
               _record("hybrid-transfer-network", 0.81, 0.40)]
    formulas = {"a": {"selection": "network", "weak_activation": True,
                      "fell_back_to_relu": True},
                "b": {"selection": "network", "weak_activation": False}, "c": {}}
    headline, line, network = findings(records, formulas)
    assert headline == ("Discovered activations against Light ReLU: 0 of 2 comparisons "
                        "significantly better, 1 significantly worse, 1 not distinguishable.")
    better, worse = line.split("significantly better than Light ReLU: ")[1].split(
        "significantly worse than Light ReLU: ")
    assert "HistGradientBoosting (not neural) (+0.100, p 0.020)" in better
    assert "Hybrid transfer (-0.100, p 0.010)" in worse
    assert "not distinguishable from Light ReLU: Hybrid transfer (network-selected)" in worse
    assert "in 1 of 2 discoveries" in network and "in 1 of them the discoverer" in network


def test_demo_findings_do_not_count_the_relu_fallback_as_a_discovered_activation():
    from sksymact.benchmark._demo import findings

    records = [_record("light-relu", 0.80, None), _record("hybrid-transfer", 0.70, 0.01),
               _record("hybrid-specialist-network", 0.80, None, relu_fallback=3),
               _record("hybrid-transfer-network", 0.81, 0.42, relu_fallback=2)]
    formulas = {"a": {"selection": "network", "weak_activation": True,
                      "fell_back_to_relu": True}}
    headline, line, network = findings(records, formulas)
    # One honest comparison; the partial fallback apart; the whole fallback not at all.
    assert headline.startswith("Discovered activations against Light ReLU: 0 of 1 comparison "
                               "significantly better, 1 significantly worse, 0 not "
                               "distinguishable.")
    assert "Not counted: 1 row where network selection fell back to ReLU in some seeds" in (
        headline)
    assert "Not counted either: 1 row that is ReLU in every seed." in headline
    assert ("Light ReLU itself in every seed (network selection's ReLU fallback: nothing "
            "discovered to compare): Hybrid specialist (network-selected).") in line
    assert "Hybrid transfer (network-selected) (+0.010, p 0.420, = ReLU in 2/3 seeds)" in line
    assert "in 1 of 1 discovery" in network


def test_counts_are_printed_in_the_right_number(tmp_path, capsys):
    from sksymact.library import ActivationLibrary

    library = ActivationLibrary()
    library.add("only", "sin(x)")
    library.save(tmp_path / "lib.json")
    assert main(["library", "list", str(tmp_path / "lib.json")]) == 0
    assert capsys.readouterr().out.startswith("1 entry (")


def test_collider_demo_stays_available(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--collider", "--n-jobs", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1. Discovery." in printed and "2. Transfer." in printed
    table = [line for line in printed.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 2 * 5
    assert table[1].startswith("| Breast cancer | Heavy ReLU |")
    assert any(line.startswith("| Digits | Heavy ReLU |") for line in table)
    assert "Breast cancer: the transferred activation is" in printed
    rows = read_results(out)
    assert {r["dataset"] for r in rows} == {"breast_cancer", "digits"}
    light = {r["dataset"]: r["n_params"] for r in rows if r["configuration"] == "light-relu"}
    assert light == {"breast_cancer": 4289, "digits": 6762}  # 30 and 64 features; 10 classes


def test_the_benchmark_uses_every_core_by_default(monkeypatch, tmp_path):
    # The rows do not depend on the number of processes (tests/test_benchmark.py
    # compares --n-jobs 1 and 2), so the command a user types uses the machine.
    calls = []
    monkeypatch.setattr(benchmark, "run_benchmark", lambda *a, **kw: calls.append(kw))
    main(["benchmark", "--out", str(tmp_path), "--quiet"])
    main(["benchmark", "--out", str(tmp_path), "--quiet", "--n-jobs", "1"])
    assert [kw["n_jobs"] for kw in calls] == [-1, 1]
