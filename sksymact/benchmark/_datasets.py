"""The data sets of the benchmark and of the demo: one registry entry per data set.

Everything that is said about a data set (its name, its task, how it is
described, how its rows are loaded for a given set of settings, what to do
when that fails) is said here once.  This module imports only the standard
library; a loader imports what it needs when it runs.
"""

import functools
import os
from dataclasses import dataclass

__all__ = ["Dataset", "DATASETS", "DEMO_DATASETS", "DEMO_SOURCE", "PMLB_PREFIX", "TASKS",
           "demo_datasets", "bundled_datasets", "display_name", "display_names",
           "pmlb_dataset", "task_of", "uci_source", "with_pmlb"]

#: What a data set's target can be.
TASKS = ("classification", "regression")


def _rows_text(rows):
    return "all rows" if rows is None else f"{rows:,} rows"


@dataclass(frozen=True)
class Dataset:
    """A data set the benchmark can run on: how it is named, described and loaded.

    The benchmark knows data sets only through their entries in a registry
    (a dict from key to Dataset): :data:`DATASETS` for the paper's, and the
    demo's registry for ``sksymact demo``.

    Parameters
    ----------
    key : str
        Its name on the command line and in ``results.csv`` (``"covertype"``).
    name : str
        Its name in tables and plots (``"Covertype"``).
    description : str
        What it is, in a few words.
    loader : callable
        ``loader(settings, data_home=..., download=...)`` returns ``(X, y)``
        as the :class:`BenchmarkSettings` ask for it.
    rows : callable
        ``rows(settings)`` says which rows are used, for ``summary.md``
        (``"5,000 rows (leading rows of the file)"``).
    hint : callable, default=None
        ``hint(settings)`` says what to do when loading fails; None: nothing
        to add to the error.
    task : {"classification", "regression"}, default="classification"
        What the target is.  It decides the network trained on the data set
        (:class:`~sksymact.HybridTransferClassifier` or
        :class:`~sksymact.HybridTransferRegressor`), the split (stratified
        by class, or not), the search of its own formulas (gplearn's
        ``SymbolicClassifier`` or ``SymbolicRegressor``) and the scores
        (accuracy, ROC AUC and log loss, or R² and RMSE).
    group : str or None, default=None
        What kind of features it has, for the reports across data sets
        (``"continuous features"`` or ``"discrete features"``: every feature
        binary or categorical); None where it was not asked.

    See Also
    --------
    DATASETS : The paper's data sets.
    run_benchmark : Runs on the data sets of a registry.

    Examples
    --------
    >>> from sksymact.benchmark import DATASETS, BenchmarkSettings
    >>> higgs = DATASETS["higgs"]
    >>> higgs.name, higgs.rows(BenchmarkSettings(higgs_rows=5000))
    ('HIGGS', '5,000 rows (leading rows of the file)')
    >>> DATASETS["friedman"].task
    'regression'
    """

    key: str
    name: str
    description: str
    loader: object
    rows: object
    hint: object = None
    task: str = "classification"
    group: object = None

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {list(TASKS)}, got {self.task!r}.")

    def load(self, settings, *, data_home=None, download=True):
        """Load the rows the settings ask for.

        Parameters
        ----------
        settings : BenchmarkSettings
            Which rows (``higgs_rows``, ``covertype_rows``, ``friedman_rows``,
            ``data_seed``).
        data_home : str or path-like, default=None
            The data folder (see :func:`sksymact.datasets.get_data_home`).
        download : bool, default=True
            Whether missing data may be downloaded.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The features.
        y : ndarray of shape (n_samples,)
            The labels, or the continuous target of a regression data set.

        Raises
        ------
        BenchmarkError
            When the rows cannot be loaded; the message says what to change.
        """
        from ._store import BenchmarkError  # noqa: PLC0415

        try:
            return self.loader(settings, data_home=data_home, download=download)
        except (OSError, ValueError) as exc:
            note = "" if self.hint is None else f" Note: {self.hint(settings)}."
            raise BenchmarkError(f"Could not load {self.key}: {exc}{note}") from exc


# -- the paper's data sets -----------------------------------------------------------------

#: How each UCI data set's rows are asked for: the BenchmarkSettings field and the
#: command-line option of its rows (None: Spambase is always used whole).
_ROWS_OPTION = {"higgs": ("higgs_rows", "--higgs-rows"),
                "covertype": ("covertype_rows", "--covertype-rows"),
                "spambase": (None, None)}
