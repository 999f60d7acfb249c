"""sksymact: neuro-symbolic activation discovery as scikit-learn estimators.

Discover a formula with genetic programming on a source data set, collapse its
variables into one scalar ``x``, and use it as the activation of a small,
parameter-light network trained on a target data set.
"""

from ._activation import SymbolicActivation
from ._classifier import HybridTransferClassifier
from ._discovery import SymbolicActivationDiscoverer
from ._formula import Formula
from ._metrics import count_params, efficiency_scorer, parameter_efficiency_score
from ._version import __version__

__all__ = [
    "Formula",
    "SymbolicActivation",
    "SymbolicActivationDiscoverer",
    "HybridTransferClassifier",
    "parameter_efficiency_score",
    "efficiency_scorer",
    "count_params",
    "__version__",
]
