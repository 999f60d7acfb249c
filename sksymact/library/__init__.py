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

This package is a data format: it imports no module of sksymact above it
(no estimator, no benchmark), so importing it imports neither torch nor
scikit-learn.

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

from ._builtin import BUILTIN_FILE, get_builtin
from ._checks import NONLINEARITY_TOLERANCE
from ._entry import NEAR_LINEAR, SCHEMA_VERSION, LibraryEntry, rows_checksum
# Pickled entries name their unpickling helper here (see _entry.py).
from ._entry import _entry_from_dict  # noqa: F401
from ._fields import NAMED_FORMULAS
from ._file import FORMAT
from ._library import ActivationLibrary

__all__ = [
    "LibraryEntry",
    "ActivationLibrary",
    "get_builtin",
    "rows_checksum",
    "FORMAT",
    "SCHEMA_VERSION",
]
