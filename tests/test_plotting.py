"""Plots: what is drawn (lines, points, axes) and that it saves as PNG."""

import ast
import json
from pathlib import Path

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
                                    ("hybrid-transfer", (64, 32), 0.79),
                                    ("hist-gradient-boosting", None, 0.85)):
            if hidden is None:
                n_params = ""  # not a network
            else:
                h1, h2 = hidden
                n_params = (d * h1 + h1) + 2 * h1 + (h1 * h2 + h2) + 2 * h2 + (h2 + 1)
            for seed, noise in zip((42, 43, 44), (-0.01, 0.0, 0.01)):
                rows.append({"dataset": dataset, "configuration": config, "seed": seed,
                             "n_params": n_params, "roc_auc": auc + noise, "accuracy": 0.7})
    return rows


LABELS = {"light-relu": "Light ReLU", "heavy-relu": "Heavy ReLU",
          "hybrid-transfer": "Hybrid transfer", "higgs": "HIGGS", "covertype": "Covertype",
          "hist-gradient-boosting": "HistGradientBoosting (not neural)"}
#: What the benchmark passes for these configurations, in its table's order.
KINDS = {"heavy-relu": "network", "light-relu": "network", "hybrid-transfer": "discovered",
         "hist-gradient-boosting": "reference"}
SOURCE = Path(__file__).resolve().parents[1] / "sksymact"


