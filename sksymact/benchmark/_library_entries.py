"""The formulas of a benchmark output folder, as activation-library entries.

The benchmark knows its own files (``formulas.json``, ``settings.json``) and
reads them with its own reader; the library (:mod:`sksymact.library`) is a
data format below it that knows nothing of benchmarks.  This module is the
bridge between the two: each discovered formula of a folder becomes a
:class:`~sksymact.library.LibraryEntry` with the run's provenance, and
:func:`write_builtin` writes sksymact's built-in library file from a folder
(``sksymact library build-builtin``).
"""

import numbers
import os
import re

from .._formula import Formula
from .._io import is_finite_number
from ..library import NEAR_LINEAR, LibraryEntry
from ..library._library import write_builtin_file
from ._datasets import display_name
from ._store import FORMULAS_FILE, SETTINGS_FILE, BenchmarkError, _read_json

__all__ = ["entries_from_benchmark", "write_builtin"]


def _shown(value):
    return f"{'null' if value is None else type(value).__name__} {value!r}"


def _integer(record, key, *, or_null=False):
    """The record's ``key``, an integer (or None where ``or_null``)."""
    value = record[key]
    if value is None and or_null:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        wanted = "an integer or null" if or_null else "an integer"
        raise ValueError(f"must be {wanted} ({key!r}), got {_shown(value)}")
    return int(value)


def _rows_tag(settings, dataset):
    rows = settings.get(f"{dataset}_rows")
    if not isinstance(rows, int) or isinstance(rows, bool):
        return ""
    return f"-{rows // 1000}k" if rows % 1000 == 0 else f"-{rows}"