#: The data sets that :func:`uci_source` knows.
UCI_KEYS = tuple(_ROWS_OPTION)


def _uci(key):
    """``(files, fetch, load, bundled rows)`` of a UCI data set (imports numpy and scikit-learn)."""
    from .. import datasets  # noqa: PLC0415
    from ..datasets import _bundled, _covertype, _higgs, _spambase  # noqa: PLC0415

    files = {"higgs": _higgs.HIGGS, "covertype": _covertype.COVERTYPE,
             "spambase": _spambase.SPAMBASE}[key]
    return (files, getattr(datasets, f"fetch_{key}"), getattr(datasets, f"load_{key}"),
            _bundled.BUNDLED_ROWS[key])


def _requested_rows(key, settings):
    field = _ROWS_OPTION[key][0]
    return None if field is None else getattr(settings, field)


def _folder_holds(key, settings, home):
    """Whether the data folder ``home`` holds the rows the settings ask for (no download)."""
    from ..datasets._base import _find_cached  # noqa: PLC0415

    files, _, _, _ = _uci(key)
    rows = _requested_rows(key, settings)
    found = _find_cached(files, home)
    if key == "covertype" and os.path.isdir(os.path.join(home, "scikit_learn_data",
                                                         "covertype")):
        return True  # the full data set, cached by scikit-learn's fetch_covtype
    if rows is None:  # "all": the largest file there, as fetch_* reads it
        return bool(found) if key != "spambase" else any(full for _, _, full in found)
    return any(n >= rows for n, _, _ in found)


def _fits_bundled(key, settings):
    """Whether the rows asked for are among those that ship with sksymact."""
    files, _, _, bundled = _uci(key)
    rows = _requested_rows(key, settings)
    return (files.n_rows if rows is None else rows) <= bundled


def uci_source(key, settings, data_home=None):
    """Where the benchmark reads a UCI data set's rows from, for these settings.

    In this order: the data folder (``data_home``, else ``$SKSYMACT_DATA``,
    else scikit-learn's data home) when it holds enough rows; else the sample
    that ships with sksymact when the rows asked for are among its rows (HIGGS
    rows 1-5,000, Covertype rows 1-20,000, all of Spambase): the same rows,
    parsed the same way, so no network is needed; else a download.

    Parameters
    ----------
    key : {"higgs", "covertype", "spambase"}
        The data set.
    settings : BenchmarkSettings
        Which rows (``higgs_rows``, ``covertype_rows``).
    data_home : str or path-like, default=None
        The data folder given (``--data-home``).

    Returns
    -------
    source : {"folder", "bundled", "download"}
        Where the rows come from.
    """
    from ..datasets import get_data_home  # noqa: PLC0415

    if _folder_holds(key, settings, get_data_home(data_home)):
        return "folder"
    return "bundled" if _fits_bundled(key, settings) else "download"


def _load_uci(settings, *, data_home, download, key):
    files, fetch, load, bundled = _uci(key)
    rows = _requested_rows(key, settings)
    kwargs = {} if key == "spambase" else {"n_samples": rows}
    if key == "covertype":
        kwargs["random_state"] = settings.data_seed
    if rows is not None and rows > files.n_rows:
        field, option = _ROWS_OPTION[key]
        raise ValueError(f"{option} {rows:,} ({field}={rows}) is more than the "
                         f"{files.n_rows:,} rows that the whole {files.name} data set has.")
    source = uci_source(key, settings, data_home)
    if source == "bundled":
        return load(return_X_y=True, **kwargs)
    try:
        return fetch(data_home=data_home, download_if_missing=download and source != "folder",
                     return_X_y=True, **kwargs)
    except OSError as exc:
        if source == "folder":  # a damaged file in the folder: its own message says which
            raise
        raise OSError(_missing_rows_text(key, settings, data_home, download, exc)) from exc


