"""A library of activation formulas with their provenance, kept as a JSON file.

A discovered formula is worth keeping with where it came from: the data it was
found on, the search's settings and seed, its fitness and nonlinearity, the
candidates a network-aware selection scored, the versions of the packages that
found it, and the scores it reached where it was used.  A :class:`LibraryEntry`
holds one formula with all of that; an :class:`ActivationLibrary` is a set of
named entries that is saved to, and loaded from, a human-readable JSON file.

The file is data.  Loading validates every field (a formula only through the
whitelist parser :meth:`sksymact.Formula.parse`, numbers finite, types exact),
recomputes what derives from the formulas (the nonlinearity of the entry and of
each candidate, which candidate was chosen) and refuses, with a ``ValueError``
naming the file, the entry and the field, a file that is damaged, truncated,
not UTF-8, of another format or of a newer schema, or whose stored values
disagree with the recomputed ones.  Nothing in a library file is ever
executed.  Saving replaces the file atomically, under a lock, merging what
other processes saved in the meantime.

:func:`get_builtin` gives the entries that ship with sksymact (the paper's
HIGGS formula and the formulas of the benchmark in ``paper_results/``);
``activation="library:NAME"`` names one of them.

Examples
--------
>>> import os, tempfile
>>> from sksymact.library import ActivationLibrary, get_builtin
>>> get_builtin("higgs-paper").formula
Formula('mul(cos(x), x)')
>>> library = ActivationLibrary()
>>> entry = library.add("wave", "x*cos(x) + 0.5*x", notes="typed in by hand")
>>> entry.nonlinearity < 1.0
True
>>> path = os.path.join(tempfile.mkdtemp(), "activations.json")
>>> library.save(path)
>>> ActivationLibrary.load(path).get("wave") == entry
True
"""

import contextlib
import dataclasses
import datetime
import functools
import hashlib
import html
import json
import math
import numbers
import os
import re
import time
import types
from collections.abc import Mapping
from importlib import metadata, resources

import numpy as np

from ._formula import Formula
from ._io import atomic_write_text
from ._operators import OPERATORS
from ._version import __version__

try:  # POSIX; the standard library has no portable file lock (see _locked)
    import fcntl as _fcntl
except ImportError:  # pragma: no cover (Windows)
    _fcntl = None

__all__ = [
    "LibraryEntry",
    "ActivationLibrary",
    "get_builtin",
    "rows_checksum",
    "entries_from_benchmark",
    "write_builtin",
    "FORMAT",
    "SCHEMA_VERSION",
]

#: The ``"format"`` of every library file.
FORMAT = "sksymact-activation-library"
#: The newest schema this sksymact reads and the one it writes.
SCHEMA_VERSION = 1

#: Where the built-in entries live, inside the package.
BUILTIN_FILE = "_builtin_activations.json"

#: Entry names: lowercase letters, digits, ``-``, ``_`` and ``.``, starting
#: with a letter or digit (so that no name is ``.`` or ``..``), at most 100.
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_SELECTIONS = ("fitness", "network")
_SOURCE_KEYS = ("name", "n_rows", "sha256")
_SCORE_KEYS = ("target", "metric", "value")
_SCORE_EXTRA_KEYS = ("seeds", "baseline", "date")
#: Nesting deeper than this in discoverer_params is refused (no parameter is so deep).
_MAX_JSON_DEPTH = 32
#: Below this nonlinearity an entry's notes call it near-linear.
NEAR_LINEAR = 0.1
#: How far a stored nonlinearity may be from the one recomputed from the formula
#: (the computation is deterministic; this allows for another machine's last bits).
NONLINEARITY_TOLERANCE = 1e-6

#: The named activations that are formulas of the operator set, as the formula
#: ``ActivationLibrary.add`` stores for each: ReLU is ``max(x, 0)``, the identity
#: ``x``, the logistic sigmoid the operator ``sig`` (torch's ``1 / (1 + exp(-x))``),
#: SiLU ``x * sig(x)``, and tanh ``2 sig(2x) - 1``, the same function (in float32
#: within about 1e-7 of torch's tanh).
NAMED_FORMULAS = types.MappingProxyType({
    "relu": "max(x, 0)",
    "identity": "x",
    "sigmoid": "sig(x)",
    "silu": "mul(x, sig(x))",
    "tanh": "sub(mul(2.0, sig(mul(2.0, x))), 1.0)",
})
#: The named activations that have no formula form, and why.
_NO_FORMULA = {
    "gelu": ("GELU is x times the normal distribution function, an erf, and the operator "
             "set has no erf (its tanh approximation needs tanh of a cubic, which would "
             "be another function than the network's exact GELU)"),
}

# The lock of ``save`` where fcntl is missing: a lock file created with O_EXCL,
# tried this many times, this many seconds apart (a count, not a deadline).
_LOCK_RETRIES = 1200
_LOCK_RETRY_DELAY = 0.05

#: The paper's entry, written by hand; the rest of the built-in file comes from
#: a benchmark folder (see write_builtin).  ``created`` is the day it was recorded.
_PAPER_ENTRY = {
    "name": "higgs-paper",
    "formula": "mul(cos(x), x)",
    "source": {"name": "HIGGS", "n_rows": None, "sha256": None},
    "discoverer_params": None,
    "random_state": None,
    "fitness": None,
    # Exactly 1: x*cos(x) is uncorrelated with x under N(0, 1) (E[x^2 cos x] = 0), so no
    # affine function explains any of it.  Written out rather than computed, so that the
    # built-in file does not depend on the last bits of a least-squares fit.
    "nonlinearity": 1.0,
    "selection": "fitness",
    "candidates": None,
    "versions": {},
    "created": "2026-12-02T00:00:00+00:00",
    "notes": ("The paper's published HIGGS formula, x*cos(x): Hajbi (2026), Neuro-Symbolic "
              "Activation Discovery (arXiv 2601.10740), found by gplearn on HIGGS and used "
              "as the activation on Covertype and Spambase. It is the published formula, not a "
              "run of sksymact: the paper's rows, seed and fitness are not recorded here."),
    "scores": [],
}


# --------------------------------------------------------------------- helpers

class _UnknownEntryError(KeyError, ValueError):
    """No entry of that name: a KeyError (a look-up) and a ValueError (a bad name)."""

    def __str__(self):  # KeyError would quote the whole message
        return str(self.args[0])


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


@functools.lru_cache(maxsize=1)
def _current_versions():
    """The versions that matter for a formula, read without importing the packages."""
    versions = {"sksymact": __version__}
    for key, distribution in (("sklearn", "scikit-learn"), ("gplearn", "gplearn"),
                              ("torch", "torch")):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[key] = metadata.version(distribution)
    return versions


def _type_name(value):
    return "null" if value is None else type(value).__name__


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _finite(value, what="a finite number"):
    if not _is_number(value):
        raise ValueError(f"must be {what}, got {_type_name(value)} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"must be {what}, got {value!r}")
    return value


def _integer(value, what="an integer"):
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"must be {what}, got {_type_name(value)} {value!r}")
    return int(value)


def _text(value, what="text"):
    if not isinstance(value, str):
        raise ValueError(f"must be {what}, got {_type_name(value)} {value!r}")
    return value


