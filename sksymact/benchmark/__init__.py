"""The paper's benchmark: configurations, a resumable runner, the report and a demo.

The benchmark is described by registries: :data:`DATASETS` (what each data
set is, of which task, and how its rows are loaded), :data:`PROTOCOLS` (where
discovery sees data) and :data:`CONFIGURATIONS` (the rows of the paper's
table).  :func:`run_benchmark` runs them; the demo is the same runner over the
demo's data sets.  Our regression extension adds two regression data sets
and :data:`REGRESSION_CONFIGURATIONS`, its default configurations, scored by
R² instead of ROC AUC.

>>> from sksymact.benchmark import (CONFIGURATIONS, DATASETS, DEFAULT_CONFIGURATIONS,
...                                 PROTOCOLS, BenchmarkSettings)
>>> [CONFIGURATIONS[key].label for key in DEFAULT_CONFIGURATIONS]
... # doctest: +NORMALIZE_WHITESPACE
['Heavy ReLU', 'Light ReLU', 'Light GELU', 'Light SiLU', 'Hybrid specialist',
 'Hybrid transfer']
>>> [key for key in CONFIGURATIONS if key not in DEFAULT_CONFIGURATIONS]
... # doctest: +NORMALIZE_WHITESPACE
['hybrid-specialist-network', 'hybrid-transfer-network', 'light-tanh',
 'hybrid-specialist-evolved', 'hybrid-transfer-evolved', 'transfer-evolved-from-magic',
 'light-best-standard', 'light-learnable-blend', 'transfer-paper',
 'hist-gradient-boosting', 'logistic-regression', 'hist-gradient-boosting-regressor',
 'linear-regression']
>>> {key: d.task for key, d in DATASETS.items()}  # doctest: +NORMALIZE_WHITESPACE
{'higgs': 'classification', 'covertype': 'classification', 'spambase': 'classification',
 'california': 'regression', 'friedman': 'regression'}
>>> list(PROTOCOLS)
['leakage-free', 'reference']
>>> BenchmarkSettings().max_iter, BenchmarkSettings().population_size
(15, 500)
"""

import importlib

#: Each public name and the module of this package that defines it. The names
#: are imported on first use (PEP 562), so that the command line can read the
#: configurations without importing scikit-learn, torch or gplearn.
_LAZY_ATTRIBUTES = {
    "BASELINE": "._configs",
    "CONFIGURATIONS": "._configs",
    "DEFAULT_CONFIGURATIONS": "._configs",
    "REGRESSION_CONFIGURATIONS": "._configs",
    "REFERENCE_ESTIMATORS": "._configs",
    "PROTOCOLS": "._protocols",
    "SOURCE_DATASET": "._configs",
    "SUITES": "._configs",
    "Suite": "._configs",
    "pmlb_dataset": "._datasets",
    "with_pmlb": "._datasets",
    "write_across_report": "._across_report",
    "BenchmarkSettings": "._configs",
    "Configuration": "._configs",
    "Protocol": "._protocols",
    "DATASETS": "._datasets",
    "Dataset": "._datasets",
    "run_demo": "._demo",
    "entries_from_benchmark": "._library_entries",
    "write_builtin": "._library_entries",
    "format_summary": "._report",
    "summarize": "._report",
    "write_summary": "._report",
    "PAPER_SEEDS": "._configs",
    "formula_key": "._runner",
    "plan_runs": "._runner",
    "run_benchmark": "._runner",
    "RESULT_COLUMNS": "._store",
    "BenchmarkError": "._store",
    "SettingsMismatchError": "._store",
    "read_formulas": "._store",
    "read_results": "._store",
}


def __getattr__(name):
    """Import a public name on its first use."""
    module = _LAZY_ATTRIBUTES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    """The public names, imported or not."""
    return sorted(__all__)


# The public names, derived from the one table above.
__all__ = sorted(_LAZY_ATTRIBUTES)
