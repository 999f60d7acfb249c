"""How each value of a library entry is checked: exact types, finite numbers, formulas parsed.

Every check takes a value and returns it validated and read-only (dicts become
read-only mappings, lists tuples), or raises a ``ValueError`` that says what
is wrong; the entry (``_entry.py``) puts the field's name in front.  The
checks of what derives from a formula (a nonlinearity, the choice among
candidates) recompute it from the formula, so that a file cannot claim
another value.  A formula is only ever read with the whitelist parser
:meth:`sksymact.Formula.parse`, never executed.
"""

import datetime
import math
import numbers
import re
import types
from collections.abc import Mapping

from .._formula import Formula
from .._io import is_finite_number

#: Entry names: lowercase letters, digits, ``-``, ``_`` and ``.``, starting
#: with a letter or digit (so that no name is ``.`` or ``..``), at most 100.
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_SELECTIONS = ("fitness", "network", "evolve")
#: The keys of a source, all of which a file holds.
SOURCE_KEYS = ("name", "n_rows", "sha256")
_SCORE_KEYS = ("target", "metric", "value")
_SCORE_EXTRA_KEYS = ("seeds", "baseline", "date")
#: Nesting deeper than this in discoverer_params is refused (no parameter is so deep).
MAX_JSON_DEPTH = 32
#: How far a stored nonlinearity may be from the one recomputed from the formula
#: (the computation is deterministic; this allows for another machine's last bits).
NONLINEARITY_TOLERANCE = 1e-6


# ---------------------------------------------------------------------- values

def type_name(value):
    """The JSON-ish name of ``value``'s type, for error messages."""
    return "null" if value is None else type(value).__name__


def _finite(value, what="a finite number"):
    if is_finite_number(value):
        return float(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        shown = value if isinstance(value, numbers.Integral) else float(value)  # nan, inf
        raise ValueError(f"must be {what}, got {shown!r}")
    raise ValueError(f"must be {what}, got {type_name(value)} {value!r}")


def _integer(value, what="an integer"):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"must be {what}, got {type_name(value)} {value!r}")
    return int(value)


def check_text(value, what="text"):
    """``value`` if it is text, else a ValueError saying it must be ``what``."""
    if not isinstance(value, str):
        raise ValueError(f"must be {what}, got {type_name(value)} {value!r}")
    return value


def check_timestamp(value, *, date_only=False):
    """Check ISO-8601 text in UTC (or a plain date, where allowed); return it unchanged."""
    what = "an ISO-8601 date or UTC timestamp" if date_only else "an ISO-8601 UTC timestamp"
    check_text(value, what)
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
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"is nested more than {MAX_JSON_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
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


def thaw(value):
    """Plain dicts and lists again, for JSON: the inverse of the checks' read-only forms."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [thaw(item) for item in value]
    return value


# ---------------------------------------------------------------------- fields

def check_name(value):
    """An entry's name."""
    check_text(value, "text")
    if not _NAME_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid entry name: use lowercase letters, digits, "
                         "'-', '_' and '.', starting with a letter or digit, at most 100 "
                         "characters (for example 'higgs-5k-seed42')")
    return value


def check_formula(value):
    """A Formula, or formula text read with the whitelist parser, of the single variable x."""
    if isinstance(value, str):
        value = Formula.parse(value)
    elif not isinstance(value, Formula):
        raise ValueError(f"must be a Formula or formula text, got {type_name(value)}")
    other = sorted(value.variables - {"x"})
    if other:
        raise ValueError(f"{value} uses {', '.join(other)}: an activation is a formula of "
                         "the single variable x (collapse it with Formula.collapse())")
    return value


def check_source(value):
    """A data set's name, or ``{"name", "n_rows", "sha256"}`` (missing keys None), or None."""
    if value is None:
        return None
    if isinstance(value, str):  # a data set's name alone: rows and checksum unknown
        value = {"name": value}
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a data set's name, a dict {{'name', 'n_rows', 'sha256'}} "
                         f"or null, got {type_name(value)}")
    unknown = sorted(set(value) - set(SOURCE_KEYS), key=str)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown}: a source has only {list(SOURCE_KEYS)}")
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


def check_source_keys(value):
    """A file's source must hold every key (the constructor fills in the missing ones)."""
    if isinstance(value, dict):
        missing = [key for key in SOURCE_KEYS if key not in value]
        if missing:
            raise ValueError(f"missing key(s) {missing}")


