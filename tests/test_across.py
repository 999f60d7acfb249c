"""Statistics across data sets, against Demšar (2006) and hand-computed values.

Demšar, "Statistical Comparisons of Classifiers over Multiple Data Sets",
JMLR 7 (2006) 1-30: Table 5(a) (the Nemenyi critical values), Table 6 (AUC
of four C4.5 variants on 14 data sets) and the worked example of section
3.2.2 (mean ranks, χ²_F = 9.28, F_F = 3.69, CD = 1.25, and the cliques of
Figure 1(a)).
"""

import math
import random

import numpy as np
import pytest
from scipy import stats

from sksymact.benchmark._across import (
    DEFAULT_BASELINE,
    by_group,
    holm,
    normalized_scores,
    per_dataset_table,
    win_tie_loss,
)
from sksymact.benchmark._across_report import (critical_difference_diagram, format_report,
                                               write_across_report)
from sksymact.benchmark._ranks import cliques, friedman, iman_davenport, mean_ranks, nemenyi_cd

# ---------------------------------------------------------------------------
# Demšar's example
# ---------------------------------------------------------------------------

DEMSAR_METHODS = ("C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf")

#: Table 6: the AUCs as printed (3 decimals), and the ranks printed beside them.
DEMSAR_TABLE = {
    "adult (sample)": ((0.763, 0.768, 0.771, 0.798), (4, 3, 2, 1)),
    "breast cancer": ((0.599, 0.591, 0.590, 0.569), (1, 2, 3, 4)),
    "breast cancer wisconsin": ((0.954, 0.971, 0.968, 0.967), (4, 1, 2, 3)),
    "cmc": ((0.628, 0.661, 0.654, 0.657), (4, 1, 3, 2)),
    "ionosphere": ((0.882, 0.888, 0.886, 0.898), (4, 2, 3, 1)),
    "iris": ((0.936, 0.931, 0.916, 0.931), (1, 2.5, 4, 2.5)),
    "liver disorders": ((0.661, 0.668, 0.609, 0.685), (3, 2, 4, 1)),
    "lung cancer": ((0.583, 0.583, 0.563, 0.625), (2.5, 2.5, 4, 1)),
    "lymphography": ((0.775, 0.838, 0.866, 0.875), (4, 3, 2, 1)),
    "mushroom": ((1.000, 1.000, 1.000, 1.000), (2.5, 2.5, 2.5, 2.5)),
    "primary tumor": ((0.940, 0.962, 0.965, 0.962), (4, 2.5, 1, 2.5)),
    "rheum": ((0.619, 0.666, 0.614, 0.669), (3, 2, 4, 1)),
    "voting": ((0.972, 0.981, 0.975, 0.975), (4, 1, 2, 3)),
    "wine": ((0.957, 0.978, 0.946, 0.970), (3, 1, 4, 2)),
}

#: The mean ranks of Table 6 and section 3.2.2.
DEMSAR_RANKS = {"C4.5": 3.143, "C4.5+m": 2.000, "C4.5+cf": 2.893, "C4.5+m+cf": 1.964}

#: Table 5(a): Nemenyi's q_alpha for k = 2 .. 10 classifiers.
DEMSAR_Q = {
    0.05: (1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164),
    0.10: (1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920),
}


def _demsar_rows(nudge_voting=True):
    """Table 6 as result rows, one seed per cell (Demšar's cells are CV means).

    On voting the paper ranks C4.5+cf 2nd and C4.5+m+cf 3rd, both printed as
    0.975: rounding to 3 decimals made the tie.  ``nudge_voting`` breaks it the
    way the paper's ranks say.
    """
    rows = []
    for dataset, (aucs, _) in DEMSAR_TABLE.items():
        for method, auc in zip(DEMSAR_METHODS, aucs):
            if nudge_voting and dataset == "voting" and method == "C4.5+cf":
                auc += 1e-4
            rows.append({"dataset": dataset, "configuration": method, "seed": 0,
                         "roc_auc": auc})
    return rows


