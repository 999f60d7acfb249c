"""The warnings of sksymact.

Every warning sksymact emits derives from :class:`SksymactWarning`, so one
filter silences or escalates them all.  This module imports nothing, neither
of sksymact nor of its dependencies.

Examples
--------
>>> import warnings
>>> from sksymact.exceptions import DegenerateFormulaWarning, SksymactWarning
>>> issubclass(DegenerateFormulaWarning, SksymactWarning)
True
>>> with warnings.catch_warnings():
...     warnings.simplefilter("error", SksymactWarning)
...     try:
...         warnings.warn("x + 1 adds no non-linearity", DegenerateFormulaWarning)
...     except SksymactWarning as warning:
...         print(type(warning).__name__)
DegenerateFormulaWarning
"""

__all__ = [
    "SksymactWarning",
    "DegenerateFormulaWarning",
    "InconsistentSksymactVersionWarning",
    "WeakActivationWarning",
]


class SksymactWarning(UserWarning):
    """Base class of the warnings sksymact emits.

    Filter on it to act on every warning of sksymact at once, for example
    ``warnings.simplefilter("error", SksymactWarning)``.  The test-suite of
    sksymact turns the unexpected ones into errors this way.

    See Also
    --------
    DegenerateFormulaWarning : A discovered formula adds no non-linearity.
    InconsistentSksymactVersionWarning : An estimator is loaded under another version.

    Examples
    --------
    >>> import warnings
    >>> from sksymact.exceptions import SksymactWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", SksymactWarning)
    ...     warnings.warn("something to know", SksymactWarning)
    >>> [str(warning.message) for warning in caught]
    ['something to know']
    """


class DegenerateFormulaWarning(SksymactWarning):
    """A discovered formula is constant, affine or nearly affine in ``x``.

    :class:`~sksymact.SymbolicActivationDiscoverer` emits it when it is fit
    with ``reject_degenerate=False`` and keeps such a formula: the
    nonlinearity of the collapsed formula is below ``min_nonlinearity``, so
    as an activation it adds little or no non-linearity.  With the default
    ``reject_degenerate=True`` such formulas are skipped instead.

    See Also
    --------
    SksymactWarning : The base class of the warnings of sksymact.

    Examples
    --------
    >>> import warnings
    >>> from sksymact.exceptions import DegenerateFormulaWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DegenerateFormulaWarning)
    ...     warnings.warn("2 * x is affine in x", DegenerateFormulaWarning)
    """


class InconsistentSksymactVersionWarning(SksymactWarning):
    """An estimator is unpickled under another sksymact version than it was saved with.

    Pickled estimators of sksymact record the version that saved them.  The
    warning is emitted when that version differs from the running one in its
    major or minor number, or when the pickle has no version stamp: the
    estimator may still load, but its predictions are not guaranteed to be
    the same.  Refit it if they differ.

    See Also
    --------
    SksymactWarning : The base class of the warnings of sksymact.

    Examples
    --------
    >>> import pickle
    >>> import warnings
    >>> from sksymact import SymbolicActivationDiscoverer
    >>> from sksymact.exceptions import InconsistentSksymactVersionWarning
    >>> saved = pickle.dumps(SymbolicActivationDiscoverer(generations=3))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", InconsistentSksymactVersionWarning)
    ...     loaded = pickle.loads(saved)  # the same version: no warning
    """


class WeakActivationWarning(SksymactWarning):
    """No discovered candidate trained better than ReLU.

    :class:`~sksymact.SymbolicActivationDiscoverer` with
    ``selection="network"`` emits it when the chosen formula's validation
    score in the selection's short training is below the same training with
    ReLU (``relu_validation_score_``): the formula is the best of its
    candidates, but a network with it is expected to be worse than with
    ReLU.  ``candidates_`` shows every score.
    """