def _timestamp(value, *, date_only=False):
    """Check ISO-8601 text in UTC (or a plain date, where allowed); return it unchanged."""
    what = "an ISO-8601 date or UTC timestamp" if date_only else "an ISO-8601 UTC timestamp"
    _text(value, what)
    if date_only and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not {what}") from None
        return value
    try:  # Python 3.10 reads "+00:00" but not "Z"
        moment = datetime.datetime.fromisoformat(re.sub(r"Z$", "+00:00", value))
    except ValueError:
        raise ValueError(f"{value!r} is not {what}") from None
    if moment.utcoffset() != datetime.timedelta(0):
        raise ValueError(f"{value!r} is not {what} (give the time in UTC, '+00:00')")
    return value


def _check_json(value, depth=0):
    """Check a JSON value of exact types (finite numbers); return it deeply read-only."""
    if depth > _MAX_JSON_DEPTH:
        raise ValueError(f"is nested more than {_MAX_JSON_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, np.bool_):
        return int(value)
    if _is_number(value):
        return _finite(value)
    if isinstance(value, (list, tuple)):
        return tuple(_check_json(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"has a key that is not text: {key!r}")
            try:
                out[key] = _check_json(item, depth + 1)
            except ValueError as exc:
                raise ValueError(f"[{key!r}] {exc}") from None
        return types.MappingProxyType(out)
    raise ValueError(f"holds a {type(value).__name__}, which JSON cannot represent")


def _to_jsonable(value, depth=0):
    """A JSON form of a parameter value: tuples become lists, numpy scalars numbers.

    Values JSON cannot represent (a RandomState instance, an estimator, a
    non-finite float) become None.
    """
    if depth > _MAX_JSON_DEPTH:
        return None
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_to_jsonable(item, depth + 1) for item in value]
    if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
        return {key: _to_jsonable(item, depth + 1) for key, item in value.items()}
    return None


def _thaw(value):
    """Plain dicts and lists again, for JSON."""
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value


# ------------------------------------------------------------ field validators

def _check_name(value):
    _text(value, "text")
    if not _NAME_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid entry name: use lowercase letters, digits, "
                         "'-', '_' and '.', starting with a letter or digit, at most 100 "
                         "characters (for example 'higgs-5k-seed42')")
    return value


def _check_formula(value):
    if isinstance(value, str):
        value = Formula.parse(value)
    elif not isinstance(value, Formula):
        raise ValueError(f"must be a Formula or formula text, got {_type_name(value)}")
    other = sorted(value.variables - {"x"})
    if other:
        raise ValueError(f"{value} uses {', '.join(other)}: an activation is a formula of "
                         "the single variable x (collapse it with Formula.collapse())")
    return value


def _check_source(value):
    if value is None:
        return None
    if isinstance(value, str):  # a data set's name alone: rows and checksum unknown
        value = {"name": value}
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a data set's name, a dict {{'name', 'n_rows', 'sha256'}} "
                         f"or null, got {_type_name(value)}")
    unknown = sorted(set(value) - set(_SOURCE_KEYS), key=str)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown}: a source has only {list(_SOURCE_KEYS)}")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"['name'] must be the data set's name (text), got {name!r}")
    n_rows = value.get("n_rows")
    if n_rows is not None:
        try:
            n_rows = _integer(n_rows, "an integer or null")
        except ValueError as exc:
            raise ValueError(f"['n_rows'] {exc}") from None
        if n_rows < 0:
            raise ValueError(f"['n_rows'] must not be negative, got {n_rows}")
    sha256 = value.get("sha256")
    if sha256 is not None and not (isinstance(sha256, str) and _SHA256_RE.fullmatch(sha256)):
        raise ValueError(f"['sha256'] must be 64 lowercase hexadecimal digits or null, "
                         f"got {sha256!r}")
    return types.MappingProxyType({"name": name, "n_rows": n_rows, "sha256": sha256})


def _check_params(value):
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a dict of JSON values or null, got {_type_name(value)}")
    return _check_json(value)


def _check_random_state(value):
    if value is None:
        return None
    value = _integer(value, "an integer in [0, 2**32 - 1] or null")
    if not 0 <= value < 2 ** 32:
        raise ValueError(f"must be an integer in [0, 2**32 - 1] or null, got {value}")
    return value


def _check_fitness(value):
    return None if value is None else _finite(value, "a finite number or null")


def _check_nonlinearity(value):
    if value is None:  # computed from the formula (see _derived_nonlinearity)
        return None
    value = _finite(value, "a finite number in [0, 1]")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"must be a finite number in [0, 1], got {value!r}")
    return value


def _recomputed_nonlinearity(formula):
    value = formula.nonlinearity()
    if not math.isfinite(value):
        raise ValueError(f"{formula} is not finite where an activation operates (its "
                         "nonlinearity is NaN)")
    return value


def _disagrees(stored, recomputed):
    return not math.isclose(stored, recomputed, rel_tol=0.0, abs_tol=NONLINEARITY_TOLERANCE)


def _derived_nonlinearity(formula, stored):
    """The formula's nonlinearity; a stored value (not None) must agree with it."""
    recomputed = _recomputed_nonlinearity(formula)
    if stored is not None and _disagrees(stored, recomputed):
        raise ValueError(
            f"the stored value {stored!r} is not the nonlinearity of the formula {formula}, "
            f"which is {recomputed!r} (recomputed from the formula; the two must agree to "
            f"{NONLINEARITY_TOLERANCE:g}). Leave it out (None) to have it computed.")
    return recomputed if stored is None else stored


def _consistent_candidates(formula, candidates):
    """Check what the candidates' table derives from formulas: each nonlinearity, the choice."""
    texts = None if candidates is None else candidates.get("formula")
    if texts is None:
        return candidates
    for i, text in enumerate(texts):
        candidate = Formula.parse(text)  # checked by _check_candidates
        stored = candidates.get("nonlinearity", ())[i:i + 1]
        if stored and stored[0] is not None:
            if not _is_number(stored[0]):
                raise ValueError(f"['nonlinearity'][{i}] must be a number or null, got "
                                 f"{_type_name(stored[0])} {stored[0]!r}")
            recomputed = _recomputed_nonlinearity(candidate)
            if _disagrees(stored[0], recomputed):
                raise ValueError(
                    f"['nonlinearity'][{i}]: the stored value {stored[0]!r} is not the "
                    f"nonlinearity of candidate {i}, {candidate}, which is {recomputed!r} "
                    f"(recomputed from its formula; the two must agree to "
                    f"{NONLINEARITY_TOLERANCE:g})")
        chosen = candidates.get("chosen", ())[i:i + 1]
        if chosen and chosen[0] is True and candidate != formula:
            raise ValueError(f"['chosen'][{i}]: candidate {i}, {candidate}, is marked as the "
                             f"one chosen, but the entry's formula is {formula}")
    return candidates


def _check_selection(value):
    if value is not None and value not in _SELECTIONS:
        raise ValueError(f"must be 'fitness', 'network' or null, got {value!r}")
    return value


