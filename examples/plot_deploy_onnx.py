"""
Deploying with ONNX: the same predictions without torch
=======================================================

A fitted :class:`~sksymact.HybridTransferClassifier` exports to ONNX with
:func:`~sksymact.to_onnx`: the network in eval mode, its formula activation
built node by node with gplearn's protected operators, and the sigmoid.  The
file runs in onnxruntime (or any ONNX runtime) with no sksymact, torch or
skorch.  This example trains a small network on the bundled Spambase sample,
exports it, runs it with onnxruntime and checks that both give the same
probabilities and labels, then compares their single-row latency.  It needs
the ``onnx`` extra: ``pip install sksymact[onnx]``.
"""

import os
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import HybridTransferClassifier, to_onnx
from sksymact.datasets import load_spambase

# %%
# Train a pipeline
# ----------------
# Scaling and the network, with a formula activation whose protected division
# has something to protect.
X, y = load_spambase(return_X_y=True, n_samples=2000, random_state=0)
X = X.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0,
                                                    stratify=y)
model = make_pipeline(StandardScaler(), HybridTransferClassifier(
    (32, 16), "x*cos(x) + div(x, 4)", max_iter=30, batch_size=64, random_state=0))
model.fit(X_train, y_train)
print("test accuracy:", round(model.score(X_test, y_test), 3))

# %%
# Export and reload
# -----------------
# ``zipmap=False`` keeps the probabilities a tensor (skl2onnx's default is a
# list of dicts).  The file is plain bytes: nothing in it is executed.
onx = to_onnx(model, X_train[:1], options={"zipmap": False})
path = os.path.join(tempfile.mkdtemp(), "spambase.onnx")
with open(path, "wb") as f:
    f.write(onx.SerializeToString())
print(f"{path}: {os.path.getsize(path):,} bytes, outputs",
      [o.name for o in onx.graph.output])

session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
label, proba = session.run(None, {"X": X_test})

# %%
# Same predictions
# ----------------
reference = model.predict_proba(X_test)
difference = np.abs(proba - reference).max()
print(f"largest difference in probability: {difference:.1e}")
print("same labels:", bool((label == model.predict(X_test)).all()))

# %%
# Single-row latency
# ------------------
# One row at a time, as a service answers requests: the in-process call pays
# scikit-learn's validation and torch's per-module Python, onnxruntime only the
# graph.
row = X_test[:1]


def per_call_us(predict, calls=200):
    predict()
    start = time.perf_counter()
    for _ in range(calls):
        predict()
    return (time.perf_counter() - start) / calls * 1e6


latency = {"predict_proba": per_call_us(lambda: model.predict_proba(row)),
           "onnxruntime": per_call_us(lambda: session.run(None, {"X": row}))}
for name, us in latency.items():
    print(f"{name:>14}: {us:7.1f} µs per row")

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
left.scatter(reference[:, 1], proba[:, 1], s=6)
left.plot([0, 1], [0, 1], color="grey", lw=0.8)
left.set(xlabel="predict_proba (torch)", ylabel="onnxruntime",
         title=f"P(spam), largest difference {difference:.0e}")
right.bar(list(latency), list(latency.values()), color=["tab:blue", "tab:orange"])
right.set(ylabel="µs per single-row call", title="Latency, one row")
fig.tight_layout()
plt.show()
