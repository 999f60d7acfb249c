import os

import numpy as np
import pytest
import torch

# Two pytest-xdist workers on two cores: one torch thread each, or they fight.
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)

#: The UCI copies of the shared data folder (its README lists their rows and checksums).
UCI_FILES = ("HIGGS-5000.csv.gz", "covtype-20000.data.gz", "spambase.data")


@pytest.fixture(scope="session")
def uci_data_home():
    """The folder named by SKSYMACT_DATA, holding every file of ``UCI_FILES``.

    Without it a test that needs the real data is skipped -- except in CI (the
    CI environment variable set, as CI services do), where it fails: there a
    missing folder or file is a broken setup, and a skip would hide it.
    """
    home = os.environ.get("SKSYMACT_DATA")
    if not home:
        problem = "SKSYMACT_DATA is not set: no folder with the UCI files"
    else:
        missing = [name for name in UCI_FILES if not os.path.isfile(os.path.join(home, name))]
        problem = f"SKSYMACT_DATA folder {home} lacks {', '.join(missing)}" if missing else None
    if problem is None:
        return home
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{problem} (CI is set: the tests on the real UCI data must run)",
                    pytrace=False)
    pytest.skip(problem)


@pytest.fixture
def binary_data():
    """A small standardized binary problem where a non-linear net helps."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6)).astype(np.float32)
    y = ((X[:, 0] * np.cos(X[:, 1]) + 0.5 * X[:, 2] ** 2) > 0.3).astype(int)
    return X, y


@pytest.fixture
def multiclass_data():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 5))
    y = np.digitize(X[:, 0] + np.sin(2 * X[:, 1]), [-0.5, 0.5])
    return X, y
