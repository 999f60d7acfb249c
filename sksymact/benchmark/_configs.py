"""What the benchmark compares: the configurations, the data sets and the settings."""

import dataclasses
import hashlib
import json
from dataclasses import dataclass

__all__ = [
    "BASELINE",
    "CONFIGURATIONS",
    "Configuration",
    "DATASETS",
    "BenchmarkSettings",
    "PROTOCOLS",
    "SOURCE_DATASET",
]

#: Where discovery sees data.  ``leakage-free``: each seed's training rows only.
#: ``reference``: once per data set on a 10% sample of *all* rows, as the
#: reference code of the paper does (test rows included).
PROTOCOLS = ("leakage-free", "reference")

#: The data set whose formula is transferred to the others.
SOURCE_DATASET = "higgs"

#: Every configuration's AUC is compared with this one's on the same seeds.
BASELINE = "light-relu"


@dataclass(frozen=True)
class Configuration:
    """One row of the paper's Table 2.

    Attributes
    ----------
    key : str
        Name on the command line and in ``results.csv`` (``"light-relu"``).
    label : str
        Name in the summary table (``"Light ReLU"``).
    hidden_layer_sizes : tuple of int
    activation : str
        ``"relu"``, ``"gelu"``, ``"silu"``, or ``"specialist"`` (the formula
        discovered on the data set itself) or ``"transfer"`` (the formula
        discovered on :data:`SOURCE_DATASET`).
    """

    key: str
    label: str
    hidden_layer_sizes: tuple
    activation: str

    @property
    def uses_formula(self):
        return self.activation in ("specialist", "transfer")


HEAVY = (200, 100)
LIGHT = (64, 32)

#: The paper's configurations, in the order of its table.
CONFIGURATIONS = {c.key: c for c in (
    Configuration("heavy-relu", "Heavy ReLU", HEAVY, "relu"),
    Configuration("light-relu", "Light ReLU", LIGHT, "relu"),
    Configuration("light-gelu", "Light GELU", LIGHT, "gelu"),
    Configuration("light-silu", "Light SiLU", LIGHT, "silu"),
    Configuration("hybrid-specialist", "Hybrid specialist", LIGHT, "specialist"),
    Configuration("hybrid-transfer", "Hybrid transfer", LIGHT, "transfer"),
)}

#: The data sets, in the order of the paper's table, and how they are described.
DATASETS = {
    "higgs": "UCI HIGGS (first rows of the file)",
    "covertype": "UCI Covertype, binarized: Lodgepole Pine against the rest",
    "spambase": "UCI Spambase (all 4,601 rows)",
}


@dataclass(frozen=True)
class BenchmarkSettings:
    """Everything that changes a benchmark's numbers.

    A results folder belongs to one set of settings: resuming into it with
    other settings is refused.  What does not change the numbers (which data
    sets, seeds and configurations to run, ``n_jobs``, the scheduler, the data
    folder) is not part of it.

    Parameters
    ----------
    protocol : {"leakage-free", "reference"}, default="leakage-free"
    higgs_rows : int or None, default=100_000
        Leading rows of HIGGS (the paper's 100,000); None for every row available.
    covertype_rows : int or None, default=100_000
        Rows drawn at random (``data_seed``) from Covertype; None for all.
    epochs, batch_size, learning_rate, dropout :
        Training, the paper's: 15 epochs of Adam (1e-3) on batches of 1024,
        dropout 0.3.
    population_size, generations, subsample, function_set :
        The genetic programming search, the paper's: 500 programs, 5
        generations, a 10% subsample, add/sub/mul/sin/cos/abs.
    test_size : float, default=0.2
        Held-out fraction of each seed's stratified split.
    data_seed : int, default=42
        Seed of the Covertype row sample (the same rows for every seed).
    reference_seed : int, default=42
        Seed of the single discovery per data set of the reference protocol.
    """

    protocol: str = "leakage-free"
    higgs_rows: object = 100_000
    covertype_rows: object = 100_000
    epochs: int = 15
    batch_size: int = 1024
    learning_rate: float = 1e-3
    dropout: float = 0.3
    population_size: int = 500
    generations: int = 5
    subsample: float = 0.1
    function_set: tuple = ("add", "sub", "mul", "sin", "cos", "abs")
    test_size: float = 0.2
    data_seed: int = 42
    reference_seed: int = 42

    def __post_init__(self):
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {list(PROTOCOLS)}, got {self.protocol!r}.")
        for name in ("higgs_rows", "covertype_rows"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{name} must be a positive integer or None (all rows), "
                                 f"got {value!r}.")
        for name in ("epochs", "batch_size", "population_size", "generations"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not 0 < self.test_size < 1:
            raise ValueError(f"test_size must be in (0, 1), got {self.test_size!r}.")
        object.__setattr__(self, "function_set", tuple(self.function_set))

    def to_dict(self):
        data = dataclasses.asdict(self)
        data["function_set"] = list(self.function_set)
        return data

    @classmethod
    def from_dict(cls, data):
        return cls(**data)

    @property
    def settings_id(self):
        """A short fingerprint of the settings, stored in every result row."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def differences(self, other):
        """``[(name, mine, theirs), ...]`` for every setting that differs."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [(k, mine[k], theirs.get(k)) for k in mine if mine[k] != theirs.get(k)]