def _missing_rows_text(key, settings, data_home, download, exc):
    """What is missing and the options that fix it, for rows neither here nor bundled."""
    from ..datasets._base import DATA_ENV_VAR, _describe_cached, _find_cached  # noqa: PLC0415
    from ..datasets._base import get_data_home  # noqa: PLC0415

    files, _, _, bundled = _uci(key)
    field, option = _ROWS_OPTION[key]
    rows = _requested_rows(key, settings)
    home = get_data_home(data_home)
    asked = (f"every row of {files.name}" if rows is None else
             f"the first {rows:,} rows of {files.name}" if key == "higgs" else
             f"{rows:,} rows of {files.name}")
    if download:
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        failure = f"downloading them failed ({type(cause).__name__}: {cause})"
        retry = "or rerun where the network is reachable"
    else:
        failure = "--no-download (download=False) forbids downloading them"
        retry = "or drop --no-download (download=True) so that they are downloaded"
    fixes = [f"pass {option} {bundled} or fewer ({field}={bundled}) to use the {bundled:,} "
             f"rows bundled with sksymact",
             f"put {files.offline_text()} in a folder and pass --data-home DIR "
             f"(data_home=...) or set {DATA_ENV_VAR} to it", retry]
    if key == "covertype":
        fixes[0] += (" (drawn from rows 1-20,000 of the ordered UCI file: 30% Lodgepole Pine "
                     "against 49% in the full file)")
    return (f"the benchmark asks for {asked}, more than the {bundled:,} bundled with sksymact; "
            f"{_describe_cached(files, home, _find_cached(files, home))}; and {failure}. "
            f"To fix this, {'; '.join(fixes)}.")


# -- our regression extension's data sets -------------------------------------------------

#: The generated regression data set: ``make_friedman1``'s arguments besides the rows.
FRIEDMAN = {"n_features": 10, "noise": 1.0, "random_state": 0}


def _load_california(settings, *, data_home, download):
    from sklearn.datasets import fetch_california_housing  # noqa: PLC0415

    from ..datasets._base import DATA_ENV_VAR, get_data_home  # noqa: PLC0415

    # Without a data folder (no --data-home, no SKSYMACT_DATA) scikit-learn's own
    # data home is used, so that a copy scikit-learn cached before is found.
    given = data_home is not None or os.environ.get(DATA_ENV_VAR)
    return fetch_california_housing(data_home=get_data_home(data_home) if given else None,
                                    download_if_missing=download, return_X_y=True)


def _load_friedman(settings, *, data_home, download):
    from sklearn.datasets import make_friedman1  # noqa: PLC0415

    return make_friedman1(n_samples=settings.friedman_rows, **FRIEDMAN)


def _friedman_rows(settings):
    args = ", ".join(f"{k}={v!r}" for k, v in FRIEDMAN.items())
    return f"{settings.friedman_rows:,} rows generated by make_friedman1({args})"


#: The benchmark's data sets: the paper's three (classification), in the order
#: of its table, then the two of our regression extension.  A run takes those of
#: one task unless told otherwise.
DATASETS = {d.key: d for d in (
    Dataset(
        "higgs", "HIGGS", "UCI HIGGS (first rows of the file)",
        functools.partial(_load_uci, key="higgs"),
        rows=lambda s: f"{_rows_text(s.higgs_rows)} (leading rows of the file)"),
    Dataset(
        "covertype", "Covertype", "UCI Covertype, binarized: Lodgepole Pine against the rest",
        functools.partial(_load_uci, key="covertype"),
        rows=lambda s: (f"{_rows_text(s.covertype_rows)} (drawn with seed {s.data_seed}), "
                        "binarized as Lodgepole Pine against the rest")),
    Dataset(
        "spambase", "Spambase", "UCI Spambase (all 4,601 rows)",
        functools.partial(_load_uci, key="spambase"),
        rows=lambda s: "all rows"),
    Dataset(
        "california", "California housing",
        "scikit-learn's California housing: median house value (in $100,000) of 20,640 "
        "census block groups from 8 features (regression)", _load_california,
        rows=lambda s: "all 20,640 rows (fetch_california_housing)",
        hint=lambda s: ("California housing is scikit-learn's fetch_california_housing: it is "
                        "downloaded once (about 400 kB) into the data folder (--data-home, "
                        "$SKSYMACT_DATA, else scikit-learn's data home) and read from there "
                        "afterwards. Without a cached copy or a network, run the generated "
                        "regression data set instead: --datasets friedman"),
        task="regression"),
    Dataset(
        "friedman", "Friedman #1",
        "generated, offline: y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + N(0, 1) "
        "noise, from 10 features uniform on [0, 1], 5 of them unused (make_friedman1; "
        "regression)", _load_friedman, rows=_friedman_rows, task="regression"),
)}


