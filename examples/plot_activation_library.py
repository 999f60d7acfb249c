"""
Keeping and reusing formulas with an activation library
=======================================================

A formula discovered on one data set is worth keeping with where it came
from.  Here a formula is discovered on the HIGGS sample that ships with
sksymact, stored in an :class:`~sksymact.library.ActivationLibrary` with its
provenance, saved to a file, loaded back, and reused on Spambase, where its
score is recorded in the same entry.  The paper's own HIGGS formula is one of
the library's built-in entries.
"""

import os
import tempfile

import matplotlib.pyplot as plt
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import HybridTransferClassifier, SymbolicActivationDiscoverer
from sksymact.datasets import load_higgs, load_spambase
from sksymact.library import ActivationLibrary, get_builtin, rows_checksum
from sksymact.plotting import plot_activation

# %%
# Discover on the source and keep the result
# ------------------------------------------
# A deliberately tiny search on the 5,000 bundled HIGGS rows.  The fitted
# discoverer gives the entry its formula, fitness, nonlinearity, seed and
# search parameters; the source (with a checksum of the rows) is ours to give.
X_source, y_source = load_higgs(return_X_y=True)
discoverer = SymbolicActivationDiscoverer(population_size=100, generations=3, random_state=0)
discoverer.fit(X_source, y_source)

library = ActivationLibrary()
entry = library.add("higgs-tiny-seed0", discoverer, source={
    "name": "HIGGS", "n_rows": len(y_source), "sha256": rows_checksum(X_source, y_source)},
    notes="A tiny search (100 programs, 3 generations) for this example.")
print(entry)
print("search parameters:", {k: entry.discoverer_params[k]
                             for k in ("population_size", "generations", "subsample")})

# %%
# Save, and load back
# -------------------
# The file is plain JSON, validated field by field when it is read; nothing
# in it is ever executed.
folder = tempfile.mkdtemp()
path = os.path.join(folder, "activations.json")
library.save(path)
library = ActivationLibrary.load(path)
print(library)

# %%
# Reuse the formula on another data set
# -------------------------------------
# The entry, looked up by its name, is the activation of a light network on
# Spambase, compared with the same network with ReLU and with the paper's
# HIGGS formula, named as the built-in entry ``"library:higgs-paper"``
# (``x·cos(x)``).  The fitted network records the entry it used.  The scores
# go back into the library, with the baseline they are to be read against.
X, y = load_spambase(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
paper = get_builtin("higgs-paper")
activations = {"ReLU": "relu", entry.name: library.get(entry.name),
               paper.name: "library:higgs-paper"}
scores = {}
for name, activation in activations.items():
    model = make_pipeline(StandardScaler(), HybridTransferClassifier(
        (64, 32), activation=activation, max_iter=10, batch_size=256, random_state=0))
    model.fit(X_train, y_train)
    scores[name] = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    used = model[-1].library_entry_
    print(f"{name:<18} ROC AUC {scores[name]:.4f}  entry: {used.name if used else None}")

library.add_score(entry.name, "spambase", "roc_auc", scores[entry.name],
                  baseline=scores["ReLU"])
library.save(path)
print([dict(score) for score in ActivationLibrary.load(path).get(entry.name).scores])

# %%
# The stored activations
# ----------------------
# What the library holds, drawn against ReLU (and SiLU) where pre-activations
# live.
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
plot_activation({name: library.get(name).formula for name in library.names()}
                | {paper.name: paper.formula}, ax=ax)
ax.set_title("Activations in the library")
plt.show()
