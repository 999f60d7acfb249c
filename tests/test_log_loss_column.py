"""The log loss of classification runs in results.csv, and folders written before it."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from sksymact.benchmark import RESULT_COLUMNS, BenchmarkSettings, read_results
from sksymact.benchmark import _protocols, _tasks
from sksymact.benchmark._across import per_dataset_table, win_tie_loss
from sksymact.benchmark._across_report import write_across_report
from sksymact.benchmark._configs import configuration
from sksymact.benchmark._store import (LOG_LOSS_COLUMNS, REGRESSION_COLUMNS, BenchmarkError,
                                       ResultsFolder)

ROOT = Path(__file__).resolve().parents[1]
#: The columns of a results file of classification runs written now.
HEADER = RESULT_COLUMNS + LOG_LOSS_COLUMNS


def _three_classes(n=240, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=n), [-0.5, 0.5])
    return X, y


def _job(config, task="classification", **settings):
    settings = BenchmarkSettings(max_iter=2, batch_size=64, **settings)
    return _tasks.TrainingJob("toy", configuration(config), 42, settings, device="cpu",
                              task=task)


# ---------------------------------------------------------------------------
# The column of a run
# ---------------------------------------------------------------------------

def test_a_reference_row_has_sklearns_log_loss_of_its_probabilities():
    X, y = _three_classes()
    row = _tasks.train_and_score(_job("logistic-regression"), X, y)
    X_train, X_test, y_train, y_test = _protocols.split(X, y, 42, 0.2)
    clf = LogisticRegression(max_iter=1000, random_state=42).fit(X_train, y_train)
    assert row["log_loss"] == log_loss(y_test, clf.predict_proba(X_test), labels=[0, 1, 2])
    assert row["log_loss"] > 0


def test_a_network_row_has_the_log_loss_of_its_predict_proba():
    from sksymact import HybridTransferClassifier

    X, y = _three_classes()
    X_train, X_test, y_train, y_test = _protocols.split(X, y, 42, 0.2)
    clf = HybridTransferClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0,
                                   device="cpu").fit(X_train, y_train)
    scores = _tasks.score(clf, X_test, y_test)
    assert scores["log_loss"] == log_loss(y_test, clf.predict_proba(X_test),
                                          labels=clf.classes_)
    # A whole training: the row carries it, a finite number.
    row = _tasks.train_and_score(_job("light-relu"), X, y)
    assert np.isfinite(row["log_loss"]) and row["log_loss"] > 0


def test_a_regression_row_has_no_log_loss(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=120)
    row = _tasks.train_and_score(_job("linear-regression", task="regression"), X, y)
    assert "log_loss" not in row and np.isfinite(row["r2"])
    settings = BenchmarkSettings()
    with ResultsFolder(tmp_path, settings) as folder:
        folder.append({**row, "settings_id": settings.settings_id})
    header = (tmp_path / "results.csv").read_text().splitlines()[0].split(",")
    assert tuple(header) == RESULT_COLUMNS + REGRESSION_COLUMNS  # as before the log loss
    (read,) = read_results(tmp_path)
    assert read["log_loss"] == read["accuracy"] == read["roc_auc"] == ""


# ---------------------------------------------------------------------------
# Writing: new folders, folders written before the column
# ---------------------------------------------------------------------------

def _classification_row(settings, seed, value, dataset="toy"):
    return {"dataset": dataset, "configuration": "light-relu", "seed": seed,
            "settings_id": settings.settings_id, "accuracy": 0.75, "roc_auc": 0.8,
            "log_loss": value, "n_params": 100, "e_param": 0.4}


def test_a_new_classification_folder_has_the_column(tmp_path):
    settings = BenchmarkSettings()
    with ResultsFolder(tmp_path, settings) as folder:
        folder.append(_classification_row(settings, 42, 0.4812345678901234))
        folder.append(_classification_row(settings, 43, None))  # not measured: an empty cell
    lines = (tmp_path / "results.csv").read_text().splitlines()
    assert lines[0] == ",".join(HEADER) and len(lines) == 3
    assert lines[1].endswith(",0.4812345678901234") and lines[2].endswith(",")
    assert [r["log_loss"] for r in read_results(tmp_path)] == [0.4812345678901234, ""]


@pytest.fixture
def old_folder(tmp_path):
    """A copy of a committed results folder, written before the log loss was recorded."""
    folder = tmp_path / "old"
    folder.mkdir()
    for name in ("results.csv", "settings.json", "formulas.json"):
        shutil.copy(ROOT / "paper_results" / name, folder / name)
    return folder


def _settings_of(folder):
    stored = json.loads((folder / "settings.json").read_text())
    settings = BenchmarkSettings.from_dict(stored["settings"])
    # Adding a result column is no settings change: the folder's id is the same.
    assert settings.settings_id == stored["settings_id"]
    return settings


def test_an_old_folder_reads_with_empty_log_losses(old_folder):
    text = (old_folder / "results.csv").read_text()
    assert "log_loss" not in text.splitlines()[0]
    rows = read_results(old_folder)
    assert len(rows) == 51 and {r["log_loss"] for r in rows} == {""}
    assert all(isinstance(r["roc_auc"], float) for r in rows)


def test_resuming_into_an_old_folder_widens_it_once(old_folder):
    path = old_folder / "results.csv"
    text = path.read_text()
    old_rows = read_results(old_folder)
    settings = _settings_of(old_folder)
    with ResultsFolder(old_folder, settings) as folder:
        assert len(folder.finished()) == 51  # the old rows count as finished
        # A row without a log loss (read back from an old file) changes nothing.
        folder.append({**old_rows[0], "dataset": "again"})
        assert path.read_text().splitlines()[0] == text.splitlines()[0]
        folder.append(_classification_row(settings, 42, 0.5))
        folder.append(_classification_row(settings, 43, 0.25))
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(HEADER)
    assert sum(line.startswith("dataset,") for line in lines) == 1  # one header
    # The old rows are kept as they were written, with an empty cell added.
    old_lines = text.splitlines()[1:]
    assert lines[1:len(old_lines) + 1] == [line + "," for line in old_lines]
    rows = read_results(old_folder)
    assert rows[:len(old_rows)] == old_rows
    assert [r["log_loss"] for r in rows[len(old_rows):]] == ["", 0.5, 0.25]


def test_an_old_folder_widens_for_regression_then_for_log_loss(old_folder):
    path = old_folder / "results.csv"
    old_lines = path.read_text().splitlines()[1:]
    settings = _settings_of(old_folder)
    with ResultsFolder(old_folder, settings) as folder:
        folder.append({"dataset": "friedman", "configuration": "light-relu", "seed": 42,
                       "settings_id": settings.settings_id, "r2": 0.8, "rmse": 1.5})
        assert path.read_text().splitlines()[0] == ",".join(
            RESULT_COLUMNS + REGRESSION_COLUMNS)
        folder.append(_classification_row(settings, 42, 0.5))
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(RESULT_COLUMNS + REGRESSION_COLUMNS + LOG_LOSS_COLUMNS)
    assert lines[1:len(old_lines) + 1] == [line + ",,," for line in old_lines]
    rows = read_results(old_folder)
    assert (rows[-2]["r2"], rows[-2]["log_loss"]) == (0.8, "")
    assert (rows[-1]["r2"], rows[-1]["log_loss"]) == ("", 0.5)


def test_an_interrupted_widening_leaves_the_old_file(old_folder, monkeypatch):
    import sksymact._io

    path = old_folder / "results.csv"
    text = path.read_text()
    settings = _settings_of(old_folder)

    def interrupted(*args):
        raise KeyboardInterrupt

    with ResultsFolder(old_folder, settings) as folder:
        monkeypatch.setattr(sksymact._io.os, "replace", interrupted)
        with pytest.raises(KeyboardInterrupt):
            folder.append(_classification_row(settings, 42, 0.5))
        monkeypatch.undo()
    assert path.read_text() == text
    assert sorted(p.name for p in old_folder.iterdir()) == [
        "formulas.json", "results.csv", "settings.json"]  # no temporary file left


def test_a_file_with_the_column_twice_or_misplaced_is_refused(tmp_path):
    settings = BenchmarkSettings()
    with ResultsFolder(tmp_path, settings) as folder:
        folder.append(_classification_row(settings, 42, 0.5))
    path = tmp_path / "results.csv"
    lines = path.read_text().splitlines()
    for header in (["log_loss", *RESULT_COLUMNS], [*HEADER, "log_loss"]):
        path.write_text("\n".join([",".join(header), lines[1]]) + "\n")
        with pytest.raises(BenchmarkError, match="header"):
            read_results(path)


# ---------------------------------------------------------------------------
# The report across data sets
# ---------------------------------------------------------------------------

def _across_rows(with_log_loss=True):
    """"better" has the lower log loss on every data set, "worse" the higher one."""
    loss = {"better": 0.3, "light-relu": 0.5, "worse": 0.9}
    return [{"dataset": f"pmlb:d{d}", "configuration": c, "seed": s,
             "accuracy": 0.8 + 0.001 * (d + s + j), "roc_auc": 0.85 + 0.001 * (d - s + j),
             "log_loss": (value + 0.01 * d + 0.003 * s * (j + 1)) if with_log_loss else None,
             "n_params": 100, "e_param": 0.4}
            for d in range(4) for s in range(3) for j, (c, value) in enumerate(loss.items())]


def test_a_lower_log_loss_ranks_first_and_wins():
    rows = _across_rows()
    verdicts = win_tie_loss(per_dataset_table(rows, "log_loss"))
    assert verdicts["better"] == {"win": 4, "tie": 0, "loss": 0}
    assert verdicts["worse"] == {"win": 0, "tie": 0, "loss": 4}


def test_the_across_report_adds_log_loss_where_rows_have_it(tmp_path):
    settings = BenchmarkSettings()
    folder = tmp_path / "new"
    with ResultsFolder(folder, settings) as results:
        for row in _across_rows():
            results.append({"settings_id": settings.settings_id, **row})
    text = write_across_report(folder)
    assert text.startswith("# accuracy across 4 data sets (higher is better)")
    section = text.split("\n# log_loss across 4 data sets (lower is better)")[1]
    aggregate = section.split("## Aggregate")[1].split("## Friedman")[0]
    assert "| better | 1.00 | 1.000 (4) | 4/0/0 |" in aggregate
    assert "| worse | 3.00 | 0.000 (4) | 0/0/4 |" in aggregate
    # Without the column (a folder written before it): no log loss section.
    old = tmp_path / "old"
    with ResultsFolder(old, settings) as results:
        for row in _across_rows(with_log_loss=False):
            results.append({"settings_id": settings.settings_id, **row})
    assert "log_loss" not in (old / "results.csv").read_text().splitlines()[0]
    assert "log_loss" not in write_across_report(old)
    # Resumed with new rows on two more data sets: only those rows have a log loss,
    # and only they make its statistics.
    with ResultsFolder(old, settings) as results:
        for row in _across_rows():
            if row["dataset"] in ("pmlb:d2", "pmlb:d3"):
                results.append({"settings_id": settings.settings_id, **row,
                                "dataset": row["dataset"] + "-new"})
    text = write_across_report(old)
    assert text.startswith("# accuracy across 6 data sets (higher is better)")
    assert "\n# log_loss across 2 data sets (lower is better)" in text