def test_demsar_table_ranks_as_printed():
    ranks = mean_ranks(_demsar_rows(nudge_voting=False), "roc_auc")
    for dataset, (_, printed) in DEMSAR_TABLE.items():
        ours = tuple(ranks.per_dataset[dataset][m] for m in DEMSAR_METHODS)
        if dataset == "voting":
            assert ours == (4, 1, 2.5, 2.5)  # the tie rounding made
        else:
            assert ours == printed, dataset
    assert ranks.dropped == {}


def test_demsar_mean_ranks_and_friedman():
    result = friedman(_demsar_rows(), "roc_auc")
    assert result.ranks.ranks == pytest.approx(DEMSAR_RANKS, abs=5e-4)
    assert list(result.ranks.ranks) == ["C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5"]
    assert (result.n_datasets, result.n_configurations, result.df) == (14, 4, (3, 39))
    # Demšar's χ²_F is his equation, without the tie correction.
    assert result.statistic_uncorrected == pytest.approx(9.28, abs=5e-3)
    # F_F = 13 * 9.28 / (14 * 3 - 9.28) = 3.69, above F(3, 39)'s 2.85 at 0.05.
    f, p = iman_davenport(9.28, 14, 4)
    assert f == pytest.approx(3.69, abs=5e-3)
    assert stats.f.ppf(0.95, 3, 39) == pytest.approx(2.85, abs=5e-3)
    assert p < 0.05
    # Four data sets tie configurations (iris, lung cancer, mushroom, primary
    # tumor): scipy's tie-corrected χ² is larger, and is the one reported.
    assert result.statistic > result.statistic_uncorrected
    assert result.iman_davenport_p_value < 0.05


def test_demsar_critical_difference():
    cd, q = nemenyi_cd(4, 14, alpha=0.05)
    assert q == pytest.approx(2.569, abs=5e-4)
    assert cd == pytest.approx(1.25, abs=5e-3)
    assert friedman(_demsar_rows(), "roc_auc").cd == pytest.approx(cd)
    cd_10, q_10 = nemenyi_cd(4, 14, alpha=0.10)
    assert (q_10, cd_10) == pytest.approx((2.291, 1.12), abs=5e-3)


@pytest.mark.parametrize("alpha", sorted(DEMSAR_Q))
def test_nemenyi_q_matches_demsar_table_5a(alpha):
    ours = [nemenyi_cd(k, 10, alpha)[1] for k in range(2, 11)]
    assert ours == pytest.approx(DEMSAR_Q[alpha], abs=1e-3)


def test_demsar_cliques_of_figure_1a():
    # At 0.05 no pair differs: the best-worst gap, 1.179, is below CD = 1.25.
    assert cliques(DEMSAR_RANKS, nemenyi_cd(4, 14, 0.05)[0]) == [
        ("C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5")]
    # At 0.10 (CD = 1.12), Figure 1(a): C4.5 is worse than C4.5+m and
    # C4.5+m+cf; C4.5+cf belongs to both groups.
    assert cliques(DEMSAR_RANKS, nemenyi_cd(4, 14, 0.10)[0]) == [
        ("C4.5+m+cf", "C4.5+m", "C4.5+cf"), ("C4.5+cf", "C4.5")]


def test_holm_on_demsar_comparisons_with_a_control():
    # Section 3.2.2: z = (R_0 - R_i) / SE against C4.5, p = 0.016, 0.019,
    # 0.607; Holm rejects the first two at 0.05 and keeps the third.
    se = math.sqrt(4 * 5 / (6 * 14))
    z = [(3.143 - r) / se for r in (1.964, 2.000, 2.893)]
    p = [2 * stats.norm.sf(v) for v in z]
    # The paper's 0.607 is 0.6084 from its rounded z: within 2e-3.
    assert p == pytest.approx([0.016, 0.019, 0.607], abs=2e-3)
    assert (holm(p) < 0.05).tolist() == [True, True, False]


