"""The results folder: settings, one CSV row per finished run, discovered formulas.

Everything is written so that a run killed at any moment leaves a folder that
can be resumed: every file, ``results.csv`` included, is only ever replaced
atomically (:func:`sksymact._io.atomic_write_text`: temporary file, fsync,
``os.replace``), so each file on disk is either the previous complete version
or the new complete one.  A file that is
not in the expected format was damaged by something else: it is reported and
left untouched, never overwritten.
"""

import contextlib
import csv
import io
import json
import os

from .._io import FileLock, atomic_write_text, is_finite_number, read_json, utc_now

__all__ = [
    "BenchmarkError",
    "SettingsMismatchError",
    "ResultsFolder",
    "RESULT_COLUMNS",
    "REGRESSION_COLUMNS",
    "LOG_LOSS_COLUMNS",
    "read_results",
    "read_formulas",
    "atomic_write_text",
]

RESULTS_FILE = "results.csv"
FORMULAS_FILE = "formulas.json"
SETTINGS_FILE = "settings.json"
CURVES_FILE = "curves.json"

#: Columns of ``results.csv``, in order.  A file that holds regression rows
#: has :data:`REGRESSION_COLUMNS` after them, one that holds rows with a log
#: loss :data:`LOG_LOSS_COLUMNS` after those.
RESULT_COLUMNS = (
    "dataset", "configuration", "seed", "protocol", "settings_id",
    "accuracy", "roc_auc", "n_params", "e_param", "fit_seconds",
    "activation", "formula_key", "hidden_layer_sizes",
    "n_train", "n_test", "n_features", "epochs", "device",
    "sksymact_version", "torch_version", "sklearn_version", "gplearn_version",
    "finished_at",
)
#: The scores of a regression row (our extension), empty in a classification
#: row; a regression row leaves ``accuracy``, ``roc_auc`` and ``log_loss``
#: empty.  They are written only once a regression row is: the results.csv of
#: classification runs has no ``r2`` and ``rmse``, as before the extension.
REGRESSION_COLUMNS = ("r2", "rmse")
#: The log loss of a classification row (lower is better), added after the
#: regression columns: empty in a regression row, and in the rows of a file
#: written before it was recorded (such a file is widened, its rows copied as
#: they are, when the first row with a log loss is added).  Not a setting: the
#: settings id is the same with or without it.
LOG_LOSS_COLUMNS = ("log_loss",)
#: The groups of columns added after :data:`RESULT_COLUMNS`, in the order they
#: take in a header; a file has those its rows need (an old file none).
_EXTENSIONS = (REGRESSION_COLUMNS, LOG_LOSS_COLUMNS)


def _header_of(groups):
    """The header of a file that holds the extension ``groups`` (a set of them)."""
    return RESULT_COLUMNS + tuple(c for g in _EXTENSIONS if g in groups for c in g)


#: Every header a results file can have: one per set of extensions it holds.
_HEADERS = tuple(_header_of({g for i, g in enumerate(_EXTENSIONS) if n >> i & 1})
                 for n in range(2 ** len(_EXTENSIONS)))
_INT_COLUMNS = ("seed", "n_params", "n_train", "n_test", "n_features", "epochs")
_FLOAT_COLUMNS = ("accuracy", "roc_auc", "e_param", "fit_seconds", *REGRESSION_COLUMNS,
                  *LOG_LOSS_COLUMNS)


class BenchmarkError(Exception):
    """A benchmark cannot run as asked; the message says what to change."""


class SettingsMismatchError(BenchmarkError):
    """The results folder was made with other settings."""


def _format(value):
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return "" if value is None else str(value)


def _parse_row(row):
    out = dict(row)
    for name in _INT_COLUMNS:
        if out.get(name) not in (None, ""):
            out[name] = int(out[name])
    for name in _FLOAT_COLUMNS:
        if out.get(name) not in (None, ""):
            out[name] = float(out[name])
    return out


def _resolve_file(path, name):
    path = os.fspath(path)
    return os.path.join(path, name) if os.path.isdir(path) else path


def read_results(path):
    """Read the rows of a ``results.csv``, or of the one in a results folder.

    Parameters
    ----------
    path : str or path-like
        The file, or the folder that holds it.

    Returns
    -------
    rows : list of dict
        One per run, keyed by :data:`RESULT_COLUMNS`, by ``r2`` and ``rmse``
        too in a file that holds regression rows, and by ``log_loss``
        (``""`` in the rows of a file written before it was recorded);
        numbers come back as int and float, empty cells as ``""``.

    Raises
    ------
    BenchmarkError
        Naming the problem when the file is not a complete results file.
    """
    path = _resolve_file(path, RESULTS_FILE)
    with open(path, encoding="utf-8", newline="") as stream:
        text = stream.read()
    return _parse_results(text, path)


