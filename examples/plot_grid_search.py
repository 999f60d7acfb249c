"""
Choosing an activation and a size with GridSearchCV
====================================================

Activations are hyper-parameters: a grid can mix named activations, formula
text and a *specialist* discoverer (which discovers its formula on every
training fold).  Every candidate is scored by ROC AUC and by the Parameter
Efficiency Score ``E = AUC / log10(parameters)``; ``refit="efficiency"``
keeps the most efficient.  The settings are small so that the search runs in
seconds.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import (
    HybridTransferClassifier,
    SymbolicActivationDiscoverer,
    count_params,
    efficiency_scorer,
)

X, y = load_breast_cancer(return_X_y=True)

# %%
# The search
# ----------
# The specialist is an *unfitted* discoverer: the classifier fits a clone of
# it on each training fold, so discovery never sees the fold it is tested on.
# A third scorer records each fitted model's parameter count.
pipeline = make_pipeline(
    StandardScaler(),
    HybridTransferClassifier(max_iter=20, batch_size=64, random_state=0),
)
specialist = SymbolicActivationDiscoverer(population_size=100, generations=2)
grid = {
    "hybridtransferclassifier__hidden_layer_sizes": [(8,), (64, 32)],
    "hybridtransferclassifier__activation": ["relu", "x*cos(x)", specialist],
}
search = GridSearchCV(
    pipeline,
    grid,
    scoring={
        "auc": "roc_auc",
        "efficiency": efficiency_scorer,
        "n_params": lambda model, X, y: count_params(model),
    },
    refit="efficiency",
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
)
search.fit(X, y)

# %%
# The results
# -----------
results = search.cv_results_


def label(params):
    activation = params["hybridtransferclassifier__activation"]
    name = "specialist" if hasattr(activation, "fit") else activation
    return f"{name} {params['hybridtransferclassifier__hidden_layer_sizes']}"


print(f"{'candidate':<24}{'AUC':>14}{'params':>8}{'E':>8}")
for i, params in enumerate(results["params"]):
    print(f"{label(params):<24}{results['mean_test_auc'][i]:>8.4f} ± "
          f"{results['std_test_auc'][i]:.3f}{results['mean_test_n_params'][i]:>8.0f}"
          f"{results['mean_test_efficiency'][i]:>8.4f}")
print("refit on efficiency:", label(search.best_params_))

# %%
# On this easy problem every network reaches an AUC near 0.99, so the
# efficiency score mostly ranks networks by size: the one-layer network of 8
# units wins whatever its activation.  To prefer efficiency only among the
# accurate candidates, a callable ``refit`` says so explicitly.


def most_efficient_within(tolerance):
    def choose(cv_results):
        auc = cv_results["mean_test_auc"]
        accurate = np.flatnonzero(auc >= auc.max() - tolerance)
        return int(accurate[np.argmax(cv_results["mean_test_efficiency"][accurate])])
    return choose


index = most_efficient_within(0.002)(results)
print("most efficient within 0.002 of the best AUC:", label(results["params"][index]))

# %%
# AUC against size
# ----------------
# The x axis is logarithmic, as the score's denominator; the activations of
# one size are drawn side by side.
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
activations = list(grid["hybridtransferclassifier__activation"])
labelled = set()
for i, params in enumerate(results["params"]):
    which = activations.index(params["hybridtransferclassifier__activation"])
    name = label(params).rsplit(" (", 1)[0]
    ax.errorbar(results["mean_test_n_params"][i] * 1.12 ** (which - 1),
                results["mean_test_auc"][i], yerr=results["std_test_auc"][i], fmt="o",
                capsize=3, color=f"C{which}", label=None if name in labelled else name)
    labelled.add(name)
sizes = np.unique(results["mean_test_n_params"])
ax.set_xscale("log")
ax.set_xticks(sizes, [f"{size:,.0f}" for size in sizes])
ax.minorticks_off()
ax.set_xlim(sizes[0] / 2, sizes[-1] * 2)
ax.set_xlabel("parameters")
ax.set_ylabel("ROC AUC (mean ± std over 3 folds)")
ax.set_title("Breast cancer: AUC against network size")
ax.legend(fontsize=8)
plt.show()
