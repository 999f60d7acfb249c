"""Tests of sksymact.datasets: the UCI loaders and the collider simulation.

Tests marked by the ``real_home`` fixture read the real UCI rows: from the
folder named by the SKSYMACT_DATA environment variable when it is set, else
from a copy of the samples bundled with sksymact (``uci_data_home`` in
conftest.py), so they run on a fresh checkout too.
Every other test builds its own data folder under ``tmp_path``; the network
is replaced by in-memory fakes, and any real network access fails.
"""

import dataclasses
import doctest
import functools
import gzip
import io
import os
import pathlib
import urllib.error
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Bunch
from sklearn.utils._param_validation import InvalidParameterError

from sksymact import datasets
from sksymact.datasets import (
    _base,
    _collider,
    _covertype,
    _csv_parser,
    _download,
    _higgs,
    _spambase,
    fetch_covertype,
    fetch_higgs,
    fetch_spambase,
    get_data_home,
    make_collider_events,
)

# --------------------------------------------------------------------------
# fixtures and helpers


class FakeNetwork:
    """An opener serving fixed bytes, recording what was asked for."""

    def __init__(self, payload, fail_after=None):
        self.payload = payload
        self.fail_after = fail_after
        self.calls = []

    def __call__(self, url, timeout):
        self.calls.append((url, timeout))
        self.stream = FlakyStream(self.payload, self.fail_after)
        return self.stream


class FlakyStream(io.BytesIO):
    """A response whose connection drops after ``fail_after`` bytes."""

    def __init__(self, payload, fail_after):
        super().__init__(payload)
        self.fail_after = fail_after

    def read(self, size=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionResetError("connection reset by peer")
        if self.fail_after is not None:
            limit = self.fail_after - self.tell()
            size = limit if size is None or size < 0 else min(size, limit)
        return super().read(size)

    def read1(self, size=-1):
        return self.read(size)

    def close(self):
        if not self.closed:
            self.bytes_sent = self.tell()
        super().close()

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def offline_opener(url, timeout):
    raise urllib.error.URLError("network is unreachable (simulated)")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Make every download attempt fail as if the machine were offline."""
    monkeypatch.setattr(_base, "_urlopen", offline_opener)

    def no_sklearn_download(data_home, download_if_missing):
        raise urllib.error.URLError("network is unreachable (simulated)")

    monkeypatch.setattr(_covertype, "_fetch_sklearn_covtype", no_sklearn_download)


@pytest.fixture(scope="module")
def real_home(uci_data_home):
    # SKSYMACT_DATA, else a copy of the bundled rows (conftest.py).
    return uci_data_home


@pytest.fixture(scope="module")
def real_covertype(real_home):
    return fetch_covertype(
        data_home=real_home, binary=False, download_if_missing=False
    )


def higgs_lines(n_rows, seed=0):
    """Lines in the format of HIGGS.csv: label then 28 floats, %.18e."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 2, size=n_rows)
    values = rng.normal(size=(n_rows, 28)).astype(np.float32)
    lines = [
        ",".join(f"{v:.18e}" for v in [float(lab), *row]) + "\n"
        for lab, row in zip(labels, values.astype(np.float64))
    ]
    return lines, values.astype(np.float64), labels


@functools.lru_cache(maxsize=1)
def higgs_3000():
    """3,000 HIGGS-like rows and their gzip bytes (built once)."""
    lines, values, labels = higgs_lines(3000)
    values.flags.writeable = labels.flags.writeable = False
    return tuple(lines), values, labels, gz_bytes(lines)


def write_gz(path, lines):
    with gzip.open(path, "wt", newline="") as f:
        f.writelines(lines)


def gz_bytes(lines):
    return gzip.compress("".join(lines).encode("ascii"), mtime=0)


def covtype_lines(n_rows, seed=0):
    rng = np.random.RandomState(seed)
    quant = rng.randint(0, 3000, size=(n_rows, 10))
    wild = np.eye(4, dtype=int)[rng.randint(0, 4, size=n_rows)]
    soil = np.eye(40, dtype=int)[rng.randint(0, 40, size=n_rows)]
    labels = rng.randint(1, 8, size=n_rows)
    table = np.column_stack([quant, wild, soil, labels])
    return [",".join(map(str, row)) + "\n" for row in table], table


def spambase_bytes(n_rows=4601, seed=0):
    rng = np.random.RandomState(seed)
    table = np.round(rng.uniform(0, 5, size=(n_rows, 57)), 2)
    labels = rng.randint(0, 2, size=n_rows)
    text = "".join(
        ",".join(f"{v:g}" for v in row) + f",{lab}\r\n" for row, lab in zip(table, labels)
    )
    return text.encode("ascii"), table, labels


def visible_files(folder):
    return sorted(os.listdir(folder))


# --------------------------------------------------------------------------
# get_data_home


def test_get_data_home_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("SKSYMACT_DATA", str(tmp_path / "from_env"))
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "skl"))
    assert get_data_home(tmp_path / "given") == str(tmp_path / "given")
    assert get_data_home() == str(tmp_path / "from_env")
    monkeypatch.delenv("SKSYMACT_DATA")
    assert get_data_home() == os.path.join(str(tmp_path / "skl"), "sksymact")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home("~/data") == str(tmp_path / "home" / "data")
    # Reading the location never creates a folder.
    assert visible_files(tmp_path) == []


