"""Tests of sksymact.datasets.fetch_pmlb: any PMLB data set, by name.

Tests taking the ``pmlb_home`` fixture read the real PMLB files of the data
folder named by the SKSYMACT_DATA environment variable (``pmlb/<name>/<name>.tsv.gz``);
without it they are skipped, as nothing of PMLB ships with sksymact. Every other
test writes its own small data sets in PMLB's format under ``tmp_path``, so the
loader is checked on names it has never seen; the network is replaced by
in-memory fakes, and any real network access fails.
"""

import doctest
import gzip
import hashlib
import io
import os
import urllib.error

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sksymact.datasets import _base, _pmlb, fetch_pmlb

#: The real PMLB files of the data folder, as its README lists them: task,
#: rows, features, classes (None for regression), sha256 of the .tsv.gz file.
SHARED = {
    "magic": ("classification", 19_020, 10, 2,
              "c823ea26d676538f9194d41f290798ff2f3fe59255c340418fd9439d8fc9c07f"),
    "phoneme": ("classification", 5_404, 5, 2,
                "2e1c31a2c560f3539be5bda1084939765c80ddd814bd6919fd8a3465f9b8aee6"),
    "twonorm": ("classification", 7_400, 20, 2,
                "00e254e3cc6879b3c08cfc5a96ad882a6b1b0a232afcff4934bc1555e05f7168"),
    "ring": ("classification", 7_400, 20, 2,
             "a5fff4a8241312d53818c146ca0b132dc760a6848e7b89ec2e3271fc6454e7da"),
    "satimage": ("classification", 6_435, 36, 6,
                 "1ee8cf9693351db7afe68f6fc32942845caae3e1030c688efa6c5d0b24229f46"),
    "pendigits": ("classification", 10_992, 16, 10,
                  "73294fc30c2c50bf737c954d04cca3a1be69508535d3d52e2512ec88fefaad3f"),
    "letter": ("classification", 20_000, 16, 26,
               "f8ffe4f9920dc63fb85b864cc1afffb66e45c6e302d175905fd7db04ba67b8c6"),
    "wine_quality_white": ("classification", 4_898, 11, 7,
                           "0d39f17afc3a1712bd6c460aa941aed7835b3feb142538adfdd31ddc2451d60d"),
    "page_blocks": ("classification", 5_473, 10, 5,
                    "ebd2c0505b95df7c3fbcd132fe97d35cf85dc6be9b939f26cb0962f8134a5198"),
    "optdigits": ("classification", 5_620, 64, 10,
                  "b70b7ac68a54d1ccd41bd24f11324c3af96b67541791fb9d8684cbdf151533c3"),
    "segmentation": ("classification", 2_310, 19, 7,
                     "980ba4342d2fe489793cc3431678318f8d1467fe6bf6a687eb18bfc2267a049f"),
    "adult": ("classification", 48_842, 14, 2,
              "fb8bc76eafa39558b6044907f23416faf99099cefb8afd06a2cf5afbdae1b506"),
    "dna": ("classification", 3_186, 180, 3,
            "017e1ff56435818b639cc788ee35df6cee7ac2aea19cc62dcb10a3a0c60b6340"),
    "kr_vs_kp": ("classification", 3_196, 36, 2,
                 "f1004d98e1ca1fcfd9809627e4a751c7acd821743a75e49c6f2a8853f32fb24f"),
    "537_houses": ("regression", 20_640, 8, None,
                   "d383fd58bb79760ffaf0b615942fd47d926a19e75a8f980b79fbe9ad479d9cbf"),
    "197_cpu_act": ("regression", 8_192, 21, None,
                    "d00fd6bac2eda0821a04ff10277663d211127745a19a474c0feee41a16914fdc"),
    "225_puma8NH": ("regression", 8_192, 8, None,
                    "0be6203e167cc5e7b038368dbfe0a7790d5dc423c9d7e42887907c5c03f81c27"),
    "564_fried": ("regression", 40_768, 10, None,
                  "f64bb4a6d214a59a50b70b0f3270e334725b6cc010443a484cc751b595a46fe9"),
    "201_pol": ("regression", 15_000, 48, None,
                "bfd1b9c6e5f6314f6ddfc285ace11381570ad688c6c857562c3155a4e478530d"),
}

