"""The benchmark on regression data sets (our extension): rows, scores, summary, resume.

A tiny regression benchmark runs on the generated ``friedman`` data set (few
rows, one epoch, a tiny search) through :func:`run_benchmark` and through the
command line.  Hybrid transfer's formula is discovered on HIGGS, read from the
sample that ships with the package, so nothing is downloaded.  The
classification benchmark's defaults must not change at all.
"""

import math
import re
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import ttest_rel

from sksymact.benchmark import (
    CONFIGURATIONS,
    DATASETS,
    DEFAULT_CONFIGURATIONS,
    REGRESSION_CONFIGURATIONS,
    RESULT_COLUMNS,
    BenchmarkSettings,
    plan_runs,
    read_formulas,
    read_results,
    run_benchmark,
    summarize,
    write_summary,
)
from sksymact.benchmark import _protocols, _runner
from sksymact.benchmark._store import REGRESSION_COLUMNS, ResultsFolder
from sksymact.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: HIGGS's first 5,000 rows, shipped with the package: the transfer source, offline.
BUNDLED = str(resources.files("sksymact.datasets") / "data")
SETTINGS = BenchmarkSettings(higgs_rows=300, friedman_rows=400, max_iter=1,
                             population_size=20, generations=1)
SEEDS = [42, 43]
TINY = ["--higgs-rows", "300", "--friedman-rows", "400", "--max-iter", "1",
        "--population-size", "20", "--generations", "1", "--no-plots", "--quiet",
        "--n-jobs", "1", "--no-download", "--data-home", BUNDLED]
VOLATILE = ("fit_seconds", "finished_at")


def _stable(rows):
    return {(r["dataset"], r["configuration"], r["seed"]):
            {c: v for c, v in r.items() if c not in VOLATILE} for r in rows}


@pytest.fixture(scope="module")
def friedman_run(tmp_path_factory):
    """The regression configurations on friedman, two seeds, through the Python API."""
    out = tmp_path_factory.mktemp("friedman")
    result = run_benchmark(out, SETTINGS, datasets=["friedman"], seeds=SEEDS,
                           data_home=BUNDLED, download=False, progress=False, plots=False)
    return out, result


def test_classification_defaults_are_unchanged():
    # The paper's six, its three data sets, and the settings ids of the defaults and
    # of the committed folders (paper_results/ and regression-friedman/ share one).
    assert DEFAULT_CONFIGURATIONS == ("heavy-relu", "light-relu", "light-gelu", "light-silu",
                                      "hybrid-specialist", "hybrid-transfer")
    assert [k for k, d in DATASETS.items() if d.task == "classification"] == [
        "higgs", "covertype", "spambase"]
    assert BenchmarkSettings().settings_id == "32624aab6123"
    assert BenchmarkSettings(higgs_rows=5000, covertype_rows=20000).settings_id == (
        "27b79b390a54")
    assert BenchmarkSettings(friedman_rows=400).to_dict()["friedman_rows"] == 400
    # The regression reference estimators are never planned on a classification data set.
    runs = plan_runs(["higgs", "covertype"], [42], list(CONFIGURATIONS))
    assert not {c.key for _, c, _ in runs} & {"hist-gradient-boosting-regressor",
                                              "linear-regression"}
    assert len(plan_runs(["higgs", "covertype", "spambase"], [42],
                         DEFAULT_CONFIGURATIONS)) == 17


class _Planned(Exception):
    """Raised by the stand-in plan: what the run would have trained."""


@pytest.mark.parametrize("argv, datasets, configurations", [
    ([], ["higgs", "covertype", "spambase"], DEFAULT_CONFIGURATIONS),
    (["--task", "regression"], ["california", "friedman"], REGRESSION_CONFIGURATIONS),
    (["--datasets", "friedman"], ["friedman"], REGRESSION_CONFIGURATIONS),
    (["--datasets", "friedman", "--task", "classification"], ["friedman"],
     DEFAULT_CONFIGURATIONS),
])
def test_the_task_chooses_the_default_datasets_and_configurations(argv, datasets,
                                                                  configurations, tmp_path,
                                                                  monkeypatch):
    def plan(*args, **kwargs):
        raise _Planned(list(args[0]), list(args[2]))

    monkeypatch.setattr(_runner, "plan_runs", plan)
    with pytest.raises(_Planned) as planned:
        main(["benchmark", "--out", str(tmp_path), *argv])
    assert planned.value.args == (datasets, list(configurations))


