"""
Quick start: discover an activation, transfer it, compare by efficiency
=======================================================================

Discover a formula with genetic programming on one data set (the *source*),
use it as the activation of a light network on another (the *target*), and
compare it with ReLU networks by ROC AUC and the Parameter Efficiency Score
``E = AUC / log10(parameters)``.  Runs offline on data that ships with
scikit-learn, in well under a minute on two cores.
"""

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import HybridTransferClassifier, SymbolicActivationDiscoverer, efficiency_scorer

# %%
# Source domain: a synthetic, physics-like problem with non-linear structure.
X_source, y_source = make_classification(n_samples=4000, n_features=20, n_informative=8,
                                         random_state=0)
source = SymbolicActivationDiscoverer(population_size=300, generations=4, random_state=0)
source.fit(X_source, y_source)
print("discovered on the source:", source.formula_, " LaTeX:", source.formula_.latex())

# %%
# Target domain: breast-cancer measurements (continuous features).
X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42,
                                                    stratify=y)
common = dict(max_iter=40, batch_size=64, random_state=42)
configurations = {
    "heavy ReLU (200, 100)": HybridTransferClassifier((200, 100), "relu", **common),
    "light ReLU (64, 32)": HybridTransferClassifier((64, 32), "relu", **common),
    "hybrid transfer": HybridTransferClassifier((64, 32), FrozenEstimator(source), **common),
    "hybrid specialist": HybridTransferClassifier(
        (64, 32), SymbolicActivationDiscoverer(population_size=300, generations=4,
                                               random_state=0), **common),
}

print(f"\n{'configuration':<24}{'accuracy':>10}{'AUC':>8}{'params':>9}{'E_param':>9}  formula")
for name, classifier in configurations.items():
    model = make_pipeline(StandardScaler(), classifier).fit(X_train, y_train)
    fitted = model[-1]
    accuracy = model.score(X_test, y_test)
    efficiency = efficiency_scorer(model, X_test, y_test)
    auc = efficiency * np.log10(fitted.n_params_)
    formula = "" if fitted.formula_ is None else str(fitted.formula_)
    print(f"{name:<24}{accuracy:>10.3f}{auc:>8.3f}{fitted.n_params_:>9,}{efficiency:>9.4f}  "
          f"{formula}")