#: Continuous / binary / categorical counts by fetch_pmlb's rule where they are
#: not the README's (which are PMLB's counts of 2020, from how a column is
#: written: "1.0" continuous, "1" categorical). They are PMLB's current counts
#: (its summary statistics): e.g. adult's codes of education (16 values),
#: occupation (15) and native-country (42) are more than 10 values, so continuous.
KINDS_UNLIKE_README = {
    "optdigits": (51, 3, 10),
    "segmentation": (18, 0, 1),
    "adult": (9, 1, 4),
    "201_pol": (26, 0, 22),
}
KINDS_AS_README = {"dna": (0, 180, 0), "kr_vs_kp": (0, 35, 1)}


def _in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def pmlb_home():
    """The data folder of SKSYMACT_DATA, holding the real PMLB files of ``SHARED``.

    The pattern of ``uci_data_home`` (conftest.py): a SKSYMACT_DATA folder
    that lacks a file skips the test, saying how to run it, except in CI,
    where it fails. Without SKSYMACT_DATA the tests are skipped: unlike the
    UCI samples, no PMLB file ships with sksymact.
    """
    home = os.environ.get("SKSYMACT_DATA")
    if not home:
        pytest.skip("SKSYMACT_DATA is not set: set it to a folder holding the PMLB files "
                    "pmlb/<name>/<name>.tsv.gz to test fetch_pmlb on real data")
    missing = [name for name in SHARED
               if not os.path.isfile(os.path.join(home, "pmlb", name, f"{name}.tsv.gz"))]
    if not missing:
        return home
    problem = (f"SKSYMACT_DATA folder {home} lacks the PMLB files of {', '.join(missing)}: "
               "set SKSYMACT_DATA to a folder holding pmlb/<name>/<name>.tsv.gz for each")
    if _in_ci():
        pytest.fail(f"{problem} (CI is set: the tests on the real PMLB data must run)",
                    pytrace=False)
    pytest.skip(problem)


class FakeNetwork:
    """An opener serving fixed bytes (cut after ``fail_after``), recording the URLs."""

    def __init__(self, payload, fail_after=None):
        self.payload = payload
        self.fail_after = fail_after
        self.urls = []

    def __call__(self, url, timeout):
        self.urls.append(url)
        stream = io.BytesIO(self.payload)
        if self.fail_after is None:
            return stream
        read = stream.read

        def read_or_reset(size=-1):
            if stream.tell() >= self.fail_after:
                raise ConnectionResetError("connection reset by peer")
            limit = self.fail_after - stream.tell()
            return read(limit if size is None or size < 0 else min(size, limit))

        stream.read = read_or_reset
        return stream