def check_params(value):
    """A dict of JSON values, or None."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a dict of JSON values or null, got {type_name(value)}")
    return _check_json(value)


def check_random_state(value):
    """A seed in [0, 2**32 - 1], or None."""
    if value is None:
        return None
    value = _integer(value, "an integer in [0, 2**32 - 1] or null")
    if not 0 <= value < 2 ** 32:
        raise ValueError(f"must be an integer in [0, 2**32 - 1] or null, got {value}")
    return value


def check_fitness(value):
    """A finite number, or None."""
    return None if value is None else _finite(value, "a finite number or null")


def check_nonlinearity(value):
    """A finite number in [0, 1], or None (computed from the formula: see derive_nonlinearity)."""
    if value is None:
        return None
    value = _finite(value, "a finite number in [0, 1]")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"must be a finite number in [0, 1], got {value!r}")
    return value


def check_selection(value):
    """``"fitness"``, ``"network"``, ``"evolve"`` or None."""
    if value is not None and value not in _SELECTIONS:
        raise ValueError(f"must be 'fitness', 'network', 'evolve' or null, got {value!r}")
    return value


def check_candidates(value):
    """A non-empty dict of equally long lists of scalars, or None; formulas parsed."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"must be a non-empty dict of equally long lists or null, "
                         f"got {type_name(value)} {value!r}")
    out, lengths = {}, set()
    for key, column in value.items():
        if not isinstance(key, str):
            raise ValueError(f"has a key that is not text: {key!r}")
        if not isinstance(column, (list, tuple)):
            raise ValueError(f"[{key!r}] must be a list, got {type_name(column)}")
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
                    Formula.parse(check_text(text, "formula text"))
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"[{key!r}][{i}]: {exc}") from None
        lengths.add(len(items))
        out[key] = items
    if len(lengths) > 1:
        raise ValueError(f"its lists differ in length ({sorted(lengths)}): one value per "
                         "candidate in every list")
    return types.MappingProxyType(out)


def check_versions(value):
    """A dict of package name to version text."""
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a dict of package name to version text, "
                         f"got {type_name(value)}")
    out = {}
    for key, version in value.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"has a package name that is not text: {key!r}")
        if not isinstance(version, str):
            raise ValueError(f"[{key!r}] must be version text, got {type_name(version)}")
        out[key] = version
    return types.MappingProxyType(out)


def _check_score(score):
    if not isinstance(score, Mapping):
        raise ValueError(f"must be a dict, got {type_name(score)}")
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
            out[key] = check_text(score[key])
            if not out[key].strip():
                raise ValueError("must not be empty")
        key = "value"
        out[key] = _finite(score[key])
        if "seeds" in score:
            key = "seeds"
            seeds = score[key]
            if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
                seeds = [seeds]
            if not isinstance(seeds, (list, tuple)):
                raise ValueError(f"must be a list of integers, got {type_name(seeds)}")
            out[key] = tuple(_integer(seed) for seed in seeds)
        if "baseline" in score:
            key = "baseline"
            out[key] = _finite(score[key])
        if "date" in score:
            key = "date"
            out[key] = check_timestamp(score[key], date_only=True)
    except ValueError as exc:
        raise ValueError(f"[{key!r}] {exc}") from None
    return types.MappingProxyType(out)


def check_scores(value):
    """A list of score dicts (see ``LibraryEntry``)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise ValueError(f"must be a list of score dicts, got {type_name(value)}")
    out = []
    for i, score in enumerate(value):
        try:
            out.append(_check_score(score))
        except ValueError as exc:
            raise ValueError(f"[{i}] {exc}") from None
    return tuple(out)


# ------------------------------------------------------- derived from the formula

def _recomputed_nonlinearity(formula):
    value = formula.nonlinearity()
    if not math.isfinite(value):
        raise ValueError(f"{formula} is not finite where an activation operates (its "
                         "nonlinearity is NaN)")
    return value


def _disagrees(stored, recomputed):
    return not math.isclose(stored, recomputed, rel_tol=0.0, abs_tol=NONLINEARITY_TOLERANCE)


def derive_nonlinearity(formula, stored):
    """The formula's nonlinearity; a stored value (not None) must agree with it."""
    recomputed = _recomputed_nonlinearity(formula)
    if stored is not None and _disagrees(stored, recomputed):
        raise ValueError(
            f"the stored value {stored!r} is not the nonlinearity of the formula {formula}, "
            f"which is {recomputed!r} (recomputed from the formula; the two must agree to "
            f"{NONLINEARITY_TOLERANCE:g}). Leave it out (None) to have it computed.")
    return recomputed if stored is None else stored


def derive_candidates(formula, candidates):
    """Check what the candidates' table derives from formulas: each nonlinearity, the choice."""
    texts = None if candidates is None else candidates.get("formula")
    if texts is None:
        return candidates
    for i, text in enumerate(texts):
        candidate = Formula.parse(text)  # checked by check_candidates
        stored = candidates.get("nonlinearity", ())[i:i + 1]
        if stored and stored[0] is not None:
            if not isinstance(stored[0], numbers.Real) or isinstance(stored[0], bool):
                raise ValueError(f"['nonlinearity'][{i}] must be a number or null, got "
                                 f"{type_name(stored[0])} {stored[0]!r}")
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