def test_loaders_do_not_create_the_data_home(tmp_path):
    home = tmp_path / "not" / "there"
    for fetch in (fetch_higgs, fetch_covertype, fetch_spambase):
        with pytest.raises(OSError, match="does not exist"):
            fetch(data_home=home, download_if_missing=False)
    assert not (tmp_path / "not").exists()


# --------------------------------------------------------------------------
# the real UCI copies (README facts)


def test_higgs_real_rows_labels_and_first_values(real_home):
    bunch = fetch_higgs(data_home=real_home, n_samples=5000, download_if_missing=False)
    assert isinstance(bunch, Bunch)
    assert bunch.data.shape == (5000, 28) and bunch.data.dtype == np.float64
    assert bunch.target.dtype == np.int64
    assert np.bincount(bunch.target).tolist() == [2330, 2670]
    assert bunch.target[0] == 1
    # First values of HIGGS.csv, as printed by UCI.
    assert bunch.data[0, 0] == float("8.692932128906250000e-01")
    assert bunch.data[0, 1] == float("-6.350818276405334473e-01")
    assert bunch.data[0, 27] == float("8.766783475875854492e-01")
    # The file holds float32 values: float64 loses nothing.
    np.testing.assert_array_equal(bunch.data.astype(np.float32), bunch.data)
    names = bunch.feature_names
    assert len(names) == 28 and len(set(names)) == 28
    assert names[:5] == [
        "lepton_pT",
        "lepton_eta",
        "lepton_phi",
        "missing_energy_magnitude",
        "missing_energy_phi",
    ]
    assert names[5:9] == ["jet1_pt", "jet1_eta", "jet1_phi", "jet1_b-tag"]
    assert names[20] == "jet4_b-tag"
    assert names[21:] == ["m_jj", "m_jjj", "m_lv", "m_jlv", "m_bb", "m_wbb", "m_wwbb"]
    assert bunch.target_names == ["background", "signal"]
    assert bunch.frame is None
    assert "doi.org/10.24432/C5V312" in bunch.DESCR and "CC BY 4.0" in bunch.DESCR
    assert bunch.filename.endswith("HIGGS-5000.csv.gz")


def test_higgs_real_leading_rows(real_home):
    X_all, y_all = fetch_higgs(
        data_home=real_home, n_samples=None, download_if_missing=False, return_X_y=True
    )
    assert X_all.shape == (5000, 28)
    X, y = fetch_higgs(
        data_home=real_home, n_samples=123, download_if_missing=False, return_X_y=True
    )
    np.testing.assert_array_equal(X, X_all[:123])
    np.testing.assert_array_equal(y, y_all[:123])


def test_higgs_real_too_few_rows_cached(real_home):
    with pytest.raises(OSError) as info:
        fetch_higgs(data_home=real_home, n_samples=100_000, download_if_missing=False)
    message = str(info.value)
    assert "download_if_missing" in message
    assert "HIGGS-5000.csv.gz with 5,000 rows" in message
    assert "100,000" in message and real_home in message
    assert "n_samples=5000" in message


def test_higgs_default_offline_says_what_is_cached(real_home):
    # The default asks for the paper's 100,000 rows: only 5,000 are cached,
    # and downloading fails.
    before = visible_files(real_home)
    with pytest.raises(OSError) as info:
        fetch_higgs(data_home=real_home)
    assert visible_files(real_home) == before
    message = str(info.value)
    assert "Downloading https://archive.ics.uci.edu" in message
    assert "HIGGS-5000.csv.gz with 5,000 rows" in message
    assert isinstance(info.value.__cause__, urllib.error.URLError)


def test_higgs_real_as_frame(real_home):
    bunch = fetch_higgs(
        data_home=real_home, n_samples=50, as_frame=True, download_if_missing=False
    )
    assert list(bunch.data.columns) == bunch.feature_names
    assert bunch.frame.shape == (50, 29)
    assert bunch.target.name == "label"
    assert bunch.target.tolist() == bunch.frame["label"].tolist()
    X, y = fetch_higgs(
        data_home=real_home,
        n_samples=50,
        as_frame=True,
        return_X_y=True,
        download_if_missing=False,
    )
    assert X.shape == (50, 28) and y.shape == (50,)


def test_covertype_real_counts(real_home, real_covertype):
    assert real_covertype.data.shape == (20000, 54)
    assert real_covertype.data.dtype == np.float64
    assert np.bincount(real_covertype.target, minlength=8)[1:].tolist() == [
        2942, 6022, 2160, 2160, 2396, 2160, 2160,
    ]  # fmt: skip
    assert real_covertype.target_names[1] == "Lodgepole Pine"
    assert len(real_covertype.target_names) == 7
    # The first row of covtype.data.
    assert real_covertype.data[0, :3].tolist() == [2596, 51, 3]
    assert real_covertype.target[0] == 5
    # Exactly one wilderness area and one soil type per row.
    assert (real_covertype.data[:, 10:14].sum(axis=1) == 1).all()
    assert (real_covertype.data[:, 14:].sum(axis=1) == 1).all()
    names = real_covertype.feature_names
    assert len(names) == 54 and names[0] == "Elevation"
    assert names[10] == "Wilderness_Area_0" and names[-1] == "Soil_Type_39"

    binary = fetch_covertype(data_home=real_home, download_if_missing=False)
    assert binary.target_names == ["other", "lodgepole_pine"]
    assert int(binary.target.sum()) == 6022
    np.testing.assert_array_equal(binary.target, (real_covertype.target == 2).astype(int))
    assert "doi.org/10.24432/C50K5N" in binary.DESCR
    assert "class mix unlike the full file" in " ".join(binary.DESCR.split())


