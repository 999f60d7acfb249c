"""The old home of the warning classes, kept so that old imports keep working.

The classes live in :mod:`sksymact.exceptions`; the names here are the same
objects.
"""

from .exceptions import (
    DegenerateFormulaWarning,
    InconsistentSksymactVersionWarning,
    SksymactWarning,
    WeakActivationWarning,
)

__all__ = ["SksymactWarning", "DegenerateFormulaWarning", "InconsistentSksymactVersionWarning",
           "WeakActivationWarning"]