# -- any PMLB data set: pmlb:NAME ------------------------------------------------------------

#: A data set key ``pmlb:NAME`` is the Penn Machine Learning Benchmarks' ``NAME``.
PMLB_PREFIX = "pmlb:"


def _load_pmlb(settings, *, data_home, download, name):
    from ..datasets import fetch_pmlb  # noqa: PLC0415 (numpy)

    bunch = fetch_pmlb(name, data_home=data_home, download_if_missing=download)
    X, y = bunch.data, bunch.target
    if settings.max_rows is not None and len(y) > settings.max_rows:
        from sklearn.utils import resample  # noqa: PLC0415

        # The same rows for every seed, stratified by class, as Covertype's sample.
        stratify = y if bunch.task == "classification" else None
        X, y = resample(X, y, replace=False, n_samples=settings.max_rows, stratify=stratify,
                        random_state=settings.data_seed)
    return X, y


@functools.lru_cache(maxsize=None)
def _pmlb_facts(name):
    """``(task, group, n_rows)`` of a PMLB data set, from its cached file; None if absent."""
    from ..datasets import fetch_pmlb  # noqa: PLC0415

    try:
        bunch = fetch_pmlb(name, download_if_missing=False)
    except (OSError, ValueError):
        return None
    discrete = all(kind != "continuous" for kind in bunch.feature_kinds)
    return (bunch.task, "discrete features" if discrete else "continuous features",
            len(bunch.target))


def pmlb_dataset(name):
    """The benchmark's entry for the PMLB data set ``name`` (key ``pmlb:NAME``).

    Its task and feature kind are read from the cached file (the data home:
    ``$SKSYMACT_DATA``, else scikit-learn's); a data set not cached yet is
    taken by PMLB's naming (regression for its numbered families, else
    classification) and is downloaded when the benchmark loads it.

    Parameters
    ----------
    name : str
        A PMLB name (``"magic"``, ``"537_houses"``).

    Returns
    -------
    Dataset
        Loaded with :func:`sksymact.datasets.fetch_pmlb`; ``max_rows`` caps
        its rows.
    """
    from ..datasets._pmlb import _REGRESSION_NAME, _REGRESSION_NAMES  # noqa: PLC0415

    facts = _pmlb_facts(name)
    if facts is None:
        regression = name in _REGRESSION_NAMES or _REGRESSION_NAME.fullmatch(name)
        task, group = ("regression" if regression else "classification"), None
    else:
        task, group, _ = facts

    def rows(settings):
        cap = settings.max_rows
        return ("all rows" if cap is None else
                f"at most {cap:,} rows (drawn with seed {settings.data_seed}"
                f"{', stratified' if task == 'classification' else ''})")

    return Dataset(
        PMLB_PREFIX + name, name, f"PMLB {name} ({task})",
        functools.partial(_load_pmlb, name=name), rows=rows,
        hint=lambda s: (f"PMLB's {name} is read from DATA_HOME/pmlb/{name}/{name}.tsv.gz "
                        "(--data-home or $SKSYMACT_DATA), else downloaded"),
        task=task, group=group)


def with_pmlb(keys, registry=None):
    """``registry`` (default :data:`DATASETS`) with an entry for every ``pmlb:NAME`` of ``keys``.

    Parameters
    ----------
    keys : iterable of str
        Data set keys; those starting with :data:`PMLB_PREFIX` are added.
    registry : dict, default=None
        The registry to extend (not changed).

    Returns
    -------
    registry : dict
        A new dict.
    """
    extended = dict(DATASETS if registry is None else registry)
    for key in keys:
        if key.startswith(PMLB_PREFIX) and key not in extended:
            extended[key] = pmlb_dataset(key[len(PMLB_PREFIX):])
    return extended


# -- the UCI samples that ship with the package (the demo's) ------------------------------


def _load_bundled(settings, *, data_home, download, name):
    from .. import datasets  # noqa: PLC0415

    if name == "higgs":
        return datasets.load_higgs(n_samples=settings.higgs_rows, return_X_y=True)
    if name == "covertype":
        return datasets.load_covertype(n_samples=settings.covertype_rows,
                                       random_state=settings.data_seed, return_X_y=True)
    return datasets.load_spambase(return_X_y=True)