def test_covertype_real_random_subsample(real_home, real_covertype):
    def draw(seed):
        return fetch_covertype(
            data_home=real_home,
            n_samples=1000,
            random_state=seed,
            binary=False,
            download_if_missing=False,
            return_X_y=True,
        )

    X0, y0 = draw(0)
    X0_again, y0_again = draw(0)
    X1, _ = draw(1)
    assert X0.shape == (1000, 54)
    np.testing.assert_array_equal(X0, X0_again)
    np.testing.assert_array_equal(y0, y0_again)
    assert not np.array_equal(X0, X1)
    # Every drawn row is a row of the cached file, with its own label, and
    # no row is drawn twice.
    full = np.column_stack([real_covertype.data, real_covertype.target])
    drawn = np.column_stack([X0, y0])
    full_rows = {row.tobytes(): i for i, row in enumerate(full)}
    positions = [full_rows.get(row.tobytes()) for row in drawn]
    assert None not in positions
    assert len(set(positions)) == 1000
    assert positions == sorted(positions)  # file order is kept


def test_covertype_real_too_few_rows_cached(real_home):
    with pytest.raises(OSError) as info:
        fetch_covertype(data_home=real_home, n_samples=100_000, download_if_missing=False)
    message = str(info.value)
    assert "covtype-20000.data.gz with 20,000 rows" in message
    assert "100,000" in message
    # Allowed to download, but offline: same facts plus the failure.
    with pytest.raises(OSError) as info:
        fetch_covertype(data_home=real_home, n_samples=100_000)
    assert "failed" in str(info.value)
    assert "covtype-20000.data.gz with 20,000 rows" in str(info.value)


def test_spambase_real(real_home):
    bunch = fetch_spambase(data_home=real_home, download_if_missing=False, as_frame=True)
    assert bunch.data.shape == (4601, 57)
    assert int(bunch.target.sum()) == 1813
    names = bunch.feature_names
    assert len(names) == 57 and len(set(names)) == 57
    assert names[0] == "word_freq_make" and names[47] == "word_freq_conference"
    assert names[48:54] == [
        "char_freq_;",
        "char_freq_(",
        "char_freq_[",
        "char_freq_!",
        "char_freq_$",
        "char_freq_#",
    ]
    assert names[54:] == [
        "capital_run_length_average",
        "capital_run_length_longest",
        "capital_run_length_total",
    ]
    assert list(bunch.data.columns) == names
    assert bunch.frame.shape == (4601, 58) and bunch.target.name == "spam"
    assert "doi.org/10.24432/C53G6X" in bunch.DESCR
    X, y = fetch_spambase(
        data_home=real_home,
        n_samples=500,
        random_state=3,
        download_if_missing=False,
        return_X_y=True,
    )
    assert X.shape == (500, 57) and X.dtype == np.float64
    assert set(np.unique(y)) == {0, 1}
    with pytest.raises(ValueError, match="4,601"):
        fetch_spambase(data_home=real_home, n_samples=5000, download_if_missing=False)


# --------------------------------------------------------------------------
# missing data and argument checks (no real files needed)


@pytest.mark.parametrize(
    "fetch, expected",
    [
        (fetch_higgs, "HIGGS.csv.gz or HIGGS-<rows>.csv.gz"),
        (fetch_covertype, "covtype.data.gz or covtype-<rows>.data.gz"),
        (fetch_spambase, "spambase.data"),
    ],
)
def test_missing_data_without_download(tmp_path, fetch, expected):
    (tmp_path / "unrelated.txt").write_text("x")
    with pytest.raises(OSError, match="Data not found and `download_if_missing` is False") as info:
        fetch(data_home=tmp_path, download_if_missing=False)
    message = str(info.value)
    assert expected in message and str(tmp_path) in message
    assert "SKSYMACT_DATA" in message and "download_if_missing=True" in message


def test_data_home_from_environment(monkeypatch, tmp_path):
    lines, values, labels = higgs_lines(30)
    write_gz(tmp_path / "HIGGS-30.csv.gz", lines)
    monkeypatch.setenv("SKSYMACT_DATA", str(tmp_path))
    X, y = fetch_higgs(n_samples=30, download_if_missing=False, return_X_y=True)
    np.testing.assert_array_equal(X, values)
    np.testing.assert_array_equal(y, labels)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_n_samples_is_checked(tmp_path, bad):
    for fetch in (fetch_higgs, fetch_covertype, fetch_spambase):
        with pytest.raises((TypeError, ValueError), match="n_samples"):
            fetch(data_home=tmp_path, n_samples=bad, download_if_missing=False)


