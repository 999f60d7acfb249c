"""
Formulas: parse, evaluate, print, plot
======================================

A discovered activation is a :class:`~sksymact.Formula`: an immutable
expression tree that is read from text (never executed), evaluated with
gplearn's protected operators, printed as text, sympy or LaTeX, and turned
into a torch activation.  This example goes through each step and draws a
formula against ReLU.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from sksymact import Formula, SymbolicActivation
from sksymact.plotting import plot_activation

# %%
# Reading a formula
# -----------------
# gplearn prints its programs in prefix form, over the features ``X0``,
# ``X1``, ...  :meth:`~sksymact.Formula.collapse` replaces every feature by
# one variable ``x``: this is how a program becomes an activation.
program = Formula.parse("mul(cos(X3), X3)")
activation = program.collapse()
print(repr(program), "->", repr(activation))

# %%
# Infix math is read too, and printed back in gplearn's canonical form.
# ``/`` is gplearn's protected division and ``**`` takes a small integer
# exponent.
print(Formula.parse("x**2 / 2 - sin(pi*x)"))

# %%
# Text is data, not code: anything outside the whitelist is refused with a
# message that names the problem.
for text in ["x.__class__", "exp(x)", "__import__('os')"]:
    try:
        Formula.parse(text)
    except ValueError as error:
        print(f"{text!r:22} -> {error}")

# %%
# Evaluating
# ----------
# A formula evaluates with numpy, with gplearn's protected operators: the
# division ``div(a, b)`` is 1 where ``|b| <= 0.001``, the logarithm is 0
# there, the square root acts on ``|a|``.  No warning, no infinity.
ratio = Formula.parse("x / (x - 1)")
print(ratio(np.array([0.0, 0.5, 1.0, 1.0005, 2.0])))

# %%
# Printing
# --------
# As canonical text (which parses back to the same formula), as a sympy
# expression, and as LaTeX.
print(str(activation))
print(activation.to_sympy())
print(activation.latex())

# %%
# The sympy form can be the plain mathematical reading or, with
# ``protected=True``, exactly the function that was evaluated:
print(ratio.to_sympy(protected=True))

# %%
# In a network
# ------------
# :class:`~sksymact.SymbolicActivation` is the torch module computing the
# formula, with the same protected operators and finite gradients.
module = SymbolicActivation(activation)
x = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)
module(x).sum().backward()
print(module)
print("values:   ", module(x).detach().numpy().round(3))
print("gradients:", x.grad.numpy().round(3))

# %%
# Against ReLU
# ------------
# :func:`sksymact.plotting.plot_activation` draws formulas with ReLU and SiLU
# for reference.  Unlike ReLU, ``x cos(x)`` is not monotonic: it oscillates
# with a growing amplitude, so the network's units respond to bands of their
# input rather than to a threshold.
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
plot_activation({"x cos(x)": activation, "sin(x) + x/2": "sin(x) + 0.5*x"},
                ax=ax, x_range=(-6, 6))
plt.show()