# ---------------------------------------------------------------------------
# Holm, ranks, the Friedman statistic
# ---------------------------------------------------------------------------

def test_holm_known_vectors():
    # Sorted .01 .02 .03 .04 .05 times 5 4 3 2 1: .05 .08 .09 .08 .05, then
    # made non-decreasing: .05 .08 .09 .09 .09.
    assert holm([0.01, 0.02, 0.03, 0.04, 0.05]) == pytest.approx(
        [0.05, 0.08, 0.09, 0.09, 0.09])
    assert holm([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06])
    assert holm([0.5, 0.6]).tolist() == [1.0, 1.0]  # capped at 1
    adjusted = holm([0.01, math.nan, 0.04])  # NaN is no member of the family
    assert adjusted[[0, 2]] == pytest.approx([0.02, 0.04]) and math.isnan(adjusted[1])
    assert holm([]).shape == (0,)


def _random_rows(n_datasets, configurations, seeds=(0, 1, 2), metric="roc_auc", rng=0,
                 ties=False):
    generator = np.random.default_rng(rng)
    rows = []
    for d in range(n_datasets):
        for j, config in enumerate(configurations):
            for seed in seeds:
                value = 0.6 + 0.02 * j + generator.normal(0, 0.03)
                rows.append({"dataset": f"d{d:02d}", "configuration": config, "seed": seed,
                             metric: round(value, 1) if ties else value})
    return rows


@pytest.mark.parametrize("ties", [False, True])
def test_friedman_statistic_equals_scipy(ties):
    configs = ["A", "B", "C", "D", "E"]
    rows = _random_rows(9, configs, ties=ties, rng=3)
    result = friedman(rows, "roc_auc")
    means = {(r["dataset"], r["configuration"]): [] for r in rows}
    for r in rows:
        means[(r["dataset"], r["configuration"])].append(r["roc_auc"])
    datasets = sorted({r["dataset"] for r in rows})
    columns = [[np.mean(means[(d, c)]) for d in datasets] for c in configs]
    expected = stats.friedmanchisquare(*columns)
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    # Iman–Davenport from its definition, on the statistic reported.
    n, k = 9, 5
    f = (n - 1) * result.statistic / (n * (k - 1) - result.statistic)
    assert result.iman_davenport == pytest.approx(f)
    assert result.iman_davenport_p_value == pytest.approx(
        stats.f.sf(f, k - 1, (k - 1) * (n - 1)))
    if not ties:
        assert result.statistic == pytest.approx(result.statistic_uncorrected)


def test_friedman_needs_three_configurations_and_two_data_sets():
    with pytest.raises(ValueError, match="3 configurations"):
        friedman(_random_rows(5, ["A", "B"]), "roc_auc")
    with pytest.raises(ValueError, match="2 data sets"):
        friedman(_random_rows(1, ["A", "B", "C"]), "roc_auc")


def test_friedman_all_tied_is_no_evidence():
    rows = [{"dataset": d, "configuration": c, "seed": 0, "accuracy": 0.5}
            for d in "ab" for c in "XYZ"]
    result = friedman(rows, "accuracy")
    assert (result.statistic, result.p_value) == (0.0, 1.0)
    assert result.ranks.ranks == {"X": 2.0, "Y": 2.0, "Z": 2.0}


def test_perfect_agreement_gives_infinite_f():
    rows = [{"dataset": d, "configuration": c, "seed": 0, "r2": v}
            for d in "abcd" for c, v in (("X", 0.9), ("Y", 0.5), ("Z", 0.1))]
    result = friedman(rows, "r2")
    assert result.statistic == pytest.approx(4 * 2)  # N (k - 1), its largest value
    assert (result.iman_davenport, result.iman_davenport_p_value) == (math.inf, 0.0)