def test_n_samples_larger_than_dataset(tmp_path):
    with pytest.raises(ValueError, match="11,000,000"):
        fetch_higgs(data_home=tmp_path, n_samples=11_000_001)
    with pytest.raises(ValueError, match="581,012"):
        fetch_covertype(data_home=tmp_path, n_samples=600_000)


def test_fetch_higgs_takes_no_random_state(tmp_path):
    # HIGGS rows are the leading rows of the file: a seed would be ignored.
    with pytest.raises(TypeError, match="random_state"):
        fetch_higgs(data_home=tmp_path, random_state=0, download_if_missing=False)


@pytest.mark.parametrize(
    "fetch, kwargs",
    [
        (fetch_higgs, {"download_if_missing": "no"}),
        (fetch_higgs, {"as_frame": 1}),
        (fetch_higgs, {"data_home": 3}),
        (fetch_covertype, {"binary": None}),
        (fetch_covertype, {"random_state": "seed"}),
        (fetch_spambase, {"return_X_y": "yes"}),
        # Checked even though no subsample is drawn.
        (fetch_spambase, {"random_state": -1}),
    ],
)
def test_parameters_are_validated_before_any_file_is_read(tmp_path, fetch, kwargs):
    (name,) = kwargs
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of {fetch.__name__}"):
        fetch(**{"data_home": tmp_path, "download_if_missing": False, **kwargs})


# --------------------------------------------------------------------------
# choosing among cached files


def test_higgs_picks_the_smallest_sufficient_file(tmp_path):
    small, small_values, _ = higgs_lines(10, seed=1)
    large, large_values, _ = higgs_lines(40, seed=2)
    write_gz(tmp_path / "HIGGS-10.csv.gz", small)
    write_gz(tmp_path / "HIGGS-40.csv.gz", large)
    bunch = fetch_higgs(data_home=tmp_path, n_samples=8, download_if_missing=False)
    assert bunch.filename.endswith("HIGGS-10.csv.gz")
    np.testing.assert_array_equal(bunch.data, small_values[:8])
    bunch = fetch_higgs(data_home=tmp_path, n_samples=11, download_if_missing=False)
    np.testing.assert_array_equal(bunch.data, large_values[:11])
    bunch = fetch_higgs(data_home=tmp_path, n_samples=None, download_if_missing=False)
    np.testing.assert_array_equal(bunch.data, large_values)


def test_higgs_full_file_is_read_only_as_far_as_needed(tmp_path):
    # A "full" file whose tail is garbage: asking for the leading rows must
    # not read that far.
    lines, values, _ = higgs_lines(20)
    write_gz(tmp_path / "HIGGS.csv.gz", lines + ["not,a,row\n"])
    X, _ = fetch_higgs(
        data_home=tmp_path, n_samples=20, download_if_missing=False, return_X_y=True
    )
    np.testing.assert_array_equal(X, values)


# --------------------------------------------------------------------------
# content validation


