"""Version stamp for pickled estimators (ground floor: no torch, no sklearn import)."""

import warnings

from ._version import __version__
from .exceptions import InconsistentSksymactVersionWarning

__all__ = ["VersionedPickleMixin"]


class VersionedPickleMixin:
    """Store the sksymact version in the pickle and warn when it loads under another.

    The same pattern as scikit-learn's ``_sklearn_version``: a model saved by
    an older minor version may still load, but its behaviour is not
    guaranteed, so the user is told which versions are involved.
    """

    def __getstate__(self):
        state = super().__getstate__()
        state["_sksymact_version"] = __version__
        return state

    def __setstate__(self, state):
        saved = state.pop("_sksymact_version", None)
        if saved is None:
            warnings.warn(
                f"This {type(self).__name__} was pickled without a sksymact version stamp "
                f"(before 0.1?) and is loaded with {__version__}; refit it if it misbehaves.",
                InconsistentSksymactVersionWarning,
                stacklevel=2,
            )
        elif saved.split(".")[:2] != __version__.split(".")[:2]:
            warnings.warn(
                f"This {type(self).__name__} was saved with sksymact {saved} and is loaded "
                f"with {__version__}; predictions may differ or fail. Refit it if they do.",
                InconsistentSksymactVersionWarning,
                stacklevel=2,
            )
        super().__setstate__(state)