def _parse_results(text, path):
    def corrupt(problem):
        return BenchmarkError(
            f"{path!r} is not a complete sksymact results file ({problem}). It was left "
            "untouched: move it away (or choose another output folder) to start afresh."
        )

    if not text:
        return []
    if not text.endswith("\n"):
        raise corrupt("its last line is incomplete")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) not in _HEADERS:
        raise corrupt("its header is not the expected columns")
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(value is None for value in row.values()):
            raise corrupt(f"line {line} has the wrong number of fields")
        for name in LOG_LOSS_COLUMNS:  # a file written before the log loss was recorded
            row.setdefault(name, "")
        try:
            rows.append(_parse_row(row))
        except ValueError as exc:
            raise corrupt(f"line {line}: {exc}") from None
    return rows


def _header(text):
    """The columns of a results file's text, or None for an empty one."""
    return tuple(next(csv.reader(io.StringIO(text)), ())) or None if text else None


def _widened(text, columns):
    """A results file's text with the header ``columns``, the cells it adds empty.

    ``columns`` holds every column of the file's header (it only adds).  The
    rows are copied as text, not parsed and written again: every value stays
    exactly as it was.
    """
    reader = csv.DictReader(io.StringIO(text))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(reader)
    return buffer.getvalue()


def read_formulas(path):
    """Read the entries of a ``formulas.json``, or of the one in a results folder.

    Parameters
    ----------
    path : str or path-like
        The file, or the folder that holds it.

    Returns
    -------
    entries : list of dict
        One per discovered formula: its ``key``, ``formula`` text, ``latex``,
        the ``program`` found, the rows it saw, the search's settings.

    Raises
    ------
    BenchmarkError
        When the file is not a valid formulas file.
    """
    path = _resolve_file(path, FORMULAS_FILE)
    return list(_read_json(path, "formulas")["formulas"])


def _read_json(path, required_key):
    """A JSON file of this benchmark; damage is reported and the file left untouched."""
    try:
        data = read_json(path)  # the project's one strict reader
        if not isinstance(data, dict) or required_key not in data:
            raise ValueError(f"no {required_key!r} entry")
    except ValueError as exc:
        raise BenchmarkError(
            f"{path!r} is not a valid sksymact benchmark file ({exc}). It was left "
            "untouched: move it away (or choose another output folder) to start afresh."
        ) from None
    return data