def test_truncated_gzip_is_reported(tmp_path):
    lines, _, _, payload = higgs_3000()
    (tmp_path / "HIGGS-3000.csv.gz").write_bytes(payload[: len(payload) // 2])
    with pytest.raises(OSError, match=r"HIGGS-3000\.csv\.gz: the compressed file is truncated"):
        fetch_higgs(data_home=tmp_path, n_samples=3000, download_if_missing=False)


def test_not_gzip_is_reported(tmp_path):
    (tmp_path / "covtype-5.data.gz").write_bytes(b"plain text, not gzip\n" * 5)
    with pytest.raises(OSError, match=r"covtype-5\.data\.gz: .*truncated or corrupt"):
        fetch_covertype(data_home=tmp_path, download_if_missing=False)


def test_wrong_column_count_is_reported(tmp_path):
    lines, _, _ = higgs_lines(10)
    lines[2] = ",".join(lines[2].split(",")[:12]) + "\n"
    write_gz(tmp_path / "HIGGS-10.csv.gz", lines)
    with pytest.raises(
        ValueError,
        match=r"HIGGS-10\.csv\.gz: expected 29 comma-separated columns, line 3 has 12",
    ):
        fetch_higgs(data_home=tmp_path, n_samples=10, download_if_missing=False)


def test_consistently_wrong_column_count_is_reported(tmp_path):
    lines, _ = covtype_lines(10)
    write_gz(tmp_path / "covtype-10.data.gz", [line.split(",", 1)[1] for line in lines])
    with pytest.raises(ValueError, match="expected 55 comma-separated columns, line 1 has 54"):
        fetch_covertype(data_home=tmp_path, download_if_missing=False)


def test_non_numeric_value_is_reported(tmp_path):
    lines, _, _ = higgs_lines(10)
    fields = lines[6].split(",")
    fields[4] = "abc"
    lines[6] = ",".join(fields)
    write_gz(tmp_path / "HIGGS-10.csv.gz", lines)
    with pytest.raises(ValueError, match=r"line 7, column 5 is not a number: 'abc'"):
        fetch_higgs(data_home=tmp_path, n_samples=10, download_if_missing=False)


def test_bad_labels_are_reported(tmp_path):
    lines, _, _ = higgs_lines(10)
    lines[4] = "2" + lines[4][lines[4].index(",") :]
    write_gz(tmp_path / "HIGGS-10.csv.gz", lines)
    expected = r"HIGGS-10\.csv\.gz: line 5 has label 2 in column 1; expected one of 0, 1"
    with pytest.raises(ValueError, match=expected):
        fetch_higgs(data_home=tmp_path, n_samples=10, download_if_missing=False)

    cov, _ = covtype_lines(10)
    cov[7] = cov[7].rsplit(",", 1)[0] + ",8\n"
    write_gz(tmp_path / "covtype-10.data.gz", cov)
    with pytest.raises(ValueError, match=r"line 8 has label 8 in column 55"):
        fetch_covertype(data_home=tmp_path, download_if_missing=False)


def test_sample_file_shorter_than_its_name(tmp_path):
    lines, _, _ = higgs_lines(40)
    write_gz(tmp_path / "HIGGS-50.csv.gz", lines)
    with pytest.raises(ValueError, match=r"HIGGS-50\.csv\.gz: expected 50 rows .*only 40"):
        fetch_higgs(data_home=tmp_path, n_samples=45, download_if_missing=False)
    with pytest.raises(ValueError, match="only 40"):
        fetch_higgs(data_home=tmp_path, n_samples=None, download_if_missing=False)


def test_spambase_row_count_is_checked(tmp_path):
    payload, _, _ = spambase_bytes(100)
    (tmp_path / "spambase.data").write_bytes(payload)
    with pytest.raises(ValueError, match=r"spambase\.data: expected 4,601 rows"):
        fetch_spambase(data_home=tmp_path, download_if_missing=False)


# --------------------------------------------------------------------------
# downloading, with a simulated network


def test_offline_download_fails_cleanly(tmp_path):
    home = tmp_path / "cache"
    with pytest.raises(OSError) as info:
        fetch_higgs(data_home=home, n_samples=100)
    message = str(info.value)
    assert "Downloading https://archive.ics.uci.edu/ml/machine-learning-databases" in message
    assert "failed" in message and "download_if_missing=False" in message
    assert "SKSYMACT_DATA" in message
    with pytest.raises(OSError, match="spambase.data failed"):
        fetch_spambase(data_home=home)
    with pytest.raises(OSError, match="Downloading the Covertype dataset"):
        fetch_covertype(data_home=home)
    # Offline, not even the folder is created.
    assert not home.exists()


def test_higgs_fake_download_streams_only_the_rows_needed(tmp_path, monkeypatch):
    lines, values, labels, payload = higgs_3000()
    network = FakeNetwork(payload)
    monkeypatch.setattr(_base, "_urlopen", network)
    bunch = fetch_higgs(data_home=tmp_path / "cache", n_samples=25)
    assert network.calls == [(_higgs.HIGGS_URL, _base.DOWNLOAD_TIMEOUT)]
    # Reading stopped early: most of the remote file was never fetched.
    assert network.stream.bytes_sent < len(payload) / 2
    np.testing.assert_array_equal(bunch.data, values[:25])
    np.testing.assert_array_equal(bunch.target, labels[:25])
    # The rows are cached as a sample file, byte for byte the leading lines.
    assert visible_files(tmp_path / "cache") == ["HIGGS-25.csv.gz"]
    with gzip.open(tmp_path / "cache" / "HIGGS-25.csv.gz", "rt") as f:
        assert f.read() == "".join(lines[:25])
    # Later calls read the cache; the network is not used again.
    monkeypatch.setattr(_base, "_urlopen", offline_opener)
    X, _ = fetch_higgs(
        data_home=tmp_path / "cache", n_samples=10, download_if_missing=False, return_X_y=True
    )
    np.testing.assert_array_equal(X, values[:10])


def test_higgs_download_interrupted_leaves_no_complete_looking_file(tmp_path, monkeypatch):
    lines, _, _, payload = higgs_3000()
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(payload, fail_after=len(payload) // 3))
    with pytest.raises(OSError, match="ConnectionResetError"):
        fetch_higgs(data_home=tmp_path, n_samples=3000)
    assert visible_files(tmp_path) == []
    # A remote gzip cut short (the server closed the connection early).
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(payload[: len(payload) // 3]))
    with pytest.raises(OSError, match="EOFError"):
        fetch_higgs(data_home=tmp_path, n_samples=3000)
    assert visible_files(tmp_path) == []
    # The remote file has fewer rows than asked for: nothing is kept.
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(gz_bytes(lines[:50])))
    with pytest.raises(ValueError, match="file ends after 50"):
        fetch_higgs(data_home=tmp_path, n_samples=60)
    assert visible_files(tmp_path) == []


def test_higgs_full_download_keeps_the_remote_bytes(tmp_path, monkeypatch):
    _, values, labels, payload = higgs_3000()
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(payload))
    # The rows are checked while they arrive: a full file of the wrong size
    # is refused and not kept.
    with pytest.raises(ValueError, match=r"expected 11,000,000 rows .* only 3,000"):
        fetch_higgs(data_home=tmp_path, n_samples=None)
    assert visible_files(tmp_path) == []

    monkeypatch.setattr(_higgs, "HIGGS", dataclasses.replace(_higgs.HIGGS, n_rows=3000))
    bunch = fetch_higgs(data_home=tmp_path, n_samples=None)
    assert visible_files(tmp_path) == ["HIGGS.csv.gz"]
    assert (tmp_path / "HIGGS.csv.gz").read_bytes() == payload
    np.testing.assert_array_equal(bunch.data, values)
    np.testing.assert_array_equal(bunch.target, labels)
    X, y = fetch_higgs(
        data_home=tmp_path, n_samples=None, download_if_missing=False, return_X_y=True
    )
    np.testing.assert_array_equal(X, values)
    np.testing.assert_array_equal(y, labels)


@pytest.mark.parametrize(
    "fetch, files",
    [
        (fetch_higgs, "HIGGS.csv.gz, or a file HIGGS-<rows>.csv.gz of its first rows,"),
        (fetch_covertype, "covtype.data.gz, or a file covtype-<rows>.data.gz of its first rows,"),
        (fetch_spambase, "spambase.data"),
    ],
)
def test_failed_downloads_say_how_to_work_offline(tmp_path, fetch, files):
    with pytest.raises(OSError) as info:
        fetch(data_home=tmp_path)
    message = str(info.value)
    assert f"To work offline, put {files} in a folder" in message
    assert f"{str(tmp_path)!r} holds no" in message
    assert isinstance(info.value.__cause__, urllib.error.URLError)


def test_download_atomic_replaces_only_when_complete(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old complete content")

    def failing_writer(response, out):
        out.write(response.read(10))
        raise TimeoutError("timed out")

    # The error is passed on unchanged: the loading policy words it.
    with pytest.raises(TimeoutError, match="timed out"):
        _download._download_atomic(
            "http://example.invalid/data",
            str(target),
            failing_writer,
            opener=FakeNetwork(b"new content that never completes"),
            timeout=1.0,
        )
    assert target.read_bytes() == b"old complete content"
    assert visible_files(tmp_path) == ["data.bin"]

    def copy_writer(response, out):
        out.write(response.read())
        return "done"

    result = _download._download_atomic(
        "http://example.invalid/data",
        str(target),
        copy_writer,
        opener=FakeNetwork(b"new content"),
        timeout=1.0,
    )
    assert result == "done"
    assert target.read_bytes() == b"new content"
    assert visible_files(tmp_path) == ["data.bin"]


def test_spambase_fake_download(tmp_path, monkeypatch):
    payload, table, labels = spambase_bytes()
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(payload))
    X, y = fetch_spambase(data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X, table)
    np.testing.assert_array_equal(y, labels)
    assert (tmp_path / "spambase.data").read_bytes() == payload
    # Wrong content is refused and not kept.
    (tmp_path / "spambase.data").unlink()
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(payload[:5000]))
    with pytest.raises(ValueError, match=r"spambase\.data: "):
        fetch_spambase(data_home=tmp_path)
    assert visible_files(tmp_path) == []


def test_covertype_download_goes_through_sklearn(tmp_path, monkeypatch):
    _, table = covtype_lines(300)
    calls = []

    def fake_sklearn_fetch(data_home, download_if_missing):
        calls.append((data_home, download_if_missing))
        return table[:, :-1].astype(np.float64), table[:, -1].astype(np.int32)

    monkeypatch.setattr(_covertype, "_fetch_sklearn_covtype", fake_sklearn_fetch)
    bunch = fetch_covertype(data_home=tmp_path, n_samples=100, random_state=0)
    assert calls == [(os.path.join(str(tmp_path), "scikit_learn_data"), True)]
    assert bunch.data.shape == (100, 54) and set(np.unique(bunch.target)) <= {0, 1}
    X, y = fetch_covertype(data_home=tmp_path, binary=False, return_X_y=True)
    np.testing.assert_array_equal(X, table[:, :-1])
    np.testing.assert_array_equal(y, table[:, -1])

    # Once scikit-learn's cache exists beneath the data home, it is read
    # without network, even with download_if_missing=False.
    os.makedirs(tmp_path / "scikit_learn_data" / "covertype")
    calls.clear()
    fetch_covertype(data_home=tmp_path, download_if_missing=False)
    assert calls == [(os.path.join(str(tmp_path), "scikit_learn_data"), False)]


def test_covertype_cached_sample_file(tmp_path):
    lines, table = covtype_lines(60)
    write_gz(tmp_path / "covtype-60.data.gz", lines)
    X, y = fetch_covertype(
        data_home=tmp_path, binary=False, download_if_missing=False, return_X_y=True
    )
    np.testing.assert_array_equal(X, table[:, :-1])
    np.testing.assert_array_equal(y, table[:, -1])
    frame_bunch = fetch_covertype(data_home=tmp_path, as_frame=True, download_if_missing=False)
    assert list(frame_bunch.data.columns) == frame_bunch.feature_names
    assert frame_bunch.target.name == "lodgepole_pine"
    assert frame_bunch.target.tolist() == (table[:, -1] == 2).astype(int).tolist()


# --------------------------------------------------------------------------
# make_collider_events


@pytest.fixture(scope="module")
def events():
    return make_collider_events(6000, random_state=0)


def test_collider_bunch(events):
    assert events.data.shape == (6000, 12) and events.data.dtype == np.float64
    assert events.target.dtype == np.int64
    assert np.bincount(events.target).tolist() == [3000, 3000]
    assert events.feature_names == _collider.COLLIDER_FEATURE_NAMES
    assert events.target_names == ["background", "signal"]
    assert np.isfinite(events.data).all()
    assert "resonance" in events.DESCR


def test_collider_is_deterministic():
    a = make_collider_events(500, random_state=7, return_X_y=True)
    b = make_collider_events(500, random_state=7, return_X_y=True)
    c = make_collider_events(500, random_state=8, return_X_y=True)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_collider_signal_fraction_and_order():
    X, y = make_collider_events(
        1001, signal_fraction=0.3, shuffle=False, random_state=1, return_X_y=True
    )
    assert y.sum() == 300
    assert (y[:701] == 0).all() and (y[701:] == 1).all()
    _, y = make_collider_events(50, signal_fraction=0.0, random_state=1, return_X_y=True)
    assert y.sum() == 0


def test_collider_features_are_consistent(events):
    X = events.data
    col = {name: X[:, i] for i, name in enumerate(events.feature_names)}
    # Selection and ordering of the jets.
    assert (col["jet1_pt"] >= col["jet2_pt"]).all()
    assert (col["jet2_pt"] > 25).all()
    assert (np.abs(col["jet1_eta"]) < 2.5).all() and (np.abs(col["jet2_eta"]) < 2.5).all()
    for name in ("jet1_phi", "jet2_phi", "missing_energy_phi"):
        assert (np.abs(col[name]) <= np.pi).all()
    assert (col["missing_energy_magnitude"] >= 0).all()
    # The high-level features are functions of the low-level ones.
    d_eta = col["jet1_eta"] - col["jet2_eta"]
    d_phi = np.angle(np.exp(1j * (col["jet1_phi"] - col["jet2_phi"])))
    pt2 = 2 * col["jet1_pt"] * col["jet2_pt"]
    np.testing.assert_allclose(col["m_jj"], np.sqrt(pt2 * (np.cosh(d_eta) - np.cos(d_phi))))
    np.testing.assert_allclose(col["m_T_jj"], np.sqrt(pt2 * (1 - np.cos(d_phi))))
    np.testing.assert_allclose(col["delta_R_jj"], np.hypot(d_eta, d_phi))
    np.testing.assert_allclose(col["H_T"], col["jet1_pt"] + col["jet2_pt"])
    assert (col["m_T_jj"] <= col["m_jj"] + 1e-9).all()


@pytest.mark.parametrize("mass", [150.0, 300.0, 800.0])
def test_collider_signal_mass_peaks_at_the_resonance(mass):
    X, y = make_collider_events(
        4000, resonance_mass=mass, random_state=2, return_X_y=True
    )
    m_jj = X[:, 8]
    signal, background = m_jj[y == 1], m_jj[y == 0]
    assert abs(np.median(signal) - mass) < 0.03 * mass
    # The peak is narrow: resonance width plus detector resolution.
    q16, q84 = np.percentile(signal, [16, 84])
    assert 0.03 * mass < (q84 - q16) / 2 < 0.2 * mass
    # The background is a falling continuum: most of it below the peak.
    assert np.mean(background < mass) > 0.5
    hist, _ = np.histogram(background, bins=np.linspace(0.7 * mass, 1.9 * mass, 7))
    assert (np.diff(hist) < 0).all()


def test_collider_classes_overlap_but_are_learnable():
    X, y = make_collider_events(8000, random_state=3, return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(X[:5000], y[:5000])
    auc = roc_auc_score(y[5000:], model.predict_proba(X[5000:])[:, 1])
    assert 0.7 < auc < 0.9
    # A window on the dijet mass beats the linear model: nonlinearity pays.
    window = -np.abs(X[5000:, 8] - 300.0)
    assert roc_auc_score(y[5000:], window) > auc


def test_collider_as_frame():
    bunch = make_collider_events(100, random_state=0, as_frame=True)
    assert list(bunch.data.columns) == bunch.feature_names
    assert bunch.frame.shape == (100, 13)
    assert bunch.target.name == "label"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_samples": 0},
        {"signal_fraction": 1.5},
        {"signal_fraction": -0.1},
        {"resonance_mass": 10.0},
        {"resonance_width": -1.0},
        {"resolution": float("nan")},
        {"shuffle": "yes"},
    ],
)
def test_collider_rejects_bad_parameters(kwargs):
    with pytest.raises((ValueError, TypeError)):
        make_collider_events(**{"n_samples": 10, **kwargs})


def test_collider_width_must_not_exceed_the_mass():
    with pytest.raises(ValueError, match="resonance_width must be at most resonance_mass"):
        make_collider_events(10, resonance_mass=200.0, resonance_width=250.0)


@pytest.mark.parametrize("name", ["n_samples", "signal_fraction", "resonance_width", "resolution"])
def test_collider_rejects_bools_for_numbers(name):
    with pytest.raises(TypeError, match=f"'{name}' parameter must be a number, not a bool"):
        make_collider_events(**{"n_samples": 10, name: True})


def test_collider_numpy_scalars_give_the_same_events():
    # The arguments become Python numbers: float32 must not lower the precision.
    a = make_collider_events(
        np.int64(300),
        signal_fraction=np.float32(0.25),
        resonance_mass=np.float32(400.0),
        resolution=np.float32(2.0),
        random_state=5,
        return_X_y=True,
    )
    b = make_collider_events(
        300, signal_fraction=0.25, resonance_mass=400.0, resolution=2.0, random_state=5,
        return_X_y=True,
    )
    assert a[0].dtype == np.float64
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


finite = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    px=finite, py=finite, pz=finite, mass=st.floats(0.0, 1e3),
    bx=st.floats(-0.57, 0.57), by=st.floats(-0.57, 0.57), bz=st.floats(-0.57, 0.57),
)  # fmt: skip
def test_boost_preserves_mass_and_inverts(px, py, pz, mass, bx, by, bz):
    p = np.array([[np.sqrt(mass**2 + px**2 + py**2 + pz**2), px, py, pz]])
    beta = np.array([[bx, by, bz]])
    boosted = _collider._boost(p, beta)
    scale = p[0, 0] ** 2 / (1 - bx * bx - by * by - bz * bz) + 1.0
    minkowski = boosted[0, 0] ** 2 - np.sum(boosted[0, 1:] ** 2)
    assert abs(minkowski - mass**2) <= 1e-9 * scale
    np.testing.assert_allclose(_collider._boost(boosted, -beta), p, atol=1e-7 * np.sqrt(scale))


