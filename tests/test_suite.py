"""Suites of real data sets: pmlb:NAME data sets, --suite, and the report across data sets.

The quick suite reads the shared PMLB files of SKSYMACT_DATA (skipped without it,
failed in CI where the files must be there); the synthetic PMLB data set is
written here, so ``pmlb:NAME`` is tested on a data set that no shared folder holds.
"""

import gzip
import json
import os

import numpy as np
import pytest

from sksymact.benchmark import REGRESSION_CONFIGURATIONS, SUITES, read_results
from sksymact.benchmark._configs import configuration
from sksymact.benchmark._datasets import PMLB_PREFIX, pmlb_dataset, with_pmlb
from sksymact.cli import main

QUICK = SUITES["pmlb-classification"].quick["datasets"]
QUICK_REGRESSION = SUITES["pmlb-regression"].quick["datasets"]


def _in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def pmlb_home():
    home = os.environ.get("SKSYMACT_DATA")
    names = [key[len(PMLB_PREFIX):] for key in (*QUICK, *QUICK_REGRESSION, "pmlb:magic")]
    missing = [n for n in names if not home or not os.path.isfile(
        os.path.join(home, "pmlb", n, f"{n}.tsv.gz"))]
    if not missing:
        return home
    problem = (f"the PMLB files of {', '.join(missing)} are not in SKSYMACT_DATA "
               f"({home!r}): set it to a folder holding pmlb/<name>/<name>.tsv.gz")
    if _in_ci():
        pytest.fail(f"{problem} (CI is set: the suite must run)", pytrace=False)
    pytest.skip(problem)


def test_the_classification_suite_is_the_14_shared_sets_with_its_baselines():
    suite = SUITES["pmlb-classification"]
    assert len(suite.datasets) == 14 and all(d.startswith(PMLB_PREFIX) for d in suite.datasets)
    for key in ("light-relu", "light-best-standard", "light-learnable-blend",
                "hybrid-specialist-network", "transfer-paper", "transfer-from-pmlb:magic",
                "hist-gradient-boosting", "logistic-regression"):
        assert key in suite.configurations
        configuration(key)  # known
    assert len(suite.seeds) == 5 and suite.settings["early_stopping"] is True


def _run_quick(suite, pmlb_home, out, datasets):
    """Run ``--suite suite --quick`` offline into ``out``; its rows, after checking that
    every configuration ran on every one of ``datasets``."""
    assert main(["benchmark", "--suite", suite, "--quick", "--out", str(out),
                 "--data-home", pmlb_home, "--no-download", "--n-jobs", "1", "--quiet",
                 "--no-plots"]) == 0
    rows = read_results(out)
    configs = SUITES[suite].configurations
    assert {(r["dataset"], r["configuration"]) for r in rows} == {
        (d, c) for d in datasets for c in configs}
    return rows, configs


def test_the_quick_suite_runs_and_reports_every_configuration_and_data_set(pmlb_home, tmp_path):
    out = tmp_path / "quick"
    rows, configs = _run_quick("pmlb-classification", pmlb_home, out, QUICK)
    assert all(r["seed"] == 42 for r in rows)
    report = (out / "across.md").read_text(encoding="utf-8")
    for key in (*configs, *QUICK):
        assert key in report
    assert "Friedman" in report and "Holm" in report
    assert (out / "critical_difference.png").stat().st_size > 0
    chosen = {r["activation"] for r in rows if r["configuration"] == "light-best-standard"}
    assert chosen <= {f"best-standard:{a}" for a in ("relu", "gelu", "silu", "tanh")}
    # The data sets' feature kinds split the report (dna has only binary features).
    assert "discrete features" in report and "continuous features" in report


def test_the_regression_suite_is_the_5_shared_sets_scored_by_r2():
    suite = SUITES["pmlb-regression"]
    assert suite.datasets == tuple(f"pmlb:{name}" for name in (
        "537_houses", "197_cpu_act", "225_puma8NH", "564_fried", "201_pol"))
    assert suite.metric == "r2" and len(suite.seeds) == 5
    assert suite.settings == SUITES["pmlb-classification"].settings  # the converged budget
    # The regression defaults, and the networks of the classification suite that
    # need no search on the target.
    for key in (*REGRESSION_CONFIGURATIONS, "light-tanh", "light-best-standard",
                "light-learnable-blend", "transfer-paper", "transfer-from-pmlb:magic"):
        assert key in suite.configurations
    assert all(configuration(key).applies_to("regression") for key in suite.configurations)