def test_ranks_with_ties_and_direction():
    # On "a" Y and Z tie for 2nd and 3rd: both get 2.5.
    rows = [{"dataset": d, "configuration": c, "seed": s, "accuracy": v}
            for d, values in (("a", (0.9, 0.8, 0.8)), ("b", (0.7, 0.9, 0.8)))
            for c, v in zip("XYZ", values) for s in (0, 1)]
    higher = mean_ranks(rows, "accuracy")
    assert higher.per_dataset == {"a": {"X": 1.0, "Y": 2.5, "Z": 2.5},
                                  "b": {"X": 3.0, "Y": 1.0, "Z": 2.0}}
    assert higher.ranks == {"X": 2.0, "Y": 1.75, "Z": 2.25}
    assert list(higher.ranks) == ["Y", "X", "Z"]  # best first
    lower = mean_ranks(rows, "accuracy", higher_is_better=False)
    assert lower.per_dataset["a"] == {"X": 3.0, "Y": 1.5, "Z": 1.5}
    # Ranks always sum to k (k + 1) / 2 per data set.
    assert sum(lower.ranks.values()) == pytest.approx(6.0)


def test_rmse_and_log_loss_rank_lower_first():
    rows = [{"dataset": "a", "configuration": c, "seed": 0, "rmse": v, "log_loss": v}
            for c, v in (("X", 2.0), ("Y", 1.0))]
    assert mean_ranks(rows, "rmse").ranks == {"Y": 1.0, "X": 2.0}
    assert mean_ranks(rows, "log_loss").ranks == {"Y": 1.0, "X": 2.0}
    with pytest.raises(ValueError, match="higher_is_better"):
        mean_ranks(rows, "brier")


# ---------------------------------------------------------------------------
# A configuration missing on a data set
# ---------------------------------------------------------------------------

def _rows_with_a_hole():
    """Three configurations on three data sets; "Transfer" did not run on "c"."""
    values = {
        "a": {"Light ReLU": (0.70, 0.71, 0.72), "Heavy ReLU": (0.80, 0.82, 0.81),
              "Transfer": (0.60, 0.62, 0.61)},
        "b": {"Light ReLU": (0.50, 0.52, 0.51), "Heavy ReLU": (0.51, 0.52, 0.50),
              "Transfer": (0.55, 0.57, 0.58)},
        "c": {"Light ReLU": (0.90, 0.91, 0.92), "Heavy ReLU": (0.95, 0.96, 0.96),
              "Transfer": ("", "", "")},
    }
    return [{"dataset": d, "configuration": c, "seed": 42 + s, "roc_auc": v,
             "e_param": 0.1 if c != "Heavy ReLU" and v != "" else ""}
            for d, by_config in values.items() for c, seq in by_config.items()
            for s, v in enumerate(seq)]


def test_missing_configuration_is_dropped_from_ranks_and_shown_in_the_table():
    rows = _rows_with_a_hole()
    ranks = mean_ranks(rows, "roc_auc")
    assert ranks.datasets == ("a", "b") and ranks.dropped == {"c": ("Transfer",)}
    # Naming the configurations that ran everywhere keeps "c".
    assert mean_ranks(rows, "roc_auc",
                      configurations=["Heavy ReLU", "Light ReLU"]).datasets == ("a", "b", "c")
    table = per_dataset_table(rows, "roc_auc")
    hole = [r for r in table if (r["dataset"], r["configuration"]) == ("c", "Transfer")]
    assert len(hole) == 1 and hole[0]["n"] == 0 and hole[0]["verdict"] is None
    assert math.isnan(hole[0]["mean"]) and hole[0]["note"] == "no results"
    assert win_tie_loss(table)["Transfer"] == {"win": 1, "tie": 0, "loss": 1}
    scores = normalized_scores(rows, "roc_auc")
    assert "Transfer" not in scores.per_dataset["c"]
    assert scores.n_datasets == {"Heavy ReLU": 3, "Light ReLU": 3, "Transfer": 2}


