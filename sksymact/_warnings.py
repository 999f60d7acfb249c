"""Warning categories of sksymact (ground floor: imports nothing of the package)."""


class SksymactWarning(UserWarning):
    """Base class of the warnings sksymact emits.

    The test-suite turns unexpected ones into errors, so every warning a test
    triggers must be asserted with ``pytest.warns``.
    """


class DegenerateFormulaWarning(SksymactWarning):
    """A discovered formula was constant or linear in x and was replaced."""


class InconsistentSksymactVersionWarning(SksymactWarning):
    """An estimator is unpickled under another sksymact minor version than it was saved with."""
