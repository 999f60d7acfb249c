"""The built-in entries: the formulas that ship with sksymact, in ``_builtin_activations.json``.

The file beside this module holds the paper's HIGGS formula (the hand-written
entry below) and the formulas of the benchmark in ``paper_results/``;
``activation="library:NAME"`` names one of them.  It is package data, read
with :mod:`importlib.resources` and validated like any library file.
``sksymact library build-builtin`` rewrites it from a benchmark folder (the
benchmark's entries come from the benchmark package, which knows its files;
this module adds the paper's entry and writes them).
"""

import functools
from importlib import resources

from ._file import UnknownEntryError, parse_library

#: Where the built-in entries live, inside this package.
BUILTIN_FILE = "_builtin_activations.json"

#: The paper's entry, written by hand; the rest of the built-in file comes from
#: a benchmark folder (see ``_library.write_builtin_file``).  ``created`` is the day it was recorded.
PAPER_ENTRY = {
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


@functools.lru_cache(maxsize=1)
def builtin_entries():
    """The built-in entries, read from the package once."""
    data = resources.files(__package__).joinpath(BUILTIN_FILE).read_bytes()
    return tuple(parse_library(data, f"sksymact's built-in library ({BUILTIN_FILE})"))


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
    entries = {entry.name: entry for entry in builtin_entries()}
    try:
        return entries[name]
    except (KeyError, TypeError):
        raise UnknownEntryError(
            f"no built-in activation {name!r}; the built-in ones are "
            f"{', '.join(sorted(entries))}") from None