# ---------------------------------------------------------------------------
# The paired tests against the baseline
# ---------------------------------------------------------------------------

def test_per_dataset_table_values_and_holm_over_data_sets():
    rows = _rows_with_a_hole()
    table = per_dataset_table(rows, "roc_auc")
    # The baseline first, the others sorted; data sets sorted.
    assert [(r["dataset"], r["configuration"]) for r in table[:3]] == [
        ("a", "Light ReLU"), ("a", "Heavy ReLU"), ("a", "Transfer")]
    heavy_a = table[1]
    assert heavy_a["mean"] == pytest.approx(0.81) and heavy_a["std"] == pytest.approx(0.01)
    assert heavy_a["difference"] == pytest.approx(0.10)
    expected = stats.ttest_rel([0.80, 0.82, 0.81], [0.70, 0.71, 0.72]).pvalue
    assert heavy_a["p_value"] == pytest.approx(expected)
    heavy = [r for r in table if r["configuration"] == "Heavy ReLU"]
    assert [r["p_holm"] for r in heavy] == pytest.approx(holm([r["p_value"] for r in heavy]))
    # Transfer is tested on a and b only: a family of two.
    transfer = [r for r in table if r["configuration"] == "Transfer"]
    assert [r["p_holm"] for r in transfer[:2]] == pytest.approx(
        holm([transfer[0]["p_value"], transfer[1]["p_value"]]))
    assert math.isnan(transfer[2]["p_holm"])
    assert [r["verdict"] for r in table if r["configuration"] == "Light ReLU"] == ["baseline"] * 3


def test_verdicts_win_tie_loss_and_lower_is_better():
    # rmse: lower is better, so a lower mean is a win.
    rows = []
    for d in ("a", "b"):
        for s, noise in enumerate((0.0, 0.02, 0.01)):
            rows += [{"dataset": d, "configuration": "Light ReLU", "seed": s, "rmse": 1.0 + noise},
                     {"dataset": d, "configuration": "Better", "seed": s,
                      "rmse": 0.5 + noise * 1.5},
                     {"dataset": d, "configuration": "Worse", "seed": s, "rmse": 2.0 + noise * 2},
                     {"dataset": d, "configuration": "Noisy", "seed": s,
                      "rmse": 1.0 + (0.3, -0.2, 0.1)[s]}]
    table = per_dataset_table(rows, "rmse")
    assert win_tie_loss(table) == {"Better": {"win": 2, "tie": 0, "loss": 0},
                                   "Noisy": {"win": 0, "tie": 2, "loss": 0},
                                   "Worse": {"win": 0, "tie": 0, "loss": 2}}
    # The same rows read as a score to maximize turn wins into losses.
    flipped = win_tie_loss(per_dataset_table(rows, "rmse", higher_is_better=True))
    assert flipped["Better"] == {"win": 0, "tie": 0, "loss": 2}


def test_holm_can_turn_a_raw_win_into_a_tie():
    # Raw p just under 0.05 on one data set, well above on the others: Holm
    # multiplies the smallest p by 3, a tie after correction.
    rows = []
    diffs = {"a": (0.015, 0.025, 0.020), "b": (0.02, -0.02, 0.01), "c": (0.03, -0.03, 0.0)}
    for d, deltas in diffs.items():
        for s, delta in enumerate(deltas):
            rows += [{"dataset": d, "configuration": "Light ReLU", "seed": s, "accuracy": 0.5},
                     {"dataset": d, "configuration": "X", "seed": s, "accuracy": 0.5 + delta}]
    table = {r["dataset"]: r for r in per_dataset_table(rows, "accuracy")
             if r["configuration"] == "X"}
    assert table["a"]["p_value"] < 0.05 < table["a"]["p_holm"]
    assert table["a"]["verdict"] == "tie"