def test_rows_scores_and_parameter_counts(friedman_run):
    out, result = friedman_run
    rows = read_results(out)
    assert result.n_run == len(rows) == len(REGRESSION_CONFIGURATIONS) * len(SEEDS)
    assert {(r["configuration"], r["seed"]) for r in rows} == {
        (c, s) for c in REGRESSION_CONFIGURATIONS for s in SEEDS}
    header = (out / "results.csv").read_text().splitlines()[0].split(",")
    assert tuple(header) == RESULT_COLUMNS + REGRESSION_COLUMNS
    params = {}
    for r in rows:
        assert math.isfinite(r["r2"]) and r["rmse"] > 0
        assert r["accuracy"] == r["roc_auc"] == ""  # classification's scores stay empty
        assert r["n_train"] == 320 and r["n_test"] == 80 and r["n_features"] == 10
        if CONFIGURATIONS[r["configuration"]].neural:
            assert r["e_param"] == pytest.approx(max(r["r2"], 0) / np.log10(r["n_params"]))
            params[r["configuration"]] = r["n_params"]
        else:  # the reference rows have nothing to count
            assert r["n_params"] == r["e_param"] == r["hidden_layer_sizes"] == ""
    # A linear head of one unit: 10 features, BatchNorm after each hidden layer.
    assert params["light-relu"] == params["hybrid-transfer"] == 3009
    assert params["heavy-relu"] == 23001


def test_reference_rows_are_scikit_learns_estimators_on_the_same_split(friedman_run):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score

    out, _ = friedman_run
    rows = _stable(read_results(out))
    X, y = DATASETS["friedman"].load(SETTINGS)
    X_train, X_test, y_train, y_test = _protocols.split(X, y, 42, 0.2, task="regression")
    for key, estimator in (("hist-gradient-boosting-regressor",
                            HistGradientBoostingRegressor(random_state=42)),
                           ("linear-regression", LinearRegression())):
        row = rows["friedman", key, 42]
        assert row["activation"] == repr(estimator)
        assert row["r2"] == pytest.approx(
            r2_score(y_test, estimator.fit(X_train, y_train).predict(X_test)))


def test_formulas_specialist_from_friedman_transfer_from_higgs(friedman_run):
    out, _ = friedman_run
    rows = _stable(read_results(out))
    formulas = {f["key"]: f for f in read_formulas(out)}
    assert set(formulas) == {f"{d}/seed={s}{n}" for s in SEEDS
                             for d, n in (("friedman", ""), ("friedman", "/network"),
                                          ("higgs", ""))}
    for seed in SEEDS:
        # The specialist's formula is a regression search on friedman's training rows.
        specialist = formulas[f"friedman/seed={seed}"]
        assert specialist["task"] == "regression" and specialist["rows_seen"] == 320
        assert rows["friedman", "hybrid-specialist", seed]["activation"] == (
            specialist["formula"])
        # Transfer uses HIGGS's, found as the classification benchmark finds it.
        higgs = formulas[f"higgs/seed={seed}"]
        assert "task" not in higgs and higgs["rows_seen"] == 240
        transfer = rows["friedman", "hybrid-transfer", seed]
        assert transfer["formula_key"] == f"higgs/seed={seed}"
        assert transfer["activation"] == higgs["formula"]


def test_summary_shows_a_regression_table_with_paired_tests_of_r2(friedman_run):
    out, result = friedman_run
    summary = (out / "summary.md").read_text()
    assert summary == result.summary
    assert "## Regression (our extension)" in summary
    assert "| Dataset | Configuration | Accuracy" not in summary  # no classification table
    table = [line for line in summary.splitlines() if line.startswith("| ")]
    assert table[0] == ("| Dataset (regression) | Configuration | R² | RMSE | Params | "
                        "E_param | p (R² vs Light ReLU) | Seeds |")
    assert len(table) == 1 + len(REGRESSION_CONFIGURATIONS)
    assert table[1].startswith("| Friedman #1 | Heavy ReLU |")
    assert "| Light ReLU |" in table[2] and "(baseline)" in table[2]
    assert "HistGradientBoostingRegressor (not neural) |" in summary and "| — | — |" in summary
    assert "E_param = max(R², 0) / log10(Params)" in summary
    assert "make_friedman1(n_features=10, noise=1.0, random_state=0)" in summary

    rows = read_results(out)
    r2 = {(r["configuration"], r["seed"]): r["r2"] for r in rows}
    records = {r["configuration"]: r for r in summarize(rows)}
    heavy = records["heavy-relu"]
    assert heavy["task"] == "regression"
    assert heavy["r2"] == pytest.approx(np.mean([r2["heavy-relu", s] for s in SEEDS]))
    assert heavy["p_value"] == pytest.approx(ttest_rel(
        [r2["heavy-relu", s] for s in SEEDS], [r2["light-relu", s] for s in SEEDS]).pvalue)
    assert write_summary(out) == summary  # the report of its files