def _check_candidates(value):
    if value is None:
        return None
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"must be a non-empty dict of equally long lists or null, "
                         f"got {_type_name(value)} {value!r}")
    out, lengths = {}, set()
    for key, column in value.items():
        if not isinstance(key, str):
            raise ValueError(f"has a key that is not text: {key!r}")
        if not isinstance(column, (list, tuple)):
            raise ValueError(f"[{key!r}] must be a list, got {_type_name(column)}")
        try:
            items = tuple(_check_json(item) for item in column)
        except ValueError as exc:
            raise ValueError(f"[{key!r}] {exc}") from None
        if any(isinstance(item, (tuple, Mapping)) for item in items):
            raise ValueError(f"[{key!r}] must hold numbers, text, booleans or nulls")
        if key in ("formula", "program"):  # formulas: checked by the parser, never run
            for i, text in enumerate(items):
                if text is None and key == "program":
                    continue
                try:
                    Formula.parse(_text(text, "formula text"))
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"[{key!r}][{i}]: {exc}") from None
        lengths.add(len(items))
        out[key] = items
    if len(lengths) > 1:
        raise ValueError(f"its lists differ in length ({sorted(lengths)}): one value per "
                         "candidate in every list")
    return types.MappingProxyType(out)


def _check_versions(value):
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a dict of package name to version text, "
                         f"got {_type_name(value)}")
    out = {}
    for key, version in value.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"has a package name that is not text: {key!r}")
        if not isinstance(version, str):
            raise ValueError(f"[{key!r}] must be version text, got {_type_name(version)}")
        out[key] = version
    return types.MappingProxyType(out)


def _check_score(score):
    if not isinstance(score, Mapping):
        raise ValueError(f"must be a dict, got {_type_name(score)}")
    missing = [key for key in _SCORE_KEYS if key not in score]
    if missing:
        raise ValueError(f"is missing {missing}")
    unknown = sorted(set(score) - set(_SCORE_KEYS) - set(_SCORE_EXTRA_KEYS), key=str)
    if unknown:
        raise ValueError(f"has unknown key(s) {unknown}; a score has "
                         f"{list(_SCORE_KEYS + _SCORE_EXTRA_KEYS)}")
    out = {}
    try:
        for key in ("target", "metric"):
            out[key] = _text(score[key])
            if not out[key].strip():
                raise ValueError("must not be empty")
        key = "value"
        out[key] = _finite(score[key])
        if "seeds" in score:
            key = "seeds"
            seeds = score[key]
            if isinstance(seeds, numbers.Integral) and not isinstance(seeds, (bool, np.bool_)):
                seeds = [seeds]
            if not isinstance(seeds, (list, tuple)):
                raise ValueError(f"must be a list of integers, got {_type_name(seeds)}")
            out[key] = tuple(_integer(seed) for seed in seeds)
        if "baseline" in score:
            key = "baseline"
            out[key] = _finite(score[key])
        if "date" in score:
            key = "date"
            out[key] = _timestamp(score[key], date_only=True)
    except ValueError as exc:
        raise ValueError(f"[{key!r}] {exc}") from None
    return types.MappingProxyType(out)


def _check_scores(value):
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise ValueError(f"must be a list of score dicts, got {_type_name(value)}")
    out = []
    for i, score in enumerate(value):
        try:
            out.append(_check_score(score))
        except ValueError as exc:
            raise ValueError(f"[{i}] {exc}") from None
    return tuple(out)


# The fields in the order of the file's entries, with their checks.
_CHECKS = {
    "name": _check_name,
    "formula": _check_formula,
    "source": _check_source,
    "discoverer_params": _check_params,
    "random_state": _check_random_state,
    "fitness": _check_fitness,
    "nonlinearity": _check_nonlinearity,
    "selection": _check_selection,
    "candidates": _check_candidates,
    "versions": _check_versions,
    "created": _timestamp,
    "notes": lambda value: _text(value),
    "scores": _check_scores,
}
_FIELDS = tuple(_CHECKS)
#: The fields derived from the formula, checked against it once it is read.
_DERIVED = {"nonlinearity": _derived_nonlinearity, "candidates": _consistent_candidates}
#: What ``ActivationLibrary.add`` accepts as provenance.
_PROVENANCE = tuple(f for f in _FIELDS if f not in ("name", "formula"))
#: The JSON types a file's fields must have (a dict or a list must then pass its check).
_JSON_TYPES = {
    "name": (str,), "formula": (str,), "source": (dict, type(None)),
    "discoverer_params": (dict, type(None)), "random_state": (int, type(None)),
    "fitness": (int, float, type(None)), "nonlinearity": (int, float),
    "selection": (str, type(None)), "candidates": (dict, type(None)), "versions": (dict,),
    "created": (str,), "notes": (str,), "scores": (list,),
}
_JSON_TYPE_NAMES = {str: "text", dict: "an object", list: "a list", int: "an integer",
                    float: "a number", type(None): "null"}


def _where(source, name=None):
    """``'file', entry 3 ('name')``: where an entry is, for error messages."""
    if not isinstance(name, str):
        return source or ""
    return f"{source} ({name!r})" if source else f"entry {name!r}"


# ---------------------------------------------------------------------- entry