def offline_opener(url, timeout):
    raise urllib.error.URLError("network is unreachable (simulated)")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Make every download attempt fail as if the machine were offline."""
    monkeypatch.setattr(_base, "_urlopen", offline_opener)


def tsv_gz(header, rows):
    """Bytes of a PMLB file: gzip, tab-separated, a header line."""
    text = "\t".join(header) + "\n"
    text += "".join("\t".join(str(value) for value in row) + "\n" for row in rows)
    return gzip.compress(text.encode(), mtime=0)


def write_pmlb(home, name, payload, *, layout="pmlb"):
    """Write a data set in PMLB's cache layout, or the pmlb package's (``layout="package"``)."""
    folder = os.path.join(home, "pmlb", name) if layout == "pmlb" else os.path.join(home, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.tsv.gz")
    with open(path, "wb") as out:
        out.write(payload)
    return path


def toy_rows(n=60, seed=0):
    """Rows of a small data set: float labels 1.0/2.0/3.0, each kind of feature."""
    rng = np.random.RandomState(seed)
    labels = np.array([1.0, 2.0, 3.0])[np.arange(n) % 3]
    rows = [
        (round(float(rng.normal()), 6), int(rng.randint(2)), int(rng.randint(5)), label)
        for label in labels
    ]
    return ["height", "smoker", "grade", "target"], rows


TOY_HEADER, TOY_ROWS = toy_rows()
TOY = tsv_gz(TOY_HEADER, TOY_ROWS)


# --------------------------------------------------------------------------
# the real PMLB files (README facts)


@pytest.mark.parametrize("name", sorted(SHARED))
def test_real_data_set_loads_as_listed(pmlb_home, name):
    task, n_rows, n_features, n_classes, _ = SHARED[name]

    bunch = fetch_pmlb(name, data_home=pmlb_home, download_if_missing=False)

    assert bunch.task == task
    assert bunch.data.shape == (n_rows, n_features) and bunch.data.dtype == np.float64
    assert bunch.target.shape == (n_rows,)
    assert len(bunch.feature_names) == len(bunch.feature_kinds) == n_features
    assert set(bunch.feature_kinds) <= {"continuous", "binary", "categorical"}
    assert bunch.filename == os.path.join(pmlb_home, "pmlb", name, f"{name}.tsv.gz")
    assert f"``{name}``" in bunch.DESCR and f"{n_rows:,}" in bunch.DESCR
    if task == "classification":
        assert bunch.target.dtype == np.int64
        np.testing.assert_array_equal(np.unique(bunch.target), np.arange(n_classes))
        assert len(bunch.target_names) == n_classes
        assert bunch.target_names == sorted(bunch.target_names)
        assert all(isinstance(label, int) for label in bunch.target_names)
    else:
        assert bunch.target.dtype == np.float64 and bunch.target_names == ["target"]


def test_real_regression_by_name_despite_whole_number_targets(pmlb_home):
    # 201_pol's target takes 11 values (0, 10, ..., 100) and 197_cpu_act's 56
    # whole numbers: the values alone would make them classification sets, but
    # PMLB lists them as regression, as their numbered names say.
    pol = fetch_pmlb("201_pol", data_home=pmlb_home, download_if_missing=False)
    cpu = fetch_pmlb("197_cpu_act", data_home=pmlb_home, download_if_missing=False)

    assert np.unique(pol.target).tolist() == list(range(0, 101, 10))
    assert np.unique(cpu.target).size == 56
    assert pol.task == cpu.task == "regression"


@pytest.mark.parametrize("name", sorted(SHARED))
def test_real_file_is_the_listed_one(pmlb_home, name):
    path = os.path.join(pmlb_home, "pmlb", name, f"{name}.tsv.gz")
    with open(path, "rb") as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == SHARED[name][4]


@pytest.mark.parametrize("name", sorted({**KINDS_UNLIKE_README, **KINDS_AS_README}))
def test_real_feature_kinds(pmlb_home, name):
    bunch = fetch_pmlb(name, data_home=pmlb_home, download_if_missing=False)
    counts = tuple(bunch.feature_kinds.count(kind)
                   for kind in ("continuous", "binary", "categorical"))
    assert counts == {**KINDS_UNLIKE_README, **KINDS_AS_README}[name]


def test_real_labels_keep_their_original_values(pmlb_home):
    letter = fetch_pmlb("letter", data_home=pmlb_home, download_if_missing=False)
    satimage = fetch_pmlb("satimage", data_home=pmlb_home, download_if_missing=False)
    wine = fetch_pmlb("wine_quality_white", data_home=pmlb_home, download_if_missing=False)

    assert letter.target_names == list(range(1, 27))
    # satimage has no class 6 (UCI's "mixture" class was removed).
    assert satimage.target_names == [1, 2, 3, 4, 5, 7]
    assert wine.target_names == [3, 4, 5, 6, 7, 8, 9]
    assert np.bincount(wine.target).tolist() == [20, 163, 1457, 2198, 880, 175, 5]


def test_real_adult_first_row(pmlb_home):
    adult = fetch_pmlb("adult", data_home=pmlb_home, download_if_missing=False)

    assert adult.feature_names[:3] == ["age", "workclass", "fnlwgt"]
    np.testing.assert_array_equal(adult.data[0, :3], [39.0, 7.0, 77516.0])
    assert adult.feature_kinds[adult.feature_names.index("sex")] == "binary"


def test_real_as_frame(pmlb_home):
    pytest.importorskip("pandas")
    bunch = fetch_pmlb("wine_quality_white", data_home=pmlb_home, download_if_missing=False,
                       as_frame=True)

    assert bunch.frame.shape == (4_898, 12)
    assert list(bunch.frame.columns) == bunch.feature_names + ["target"]
    assert "fixed acidity" in bunch.data.columns and bunch.target.name == "target"


# --------------------------------------------------------------------------
# a data set unknown to the tests' data folder, in both layouts


@pytest.mark.parametrize("layout", ["pmlb", "package"])
def test_unknown_data_set_loads_from_either_layout(tmp_path, layout):
    path = write_pmlb(tmp_path, "toy_labels", TOY, layout=layout)

    bunch = fetch_pmlb("toy_labels", data_home=tmp_path, download_if_missing=False)

    expected = np.array(TOY_ROWS, dtype=np.float64)
    np.testing.assert_array_equal(bunch.data, expected[:, :-1])
    np.testing.assert_array_equal(bunch.target, expected[:, -1].astype(int) - 1)
    assert bunch.target.dtype == np.int64
    assert bunch.task == "classification" and bunch.target_names == [1, 2, 3]
    assert bunch.feature_names == ["height", "smoker", "grade"]
    assert bunch.feature_kinds == ["continuous", "binary", "categorical"]
    assert bunch.filename == path
    assert bunch.frame is None


def test_pmlb_layout_is_read_first(tmp_path):
    write_pmlb(tmp_path, "toy", TOY, layout="package")
    preferred = write_pmlb(tmp_path, "toy", tsv_gz(["a", "target"], [(0.5, 1), (1.5, 2)]))

    bunch = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False)

    assert bunch.filename == preferred and bunch.data.shape == (2, 1)


def test_data_home_may_be_the_pmlb_folder(tmp_path):
    # A folder the pmlb package filled, given as the data home itself.
    write_pmlb(tmp_path, "toy", TOY)

    bunch = fetch_pmlb("toy", data_home=tmp_path / "pmlb", download_if_missing=False)

    assert bunch.data.shape == (60, 3)


def test_data_home_from_environment(monkeypatch, tmp_path):
    write_pmlb(tmp_path, "toy", TOY)
    monkeypatch.setenv("SKSYMACT_DATA", str(tmp_path))

    assert fetch_pmlb("toy", download_if_missing=False).data.shape == (60, 3)


def test_regression_by_name_and_by_values(tmp_path):
    rng = np.random.RandomState(0)
    whole = [(float(x), int(y)) for x, y in zip(rng.normal(size=100), rng.randint(0, 5, 100))]
    real = [(float(x), float(x) ** 2 + 0.5) for x in rng.normal(size=100)]
    many = [(float(i), i) for i in range(100)]
    for name, rows in [("9_whole", whole), ("real_target", real), ("many_values", many),
                       ("feynman_toy", whole), ("few_values", whole)]:
        write_pmlb(tmp_path, name, tsv_gz(["x", "target"], rows))

    def task(name):
        return fetch_pmlb(name, data_home=tmp_path, download_if_missing=False).task

    # PMLB's regression names, even with a whole-number target of 5 values.
    assert task("9_whole") == "regression" and task("feynman_toy") == "regression"
    assert task("few_values") == "classification"
    assert task("real_target") == "regression"
    # 100 distinct whole numbers on 100 rows: more than one class per 10 rows.
    assert task("many_values") == "regression"
    bunch = fetch_pmlb("real_target", data_home=tmp_path, download_if_missing=False)
    assert bunch.target.dtype == np.float64 and bunch.target_names == ["target"]
    np.testing.assert_array_equal(bunch.target, [row[1] for row in real])


def test_return_X_y(tmp_path):
    write_pmlb(tmp_path, "toy", TOY)

    X, y = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False, return_X_y=True)

    assert X.shape == (60, 3) and y.tolist() == [0, 1, 2] * 20


def test_as_frame(tmp_path):
    pd = pytest.importorskip("pandas")
    write_pmlb(tmp_path, "toy", TOY)

    bunch = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False, as_frame=True)
    X, y = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False, as_frame=True,
                      return_X_y=True)

    assert isinstance(bunch.data, pd.DataFrame) and list(bunch.data.columns) == TOY_HEADER[:-1]
    assert list(bunch.frame.columns) == TOY_HEADER and bunch.frame.shape == (60, 4)
    assert bunch.target.name == "target" and bunch.target.tolist() == [0, 1, 2] * 20
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)


def test_describes_the_data_set_and_pmlb(tmp_path):
    write_pmlb(tmp_path, "toy", TOY)

    descr = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False).DESCR

    assert descr.startswith("PMLB data set ``toy``")
    assert "Samples total       60" in descr and "Dimensionality      3" in descr
    assert "1 continuous, 1 binary, 1 categorical" in descr
    assert "classification" in descr and "Classes             3" in descr
    assert _base.load_descr("pmlb.rst") in descr
    assert "Olson" in descr and "Romano" in descr


def test_repeated_column_names_are_told_apart(tmp_path):
    write_pmlb(tmp_path, "toy", tsv_gz(["a", "a", "target", "target"],
                                       [(1, 2, 5, 0), (3, 4, 6, 1)]))

    bunch = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False)

    assert bunch.feature_names == ["a", "a.1", "target.1"]
    assert bunch.target.tolist() == [0, 1]


def test_reads_what_the_pmlb_package_writes(tmp_path):
    # pmlb.fetch_data(name, local_cache_dir=DIR) saves the data set with
    # pandas as DIR/<name>/<name>.tsv.gz; the same call here.
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(TOY_ROWS, columns=TOY_HEADER)
    os.makedirs(tmp_path / "toy")
    frame.to_csv(tmp_path / "toy" / "toy.tsv.gz", sep="\t", compression="gzip", index=False)

    bunch = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False)

    np.testing.assert_array_equal(bunch.data, frame[TOY_HEADER[:-1]].to_numpy(dtype=float))
    assert bunch.target_names == [1, 2, 3] and bunch.feature_names == TOY_HEADER[:-1]


@pytest.mark.parametrize(
    "name, task",
    [("auto_insurance_losses", "regression"), ("_deprecated_195_auto_price", "regression"),
     ("strogatz_vdp1", "regression"), ("nikuradse_1", "regression"),
     ("first_principles_kepler", "regression"), ("solar_flare", "regression"),
     ("auto_insurance_symboling", "classification"),
     ("GAMETES_Epistasis_2_Way_20atts_0.1H_EDM_1_1", "classification")],
)
def test_task_of_pmlb_names(name, task):
    # Whole-number targets with 6 values on 600 rows: the name decides.
    y = np.arange(600, dtype=float) % 6
    assert _pmlb._task(name, y)[0] == task


# --------------------------------------------------------------------------
# nothing cached: the error, or a download


def test_missing_without_download_names_the_paths(tmp_path):
    with pytest.raises(OSError) as info:
        fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False)

    message = str(info.value)
    assert os.path.join("pmlb", "toy", "toy.tsv.gz") in message
    assert os.path.join("toy", "toy.tsv.gz") in message and str(tmp_path) in message
    assert "SKSYMACT_DATA" in message and "download_if_missing=True" in message
    assert f"{_pmlb.PMLB_URL}/toy/toy.tsv.gz" in message
    assert "local_cache_dir" in message


def test_download_lands_atomically_in_the_cache(tmp_path, monkeypatch):
    network = FakeNetwork(TOY)
    monkeypatch.setattr(_base, "_urlopen", network)

    bunch = fetch_pmlb("toy", data_home=tmp_path)

    assert network.urls == ["https://github.com/EpistasisLab/pmlb/raw/master/datasets/"
                            "toy/toy.tsv.gz"]
    path = tmp_path / "pmlb" / "toy" / "toy.tsv.gz"
    assert bunch.filename == str(path)
    assert path.read_bytes() == TOY  # PMLB's bytes, unchanged
    assert os.listdir(path.parent) == ["toy.tsv.gz"]  # no temporary file left
    assert bunch.target_names == [1, 2, 3]
    # The second time comes from the cache, without the network.
    monkeypatch.setattr(_base, "_urlopen", offline_opener)
    again = fetch_pmlb("toy", data_home=tmp_path)
    np.testing.assert_array_equal(again.data, bunch.data)


def test_interrupted_download_keeps_nothing(tmp_path, monkeypatch):
    payload = tsv_gz(*toy_rows(n=3000))
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(payload, fail_after=len(payload) // 2))

    with pytest.raises(OSError, match="ConnectionResetError.*no file was kept") as info:
        fetch_pmlb("toy", data_home=tmp_path)

    assert "download_if_missing=False" in str(info.value)
    folder = tmp_path / "pmlb" / "toy"
    assert not folder.exists() or os.listdir(folder) == []


def test_downloaded_file_that_is_not_pmlb_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(_base, "_urlopen", FakeNetwork(tsv_gz(["a", "class"], [(1, 0)])))

    with pytest.raises(ValueError, match="'class', not 'target'"):
        fetch_pmlb("toy", data_home=tmp_path)

    folder = tmp_path / "pmlb" / "toy"
    assert not folder.exists() or os.listdir(folder) == []


def test_offline_download_fails_cleanly(tmp_path):
    home = tmp_path / "home"

    with pytest.raises(OSError) as info:
        fetch_pmlb("toy", data_home=home)

    message = str(info.value)
    assert "network is unreachable" in message and "download_if_missing=False" in message
    assert os.path.join("pmlb", "toy", "toy.tsv.gz") in message
    assert not home.exists()  # nothing written when the connection fails


def test_unknown_name_on_the_server(tmp_path, monkeypatch):
    def not_found(url, timeout):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(_base, "_urlopen", not_found)

    with pytest.raises(OSError, match="is 'no_such_set' one of its names"):
        fetch_pmlb("no_such_set", data_home=tmp_path)


# --------------------------------------------------------------------------
# names and parameters


@pytest.mark.parametrize(
    "name", ["../etc", "a/b", "", ".", "..", "a\\b", "-rf", ".hidden", "a b", "adult\n", "é"]
)
def test_bad_names_are_refused(tmp_path, name):
    with pytest.raises(ValueError, match="not a PMLB data set name"):
        fetch_pmlb(name, data_home=tmp_path, download_if_missing=False)


@pytest.mark.parametrize("name", ["parity5+5", "GAMETES_Epistasis_2_Way_20atts_0.1H_EDM_1_1"])
def test_real_pmlb_names_with_dots_and_plus_are_accepted(tmp_path, name):
    write_pmlb(tmp_path, name, TOY)

    assert fetch_pmlb(name, data_home=tmp_path, download_if_missing=False).data.shape == (60, 3)


@pytest.mark.parametrize(
    "kwargs",
    [{"name": 3}, {"name": "toy", "download_if_missing": "no"}, {"name": "toy", "as_frame": 1.5},
     {"name": "toy", "data_home": 3}],
)
def test_parameters_are_validated(tmp_path, kwargs):
    with pytest.raises(InvalidParameterError):
        fetch_pmlb(**kwargs)


# --------------------------------------------------------------------------
# damaged files


@pytest.mark.parametrize(
    "text, match",
    [
        ("a\tb\n1\t2\n", "last column of the header is 'b', not 'target'"),
        ("target\ta\n1\t2\n", "'target' is column 1 of 2"),
        ("target\n1\n", "no feature column"),
        ("a\ttarget\n", "header but no rows"),
        ("", "the file is empty"),
        ("a\ttarget\n1\t0\n2\t1\t3\n", "line 3 has 3"),
        ("a\ttarget\n1\t0\n?\t1\n", "line 3, column 1 is not a number: '\\?'"),
        ("a\ttarget\n1\t0\nnan\t1\n", "line 3, column 1 is not a finite number"),
        ("a\ttarget\n1\t0\n\n2\t1\n", "line 3 is empty"),
    ],
)
def test_bad_content_is_reported(tmp_path, text, match):
    write_pmlb(tmp_path, "toy", gzip.compress(text.encode()))

    with pytest.raises(ValueError, match=match):
        fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False)


def test_windows_line_ends_are_read(tmp_path):
    write_pmlb(tmp_path, "toy", gzip.compress(b"a\tb\ttarget\r\n1\t2\t0\r\n3\t4\t1\r\n"))

    bunch = fetch_pmlb("toy", data_home=tmp_path, download_if_missing=False)

    assert bunch.feature_names == ["a", "b"] and bunch.data.tolist() == [[1, 2], [3, 4]]


def test_truncated_or_not_gzip_is_reported(tmp_path):
    write_pmlb(tmp_path, "cut", TOY[: len(TOY) // 2])
    write_pmlb(tmp_path, "plain", b"a\ttarget\n1\t0\n")

    for name in ("cut", "plain"):
        with pytest.raises(OSError, match="truncated or corrupt.*download it again"):
            fetch_pmlb(name, data_home=tmp_path, download_if_missing=False)


def test_docstring_examples_run():
    result = doctest.testmod(_pmlb, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