class ResultsFolder:
    """A benchmark's output folder, opened for one set of settings.

    Opening creates the folder and ``settings.json``, or checks that an
    existing folder was made with the same settings (else
    :class:`SettingsMismatchError`).  While open, an advisory lock keeps a
    second benchmark from writing into the same folder; the operating system
    releases it when the process ends, however it ends.  With
    ``resume=False`` the results, formulas and settings already in the folder
    are removed first.
    """

    def __init__(self, path, settings, *, resume=True):
        self.path = os.fspath(path)
        self.settings = settings
        self.resume = resume
        self._lock = None

    # -- opening -----------------------------------------------------------------------

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        self._acquire_lock()
        try:
            if not self.resume:  # start afresh: what a previous run left is replaced
                for name in (RESULTS_FILE, FORMULAS_FILE, SETTINGS_FILE, CURVES_FILE):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(self._file(name))
            self._check_settings()
            self.rows()  # a damaged results file is reported before any work starts
        except BaseException:
            self._release_lock()
            raise
        return self

    def __exit__(self, *exc):
        self._release_lock()

    def _acquire_lock(self):
        # The project's one lock: flock on the folder itself (the system releases
        # it when the process ends, however it ends; no lock file is left).
        lock = FileLock(self.path, wait=False)
        try:
            lock.acquire()
        except (BlockingIOError, TimeoutError):
            raise BenchmarkError(
                f"Another benchmark is writing into {self.path!r}; wait for it to end or "
                "choose another output folder."
            ) from None
        self._lock = lock

    def _release_lock(self):
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _file(self, name):
        return os.path.join(self.path, name)

    def _check_settings(self):
        wanted = self.settings.to_dict()
        path = self._file(SETTINGS_FILE)
        results = [n for n in (RESULTS_FILE, FORMULAS_FILE) if os.path.exists(self._file(n))]
        if not os.path.exists(path):
            if results:
                raise BenchmarkError(
                    f"{self.path!r} holds {' and '.join(results)} but no {SETTINGS_FILE}, so "
                    "it was not made by this benchmark (or was damaged); choose another "
                    "output folder."
                )
            self._write_settings(path, wanted)
            return
        found = _read_json(path, "settings")["settings"]
        try:
            differences = self.settings.differences(found)
        except (TypeError, ValueError) as exc:
            raise BenchmarkError(
                f"{path!r} is not a valid sksymact benchmark file ({exc}). It was left "
                "untouched: move it away (or choose another output folder) to start afresh."
            ) from None
        if differences and not results:
            # Nothing was finished with the old settings (a first attempt that stopped
            # early, e.g. for missing data): there is nothing to protect.
            self._write_settings(path, wanted)
        elif differences:
            listed = "; ".join(f"{k}: {new!r} now, {old!r} there" for k, new, old in differences)
            raise SettingsMismatchError(
                f"{self.path!r} holds results made with other settings ({listed}). Rerun "
                "with the same settings to resume, or choose another output folder."
            )

    def _write_settings(self, path, settings):
        atomic_write_text(path, json.dumps({
            # Version 3: every setting, each under the estimators' name (max_iter,
            # early_stopping, ...); the files of earlier versions were rewritten.
            "format": "sksymact-benchmark", "version": 3,
            "settings_id": self.settings.settings_id, "settings": settings,
            "created_at": utc_now(),
        }, indent=2) + "\n")

    # -- results -----------------------------------------------------------------------

    def rows(self):
        path = self._file(RESULTS_FILE)
        return read_results(path) if os.path.exists(path) else []

    def finished(self):
        """Keys ``(dataset, configuration, seed)`` of the rows already written."""
        settings_id = self.settings.settings_id
        return {(r["dataset"], r["configuration"], r["seed"])
                for r in self.rows() if r["settings_id"] == settings_id}

    def append(self, row):
        """Add one result row; it is on disk when this returns.

        The whole file is rewritten atomically: a few hundred short rows cost
        nothing to rewrite, and the file can then never be half-written.
        """
        path = self._file(RESULTS_FILE)
        old = ""
        if os.path.exists(path):
            with open(path, encoding="utf-8", newline="") as stream:
                old = stream.read()
            _parse_results(old, path)  # never build on a damaged file
        held = set(_header(old) or ())
        columns = _header_of({group for group in _EXTENSIONS if any(
            name in held or row.get(name) not in (None, "") for name in group)})
        if old and _header(old) != columns:
            # The first row of an extension the file lacks (a regression row, a row
            # with a log loss in a file written before it): widen the file, its
            # rows' new cells empty, in the same atomic write as the row.
            old = _widened(old, columns)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n")
        if not old:
            writer.writeheader()
        writer.writerow({k: _format(row.get(k)) for k in columns})
        atomic_write_text(path, old + buffer.getvalue())

    # -- learning curves (converged budget) ----------------------------------------------

    def curves(self):
        """The learning curves recorded so far: a list of entries, one per run."""
        path = self._file(CURVES_FILE)
        return list(_read_json(path, "curves")["curves"]) if os.path.exists(path) else []

    def add_curve(self, row):
        """Record the per-epoch curve of a run (its ``curve`` entry), if it has one."""
        if not row.get("curve"):
            return
        key = (row["dataset"], row["configuration"], row["seed"])
        curves = [c for c in self.curves()
                  if (c["dataset"], c["configuration"], c["seed"]) != key]
        # A value that is not finite (a validation AUC of a split that lacks a class,
        # a loss that overflowed) is JSON's null: the file stays strict JSON.
        curve = {name: [value if is_finite_number(value) else None for value in values]
                 for name, values in row["curve"].items()}
        curves.append({"dataset": row["dataset"], "configuration": row["configuration"],
                       "seed": row["seed"], "settings_id": row["settings_id"], **curve})
        atomic_write_text(self._file(CURVES_FILE), json.dumps({
            "format": "sksymact-benchmark-curves", "version": 1, "curves": curves,
        }, allow_nan=False) + "\n")

    # -- formulas ----------------------------------------------------------------------

    def formulas(self):
        """``{key: entry}`` of the formulas discovered so far."""
        path = self._file(FORMULAS_FILE)
        if not os.path.exists(path):
            return {}
        return {entry["key"]: entry for entry in read_formulas(path)}

    def add_formula(self, entry):
        formulas = self.formulas()
        formulas[entry["key"]] = entry
        atomic_write_text(self._file(FORMULAS_FILE), json.dumps({
            "format": "sksymact-benchmark-formulas", "version": 1,
            "settings_id": self.settings.settings_id,
            "formulas": sorted(formulas.values(), key=_formula_order),
        }, indent=2, allow_nan=False, default=_json_default) + "\n")


def _formula_order(entry):
    seed = entry.get("seed")
    return (entry["dataset"], -1 if seed is None else seed)


def _json_default(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def finite_or_none(value):
    """``value`` as a float when it is a finite number (a metric can be NaN), else None."""
    value = float(value)
    return value if is_finite_number(value) else None
