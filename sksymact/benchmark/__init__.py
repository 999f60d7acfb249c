"""The paper's benchmark: configurations, a resumable runner, the report and a demo.

>>> from sksymact.benchmark import CONFIGURATIONS, BenchmarkSettings
>>> [c.label for c in CONFIGURATIONS.values()]  # doctest: +NORMALIZE_WHITESPACE
['Heavy ReLU', 'Light ReLU', 'Light GELU', 'Light SiLU', 'Hybrid specialist',
 'Hybrid transfer']
>>> BenchmarkSettings().epochs, BenchmarkSettings().population_size
(15, 500)
"""

from ._configs import (
    BASELINE,
    CONFIGURATIONS,
    DATASETS,
    PROTOCOLS,
    SOURCE_DATASET,
    BenchmarkSettings,
    Configuration,
)
from ._demo import run_demo
from ._report import format_summary, summarize, write_summary
from ._runner import PAPER_SEEDS, formula_key, plan_runs, run_benchmark
from ._store import (
    RESULT_COLUMNS,
    BenchmarkError,
    SettingsMismatchError,
    read_formulas,
    read_results,
)

__all__ = [
    "BASELINE",
    "CONFIGURATIONS",
    "DATASETS",
    "PAPER_SEEDS",
    "PROTOCOLS",
    "RESULT_COLUMNS",
    "SOURCE_DATASET",
    "BenchmarkError",
    "BenchmarkSettings",
    "Configuration",
    "SettingsMismatchError",
    "format_summary",
    "formula_key",
    "plan_runs",
    "read_formulas",
    "read_results",
    "run_demo",
    "run_benchmark",
    "summarize",
    "write_summary",
]