@dataclasses.dataclass(frozen=True, eq=True, kw_only=True)
class LibraryEntry:
    """One activation formula of a library, with where it came from and how it scored.

    An immutable record: every field is validated when the entry is made (a
    ``ValueError`` names the field), the dicts are read-only mappings and the
    lists tuples.  :meth:`to_dict` gives the JSON form a library file holds and
    :meth:`from_dict` reads it back, as strictly.  Entries are equal when every
    field is; :meth:`with_score` returns a new entry with one more score.

    Parameters
    ----------
    name : str
        The entry's name in its library: lowercase letters, digits, ``-``,
        ``_`` and ``.``, starting with a letter or digit, at most 100
        characters.
    formula : Formula or str
        The activation, a formula of the single variable ``x``; text is read
        with :meth:`Formula.parse` (the whitelist parser).  A formula of
        features (``X3``) is refused: collapse it first.
    source : str, dict or None, default=None
        The data it was discovered on: ``{"name": str, "n_rows": int or None,
        "sha256": str or None}`` (missing keys are None), where ``sha256`` is
        a checksum of those rows (see :func:`rows_checksum`); a string is the
        name alone.
    discoverer_params : dict or None, default=None
        The search's parameters, JSON values only.
    random_state : int or None, default=None
        The search's seed.
    fitness : float or None, default=None
        The raw fitness gplearn gave the program (log loss; lower is better).
    nonlinearity : float or None, default=None
        :meth:`Formula.nonlinearity` of ``formula``; None computes it.  It is
        derived from the formula, so a value that disagrees with the
        recomputed one by more than ``NONLINEARITY_TOLERANCE`` (1e-6) raises
        ValueError.
    selection : {"fitness", "network"} or None, default=None
        How the formula was chosen among the programs of its run.
    candidates : dict of lists or None, default=None
        The candidates a network-aware selection scored, as the
        discoverer's ``candidates_``.  Its ``"nonlinearity"`` values must be
        those of its ``"formula"`` texts, and a candidate marked ``"chosen"``
        must be ``formula`` (ValueError otherwise).
    versions : dict or None, default=None
        Package name to version (``"sksymact"``, ``"sklearn"``,
        ``"gplearn"``, ``"torch"``); None records the running ones.
    created : str or None, default=None
        When the formula was discovered or recorded, an ISO-8601 UTC
        timestamp; None is now.
    notes : str, default=""
        Free text.
    scores : sequence of dict, default=()
        What the activation scored where it was used, each ``{"target": str,
        "metric": str, "value": float}`` with optional ``"seeds"`` (list of
        int), ``"baseline"`` (float: the same metric for the reference, such
        as ReLU) and ``"date"`` (ISO-8601).

    See Also
    --------
    ActivationLibrary : A named set of entries, saved as JSON.
    get_builtin : The entries that ship with sksymact.

    Examples
    --------
    >>> from sksymact.library import LibraryEntry
    >>> entry = LibraryEntry(name="wave", formula="x*cos(x)", notes="by hand")
    >>> entry.formula, round(entry.nonlinearity, 6)
    (Formula('mul(x, cos(x))'), 1.0)
    >>> scored = entry.with_score("spambase", "roc_auc", 0.93, seeds=[42, 43])
    >>> scored.scores[0]["value"], len(entry.scores)
    (0.93, 0)
    >>> LibraryEntry.from_dict(scored.to_dict()) == scored
    True
    """

    name: str
    formula: Formula
    source: Mapping = None
    discoverer_params: Mapping = None
    random_state: int = None
    fitness: float = None
    nonlinearity: float = None
    selection: str = None
    candidates: Mapping = None
    versions: Mapping = None
    created: str = None
    notes: str = ""
    scores: tuple = ()

    def __post_init__(self):
        for field, check in _CHECKS.items():
            value = getattr(self, field)
            if field == "versions" and value is None:
                value = dict(_current_versions())
            elif field == "created" and value is None:
                value = _utc_now()
            try:
                value = check(value)
                if field in _DERIVED:
                    # Recomputed from the formula, so that a file cannot claim another
                    # value (an affine formula shown as fully non-linear).
                    value = _DERIVED[field](self.formula, value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"field {field!r}: {exc}") from None
            object.__setattr__(self, field, value)

    # Immutable: copies are the entry itself; pickles hold its JSON form (read-only
    # mappings do not pickle) and are validated again when read.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (_entry_from_dict, (self.to_dict(),))

    def __hash__(self):
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def with_score(self, target, metric, value, **extra):
        """Return a new entry with one more score.

        Parameters
        ----------
        target : str
            Where the activation was used, for example a data set's name.
        metric : str
            What was measured, for example ``"roc_auc"``.
        value : float
            The measured value (finite).
        **extra : dict
            Optional ``seeds`` (int or list of int), ``baseline`` (float: the
            same metric for the reference activation) and ``date`` (ISO-8601
            date or UTC timestamp); another key raises ValueError.

        Returns
        -------
        entry : LibraryEntry
            A copy of this entry with the score appended; this one is unchanged.
        """
        score = {"target": target, "metric": metric, "value": value, **extra}
        return dataclasses.replace(self, scores=(*self.scores, score))

    def to_dict(self):
        """Describe the entry as the JSON-ready dict a library file holds.

        Returns
        -------
        data : dict
            Every field, with the formula as its canonical text (which
            :meth:`Formula.parse` reads back exactly), dicts and lists as plain
            JSON values.
        """
        out = {field: _thaw(getattr(self, field)) for field in _FIELDS}
        out["formula"] = str(self.formula)
        return out

    @classmethod
    def from_dict(cls, data, *, source=None):
        """Read an entry from its JSON form, validating every field.

        Every field must be present with its exact JSON type; the formula is
        read with :meth:`Formula.parse` and never executed.

        Parameters
        ----------
        data : dict
            As :meth:`to_dict` writes it.
        source : str or None, default=None
            Where ``data`` comes from (for example the file and the entry's
            position), put at the start of error messages.

        Returns
        -------
        entry : LibraryEntry
            The entry ``data`` describes.

        Raises
        ------
        ValueError
            Naming ``source``, the entry and the field, when a field is
            missing, unknown, of the wrong type or invalid.
        """
        if not isinstance(data, dict):
            prefix = f"{source}: " if source else ""
            raise ValueError(f"{prefix}an entry must be a JSON object, got {_type_name(data)}")
        where = _where(source, data.get("name"))
        prefix = f"{where}: " if where else ""
        missing = [field for field in _FIELDS if field not in data]
        if missing:
            raise ValueError(f"{prefix}missing field(s) {missing}")
        unknown = sorted(set(data) - set(_FIELDS), key=str)
        if unknown:
            raise ValueError(f"{prefix}unknown field(s) {unknown}: an entry of schema "
                             f"version {SCHEMA_VERSION} has only {list(_FIELDS)}")
        for field, allowed in _JSON_TYPES.items():
            value = data[field]
            if type(value) not in allowed:
                wanted = " or ".join(dict.fromkeys(  # an int or a float is "a number"
                    "a number" if t is int and float in allowed else _JSON_TYPE_NAMES[t]
                    for t in allowed))
                shown = repr(value)
                shown = shown if len(shown) <= 80 else shown[:79] + "…"
                raise ValueError(f"{prefix}field {field!r}: must be {wanted}, "
                                 f"got {_type_name(value)} {shown}")
        if isinstance(data["source"], dict):
            missing = [key for key in _SOURCE_KEYS if key not in data["source"]]
            if missing:
                raise ValueError(f"{prefix}field 'source': missing key(s) {missing}")
        try:
            return cls(**data)
        except ValueError as exc:
            raise ValueError(f"{prefix}{exc}") from None

    def __repr__(self):
        source = None if self.source is None else self.source["name"]
        return (f"LibraryEntry(name={self.name!r}, formula={str(self.formula)!r}, "
                f"source={source!r}, nonlinearity={self.nonlinearity:.4g}, "
                f"fitness={self.fitness!r}, selection={self.selection!r}, "
                f"n_scores={len(self.scores)})")

    def _html_rows(self):
        source = self.source
        rows = [
            ("formula", str(self.formula)),
            ("source", "" if source is None else
             f"{source['name']}" + (f", {source['n_rows']:,} rows" if source["n_rows"] else "")
             + (f", sha256 {source['sha256'][:12]}…" if source["sha256"] else "")),
            ("nonlinearity", f"{self.nonlinearity:.4g}"),
            ("fitness", "" if self.fitness is None else f"{self.fitness:.4g}"),
            ("selection", self.selection or ""),
            ("random_state", "" if self.random_state is None else str(self.random_state)),
            ("created", self.created),
            ("versions", ", ".join(f"{k} {v}" for k, v in self.versions.items())),
            ("scores", "; ".join(f"{s['target']} {s['metric']} {s['value']:.4g}"
                                 for s in self.scores)),
            ("notes", self.notes),
        ]
        return rows

    def _repr_html_(self):
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(key)}</th>"
                        f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
                        for key, value in self._html_rows() if value)
        return (f"<table><caption>LibraryEntry <b>{html.escape(self.name)}</b></caption>"
                f"{cells}</table>")


def _entry_from_dict(data):
    """Unpickling helper: an entry from its JSON form, validated again."""
    return LibraryEntry.from_dict(data)


# ----------------------------------------------------------------- the file

def _no_duplicate_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"a JSON object has the key {key!r} twice")
        out[key] = value
    return out


