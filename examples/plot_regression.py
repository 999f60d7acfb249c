"""
Regression with a discovered activation
=======================================

:class:`~sksymact.HybridTransferRegressor` is the light network with a linear
head.  On scikit-learn's diabetes data (442 patients, disease progression
after a year) it is trained with four activations: ReLU, the paper's
``x·cos(x)``, a **specialist** formula discovered on each training fold by
gplearn's ``SymbolicRegressor``, and a formula **transferred** from a
classification source (breast cancer).  A linear regression is the reference
a user would try first.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import HybridTransferRegressor, SymbolicActivationDiscoverer, efficiency_scorer

X, y = load_diabetes(return_X_y=True)

# %%
# A formula from a classification source
# --------------------------------------
# A formula is a function of one variable: found on classes, it drives a
# regressor as well.
X_source, y_source = load_breast_cancer(return_X_y=True)
source = SymbolicActivationDiscoverer(population_size=100, generations=2, random_state=0)
source.fit(X_source, y_source)
print("transferred activation:", source.formula_.to_sympy())

# %%
# Five models, the same folds
# ---------------------------
# The specialist's discoverer is refitted on every training fold; inside the
# regressor it searches a regression formula (``task_ == "regression"``).
activations = {
    "ReLU": "relu",
    "x·cos(x)": "x*cos(x)",
    "specialist": SymbolicActivationDiscoverer(population_size=100, generations=2,
                                               random_state=0),
    "transfer": FrozenEstimator(source),
}
folds = KFold(5, shuffle=True, random_state=0)
results = {}
for name, activation in activations.items():
    model = make_pipeline(StandardScaler(), HybridTransferRegressor(
        (64, 32), activation, max_iter=100, batch_size=64, random_state=0))
    cv = cross_validate(model, X, y, cv=folds,
                        scoring={"r2": "r2", "efficiency": efficiency_scorer})
    results[name] = cv["test_r2"]
    print(f"{name:>11}: R² {cv['test_r2'].mean():.3f} ± {cv['test_r2'].std():.3f}, "
          f"efficiency {cv['test_efficiency'].mean():.3f}")
linear = cross_validate(make_pipeline(StandardScaler(), LinearRegression()), X, y, cv=folds,
                        scoring="r2")
results["linear regression"] = linear["test_score"]
print(f"linear regression: R² {linear['test_score'].mean():.3f}")

# %%
# The folds side by side
# ----------------------
# On 442 rows a linear model is hard to beat: the networks are here to show
# the mechanics, not to win.
fig, ax = plt.subplots(figsize=(6, 3.2))
names = list(results)
ax.boxplot([results[n] for n in names], tick_labels=names)
ax.set_ylabel("R² (5 folds)")
ax.set_title("Diabetes: light networks and a linear reference")
ax.tick_params(axis="x", rotation=20)
fig.tight_layout()
plt.show()
