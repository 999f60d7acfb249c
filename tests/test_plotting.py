"""Plots: what is drawn (lines, points, axes) and that it saves as PNG."""

import json

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from sksymact import Formula  # noqa: E402
from sksymact.plotting import plot_activation, plot_efficiency  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _rows():
    rows = []
    for dataset, d in (("higgs", 28), ("covertype", 54)):
        for config, hidden, auc in (("heavy-relu", (200, 100), 0.80),
                                    ("light-relu", (64, 32), 0.78),
                                    ("hybrid-transfer", (64, 32), 0.79)):
            h1, h2 = hidden
            n_params = (d * h1 + h1) + 2 * h1 + (h1 * h2 + h2) + 2 * h2 + (h2 + 1)
            for seed, noise in zip((42, 43, 44), (-0.01, 0.0, 0.01)):
                rows.append({"dataset": dataset, "configuration": config, "seed": seed,
                             "n_params": n_params, "roc_auc": auc + noise, "accuracy": 0.7})
    return rows


def test_plot_activation_draws_each_distinct_formula_and_the_baselines():
    formulas = [
        {"key": "higgs/seed=42", "dataset": "higgs", "seed": 42, "formula": "mul(cos(x), x)"},
        {"key": "higgs/seed=43", "dataset": "higgs", "seed": 43, "formula": "mul(cos(X3), X3)"},
        {"key": "covertype/seed=42", "dataset": "covertype", "seed": 42, "formula": "sin(x)"},
    ]
    ax = plot_activation(formulas, x_range=(-2, 3), n_points=51)
    lines = ax.get_lines()
    # x*cos(x) found twice is drawn once; then sin(x), ReLU and SiLU.
    assert len(lines) == 4
    labels = [line.get_label() for line in lines]
    assert "higgs/seed=42, higgs/seed=43" in labels[0]
    assert labels[2:] == ["ReLU", "SiLU"]
    x, y = lines[0].get_data()
    assert x[0] == -2 and x[-1] == 3 and len(x) == 51
    np.testing.assert_allclose(y, x * np.cos(x))
    np.testing.assert_allclose(lines[2].get_data()[1], np.maximum(x, 0))


def test_plot_activation_reads_formulas_json_and_other_shapes(tmp_path):
    path = tmp_path / "formulas.json"
    path.write_text(json.dumps({"formulas": [{"key": "a", "formula": "abs(x)"}]}))
    assert len(plot_activation(path).get_lines()) == 3
    assert len(plot_activation(tmp_path).get_lines()) == 3  # the folder holding it
    assert len(plot_activation({"mine": Formula.parse("x*x")}, baselines=False).get_lines()) == 1
    assert len(plot_activation("sin(x) + x", baselines=False).get_lines()) == 1


def test_plot_activation_draws_into_a_given_axes_and_saves_png(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert plot_activation(["x*cos(x)"], ax=ax) is ax
    fig.savefig(tmp_path / "a.png")
    assert (tmp_path / "a.png").read_bytes()[:8] == PNG_MAGIC


def test_plot_efficiency_one_panel_per_dataset_one_point_per_configuration(tmp_path):
    fig = plot_efficiency(_rows(), labels={"light-relu": "Light ReLU", "higgs": "HIGGS"})
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert ax.get_title() == "HIGGS"
    assert len(ax.containers) == 3  # heavy, light, transfer: one error bar each
    points = {c.get_label(): c.lines[0].get_data() for c in ax.containers}
    (x,), (y,) = points["Light ReLU"]
    assert x == 4161 and y == pytest.approx(0.78)
    # The frontier: light ReLU is beaten by transfer at the same size, heavy is larger.
    frontier = [line for line in ax.get_lines() if line.get_gid() == "frontier"]
    assert len(frontier) == 1
    assert list(frontier[0].get_xdata()) == [4161, 26601]
    assert list(frontier[0].get_ydata()) == pytest.approx([0.79, 0.80])
    fig.savefig(tmp_path / "e.png")
    assert (tmp_path / "e.png").read_bytes()[:8] == PNG_MAGIC


def test_plot_efficiency_reads_results_csv(tmp_path):
    import csv

    rows = _rows()
    with open(tmp_path / "results.csv", "w", newline="") as stream:
        writer = csv.DictWriter(stream, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    fig = plot_efficiency(tmp_path / "results.csv", datasets=["covertype"], metric="accuracy")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "covertype"
    assert fig.axes[0].get_ylabel() == "accuracy"
    pd = pytest.importorskip("pandas")
    assert len(plot_efficiency(pd.DataFrame(rows)).axes) == 2


def test_plot_efficiency_names_a_missing_dataset():
    with pytest.raises(ValueError, match="'spambase'"):
        plot_efficiency(_rows(), datasets=["spambase"])