def _parse_library(data, label):
    """The entries of a library file's bytes; ``label`` names the file in errors."""
    def damaged(problem):
        return ValueError(f"{label} is not a valid sksymact activation library: {problem}.")

    if not data.strip():
        raise damaged("the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise damaged(f"it is not UTF-8 text (byte {data[exc.start]:#04x} at offset "
                      f"{exc.start})") from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise damaged(f"it is not complete JSON ({exc.msg}, line {exc.lineno} column "
                      f"{exc.colno}); it may have been truncated") from None
    except ValueError as exc:  # a duplicate key, an integer too long to read
        raise damaged(str(exc)) from None
    except RecursionError:
        raise damaged("its JSON is nested too deeply") from None
    if not isinstance(document, dict):
        raise damaged(f"its top level is {_type_name(document)}, not an object")
    found = document.get("format")
    if found != FORMAT:
        raise damaged(f"its 'format' is {found!r}, not {FORMAT!r}: it is some other file"
                      if "format" in document else f"it has no 'format' (expected {FORMAT!r})")
    version = document.get("schema_version")
    if type(version) is not int or version < 1:
        raise damaged(f"its 'schema_version' must be a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"{label} is an activation library of schema_version {version}, written by a "
            f"newer sksymact; this sksymact ({__version__}) reads schema_version "
            f"{SCHEMA_VERSION}. Upgrade sksymact to read it.")
    unknown = sorted(set(document) - {"format", "schema_version", "entries"})
    if unknown:
        raise damaged(f"unknown top-level field(s) {unknown}")
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise damaged(f"its 'entries' must be a list, got {_type_name(entries)}")
    out, seen = [], {}
    for i, item in enumerate(entries):
        entry = LibraryEntry.from_dict(item, source=f"{label}, entry {i}")
        if entry.name in seen:
            raise ValueError(f"{label}: entries {seen[entry.name]} and {i} are both named "
                             f"{entry.name!r}; names must be unique")
        seen[entry.name] = i
        out.append(entry)
    return out


def _dumps(entries):
    """The file's text: sorted keys, indent 2, entries by name, UTF-8."""
    document = {"format": FORMAT, "schema_version": SCHEMA_VERSION,
                "entries": [entry.to_dict() for entry in sorted(entries, key=lambda e: e.name)]}
    return json.dumps(document, indent=2, sort_keys=True, allow_nan=False,
                      ensure_ascii=False) + "\n"


@contextlib.contextmanager
def _locked(path):
    """Hold the exclusive lock of ``path``: its sibling ``path + ".lock"``.

    Hand-written because the standard library has no portable file lock and
    sksymact depends on no locking package.  With fcntl (POSIX) it is
    ``flock`` on the lock file, which the system releases when the process
    ends however it ends.  The lock file is deleted while still locked, so
    none is left behind; a process that was waiting on the deleted file finds,
    once it has the lock, that the path no longer names its file, and locks
    the path again.  Without fcntl the lock file is created with ``O_EXCL``,
    tried a fixed number of times, and deleted afterwards; a process killed
    while holding it leaves it behind, and saving then fails after the retries
    with a message that says to delete it.
    """
    lock = f"{path}.lock"
    if _fcntl is not None:
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                _fcntl.flock(fd, _fcntl.LOCK_EX)
                held = os.path.samestat(os.fstat(fd), os.stat(lock))
            except FileNotFoundError:
                held = False
            except BaseException:
                os.close(fd)
                raise
            if held:
                break
            os.close(fd)  # the file was deleted by the process before: lock the new one
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(lock)
            os.close(fd)  # closing releases the lock
        return
    for _ in range(_LOCK_RETRIES):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            time.sleep(_LOCK_RETRY_DELAY)
    else:
        raise TimeoutError(
            f"{path!r} was not saved: its lock file {lock!r} was held through "
            f"{_LOCK_RETRIES} attempts. If no other process is saving this library (one "
            "that was killed leaves the lock file behind), delete the lock file and save "
            "again.")
    try:
        yield
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.remove(lock)


def _read_file(path):
    with open(path, "rb") as stream:
        return stream.read()


# -------------------------------------------------------------------- library

class ActivationLibrary:
    """A named set of activation formulas with their provenance, kept as a JSON file.

    Add formulas (text, a :class:`Formula`, a named activation, a fitted
    :class:`SymbolicActivationDiscoverer` or a fitted network or pipeline,
    whose provenance is recorded) with :meth:`add`, look them up with
    :meth:`get`, record scores with :meth:`add_score`, and keep them with
    :meth:`save` and :meth:`load`.
    :meth:`builtin` is the library that ships with sksymact.

    The file is human-readable JSON, ``{"format":
    "sksymact-activation-library", "schema_version": 1, "entries": [...]}``
    with sorted keys and an indent of 2, one entry per formula as
    :meth:`LibraryEntry.to_dict` writes it.  Loading validates every field
    and raises a ``ValueError`` naming the file, the entry and the field when
    anything is wrong; nothing in the file is ever executed.

    **Concurrent writers: merge under a lock.**  :meth:`save` takes an
    exclusive lock on the sibling file ``path + ".lock"`` (``fcntl.flock``, or
    where fcntl does not exist a lock file created with ``O_EXCL``; either is
    deleted when the save ends), reads the file again under the lock and
    merges three ways against the entries this library last read from (or
    wrote to) a file: an entry only in the file is kept (and added to this
    library); an entry only here is written; an entry changed on one side only
    takes that change; an entry that both sides changed differently (or two
    different entries added under one name) is a conflict: ``save`` raises a
    ``ValueError`` naming it, and the file and this library stay as they were.
    The file is then replaced atomically (temporary file, fsync, rename), so a
    reader never sees half a file, and processes that each add entries to one
    file at the same time lose none of them.  A damaged or foreign file is
    never overwritten.

    Parameters
    ----------
    entries : iterable of LibraryEntry, default=()
        The entries to start with; two of one name raise ValueError.

    See Also
    --------
    LibraryEntry : One formula with its provenance.
    get_builtin : The entry of a built-in formula, by name.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sksymact import SymbolicActivationDiscoverer
    >>> from sksymact.library import ActivationLibrary, rows_checksum
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> disc = SymbolicActivationDiscoverer(population_size=50, generations=2,
    ...                                     random_state=0).fit(X, y)
    >>> library = ActivationLibrary()
    >>> entry = library.add("cancer-seed0", disc, source={
    ...     "name": "breast cancer", "n_rows": len(y), "sha256": rows_checksum(X, y)})
    >>> entry.formula == disc.formula_, entry.random_state, entry.selection
    (True, 0, 'fitness')
    >>> path = os.path.join(tempfile.mkdtemp(), "activations.json")
    >>> library.save(path)
    >>> ActivationLibrary.load(path).names()
    ['cancer-seed0']
    """

    def __init__(self, entries=()):
        self._entries = {}
        #: The entries as last read from or written to a file: the base of the merge.
        self._base = {}
        for entry in entries:
            if not isinstance(entry, LibraryEntry):
                raise TypeError(f"entries must be LibraryEntry objects, "
                                f"got {type(entry).__name__}")
            if entry.name in self._entries:
                raise ValueError(f"two entries are named {entry.name!r}")
            self._entries[entry.name] = entry

    # -- files --------------------------------------------------------------------

    @classmethod
    def load(cls, path):
        """Read a library file, validating every entry.

        Parameters
        ----------
        path : str or path-like
            A file that :meth:`save` wrote.

        Returns
        -------
        library : ActivationLibrary
            Its entries.

        Raises
        ------
        ValueError
            Naming the file (and the entry and field) when it is empty,
            truncated, not UTF-8, not JSON, of another format, of a newer
            schema, or holds an invalid entry.
        """
        path = os.fspath(path)
        library = cls(_parse_library(_read_file(path), repr(path)))
        library._base = dict(library._entries)
        return library

    def save(self, path, *, overwrite=False):
        """Write the library to ``path``, merging what the file holds now.

        Under the lock of ``path`` the file is read again and merged with this
        library (see the class description; entries only in the file are
        added to this library too), then replaced atomically; when the merge
        changes nothing the file is not rewritten.

        Parameters
        ----------
        path : str or path-like
            The file; its folder must exist.
        overwrite : bool, default=False
            Write exactly this library's entries, dropping what only the file
            holds and ignoring conflicts (a damaged or foreign file is still
            refused).

        Raises
        ------
        ValueError
            When the file exists but is not a valid library, or when an entry
            was changed both in the file and here (a conflict); the file and
            the library are then left as they were.
        """
        path = os.fspath(path)
        with _locked(path):
            try:
                old = _read_file(path)
            except FileNotFoundError:
                old = None
            on_disk = {} if old is None else {
                e.name: e for e in _parse_library(old, repr(path))}
            merged = dict(self._entries) if overwrite else self._merge(on_disk, path)
            text = _dumps(merged.values())
            if old is None or old != text.encode("utf-8"):
                atomic_write_text(path, text)
        self._entries = dict(sorted(merged.items()))
        self._base = dict(self._entries)

    def _merge(self, on_disk, path):
        merged, conflicts = dict(on_disk), []
        for name, ours in self._entries.items():
            theirs, base = on_disk.get(name), self._base.get(name)
            if theirs is None or theirs == ours or theirs == base:
                merged[name] = ours  # new here, the same, or changed here only
            elif ours != base:
                conflicts.append(name)  # changed (or added) on both sides, differently
            # else: changed in the file only; the file's version is kept
        if conflicts:
            raise ValueError(
                f"{path!r} was not saved (the file was left untouched): entry "
                f"{', '.join(map(repr, sorted(conflicts)))} was changed in the file since "
                "this library read it, or added there under the same name, and differs "
                "from the one here. Load the file again and redo the change, or use "
                "another name.")
        return merged

    @classmethod
    def builtin(cls):
        """The library of the formulas that ship with sksymact.

        Returns
        -------
        library : ActivationLibrary
            A new library of the built-in entries (read once and cached):
            adding to it or saving it elsewhere changes nothing that ships.
            See :func:`get_builtin` for the names.
        """
        library = cls(_builtin_entries())
        library._base = dict(library._entries)
        return library

    # -- entries ------------------------------------------------------------------

    def add(self, name, formula, *, replace=False, **provenance):
        """Add a formula under ``name``, with its provenance.

        Parameters
        ----------
        name : str
            The entry's name (see :class:`LibraryEntry`).
        formula : Formula, str, LibraryEntry, fitted discoverer, fitted network or Pipeline
            What holds the activation:

            - a :class:`Formula` or formula text, parsed with
              :meth:`Formula.parse` (never executed); a formula of features
              (``X3``) is collapsed to ``x``;
            - a named activation, stored as its formula
              (``NAMED_FORMULAS``): ``"relu"`` is ``max(x, 0)``,
              ``"identity"`` ``x``, ``"sigmoid"`` ``sig(x)``, ``"silu"``
              ``x*sig(x)``, ``"tanh"`` ``2*sig(2x) - 1``; ``"gelu"`` has no
              formula form (the operator set has no erf) and is refused;
            - ``"library:NAME"`` or a :class:`LibraryEntry`: a copy of that
              entry's formula and provenance under the new name;
            - a fitted :class:`~sksymact.SymbolicActivationDiscoverer` (or a
              ``FrozenEstimator`` of one): its ``formula_``, with ``fitness``,
              ``selection``, ``candidates``, ``random_state``,
              ``discoverer_params`` (its ``get_params(deep=False)`` as JSON;
              values JSON cannot hold, such as a RandomState, become None) and
              ``versions``; a network-aware selection that fell back to ReLU
              says so in the notes;
            - a fitted :class:`~sksymact.HybridTransferClassifier` or
              :class:`~sksymact.HybridTransferRegressor`, or a fitted
              ``Pipeline`` ending in one (``search.best_estimator_``): its
              activation's formula (``formula_``, the formula it was built
              with), with the provenance the network recorded -- the
              discoverer it fitted (``discoverer_``), the library entry it came
              from (``library_entry_``), the frozen discoverer it transferred,
              or the named activation's formula.  A network with one
              activation per layer is refused: an entry is one activation for
              every layer, so add ``model.formula_[i]`` one by one.
        replace : bool, default=False
            Replace an entry of that name; without it, adding an existing
            name raises ValueError.
        **provenance : dict
            Any field of :class:`LibraryEntry` but ``name`` and ``formula``
            (``source``, ``notes``, ``scores``, ...); it takes precedence over
            what the activation gives.  ``source`` is a data set's name, or
            ``{"name": ..., "n_rows": ..., "sha256": rows_checksum(X, y)}``
            with the rows' checksum.

        Returns
        -------
        entry : LibraryEntry
            The new entry.

        Raises
        ------
        TypeError
            When ``formula`` is none of the above, or ``provenance`` names an
            unknown field.
        ValueError
            When the text is not a formula, the named activation or the
            network's activation has no formula form, or the network has
            per-layer activations.
        sklearn.exceptions.NotFittedError
            When the discoverer or the network is not fitted.

        Examples
        --------
        >>> from sksymact.library import ActivationLibrary
        >>> library = ActivationLibrary()
        >>> library.add("rectifier", "relu", source="typed in").formula
        Formula('max(x, 0.0)')
        >>> library.add("paper", "library:higgs-paper").source["name"]
        'HIGGS'
        """
        unknown = sorted(set(provenance) - set(_PROVENANCE))
        if unknown:
            raise TypeError(f"add() got unknown provenance {unknown}; "
                            f"known: {list(_PROVENANCE)}")
        if name in self._entries and not replace:
            raise ValueError(f"the library already holds {name!r} "
                             f"({self._entries[name].formula}); pass replace=True to "
                             "replace it, or choose another name")
        fields = _fields_of(formula)
        fields.update(provenance)
        entry = LibraryEntry(name=name, **fields)
        self._entries[name] = entry
        return entry

    def get(self, name):
        """The entry named ``name``.

        Parameters
        ----------
        name : str
            An entry's name.

        Returns
        -------
        entry : LibraryEntry
            The entry.

        Raises
        ------
        KeyError
            When there is none, naming the known names (it is a ValueError too).
        """
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise _UnknownEntryError(
                f"no entry {name!r} in the library; its entries are "
                f"{', '.join(self.names()) or 'none'}") from None

    def names(self):
        """The names of the entries, sorted.

        Returns
        -------
        names : list of str
            Sorted names.
        """
        return sorted(self._entries)

    def add_score(self, name, target, metric, value, **extra):
        """Record a score of the entry ``name`` (see :meth:`LibraryEntry.with_score`).

        Parameters
        ----------
        name : str
            An entry's name.
        target : str
            Where the activation was used.
        metric : str
            What was measured.
        value : float
            The measured value.
        **extra : dict
            Optional ``seeds``, ``baseline`` and ``date``.

        Returns
        -------
        entry : LibraryEntry
            The entry with the score, which replaces the old one here.
        """
        entry = self.get(name).with_score(target, metric, value, **extra)
        self._entries[name] = entry
        return entry

    def __iter__(self):
        return iter([self._entries[name] for name in self.names()])

    def __len__(self):
        return len(self._entries)

    def __contains__(self, name):
        return name in self._entries

    def __eq__(self, other):
        if not isinstance(other, ActivationLibrary):
            return NotImplemented
        return self._entries == other._entries

    __hash__ = None

    def __repr__(self):
        names = self.names()
        shown = ", ".join(map(repr, names[:8])) + (", ..." if len(names) > 8 else "")
        count = f"{len(names)} {'entry' if len(names) == 1 else 'entries'}"
        return f"ActivationLibrary({count}: {shown})" if names else f"ActivationLibrary({count})"

    def _repr_html_(self):
        head = ("<tr><th>name</th><th>formula</th><th>source</th><th>nonlinearity</th>"
                "<th>fitness</th><th>selection</th><th>scores</th></tr>")
        rows = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(cell)}</td>" for cell in (
                e.name, str(e.formula), "" if e.source is None else e.source["name"],
                f"{e.nonlinearity:.3g}", "" if e.fitness is None else f"{e.fitness:.4g}",
                e.selection or "", str(len(e.scores)))) + "</tr>"
            for e in self)
        count = f"{len(self)} {'entry' if len(self) == 1 else 'entries'}"
        return f"<table><caption>ActivationLibrary, {count}</caption>{head}{rows}</table>"