def test_boost_of_a_particle_at_rest():
    beta = np.array([[0.6, 0.0, 0.0], [0.0, 0.0, 0.0]])
    at_rest = np.array([[2.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]])
    boosted = _collider._boost(at_rest, beta)
    # gamma = 1.25: E = gamma m, p = gamma beta m.
    np.testing.assert_allclose(boosted, [[2.5, 1.5, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]])


# --------------------------------------------------------------------------
# documentation


def test_public_api():
    assert sorted(datasets.__all__) == [
        "fetch_covertype",
        "fetch_higgs",
        "fetch_pmlb",
        "fetch_spambase",
        "get_data_home",
        "load_covertype",
        "load_higgs",
        "load_spambase",
        "make_collider_events",
    ]
    for name in datasets.__all__:
        doc = getattr(datasets, name).__doc__
        for section in ("Parameters", "Returns", "Examples"):
            assert section in doc, (name, section)


def test_descriptions_ship_as_rst_files():
    folder = resources.files("sksymact.datasets") / "descr"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".rst"))
    assert names == ["collider.rst", "covertype.rst", "higgs.rst", "pmlb.rst", "spambase.rst"]
    for name in ("higgs.rst", "covertype.rst", "spambase.rst"):
        text = _base.load_descr(name)
        assert text.startswith(f".. _{name[:-4]}_dataset:")
        assert "License: Creative Commons Attribution 4.0 International (CC BY 4.0)." in text
    events = make_collider_events(10, random_state=0)
    assert events.DESCR == _base.load_descr("collider.rst")


