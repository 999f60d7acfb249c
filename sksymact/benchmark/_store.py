"""The results folder: settings, one CSV row per finished run, discovered formulas.

Everything is written so that a run killed at any moment leaves a folder that
can be resumed: result rows are appended, flushed and synced one by one (a
half-written last line is cut off when the folder is opened again), and the
JSON files are replaced atomically (temporary file, fsync, ``os.replace``).
"""

import contextlib
import csv
import datetime
import io
import json
import math
import os
import secrets

__all__ = [
    "BenchmarkError",
    "SettingsMismatchError",
    "ResultsFolder",
    "RESULT_COLUMNS",
    "read_results",
    "read_formulas",
    "atomic_write_text",
]

RESULTS_FILE = "results.csv"
FORMULAS_FILE = "formulas.json"
SETTINGS_FILE = "settings.json"

#: Columns of ``results.csv``, in order.
RESULT_COLUMNS = (
    "dataset", "configuration", "seed", "protocol", "settings_id",
    "accuracy", "roc_auc", "n_params", "e_param", "fit_seconds",
    "activation", "formula_key", "hidden_layer_sizes",
    "n_train", "n_test", "n_features", "epochs", "device",
    "sksymact_version", "torch_version", "sklearn_version", "gplearn_version",
    "finished_at",
)
_INT_COLUMNS = ("seed", "n_params", "n_train", "n_test", "n_features", "epochs")
_FLOAT_COLUMNS = ("accuracy", "roc_auc", "e_param", "fit_seconds")


class BenchmarkError(Exception):
    """A benchmark cannot run as asked; the message says what to change."""


class SettingsMismatchError(BenchmarkError):
    """The results folder was made with other settings."""


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def _fsync_dir(folder):
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_text(path, text):
    """Write ``text`` to ``path`` so that ``path`` is either old or complete."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}")
    # os.open with 0o666 lets the umask decide the permissions, as open() would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
    _fsync_dir(folder)


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
    """Rows of a ``results.csv`` (or of the one in a results folder) as dicts.

    Numbers come back as int and float; a half-written last line is ignored.
    """
    path = _resolve_file(path, RESULTS_FILE)
    with open(path, encoding="utf-8", newline="") as stream:
        text = stream.read()
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    return [_parse_row(row) for row in csv.DictReader(io.StringIO(text))]


def read_formulas(path):
    """The entries of a ``formulas.json`` (or of the one in a results folder)."""
    path = _resolve_file(path, FORMULAS_FILE)
    with open(path, encoding="utf-8") as stream:
        data = json.load(stream)
    return list(data["formulas"])


class ResultsFolder:
    """A benchmark's output folder, opened for one set of settings.

    Opening creates the folder and ``settings.json``, or checks that an
    existing folder was made with the same settings (else
    :class:`SettingsMismatchError`).  While open, an advisory lock keeps a
    second benchmark from writing into the same folder; the operating system
    releases it when the process ends, however it ends.
    """

    def __init__(self, path, settings):
        self.path = os.fspath(path)
        self.settings = settings
        self._lock = None

    # -- opening -----------------------------------------------------------------------

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        self._acquire_lock()
        try:
            self._check_settings()
            self._repair_results()
        except BaseException:
            self._release_lock()
            raise
        return self

    def __exit__(self, *exc):
        self._release_lock()

    def _acquire_lock(self):
        try:
            import fcntl  # noqa: PLC0415 (POSIX only; elsewhere there is no lock)
        except ImportError:
            return
        fd = os.open(self.path, os.O_RDONLY)  # the folder itself: no lock file is left behind
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise BenchmarkError(
                f"Another benchmark is writing into {self.path!r}; wait for it to end or "
                "choose another output folder."
            ) from None
        self._lock = fd

    def _release_lock(self):
        if self._lock is not None:
            os.close(self._lock)
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
        with open(path, encoding="utf-8") as stream:
            found = json.load(stream).get("settings", {})
        differences = [(k, wanted.get(k), found.get(k)) for k in sorted(set(wanted) | set(found))
                       if wanted.get(k) != found.get(k)]
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
            "format": "sksymact-benchmark", "version": 1,
            "settings_id": self.settings.settings_id, "settings": settings,
            "created_at": utc_now(),
        }, indent=2) + "\n")

    def _repair_results(self):
        """Cut a half-written last line (from a run killed while writing)."""
        path = self._file(RESULTS_FILE)
        if not os.path.exists(path):
            return
        with open(path, "rb+") as stream:
            data = stream.read()
            if data and not data.endswith(b"\n"):
                stream.truncate(data.rfind(b"\n") + 1)
                stream.flush()
                os.fsync(stream.fileno())

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
        """Append one result row; it is on disk when this returns."""
        path = self._file(RESULTS_FILE)
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        with open(path, "a", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, RESULT_COLUMNS, lineterminator="\n")
            if new:
                writer.writeheader()
            writer.writerow({k: _format(row.get(k)) for k in RESULT_COLUMNS})
            stream.flush()
            os.fsync(stream.fileno())
        if new:
            _fsync_dir(self.path)

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
    value = float(value)
    return value if math.isfinite(value) else None