def _entry(record, settings, settings_id, label):
    """The entry of one record of a benchmark's ``formulas.json``."""
    where = f"{label}, formula {record.get('key')!r}"
    try:
        return _entry_of(record, settings, settings_id)
    except KeyError as exc:
        raise ValueError(f"{where}: the record has no {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def _entry_of(record, settings, settings_id):
    dataset = record["dataset"]
    if not isinstance(dataset, str) or not re.fullmatch(r"[a-z0-9_-]+", dataset):
        raise ValueError(f"'dataset' must be a lowercase name, got {dataset!r}")
    seed = _integer(record, "seed", or_null=True)
    # The entry checks the selection against the ones there are; here it only has
    # to be a word, since it becomes part of the entry's name.
    selection = record.get("selection", "fitness")
    if not isinstance(selection, str) or not re.fullmatch(r"[a-z]+", selection):
        raise ValueError(f"'selection' must be the search's selection, a lowercase word, "
                         f"got {selection!r}")
    name = (dataset + _rows_tag(settings, dataset)
            + ("-all-rows" if seed is None else f"-seed{seed}")
            + ("" if selection == "fitness" else f"-{selection}"))
    # The entry checks that it is the formula's (recomputed); the notes compare it.
    nonlinearity = record["nonlinearity"]
    if not is_finite_number(nonlinearity):
        raise ValueError(f"must be a finite number ('nonlinearity'), got {_shown(nonlinearity)}")
    rows_seen = _integer(record, "rows_seen")
    rows_total = _integer(record, "rows_total")
    notes = [
        f"Discovered by 'sksymact benchmark' (protocol {record['protocol']}, settings "
        f"{settings_id}), " + ("once on all rows" if seed is None else f"seed {seed}")
        + f", selection by {'gplearn fitness' if selection == 'fitness' else selection}, on "
        f"{rows_seen:,} rows of {display_name(dataset)} (of the {rows_total:,} the benchmark "
        "used: " + ("all of them, test rows included)." if record.get("saw_test_rows") else
                   "the training part of the seed's split)."),
    ]
    if record.get("program") is not None:
        notes.append(f"Program: {record['program']}.")
    if record.get("fell_back_to_relu"):
        notes.append("No candidate trained better than ReLU, so the formula is ReLU.")
    relu_score = record.get("relu_validation_score")
    if relu_score is not None:
        if not is_finite_number(relu_score):
            raise ValueError(f"must be a finite number ('relu_validation_score'), "
                             f"got {_shown(relu_score)}")
        notes.append(f"ReLU's validation score in the selection: {relu_score:.4f}.")
    if nonlinearity < NEAR_LINEAR:
        notes.append(f"Near-linear: nonlinearity {nonlinearity:.3g} (below {NEAR_LINEAR}), "
                     "so as an activation it adds little non-linearity.")
    params = {key: record[key] for key in ("population_size", "generations", "subsample",
                                           "function_set") if key in record}
    params["random_state"] = record.get("random_state")
    if selection != "fitness":
        params["selection"] = selection
    versions = {key: record[f"{key}_version"]
                for key in ("sksymact", "sklearn", "gplearn", "torch")
                if isinstance(record.get(f"{key}_version"), str)}
    text = record["formula"]
    if not isinstance(text, str):
        raise ValueError(f"must be formula text ('formula'), got {_shown(text)}")
    formula = Formula.parse(text)
    return LibraryEntry(
        name=name,
        formula=formula.collapse() if formula.variables - {"x"} else formula,
        source={"name": display_name(dataset), "n_rows": rows_seen, "sha256": None},
        discoverer_params=params,
        random_state=record.get("random_state"),
        fitness=record.get("fitness"),
        nonlinearity=nonlinearity,
        selection=selection,
        candidates=record.get("candidates"),
        versions=versions,
        created=record["discovered_at"],
        notes=" ".join(notes),
    )


def entries_from_benchmark(folder, *, names=None):
    """The formulas of a benchmark output folder, as library entries with their provenance.

    Reads the folder's ``formulas.json`` and ``settings.json`` (what
    ``sksymact benchmark --out FOLDER`` writes).  Each discovered formula
    becomes an entry named ``<dataset>[-<rows>]-seed<seed>[-network]``:
    ``<rows>`` (``5k``, ``20k``) when the benchmark used the first rows of
    the data set (its ``higgs_rows`` or ``covertype_rows`` setting),
    ``-all-rows`` instead of the seed for the reference protocol's one
    discovery per data set, and ``-network`` for network-aware selection.
    The source is the data set with the rows discovery saw, and the entry's
    ``created`` is the record's ``discovered_at``, so the same folder always
    gives the same entries.

    Parameters
    ----------
    folder : str or path-like
        A benchmark output folder.
    names : iterable of str or None, default=None
        Only the entries of these names; an unknown name raises ValueError.

    Returns
    -------
    entries : list of LibraryEntry
        Sorted by name.

    Raises
    ------
    ValueError
        When a file is missing its fields or damaged, naming the file and
        the formula.
    """
    folder = os.fspath(folder)
    formulas_path = os.path.join(folder, FORMULAS_FILE)
    settings_path = os.path.join(folder, SETTINGS_FILE)
    try:
        formulas = _read_json(formulas_path, "formulas")
        settings = _read_json(settings_path, "settings")
    except BenchmarkError as exc:
        raise ValueError(str(exc)) from None
    records, options = formulas["formulas"], settings["settings"]
    if not isinstance(records, list) or not isinstance(options, dict):
        raise ValueError(f"{formulas_path!r} or {settings_path!r} is not a benchmark file")
    settings_id = settings.get("settings_id", formulas.get("settings_id"))
    entries = {}
    for record in records:
        if not isinstance(record, dict):
            raise ValueError(f"{formulas_path!r}: a formula record must be an object")
        entry = _entry(record, options, settings_id, repr(formulas_path))
        if entry.name in entries:
            raise ValueError(f"{formulas_path!r}: two formulas give the entry name "
                             f"{entry.name!r}")
        entries[entry.name] = entry
    if names is not None:
        names = [names] if isinstance(names, str) else list(names)
        unknown = [name for name in names if name not in entries]
        if unknown:
            raise ValueError(f"{folder!r} has no formula named {unknown}; it has "
                             f"{', '.join(sorted(entries))}")
        entries = {name: entries[name] for name in names}
    return [entries[name] for name in sorted(entries)]


def write_builtin(folder, path):
    """Write the built-in library file from a benchmark output folder.

    The entries of :func:`entries_from_benchmark` of ``folder`` and the
    hand-written ``higgs-paper`` entry (the paper's published formula), and
    nothing else: the file is replaced (``overwrite=True``).  The output
    depends only on the folder, so rerunning it on the same folder gives the
    same bytes.  The command line runs it as
    ``sksymact library build-builtin FOLDER``.

    Parameters
    ----------
    folder : str or path-like
        A benchmark output folder, such as ``paper_results/``.
    path : str or path-like
        The file to write (``_builtin_activations.json`` of the package
        :mod:`sksymact.library` to update the built-ins).

    Returns
    -------
    library : ActivationLibrary
        The library written.
    """
    return write_builtin_file(entries_from_benchmark(folder), path)