def test_identical_differences_give_an_undefined_p():
    rows = []
    for s, base in enumerate((0.6, 0.7, 0.8)):
        rows += [{"dataset": "a", "configuration": "Light ReLU", "seed": s, "accuracy": base},
                 {"dataset": "a", "configuration": "Same", "seed": s, "accuracy": base},
                 # 0.1 more on every seed: up to rounding, one difference three times.
                 {"dataset": "a", "configuration": "Shifted", "seed": s,
                  "accuracy": base + 0.1},
                 # Two seeds alike, one not: differences (0, 0, d), t = 1 exactly.
                 {"dataset": "a", "configuration": "Two alike", "seed": s,
                  "accuracy": base + (0.2 if s == 2 else 0.0)}]
    table = {r["configuration"]: r for r in per_dataset_table(rows, "accuracy")}
    for config in ("Same", "Shifted"):
        assert math.isnan(table[config]["p_value"]) and math.isnan(table[config]["p_holm"])
        assert table[config]["verdict"] == "tie" and "p undefined" in table[config]["note"]
    assert table["Shifted"]["difference"] == pytest.approx(0.1)
    # t = 1 with 2 degrees of freedom: p = 1 - 1 / sqrt(3).
    assert table["Two alike"]["p_value"] == pytest.approx(1 - 1 / math.sqrt(3))
    assert table["Two alike"]["verdict"] == "tie"


def test_unpaired_seeds_give_no_verdict():
    rows = [{"dataset": "a", "configuration": "Light ReLU", "seed": s, "accuracy": 0.5}
            for s in (0, 1)]
    rows += [{"dataset": "a", "configuration": "X", "seed": s, "accuracy": 0.6} for s in (1, 2)]
    (x,) = [r for r in per_dataset_table(rows, "accuracy") if r["configuration"] == "X"]
    assert x["n_paired"] == 1 and x["difference"] == pytest.approx(0.1)
    assert x["verdict"] is None and math.isnan(x["p_value"])
    assert win_tie_loss([x]) == {"X": {"win": 0, "tie": 0, "loss": 0}}


def test_baseline_by_label_or_key_and_errors():
    rows = [{"dataset": "a", "configuration": c, "seed": s, "accuracy": 0.5 + 0.01 * s}
            for c in ("light-relu", "heavy-relu") for s in range(3)]
    assert DEFAULT_BASELINE == "Light ReLU"
    assert per_dataset_table(rows, "accuracy")[0]["configuration"] == "light-relu"
    with pytest.raises(ValueError, match="baseline 'Light SiLU'"):
        per_dataset_table(rows, "accuracy", baseline="Light SiLU")
    with pytest.raises(ValueError, match="two rows"):
        per_dataset_table(rows + rows[:1], "accuracy")


# ---------------------------------------------------------------------------
# Normalized scores and splits
# ---------------------------------------------------------------------------

def test_normalized_scores_by_hand():
    rows = [{"dataset": d, "configuration": c, "seed": s, "accuracy": v + 0.01 * s}
            for d, values in (("a", (0.6, 0.8, 0.7)), ("b", (0.9, 0.5, 0.6)),
                              ("c", (0.7, 0.7, 0.7)))
            for c, v in zip("XYZ", values) for s in (0, 1)]
    scores = normalized_scores(rows, "accuracy")
    assert scores.per_dataset["a"] == pytest.approx({"X": 0.0, "Y": 1.0, "Z": 0.5})
    assert scores.per_dataset["b"] == pytest.approx({"X": 1.0, "Y": 0.0, "Z": 0.25})
    # No spread on "c": undefined, and out of the means.
    assert all(math.isnan(v) for v in scores.per_dataset["c"].values())
    assert scores.mean == pytest.approx({"X": 0.5, "Y": 0.5, "Z": 0.375})
    assert scores.n_datasets == {"X": 2, "Y": 2, "Z": 2}
    lower = normalized_scores(rows, "accuracy", higher_is_better=False)
    assert lower.per_dataset["a"] == pytest.approx({"X": 1.0, "Y": 0.0, "Z": 0.5})