# ------------------------------------------------------- what add() accepts
#
# Duck typing throughout: this module sits below the estimators (it imports no
# module of sksymact that imports torch), so a network is recognised by its
# parameters and fitted attributes, a discoverer by its ``formula_``.

#: What ``ActivationLibrary.add`` accepts, for its error messages.
_ACCEPTED = ("a Formula, formula text, a named activation ('relu', ...), 'library:NAME', a "
             "fitted SymbolicActivationDiscoverer (or a FrozenEstimator of one), a fitted "
             "HybridTransferClassifier or HybridTransferRegressor, or a fitted Pipeline "
             "ending in one")


def _check_is_fitted(estimator, attributes=None):
    """scikit-learn's check, imported when first needed (scikit-learn is slow to import)."""
    from sklearn.utils.validation import check_is_fitted as check  # noqa: PLC0415

    check(estimator, attributes)


def _collapsed(formula):
    return formula.collapse() if formula.variables - {"x"} else formula


def _from_text(text):
    """The fields of formula text, of a named activation or of ``"library:NAME"``."""
    key = text.strip().lower()
    if key in NAMED_FORMULAS:
        formula = Formula.parse(NAMED_FORMULAS[key])
        return {"formula": formula,
                "notes": f"The named activation {key!r}, as the formula {formula}."}
    if key in _NO_FORMULA:
        raise ValueError(
            f"the named activation {key!r} has no formula form: {_NO_FORMULA[key]}. Named "
            f"activations with one: {', '.join(sorted(NAMED_FORMULAS))}.")
    if key.startswith("library:"):
        return _from_entry(get_builtin(text.strip()[len("library:"):]))
    try:
        return {"formula": _collapsed(Formula.parse(text))}
    except ValueError as exc:
        raise ValueError(
            f"{exc}. A formula is text in x, numbers and the operators "
            f"{', '.join(sorted(OPERATORS))} (such as 'x*cos(x)'); the named activations "
            f"{', '.join(sorted(NAMED_FORMULAS))} are taken too ('relu' is max(x, 0)), "
            f"and 'library:NAME' a built-in entry.") from None