def _imported_modules(path, package="sksymact"):
    """Every module a file imports, at any depth (a lazy import inside a function too)."""
    parent = path.parent.relative_to(SOURCE.parent).parts
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(parent[:len(parent) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # ``from . import x`` may import the module ``x``.
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_plotting_imports_nothing_from_the_benchmark():
    # The benchmark draws with plotting, so plotting sits below it.  The files
    # are read, not imported: a lazy import runs only when its function does.
    # The sksymact modules plotting imports are followed, for they must not
    # import the benchmark either.
    seen, todo = set(), [SOURCE / "plotting.py"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imported_modules(path):
            assert "benchmark" not in name.split("."), (path.name, name)
            parts = name.split(".")
            if parts[0] == "sksymact" and len(parts) > 1:
                module = SOURCE.joinpath(*parts[1:])
                todo += [p for p in (module.with_suffix(".py"), module / "__init__.py")
                         if p.exists()]
    assert SOURCE / "_formula.py" in seen and SOURCE / "_statistics.py" in seen


def test_plot_activation_draws_each_distinct_formula_and_the_baselines():
    formulas = [
        {"key": "higgs/seed=42", "dataset": "higgs", "seed": 42, "formula": "mul(cos(x), x)"},
        {"key": "higgs/seed=43", "dataset": "higgs", "seed": 43, "formula": "mul(cos(X3), X3)"},
        {"key": "covertype/seed=42", "dataset": "covertype", "seed": 42, "formula": "sin(x)"},
    ]
    ax = plot_activation(formulas, x_range=(-2, 3), n_points=51, labels=LABELS)
    lines = ax.get_lines()
    # x*cos(x) found twice is drawn once; then sin(x), ReLU and SiLU.
    assert len(lines) == 4
    labels = [line.get_label() for line in lines]
    # Readable: the simplified formula, then where it was found, seeds merged.
    assert labels[0] == "x*cos(x)\n  HIGGS, seeds 42, 43"
    assert labels[1] == "sin(x)\n  Covertype, seed 42"
    assert labels[2:] == ["ReLU", "SiLU"]
    x, y = lines[0].get_data()
    assert x[0] == -2 and x[-1] == 3 and len(x) == 51
    np.testing.assert_allclose(y, x * np.cos(x))
    np.testing.assert_allclose(lines[2].get_data()[1], np.maximum(x, 0))
    # Without display names, the data sets are shown by their keys.
    labels = [line.get_label() for line in plot_activation(formulas).get_lines()]
    assert labels[:2] == ["x*cos(x)\n  higgs, seeds 42, 43", "sin(x)\n  covertype, seed 42"]


def test_plot_activation_labels_the_relu_fallback_instead_of_drawing_it_as_discovered():
    fallback = [{"key": f"higgs/seed={s}/network", "dataset": "higgs", "seed": s,
                 "selection": "network", "formula": "max(x, 0.0)", "fell_back_to_relu": True}
                for s in (42, 43)]
    found = {"key": "higgs/seed=44/network", "dataset": "higgs", "seed": 44,
             "selection": "network", "formula": "sin(x)", "fell_back_to_relu": False}
    for baselines in (True, False):
        labels = [line.get_label()
                  for line in plot_activation([*fallback, found], baselines=baselines,
                                              labels=LABELS).get_lines()]
        assert labels[0] == "sin(x)\n  HIGGS, seed 44, network-selected"
        relu = [label for label in labels if label.startswith("ReLU")]
        assert len(relu) == 1 and "fallback, nothing discovered" in relu[0]
        assert "HIGGS, seeds 42, 43, network-selected" in relu[0]
        assert not any("Max" in label for label in labels)  # not a discovered curve
        assert len(labels) == (3 if baselines else 2)


def test_plot_activation_y_range_shows_the_curves_where_pre_activations_live():
    # -x² reaches -25 at x = ±5, but only -9 where BatchNorm's outputs lie (|x| <= 3).
    ax = plot_activation(["mul(x, mul(x, -1.0))", "sin(x)"])
    low, high = ax.get_ylim()
    assert -10.5 < low < -9 and 3 <= high < 4  # ReLU reaches 3 at x = 3
    low, _ = plot_activation(["mul(x, mul(x, -1.0))"], y_focus=None).get_ylim()
    assert low < -25


def test_activation_legends_stay_under_their_own_panels(tmp_path):
    from matplotlib.figure import Figure

    long = [{"key": f"spambase/seed={s}/network", "dataset": "spambase", "seed": s,
             "selection": "network", "formula": "add(sub(add(add(x, sin(add(x, add(add(x, "
             "sin(x)), x)))), x), x), x)"} for s in (42, 43, 44)]
    fig = Figure(figsize=(15.6, 5), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax in axes:
        plot_activation(long + ["x*cos(x)"], ax=ax)
    fig.savefig(tmp_path / "a.png")  # lays the figure out
    boxes = [ax.get_window_extent() for ax in axes]
    for i, ax in enumerate(axes):
        legend = ax.get_legend().get_window_extent()
        assert legend.x0 >= (boxes[i - 1].x1 if i else 0)
        assert legend.x1 <= (boxes[i + 1].x0 if i + 1 < len(axes) else fig.bbox.x1)


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


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_plot_efficiency_shows_each_configuration_its_e_param_and_the_references(tmp_path):
    fig = plot_efficiency(_rows(), labels=LABELS, kinds=KINDS)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    assert ax.get_title().startswith("HIGGS")
    # One row per network, the baseline on top; the estimator that is no network is a line.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Light ReLU", "Heavy ReLU", "Hybrid transfer"]
    assert len(ax.containers) == 3
    points = {c.get_label(): c.lines[0].get_data() for c in ax.containers}
    (x,), (y,) = points["Light ReLU"]
    assert x == pytest.approx(0.78) and y == 0
    references = [line for line in ax.get_lines()
                  if line.get_label().startswith("HistGradient")]
    assert len(references) == 1 and references[0].get_xdata()[0] == pytest.approx(0.85)
    # E_param beside every network: AUC / log10(parameters).
    assert f"{0.78 / np.log10(4161):.3f}" in " ".join(_texts(ax))
    assert "E_param" in _texts(ax)
    # The title says what the figure shows, computed from the scores.
    title = fig.get_suptitle()
    assert "Highest mean ROC AUC: HistGradientBoosting (not neural), on every data set" in title
    # Transfer is 0.01 above Light ReLU in every seed of both data sets: significant.
    assert "Discovered activations significantly above Light ReLU: 2 of 2" in title
    fig.savefig(tmp_path / "e.png")
    assert (tmp_path / "e.png").read_bytes()[:8] == PNG_MAGIC


def test_plot_efficiency_marks_the_relu_fallback_and_keeps_a_failure_on_the_panel():
    rows = [r for r in _rows() if r["dataset"] == "covertype"]
    for r in rows:
        if r["configuration"] == "hybrid-transfer":
            r["roc_auc"] -= 0.5  # a transfer that failed, far from the others
    rows += [{**r, "configuration": "hybrid-transfer-network",
              "formula_key": f"higgs/seed={r['seed']}/network"}
             for r in rows if r["configuration"] == "light-relu"]
    formulas = [{"key": f"higgs/seed={s}/network", "fell_back_to_relu": True}
                for s in (42, 43, 44)]
    fig = plot_efficiency(rows, formulas=formulas)
    ax = fig.axes[0]
    assert "= ReLU in 3/3" in _texts(ax)
    assert "1 more is ReLU in every seed" in fig.get_suptitle()
    # The failed transfer would squeeze every other row into a line: it is drawn at
    # the left edge with its numbers, and the others keep a readable scale.
    low, high = ax.get_xlim()
    assert low > 0.7 and high < 0.9
    assert "0.290 ± 0.010" in _texts(ax)


def test_plot_efficiency_reads_results_csv(tmp_path):
    import csv

    rows = _rows()
    with open(tmp_path / "results.csv", "w", newline="") as stream:
        writer = csv.DictWriter(stream, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    fig = plot_efficiency(tmp_path / "results.csv", datasets=["covertype"], metric="accuracy")
    assert len(fig.axes) == 1 and fig.axes[0].get_title().startswith("covertype")
    assert fig.axes[0].get_xlabel() == "accuracy on the test rows"
    pd = pytest.importorskip("pandas")
    assert len(plot_efficiency(pd.DataFrame(rows)).axes) == 2


def test_plot_efficiency_names_a_missing_dataset():
    with pytest.raises(ValueError, match="'spambase'"):
        plot_efficiency(_rows(), datasets=["spambase"])


def test_plot_efficiency_takes_kinds_and_order_from_its_caller():
    def colours(fig):
        return {c.get_label(): c.lines[0].get_color() for c in fig.axes[0].containers}

    # Without kinds, a configuration whose rows name a formula is a discovered one.
    rows = [{**r, "formula_key": f"higgs/seed={r['seed']}"}
            if r["configuration"] == "hybrid-transfer" else r for r in _rows()]
    fig = plot_efficiency(rows)
    assert colours(fig) == {"light-relu": "black", "heavy-relu": "tab:blue",
                            "hybrid-transfer": "tab:orange"}
    assert "significantly above light-relu: 2 of 2" in fig.get_suptitle()
    # Without either, it is drawn as any other activation and not tested.
    fig = plot_efficiency(_rows(), labels=LABELS)
    assert colours(fig)["Hybrid transfer"] == "tab:blue"
    assert "significantly above" not in fig.get_suptitle()
    # The rows come in the order of kinds, the baseline first; "reference" is a line.
    fig = plot_efficiency(_rows(), kinds={"hybrid-transfer": "discovered",
                                          "heavy-relu": "reference"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["light-relu", "hybrid-transfer"]
    assert {"heavy-relu", "hist-gradient-boosting"} <= {line.get_label()
                                                        for line in ax.get_lines()}
    with pytest.raises(ValueError, match="'specialist'"):
        plot_efficiency(_rows(), kinds={"hybrid-transfer": "specialist"})


def test_learning_curves_draw_a_null_value_as_a_gap():
    # curves.json stores a value that was not finite as null (an AUC of a
    # validation split that lacks a class).
    from sksymact.plotting import plot_learning_curves

    curves = [{"dataset": "d", "configuration": "light-relu", "seed": 42,
               "train_loss": [0.7, 0.6, 0.5], "valid_loss": [0.7, None, 0.6],
               "valid_auc": [0.6, None, 0.7]}]
    fig = plot_learning_curves(curves)
    (line, *_) = fig.axes[0].get_lines()
    assert np.isnan(line.get_ydata()[1]) and line.get_ydata()[2] == 0.7