def test_by_group_and_by_source():
    rows = _rows_with_a_hole()
    table = per_dataset_table(rows, "roc_auc")
    scores = normalized_scores(rows, "roc_auc")
    splits = by_group(table, scores, groups={"a": "continuous", "b": "discrete",
                                             "c": "discrete"},
                      sources={"Transfer": "HIGGS"})
    assert list(splits["groups"]) == ["continuous", "discrete"]
    discrete = splits["groups"]["discrete"]
    assert discrete["Transfer"]["n"] == 1 and discrete["Heavy ReLU"]["n"] == 2
    assert discrete["Transfer"]["score"] == pytest.approx(1.0)  # best on "b"
    everywhere = win_tie_loss(table)["Heavy ReLU"]
    per_group = [splits["groups"][g]["Heavy ReLU"] for g in splits["groups"]]
    assert {k: sum(s[k] for s in per_group) for k in everywhere} == everywhere
    higgs = splits["sources"]["HIGGS"]
    assert higgs["configurations"] == ("Transfer",)
    assert {k: higgs["all"][k] for k in ("win", "tie", "loss")} == win_tie_loss(table)["Transfer"]
    assert higgs["all"]["score"] == pytest.approx(scores.mean["Transfer"])
    assert sorted(higgs["groups"]) == ["continuous", "discrete"]
    assert by_group(table, scores) == {"groups": {}, "sources": {}}


# ---------------------------------------------------------------------------
# The diagram and the report
# ---------------------------------------------------------------------------

LONG_NAMES = ["Heavy ReLU", "Light ReLU", "Light GELU", "Light SiLU", "Hybrid specialist",
              "Hybrid transfer (HIGGS)", "Hybrid transfer (magic)", "Hybrid specialist network",
              "Hybrid transfer network (HIGGS)", "Transfer from MiniBooNE",
              "Histogram gradient boosting", "Logistic regression"]


def test_diagram_draws_twelve_long_names(tmp_path):
    pytest.importorskip("matplotlib")
    rows = _random_rows(20, LONG_NAMES, seeds=(0,), rng=1)
    result = friedman(rows, "roc_auc")
    fig = critical_difference_diagram(result.ranks.ranks, result.cd, title="ROC AUC")
    texts = [t.get_text() for t in fig.axes[0].texts]
    for name, rank in result.ranks.ranks.items():
        assert f"{name} ({rank:.2f})" in texts
    assert f"CD = {result.cd:.2f}" in texts
    fig.savefig(tmp_path / "cd.png")
    assert (tmp_path / "cd.png").stat().st_size > 0
    # Every name inside the figure: the layout measured them.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    width = fig.bbox.width
    for text in fig.axes[0].texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width, text.get_text()


def test_diagram_on_given_axes_and_a_wide_cd():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3))
    ax = fig.subplots()
    assert critical_difference_diagram(DEMSAR_RANKS, 5.0, ax=ax) is fig
    assert "CD = 5.00 (wider than the axis)" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError):
        critical_difference_diagram({}, 1.0)


def test_report_shows_every_configuration_and_data_set():
    rows = _rows_with_a_hole()
    text = format_report(rows, "roc_auc", groups={"a": "continuous", "b": "discrete"},
                         sources={"Transfer": "HIGGS"})
    for name in ("Light ReLU", "Heavy ReLU", "Transfer", "a", "b", "c"):
        assert f"| {name} |" in text
    assert "| c | Transfer | — | 0 | — | — | — | — | — [1] |" in text
    assert "[1] no results." in text
    assert "Mean E_param" in text and "| Heavy ReLU | " in text
    for section in ("## Aggregate", "## Friedman test", "## Per data set",
                    "## By data-set group", "## By transfer source"):
        assert section in text
    assert "Left out of the ranks (a configuration has no result there): c (no Transfer)." in text
    # Every (data set, configuration) has its row in the per-data-set table.
    per_dataset = text.split("## Per data set")[1].split("## By")[0]
    assert sum(line.startswith("| ") and not line.startswith("| Dataset")
               for line in per_dataset.splitlines()) == 9