def _from_entry(entry, origin=""):
    """The fields of a library entry (every one but its name), ``origin`` before its notes."""
    fields = entry.to_dict()
    del fields["name"]
    fields["notes"] = " ".join(filter(None, (origin, fields["notes"])))
    return fields


def _from_discoverer(estimator, origin=""):
    """The fields a fitted discoverer (or a FrozenEstimator of one) gives."""
    from sklearn.frozen import FrozenEstimator  # noqa: PLC0415 (heavy: only when needed)

    if isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    formula = getattr(estimator, "formula_", None)
    if formula is None:
        _check_is_fitted(estimator)  # an unfitted estimator: NotFittedError
        raise TypeError(f"formula must be {_ACCEPTED}; got a fitted "
                        f"{type(estimator).__name__}, which has no formula_")
    if not isinstance(formula, Formula):
        raise TypeError(f"the formula_ of {type(estimator).__name__} must be a Formula, "
                        f"got {_type_name(formula)}")
    params = estimator.get_params(deep=False)
    random_state = params.get("random_state")
    fitness = getattr(estimator, "fitness_", None)
    candidates = getattr(estimator, "candidates_", None)
    notes = [origin]
    if "program_" in vars(estimator) and estimator.program_ is None:
        notes.append("Network-aware selection fell back to ReLU: no candidate trained "
                     "better than ReLU (fallback='relu'), so the formula is max(x, 0).")
    return {
        "formula": _collapsed(formula),  # its nonlinearity is computed from it
        "fitness": (float(fitness) if _is_number(fitness) and math.isfinite(fitness)
                    else None),
        "selection": params.get("selection"),
        "candidates": None if candidates is None else _to_jsonable(candidates),
        "random_state": (int(random_state) if isinstance(random_state, numbers.Integral)
                         and not isinstance(random_state, (bool, np.bool_)) else None),
        "discoverer_params": _to_jsonable(params),
        "versions": dict(_current_versions()),
        "notes": " ".join(filter(None, notes)),
    }


def _is_network(estimator):
    """A HybridTransferClassifier or HybridTransferRegressor, by its parameters."""
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # noqa: BLE001 - not an estimator at all
        return False
    return "hidden_layer_sizes" in params and "activation" in params