def test_running_again_adds_nothing(friedman_run, monkeypatch):
    out, _ = friedman_run
    before = {name: (out / name).read_bytes() for name in ("results.csv", "formulas.json")}
    monkeypatch.setattr(_runner, "train_and_score", lambda *args: 1 / 0)
    monkeypatch.setattr(_runner, "discover", lambda *args: 1 / 0)
    again = run_benchmark(out, SETTINGS, datasets=["friedman"], seeds=SEEDS,
                          data_home=BUNDLED, download=False, progress=False, plots=False)
    assert again.n_run == 0 and again.n_resumed == len(REGRESSION_CONFIGURATIONS) * len(SEEDS)
    assert {n: (out / n).read_bytes() for n in before} == before


def test_command_line_gives_the_python_api_rows(friedman_run, tmp_path):
    out, _ = friedman_run
    configs = ["light-relu", "hybrid-transfer", "linear-regression"]
    cli_out = tmp_path / "cli"
    # No --task: every data set asked for is a regression one.
    assert main(["benchmark", "--datasets", "friedman", "--seeds", "42", "--configs",
                 *configs, "--out", str(cli_out), *TINY]) == 0
    api = _stable(read_results(out))
    cli = _stable(read_results(cli_out))
    assert cli == {("friedman", c, 42): api["friedman", c, 42] for c in configs}
    # Resuming from the command line trains nothing.
    before = (cli_out / "results.csv").read_bytes()
    assert main(["benchmark", "--datasets", "friedman", "--seeds", "42", "--configs",
                 *configs, "--out", str(cli_out), *TINY]) == 0
    assert (cli_out / "results.csv").read_bytes() == before


def test_a_missing_california_cache_names_the_offline_alternative(tmp_path, capsys):
    status = main(["benchmark", "--task", "regression", "--datasets", "california",
                   "--out", str(tmp_path / "out"), *TINY[:-1], str(tmp_path)])
    assert status == 2
    error = capsys.readouterr().err
    assert "Could not load california" in error and "--datasets friedman" in error
    assert "Traceback" not in error


@pytest.mark.parametrize("argv, message", [
    (["--datasets", "higgs", "--configs", "linear-regression"], "nothing to run"),
    (["--datasets", "friedman", "--transfer-matrix"], "classification data sets only"),
])
def test_what_regression_does_not_do_is_refused(argv, message, tmp_path, capsys):
    assert main(["benchmark", "--out", str(tmp_path / "out"), *argv, *TINY]) == 2
    assert message in capsys.readouterr().err


def test_the_converged_budget_reaches_the_regressor(tmp_path):
    # Early stopping, its patience and its validation fraction (not the default 0.1)
    # reach the regressor: its own fit on the same split stops at the same epoch
    # with the same validation R², and it stops before max_iter.
    from sksymact._parallel import limit_torch_threads
    from sksymact.benchmark import _tasks
    from sksymact.benchmark._configs import CONFIGURATIONS as CONFIGS

    converged = BenchmarkSettings(friedman_rows=600, early_stopping=True, max_iter=200,
                                  n_iter_no_change=3, validation_fraction=0.2, batch_size=64)
    X, y = DATASETS["friedman"].load(converged, data_home=BUNDLED, download=False)
    job = _tasks.TrainingJob("friedman", CONFIGS["light-relu"], 42, converged, "cpu",
                             task="regression")
    row = _tasks.train_and_score(job, X, y)
    curve = row["curve"]
    assert set(curve) == {"train_loss", "valid_loss", "valid_r2"}
    assert row["epochs"] == len(curve["valid_r2"]) == len(curve["valid_loss"]) < 200
    assert row["epochs"] == int(np.argmin(curve["valid_loss"])) + 1 + 3  # patience 3
    assert 0 < max(curve["valid_r2"]) <= 1
    X_train, _, y_train, _ = _protocols.split(X, y, 42, 0.2, task="regression")
    reg = _tasks._converged_regressor(max_iter=200, batch_size=64, early_stopping=True,
                                      n_iter_no_change=3, validation_fraction=0.2,
                                      random_state=42, device="cpu")
    with limit_torch_threads(1):
        reg.fit(X_train, y_train)
    assert reg.n_iter_ == row["epochs"]
    assert reg.net_.history[-1, "valid_r2"] == pytest.approx(curve["valid_r2"][-1])