def test_descriptions_are_package_data():
    # A wheel only holds the .rst files and the bundled samples if the packaging names them.
    pyproject = pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("not run from a source checkout")
    assert ('"sksymact.datasets" = ["descr/*.rst", "data/*.gz", "data/*.data"]'
            in pyproject.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "module", [_base, _collider, _covertype, _csv_parser, _download, _higgs, _spambase]
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# --------------------------------------------------------------------------
# bundled samples (load_*)

#: sha256 of the uncompressed content, as the UCI copies' README lists them.
BUNDLED_SHA256 = {
    "HIGGS-5000.csv.gz": "e996a57d1dec14eba41872d97a677aba667f82367f8557746d831b4eedf2a6d5",
    "covtype-20000.data.gz": "55ff5c8510624a2fe57838017f96caf86914223f131572edd35a038f3e85e43e",
}


def test_bundled_files_are_the_uci_rows():
    import hashlib

    folder = resources.files("sksymact.datasets") / "data"
    for name, digest in BUNDLED_SHA256.items():
        with gzip.open(io.BytesIO((folder / name).read_bytes())) as stream:
            assert hashlib.sha256(stream.read()).hexdigest() == digest, name
    assert (folder / "spambase.data").read_bytes().count(b"\n") == 4601


def test_load_gives_what_fetch_gives_from_a_folder(real_home):
    from sksymact.datasets import load_covertype, load_higgs, load_spambase

    pairs = [
        (load_higgs(), datasets.fetch_higgs(data_home=real_home, n_samples=5000,
                                            download_if_missing=False)),
        (load_covertype(n_samples=3000, random_state=0),
         datasets.fetch_covertype(data_home=real_home, n_samples=3000, random_state=0,
                                  download_if_missing=False)),
        (load_spambase(), datasets.fetch_spambase(data_home=real_home,
                                                  download_if_missing=False)),
    ]
    for bundled, fetched in pairs:
        np.testing.assert_array_equal(bundled.data, fetched.data)
        np.testing.assert_array_equal(bundled.target, fetched.target)
        assert bundled.feature_names == fetched.feature_names
        assert "CC BY 4.0" in bundled.DESCR and "ships with sksymact" in bundled.DESCR


def test_load_refuses_more_rows_than_bundled():
    from sksymact.datasets import load_higgs, load_spambase

    with pytest.raises(ValueError, match="5,000 rows of the bundled higgs sample.*fetch_higgs"):
        load_higgs(n_samples=5001)
    X, y = load_higgs(n_samples=10, return_X_y=True)
    assert X.shape == (10, 28)
    assert load_spambase(n_samples=100, random_state=0, as_frame=True).frame.shape == (100, 58)