def _from_network(network):
    """The fields of a fitted network's activation, with the provenance the network recorded."""
    _check_is_fitted(network, "formula_")
    kind = type(network).__name__
    formula = network.formula_
    params = network.get_params(deep=False)
    spec = params["activation"]  # what the network was built with
    if isinstance(formula, (list, tuple)):
        # An entry is one activation for every layer ("library:NAME" builds all the
        # layers from it); a list would need another schema and another resolution.
        specs = spec if isinstance(spec, (list, tuple)) else [None] * len(formula)
        shown = ", ".join(str(f) if f is not None else repr(s) for f, s in zip(formula, specs))
        raise ValueError(
            f"this {kind} has one activation per hidden layer ({shown}), and a library "
            "entry holds one activation for every layer; add the layers' formulas one by "
            "one, such as library.add(name, model.formula_[0]).")
    origin = f"The activation of a fitted {kind}"
    if params.get("learnable_constants") and formula is not None and formula.constants:
        origin += (", which trained the formula's constants; this entry holds the formula "
                   "it started from (the trained one is activation_.current_formula())")
    entry = getattr(network, "library_entry_", None)
    discoverer = getattr(network, "discoverer_", None)
    if entry is not None:
        return _from_entry(entry, f"{origin}, from the library entry {entry.name!r}.")
    if discoverer is not None:
        return _from_discoverer(discoverer, f"{origin}, discovered on its training rows "
                                            "(specialist).")
    if formula is None:  # a named activation or a torch module
        name = spec if isinstance(spec, str) else type(network.activation_).__name__
        key = name.strip().lower()
        if key not in NAMED_FORMULAS:
            why = _NO_FORMULA.get(key, "it is a torch module that is not a formula")
            raise ValueError(
                f"the activation of this {kind}, {name}, has no formula form: {why}. "
                f"Named activations with one: {', '.join(sorted(NAMED_FORMULAS))}.")
        fields = _from_text(key)
        fields["notes"] = (f"{origin}: the named activation {key!r}, as the formula "
                           f"{fields['formula']}.")
        return fields
    if not isinstance(spec, str) and getattr(spec, "formula_", None) is not None and (
            _collapsed(spec.formula_) == formula):
        # A transfer: the network keeps no discoverer_ of its own, but its activation
        # parameter is the (frozen) fitted discoverer the formula came from.
        return _from_discoverer(spec, f"{origin}, transferred from a discoverer fitted on "
                                      "other rows.")
    return {"formula": formula, "notes": f"{origin}."}


def _fields_of(activation):
    """The entry's fields for what ``ActivationLibrary.add`` was given."""
    if isinstance(activation, Formula):
        return {"formula": _collapsed(activation)}
    if isinstance(activation, str):
        return _from_text(activation)
    if isinstance(activation, LibraryEntry):
        return _from_entry(activation)
    steps = getattr(activation, "steps", None)
    if isinstance(steps, list) and steps and hasattr(activation, "get_params"):
        last = steps[-1][1]  # a Pipeline: the model is its last step
        if not (_is_network(last) or hasattr(last, "get_params")):
            raise TypeError(f"formula must be {_ACCEPTED}; got a Pipeline ending in "
                            f"{last!r}")
        return _fields_of(last)
    if _is_network(activation):
        return _from_network(activation)
    if hasattr(activation, "get_params") and hasattr(activation, "fit"):
        return _from_discoverer(activation)
    raise TypeError(f"formula must be {_ACCEPTED}; got {_type_name(activation)}")


# ------------------------------------------------------------------ built-ins

@functools.lru_cache(maxsize=1)
def _builtin_entries():
    data = resources.files(__package__).joinpath(BUILTIN_FILE).read_bytes()
    return tuple(_parse_library(data, f"sksymact's built-in library ({BUILTIN_FILE})"))


def get_builtin(name):
    """The built-in entry ``name``, as ``activation="library:NAME"`` uses it.

    Parameters
    ----------
    name : str
        A built-in name, such as ``"higgs-paper"`` (``x*cos(x)``, the
        paper's HIGGS formula) or ``"covertype-20k-seed42"``; see
        ``ActivationLibrary.builtin().names()``.

    Returns
    -------
    entry : LibraryEntry
        The entry; its ``formula`` is the activation.

    Raises
    ------
    KeyError
        When there is no such entry, naming the built-in names (it is a
        ValueError too).
    """
    entries = {entry.name: entry for entry in _builtin_entries()}
    try:
        return entries[name]
    except (KeyError, TypeError):
        raise _UnknownEntryError(
            f"no built-in activation {name!r}; the built-in ones are "
            f"{', '.join(sorted(entries))}") from None


def rows_checksum(X, y=None):
    """A SHA-256 checksum of the rows a formula was discovered on.

    The digest of ``X``'s values as float64 in C order (row after row),
    followed by ``y``'s: as float64 when its labels are numbers, else as the
    UTF-8 text of the labels, one per line.  The same numbers give the same
    checksum whatever their dtype or memory layout; another row order does
    not.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric rows.
    y : array-like of shape (n_samples,) or None, default=None
        Their labels, if the checksum is to cover them.

    Returns
    -------
    sha256 : str
        64 lowercase hexadecimal digits, for ``source={"sha256": ...}``.
    """
    digest = hashlib.sha256(np.ascontiguousarray(np.asarray(X, dtype=np.float64)).tobytes())
    if y is not None:
        labels = np.asarray(y)
        if labels.dtype.kind in "biuf":
            digest.update(np.ascontiguousarray(labels, dtype=np.float64).tobytes())
        else:
            digest.update("\n".join(map(str, labels.ravel().tolist())).encode("utf-8"))
    return digest.hexdigest()


# ------------------------------------------------------------ from benchmarks

def _rows_tag(settings, dataset):
    rows = settings.get(f"{dataset}_rows")
    if not isinstance(rows, int) or isinstance(rows, bool):
        return ""
    return f"-{rows // 1000}k" if rows % 1000 == 0 else f"-{rows}"


def _benchmark_entry(record, settings, settings_id, label):
    """The entry of one record of a benchmark's ``formulas.json``."""
    where = f"{label}, formula {record.get('key')!r}"
    try:
        return _benchmark_entry_fields(record, settings, settings_id)
    except KeyError as exc:
        raise ValueError(f"{where}: the record has no {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def _benchmark_entry_fields(record, settings, settings_id):
    from .benchmark._datasets import display_name  # noqa: PLC0415 (standard library only)

    dataset, seed = record["dataset"], record["seed"]
    if not isinstance(dataset, str) or not re.fullmatch(r"[a-z0-9_-]+", dataset):
        raise ValueError(f"'dataset' must be a lowercase name, got {dataset!r}")
    if seed is not None:
        seed = _integer(seed, "an integer or null ('seed')")
    selection = record.get("selection", "fitness")
    if selection not in _SELECTIONS:
        raise ValueError(f"'selection' must be 'fitness' or 'network', got {selection!r}")
    name = (dataset + _rows_tag(settings, dataset)
            + ("-all-rows" if seed is None else f"-seed{seed}")
            + ("" if selection == "fitness" else f"-{selection}"))
    nonlinearity = _check_nonlinearity(record["nonlinearity"])
    rows_seen = _integer(record["rows_seen"], "an integer ('rows_seen')")
    rows_total = _integer(record["rows_total"], "an integer ('rows_total')")
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
    if record.get("relu_validation_score") is not None:
        notes.append("ReLU's validation score in the selection: "
                     f"{_finite(record['relu_validation_score']):.4f}.")
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
    formula = Formula.parse(_text(record["formula"], "formula text ('formula')"))
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
    from .benchmark._store import (  # noqa: PLC0415 (standard library only)
        FORMULAS_FILE,
        SETTINGS_FILE,
        BenchmarkError,
        _read_json,
    )

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
        entry = _benchmark_entry(record, options, settings_id, repr(formulas_path))
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
        The file to write (the package's ``_builtin_activations.json`` to
        update the built-ins).

    Returns
    -------
    library : ActivationLibrary
        The library written.
    """
    library = ActivationLibrary([*entries_from_benchmark(folder), LibraryEntry(**_PAPER_ENTRY)])
    library.save(path, overwrite=True)
    return library