def test_an_old_results_file_reads_and_widens_for_regression_rows(tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(ROOT / "paper_results", folder,
                    ignore=shutil.ignore_patterns("*.png", "*.py", "selection*",
                                                  "learnable_constants.json", "converged",
                                                  "reference-protocol", "transfer-matrix"))
    text = (folder / "results.csv").read_text()
    old_rows = read_results(folder)  # a file written before the extension
    assert "r2" not in old_rows[0] and len(old_rows) == 51
    settings = BenchmarkSettings(higgs_rows=5000, covertype_rows=20000)
    summary = write_summary(folder)

    with ResultsFolder(tmp_path / "classification", settings) as results:
        results.append(old_rows[0])  # a classification row: the columns of before
    assert (tmp_path / "classification" / "results.csv").read_text() == "\n".join(
        text.splitlines()[:2]) + "\n"

    with ResultsFolder(folder, settings) as results:
        for seed, r2 in ((42, 0.8), (43, 0.7)):
            results.append({"dataset": "friedman", "configuration": "light-relu", "seed": seed,
                            "settings_id": settings.settings_id, "r2": r2, "rmse": 1.5,
                            "n_params": 3009, "e_param": r2 / math.log10(3009)})
    widened = (folder / "results.csv").read_text().splitlines()
    assert widened[0] == ",".join(RESULT_COLUMNS + REGRESSION_COLUMNS)
    # The old rows are kept as they were written, with two empty cells added.
    assert widened[1:len(old_rows) + 1] == [line + ",," for line in text.splitlines()[1:]]
    rows = read_results(folder)
    assert [{k: v for k, v in r.items() if k not in REGRESSION_COLUMNS}
            for r in rows[:len(old_rows)]] == old_rows
    assert {r["r2"] for r in rows[:len(old_rows)]} == {""}

    # Both tasks in one summary: the paper's table as before, then the regression one.
    both = write_summary(folder)
    table = next(block for block in summary.split("\n\n") if block.startswith("| Dataset |"))
    assert table.count("\n") == 1 + 17 and table in both
    regression = both.split("## Regression (our extension)")[1]
    assert "| Friedman #1 | Light ReLU | 0.750 ± 0.071 | 1.500 ± 0.000 | 3,009 |" in regression


def _without_fallback_marks(text, records):
    """summary.md as it was written before network selection's ReLU fallback was marked."""
    from sksymact.benchmark._report import fallback_note

    text = text.replace(" " + fallback_note(records), "")
    return re.sub(r" \[= ReLU in \d+/\d+ seeds?\]", "", text)


def test_the_committed_regression_run_is_the_report_of_its_files(tmp_path):
    folder = ROOT / "paper_results" / "regression-friedman"
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    summary = write_summary(copy)
    # Seeds 42 and 44 of the network-selected specialist are the ReLU fallback.
    assert "| Hybrid specialist (network-selected) [= ReLU in 2/3 seeds] |" in summary
    committed = (folder / "summary.md").read_text(encoding="utf-8")
    if "[= ReLU in" not in committed:
        # The committed file predates the marks; every other character must still be
        # the report of its files (once it is rewritten with write_summary, this goes).
        records = summarize(read_results(folder), formulas=read_formulas(folder))
        summary = _without_fallback_marks(summary, records)
    assert summary == committed
    settings = BenchmarkSettings(higgs_rows=5000, covertype_rows=20000)  # the paper run's
    rows = read_results(folder)
    assert len(rows) == 27 and {r["settings_id"] for r in rows} == {settings.settings_id}
    with ResultsFolder(copy, settings) as results:  # resuming trains nothing
        assert len(results.finished()) == len(rows)
    for r in rows:
        if r["n_params"] != "":
            assert r["e_param"] == pytest.approx(max(r["r2"], 0) / np.log10(r["n_params"]))
    # Hybrid transfer's formulas are the classification run's HIGGS formulas.
    paper = {f["key"]: f["formula"] for f in read_formulas(ROOT / "paper_results")}
    ours = {f["key"]: f["formula"] for f in read_formulas(folder) if f["dataset"] == "higgs"}
    assert ours == {key: paper[key] for key in ours} and len(ours) == 3