def bundled_datasets():
    """The paper's data sets, read from the samples that ship with sksymact.

    The same keys and names as :data:`DATASETS`, and the same parsing, but no
    data folder and no download: HIGGS's first 5,000 rows, Covertype's first
    20,000 (``covertype_rows`` of them drawn with ``data_seed``) and all of
    Spambase.

    Returns
    -------
    registry : dict
        Key -> :class:`Dataset`.
    """
    return {d.key: d for d in (
        Dataset("higgs", "HIGGS", "UCI HIGGS, the bundled first 5,000 rows",
                functools.partial(_load_bundled, name="higgs"),
                rows=lambda s: ("all 5,000 bundled rows (the leading rows of the file)"
                                if s.higgs_rows is None else f"the leading {s.higgs_rows:,} "
                                "of the 5,000 bundled rows")),
        Dataset("covertype", "Covertype", "UCI Covertype, binarized: Lodgepole Pine against "
                "the rest, from the bundled first 20,000 rows",
                functools.partial(_load_bundled, name="covertype"),
                rows=lambda s: (f"{_rows_text(s.covertype_rows)} drawn with seed "
                                f"{s.data_seed} from the bundled first 20,000, binarized as "
                                "Lodgepole Pine against the rest")),
        Dataset("spambase", "Spambase", "UCI Spambase (all 4,601 rows, bundled)",
                functools.partial(_load_bundled, name="spambase"),
                rows=lambda s: "all 4,601 rows (bundled)"),
    )}


# -- the collider demo's data sets ---------------------------------------------------------

#: The demo's source: its formula is transferred, nothing is trained on it.
DEMO_SOURCE = "collider_events"


def _load_collider_events(settings, *, data_home, download, n_events):
    from ..datasets import make_collider_events  # noqa: PLC0415

    return make_collider_events(n_events, random_state=0, return_X_y=True)


def _load_scikit_learn(settings, *, data_home, download, loader):
    import sklearn.datasets  # noqa: PLC0415

    return getattr(sklearn.datasets, loader)(return_X_y=True)


def demo_datasets(n_events=4000):
    """The demo's registry: simulated collider events, then two of scikit-learn's data sets.

    Parameters
    ----------
    n_events : int, default=4000
        Collider events to simulate (``make_collider_events``, seed 0).

    Returns
    -------
    registry : dict
        Key -> :class:`Dataset`; nothing is read from a file or downloaded.
    """
    return {d.key: d for d in (
        Dataset(DEMO_SOURCE, "Collider events",
                f"{n_events:,} simulated collider events: a 300 GeV dijet resonance over "
                "background (make_collider_events)",
                functools.partial(_load_collider_events, n_events=n_events),
                rows=lambda s: f"{n_events:,} simulated events (seed 0)"),
        Dataset("breast_cancer", "Breast cancer",
                "569 tumours, 30 continuous measurements, 2 classes",
                functools.partial(_load_scikit_learn, loader="load_breast_cancer"),
                rows=lambda s: "all 569 rows"),
        Dataset("digits", "Digits",
                "1,797 images of 8x8 pixels, 64 discrete counts from 0 to 16, 10 classes",
                functools.partial(_load_scikit_learn, loader="load_digits"),
                rows=lambda s: "all 1,797 rows"),
    )}


#: The full demo's registry.
DEMO_DATASETS = demo_datasets()


def display_names(registry=None):
    """The names of data sets in tables and plots, by key.

    Parameters
    ----------
    registry : dict, default=None
        Key -> :class:`Dataset`; None: the paper's (:data:`DATASETS`) and
        the collider demo's.

    Returns
    -------
    names : dict
        Key -> name.
    """
    registries = (DATASETS, DEMO_DATASETS) if registry is None else (registry,)
    return {key: d.name for known in registries for key, d in known.items()}


def display_name(key, names=None):
    """The name of a data set in tables and plots; its key where none is known.

    Parameters
    ----------
    key : str
        The data set's key.
    names : dict, default=None
        Key -> name (:func:`display_names`); None: the known registries'.

    Returns
    -------
    name : str
        ``"HIGGS"`` for ``"higgs"``.
    """
    return (display_names() if names is None else names).get(key, key)


def task_of(key, registry=None):
    """The task of a data set: of ``registry``'s entry, else of a known registry's.

    A key that no registry knows is taken for a classification data set (the
    demo's and the paper's are all classification).
    """
    for known in ((registry or {}), DATASETS, DEMO_DATASETS):
        if key in known:
            return known[key].task
    return "classification"
