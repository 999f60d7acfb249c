"""sksymact: neuro-symbolic activation discovery as scikit-learn estimators.

Discover a formula with genetic programming on a source data set, collapse its
variables into one scalar ``x``, and use it as the activation of a small,
parameter-light network trained on a target data set.

The package imports lazily (the convention of SPEC 1): ``import sksymact``
loads only its version, and each public name and subpackage
(:mod:`~sksymact.datasets`, :mod:`~sksymact.benchmark`,
:mod:`~sksymact.plotting`, :mod:`~sksymact.library`,
:mod:`~sksymact.exceptions`) is imported the first
time it is used, so torch, skorch and gplearn load only with the names that
need them, and onnx and skl2onnx only with :func:`~sksymact.to_onnx` (the
``onnx`` extra, ``pip install sksymact[onnx]``).

Examples
--------
>>> import sksymact
>>> from sksymact import Formula
>>> Formula.parse("x * sin(x)")
Formula('mul(x, sin(x))')
>>> sksymact.datasets.make_collider_events(5, random_state=0).data.shape[0]
5
"""

import importlib

from ._version import __version__

#: Each public name and the private module that defines it.
_LAZY_ATTRIBUTES = {
    "Formula": "._formula",
    "SymbolicActivation": "._activation",
    "SymbolicActivationDiscoverer": "._discovery",
    "HybridTransferClassifier": "._classifier",
    "HybridTransferRegressor": "._regressor",
    "parameter_efficiency_score": "._metrics",
    "regression_efficiency_score": "._metrics",
    "efficiency_scorer": "._metrics",
    "count_params": "._metrics",
    # Needs the onnx extra; importing sksymact._onnx registers the converter with skl2onnx.
    "to_onnx": "._onnx",
}

#: The public subpackages and modules, reachable as attributes.
_SUBMODULES = ("benchmark", "datasets", "exceptions", "library", "plotting")

# The public names, derived from the one table above.  lazy_loader (SPEC 1's
# reference implementation) would derive them too, at the cost of a dependency,
# another error message for an unknown name and a __dir__ without __version__.
__all__ = [*_LAZY_ATTRIBUTES, "__version__"]


def __getattr__(name):
    """Import a public name or subpackage on its first use (PEP 562)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")  # binds it on the package too
    module = _LAZY_ATTRIBUTES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups do not come back here
    return value


def __dir__():
    """The public names and subpackages, imported or not."""
    return sorted(set(__all__) | set(_SUBMODULES))