def test_report_is_deterministic_and_handles_a_failed_friedman():
    rows = _random_rows(4, ["Light ReLU", "B", "C"], rng=2)
    shuffled = rows[:]
    random.Random(0).shuffle(shuffled)
    assert format_report(rows, "roc_auc") == format_report(shuffled, "roc_auc")
    two = [r for r in rows if r["configuration"] != "C"]
    assert "Not run: the Friedman test needs 3 configurations or more" in format_report(
        two, "roc_auc")


def test_report_reads_a_dataframe():
    pd = pytest.importorskip("pandas")
    rows = _rows_with_a_hole()
    assert format_report(pd.DataFrame(rows), "roc_auc") == format_report(rows, "roc_auc")


def _results_folder(path, rows):
    """A results folder holding ``rows`` (written as the benchmark writes them)."""
    from sksymact.benchmark import BenchmarkSettings
    from sksymact.benchmark._store import ResultsFolder

    settings = BenchmarkSettings()
    with ResultsFolder(path, settings) as folder:
        for row in rows:
            folder.append({"settings_id": settings.settings_id, **row})
    return path


def test_the_report_of_a_regression_folder_ranks_by_r2(tmp_path):
    # R² decides: "best" has the highest R² on every data set and "worst" the lowest;
    # the RMSE column is made to rank them the other way, so ranking by it would show.
    r2 = {"best": 0.9, "light-relu": 0.8, "middle": 0.7, "worst": 0.2}
    rows = [{"dataset": f"pmlb:d{d}", "configuration": c, "seed": s,
             "r2": value - 0.01 * d + 0.002 * s * (j + 1), "rmse": 10.0 + value,
             "e_param": 0.2 if c != "worst" else ""}
            for d in range(4) for s in range(3)
            for j, (c, value) in enumerate(r2.items())]
    folder = _results_folder(tmp_path / "regression", rows)
    text = write_across_report(folder)
    assert text.startswith("# r2 across 4 data sets (higher is better)")
    assert "accuracy" not in text and "roc_auc" not in text
    aggregate = text.split("## Aggregate")[1].split("## Friedman")[0]
    order = [line.split(" | ")[0].lstrip("| ") for line in aggregate.splitlines()
             if line.startswith("| ") and not line.startswith("| Configuration")]
    assert order == ["best", "light-relu", "middle", "worst"]
    assert "| best | 1.00 | 1.000 (4) | 4/0/0 |" in aggregate
    assert "| worst | 4.00 | 0.000 (4) | 0/0/4 |" in aggregate
    assert "k = 4 configurations, N = 4 data sets." in text
    assert (folder / "critical_difference.png").stat().st_size > 0
    # The metric can still be chosen; the metrics of the folder's task follow it.
    text = write_across_report(folder, "rmse")
    assert text.startswith("# rmse across 4 data sets (lower is better)")
    assert "| worst | 1.00 |" in text.split("## Friedman")[0]


def test_the_report_of_a_classification_folder_is_accuracy_then_roc_auc(tmp_path):
    rows = [{**row, "accuracy": row["roc_auc"] - 0.1} for row in _rows_with_a_hole()
            if row["roc_auc"] != ""]
    folder = _results_folder(tmp_path / "classification", rows)
    text = write_across_report(folder)
    assert text.startswith("# accuracy across 3 data sets (higher is better)")
    assert "\n# roc_auc across 3 data sets (higher is better)" in text
    assert text == write_across_report(folder, "accuracy")