def test_the_quick_regression_suite_runs_converged_and_ranks_by_r2(pmlb_home, tmp_path):
    out = tmp_path / "quick-regression"
    rows, configs = _run_quick("pmlb-regression", pmlb_home, out, QUICK_REGRESSION)
    assert all(r["seed"] == 42 and r["n_train"] + r["n_test"] == 600 for r in rows)
    assert all(-1 < r["r2"] <= 1 and r["accuracy"] == "" for r in rows)
    # The converged budget: every network has its validation R² curve, and stops by
    # max_iter (20 in the quick suite).
    curves = json.loads((out / "curves.json").read_text())["curves"]
    networks = [r for r in rows if r["n_params"] != ""]
    assert len(curves) == len(networks)
    assert all(len(c["valid_r2"]) == len(c["valid_loss"]) <= 20 for c in curves)
    assert all(r["epochs"] <= 20 for r in networks)
    # The report across data sets ranks by R² alone (no classification metric).
    report = (out / "across.md").read_text(encoding="utf-8")
    assert report.startswith("# r2 across 3 data sets (higher is better)")
    assert "accuracy" not in report and "roc_auc" not in report
    for key in (*configs, *QUICK_REGRESSION):
        assert key in report
    assert "Friedman" in report and "Holm" in report
    assert (out / "critical_difference.png").stat().st_size > 0
    chosen = {r["activation"] for r in rows if r["configuration"] == "light-best-standard"}
    assert chosen <= {f"best-standard:{a}" for a in ("relu", "gelu", "silu", "tanh")}


def _write_pmlb(home, name, X, y):
    folder = home / "pmlb" / name
    folder.mkdir(parents=True)
    lines = ["\t".join([*(f"f{i}" for i in range(X.shape[1])), "target"])]
    lines += ["\t".join([*(repr(float(v)) for v in row), repr(float(t))])
              for row, t in zip(X, y)]
    with gzip.open(folder / f"{name}.tsv.gz", "wt") as stream:
        stream.write("\n".join(lines) + "\n")


def test_any_pmlb_data_set_in_the_cache_layout_runs(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = np.where(X[:, 0] + X[:, 1] ** 2 > 1, 2.0, 1.0)  # float labels, as some PMLB sets
    _write_pmlb(tmp_path, "not_shared_anywhere", X, y)
    monkeypatch.setenv("SKSYMACT_DATA", str(tmp_path))
    entry = pmlb_dataset("not_shared_anywhere")
    assert entry.task == "classification" and entry.group == "continuous features"
    assert "pmlb:not_shared_anywhere" in with_pmlb(["pmlb:not_shared_anywhere", "higgs"])
    out = tmp_path / "out"
    assert main(["benchmark", "--datasets", "pmlb:not_shared_anywhere", "--configs",
                 "light-relu", "logistic-regression", "--seeds", "42", "--max-iter", "2",
                 "--max-rows", "200", "--out", str(out), "--data-home", str(tmp_path),
                 "--no-download", "--n-jobs", "1", "--quiet", "--no-plots"]) == 0
    rows = read_results(out)
    assert len(rows) == 2 and {r["n_train"] + r["n_test"] for r in rows} == {200}
    assert (out / "across.md").exists()


def test_a_regression_name_is_known_without_its_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SKSYMACT_DATA", str(tmp_path))
    assert pmlb_dataset("999_not_cached").task == "regression"
    assert pmlb_dataset("not_cached_either").task == "classification"


def test_unknown_names_are_refused_by_the_command_line(capsys):
    assert main(["benchmark", "--datasets", "no-such-set"]) == 2
    assert "pmlb:NAME" in capsys.readouterr().err
    assert main(["benchmark", "--quick"]) == 2
    assert "--quick goes with --suite" in capsys.readouterr().err


def test_a_curve_with_a_value_that_is_not_finite_is_stored_as_null(tmp_path):
    # A validation AUC is NaN where a small class is missing from the validation rows.
    import json

    from sksymact.benchmark import BenchmarkSettings
    from sksymact.benchmark._store import ResultsFolder

    settings = BenchmarkSettings()
    with ResultsFolder(tmp_path / "out", settings) as folder:
        folder.add_curve({"dataset": "d", "configuration": "c", "seed": 1,
                          "settings_id": settings.settings_id,
                          "curve": {"valid_auc": [0.5, float("nan")],
                                    "train_loss": [1.0, float("inf")]}})
        (curve,) = folder.curves()
    assert curve["valid_auc"] == [0.5, None] and curve["train_loss"] == [1.0, None]
    json.loads((tmp_path / "out" / "curves.json").read_text())  # strict JSON
