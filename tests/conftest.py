import os

import numpy as np
import pytest
import torch

# Two pytest-xdist workers on two cores: one torch thread each, or they fight.
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)

#: The UCI copies the tests of the real data read: the rows that ship with the
#: package (sksymact/datasets/data), which the shared data folder's README lists
#: with the same checksums.
UCI_FILES = ("HIGGS-5000.csv.gz", "covtype-20000.data.gz", "spambase.data")


def _in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def uci_data_home(tmp_path_factory):
    """A data folder holding every file of ``UCI_FILES``, the real UCI rows.

    The folder named by SKSYMACT_DATA when it is set (a copy of the files made
    apart from the package, checked against it); else a copy of the samples
    bundled with sksymact, so that these tests run on a fresh checkout. A copy,
    not the package folder: a test may try (and fail) to download into it.

    A SKSYMACT_DATA folder that lacks a file skips the test, saying how to run
    it -- except in CI (the CI environment variable set, as CI services do),
    where it fails: there a broken data folder is a broken setup, and a skip
    would hide it.
    """
    home = os.environ.get("SKSYMACT_DATA")
    if not home:
        from importlib import resources

        copy = tmp_path_factory.mktemp("bundled-uci")
        folder = resources.files("sksymact.datasets") / "data"
        for name in UCI_FILES:
            (copy / name).write_bytes((folder / name).read_bytes())
        return str(copy)
    missing = [name for name in UCI_FILES if not os.path.isfile(os.path.join(home, name))]
    if not missing:
        return home
    problem = (f"SKSYMACT_DATA folder {home} lacks {', '.join(missing)}: set SKSYMACT_DATA to "
               f"a folder holding the UCI files {', '.join(UCI_FILES)}, or unset it to test "
               "the samples bundled with sksymact")
    if _in_ci():
        pytest.fail(f"{problem} (CI is set: the tests on the real UCI data must run)",
                    pytrace=False)
    pytest.skip(problem)


@pytest.fixture
def offline(monkeypatch):
    """No network: every download of the UCI loaders fails at once, and is recorded.

    Yields the list of what was asked for, so a test can check that nothing was.
    """
    import urllib.error

    from sksymact.datasets import _base, _covertype

    asked = []

    def no_network(url, *args, **kwargs):
        asked.append(url)
        raise urllib.error.URLError("network is unreachable (simulated)")

    monkeypatch.setattr(_base, "_urlopen", no_network)
    monkeypatch.setattr(_covertype, "_fetch_sklearn_covtype",
                        lambda data_home, download_if_missing: no_network(data_home))
    return asked


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
