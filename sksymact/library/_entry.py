"""One entry of an activation library: a formula with its provenance, and the schema of its fields.

The fields of :class:`LibraryEntry` are the schema of a library file's
entries, written once: each field of the dataclass carries, beside its name
and default, how it is read and written -- the JSON types a file may hold
for it, its check (``_checks.py``), what None stands for (the versions and
the time now), and whether it is derived from the formula and recomputed
from it.  Construction, :meth:`LibraryEntry.from_dict` and
:meth:`LibraryEntry.to_dict` all read that one table.
"""

import dataclasses
import hashlib
import html
import json
from collections.abc import Callable, Mapping

import numpy as np

from .._formula import Formula
from .._io import package_versions, utc_now
from ._checks import (
    check_candidates,
    check_fitness,
    check_formula,
    check_name,
    check_nonlinearity,
    check_params,
    check_random_state,
    check_scores,
    check_selection,
    check_source,
    check_source_keys,
    check_text,
    check_timestamp,
    check_versions,
    derive_candidates,
    derive_nonlinearity,
    thaw,
    type_name,
)

#: The newest schema this sksymact reads and the one it writes: the fields of
#: :class:`LibraryEntry` below (another field, or another meaning of one, is a
#: new version).
SCHEMA_VERSION = 1
#: Below this nonlinearity an entry's notes call it near-linear.
NEAR_LINEAR = 0.1

#: The words of the JSON types a field may have in a file, and the Python types
#: ``json`` reads them as (exactly: ``true`` is no integer).
_JSON_TYPES = {"text": (str,), "an object": (dict,), "a list": (list,),
               "an integer": (int,), "a number": (int, float), "null": (type(None),)}


@dataclasses.dataclass(frozen=True)
class _How:
    """How one field of an entry is checked, read from a file and written to one."""

    #: The JSON types a file may hold, as words of ``_JSON_TYPES``.
    json_types: tuple
    #: value -> the validated, read-only value; a ValueError says what is wrong.
    check: Callable
    #: (formula, checked value) -> the value, recomputed from the formula and
    #: compared with the stored one; None for a field that is not derived.
    derived: Callable = None
    #: () -> the value that None stands for (the versions now, the time now).
    when_none: Callable = None
    #: A further check of a file's form only (the constructor is more lenient).
    in_file: Callable = None
    #: value -> its JSON form.
    dump: Callable = thaw


def _field(*, json_types, check, default=dataclasses.MISSING, **how):
    return dataclasses.field(default=default,
                             metadata={"how": _How(json_types, check, **how)})


def _where(source, name=None):
    """``'file', entry 3 ('name')``: where an entry is, for error messages."""
    if not isinstance(name, str):
        return source or ""
    return f"{source} ({name!r})" if source else f"entry {name!r}"


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

    # The schema: the fields in the order of a file's entries, each with how it is
    # read, checked and written (see _How).  Derived fields come after the formula,
    # which they are recomputed from.
    name: str = _field(json_types=("text",), check=check_name)
    formula: Formula = _field(json_types=("text",), check=check_formula, dump=str)
    source: Mapping = _field(default=None, json_types=("an object", "null"),
                             check=check_source, in_file=check_source_keys)
    discoverer_params: Mapping = _field(default=None, json_types=("an object", "null"),
                                        check=check_params)
    random_state: int = _field(default=None, json_types=("an integer", "null"),
                               check=check_random_state)
    fitness: float = _field(default=None, json_types=("a number", "null"),
                            check=check_fitness)
    # Recomputed from the formula, so that a file cannot claim another value (an
    # affine formula shown as fully non-linear).
    nonlinearity: float = _field(default=None, json_types=("a number",),
                                 check=check_nonlinearity, derived=derive_nonlinearity)
    selection: str = _field(default=None, json_types=("text", "null"), check=check_selection)
    candidates: Mapping = _field(default=None, json_types=("an object", "null"),
                                 check=check_candidates, derived=derive_candidates)
    versions: Mapping = _field(default=None, json_types=("an object",), check=check_versions,
                               when_none=package_versions)
    created: str = _field(default=None, json_types=("text",), check=check_timestamp,
                          when_none=utc_now)
    notes: str = _field(default="", json_types=("text",), check=check_text)
    scores: tuple = _field(default=(), json_types=("a list",), check=check_scores)

    def __post_init__(self):
        for field, how in _HOW.items():
            value = getattr(self, field)
            if value is None and how.when_none is not None:
                value = how.when_none()
            try:
                value = how.check(value)
                if how.derived is not None:
                    value = how.derived(self.formula, value)
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
        return {field: how.dump(getattr(self, field)) for field, how in _HOW.items()}

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
            raise ValueError(f"{prefix}an entry must be a JSON object, got {type_name(data)}")
        where = _where(source, data.get("name"))
        prefix = f"{where}: " if where else ""
        missing = [field for field in _HOW if field not in data]
        if missing:
            raise ValueError(f"{prefix}missing field(s) {missing}")
        unknown = sorted(set(data) - set(_HOW), key=str)
        if unknown:
            raise ValueError(f"{prefix}unknown field(s) {unknown}: an entry of schema "
                             f"version {SCHEMA_VERSION} has only {list(_HOW)}")
        for field, how in _HOW.items():
            value = data[field]
            if not any(type(value) in _JSON_TYPES[word] for word in how.json_types):
                shown = repr(value)
                shown = shown if len(shown) <= 80 else shown[:79] + "…"
                wanted = " or ".join(how.json_types)
                raise ValueError(f"{prefix}field {field!r}: must be {wanted}, "
                                 f"got {type_name(value)} {shown}")
        for field, how in _HOW.items():
            if how.in_file is not None:
                try:
                    how.in_file(data[field])
                except ValueError as exc:
                    raise ValueError(f"{prefix}field {field!r}: {exc}") from None
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


#: Each field's name and how it is read, checked and written, in the file's order.
_HOW = {field.name: field.metadata["how"] for field in dataclasses.fields(LibraryEntry)}
#: What ``ActivationLibrary.add`` takes as provenance: every field but the activation's.
PROVENANCE = tuple(field for field in _HOW if field not in ("name", "formula"))


def _entry_from_dict(data):
    """Unpickling helper: an entry from its JSON form, validated again."""
    return LibraryEntry.from_dict(data)


# Pickles name it where it was when the library was one module, sksymact.library
# (which re-exports it): entries pickled then and now load alike.
_entry_from_dict.__module__ = "sksymact.library"


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
