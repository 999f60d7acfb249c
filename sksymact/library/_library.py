"""ActivationLibrary: a named set of entries, kept as a library file under its lock.

The top of the library package: it reads and writes the file format
(``_file.py``), looks up the built-in entries (``_builtin.py``) and turns what
:meth:`ActivationLibrary.add` is given into entry fields (``_fields.py``).
"""

import html
import os

from .._io import FileLock, atomic_write_text
from ._builtin import PAPER_ENTRY, builtin_entries
from ._entry import PROVENANCE, LibraryEntry
from ._fields import fields_of
from ._file import UnknownEntryError, _read_file, dumps, parse_library

__all__ = ["ActivationLibrary", "write_builtin_file"]


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
        library = cls(parse_library(_read_file(path), repr(path)))
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
        with FileLock(path):
            try:
                old = _read_file(path)
            except FileNotFoundError:
                old = None
            on_disk = {} if old is None else {
                e.name: e for e in parse_library(old, repr(path))}
            merged = dict(self._entries) if overwrite else self._merge(on_disk, path)
            text = dumps(merged.values())
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

        library = cls(builtin_entries())
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

        unknown = sorted(set(provenance) - set(PROVENANCE))
        if unknown:
            raise TypeError(f"add() got unknown provenance {unknown}; "
                            f"known: {list(PROVENANCE)}")
        if name in self._entries and not replace:
            raise ValueError(f"the library already holds {name!r} "
                             f"({self._entries[name].formula}); pass replace=True to "
                             "replace it, or choose another name")
        fields = fields_of(formula)
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
            raise UnknownEntryError(
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


def write_builtin_file(entries, path):
    """Write the built-in library file: ``entries`` and the paper's hand-written entry.

    Exactly those entries: the file is replaced (``overwrite=True``).  The
    output depends only on the entries, so the same entries give the same
    bytes.

    Parameters
    ----------
    entries : iterable of LibraryEntry
        The benchmark's entries (see
        ``sksymact.benchmark._library_entries.entries_from_benchmark``).
    path : str or path-like
        The file to write (this package's ``_builtin_activations.json`` to
        update the built-ins).

    Returns
    -------
    library : ActivationLibrary
        The library written.
    """
    library = ActivationLibrary([*entries, LibraryEntry(**PAPER_ENTRY)])
    library.save(path, overwrite=True)
    return library
