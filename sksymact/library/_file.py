"""The library file's format: reading it (validated) and writing its text.

A library file is ``{"format": "sksymact-activation-library",
"schema_version": 1, "entries": [...]}``, UTF-8 JSON with sorted keys and an
indent of 2, one entry per formula as :meth:`LibraryEntry.to_dict` writes it.
It is data: reading it validates every entry (:meth:`LibraryEntry.from_dict`)
and refuses, with a ``ValueError`` naming the file, a file that is damaged,
truncated, not UTF-8, of another format or of a newer schema.
:class:`~sksymact.library.ActivationLibrary` (``_library.py``) saves it under
the file's lock.
"""

import json

from .._io import parse_json
from .._version import __version__
from ._checks import type_name
from ._entry import SCHEMA_VERSION, LibraryEntry

#: The ``"format"`` of every library file.
FORMAT = "sksymact-activation-library"


class UnknownEntryError(KeyError, ValueError):
    """No entry of that name: a KeyError (a look-up) and a ValueError (a bad name)."""

    def __str__(self):  # KeyError would quote the whole message
        return str(self.args[0])


def parse_library(data, label):
    """The entries of a library file's bytes; ``label`` names the file in errors."""
    def damaged(problem):
        return ValueError(f"{label} is not a valid sksymact activation library: {problem}.")

    try:
        document = parse_json(data)
    except ValueError as exc:
        raise damaged(str(exc)) from None
    if not isinstance(document, dict):
        raise damaged(f"its top level is {type_name(document)}, not an object")
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
        raise damaged(f"its 'entries' must be a list, got {type_name(entries)}")
    out, seen = [], {}
    for i, item in enumerate(entries):
        entry = LibraryEntry.from_dict(item, source=f"{label}, entry {i}")
        if entry.name in seen:
            raise ValueError(f"{label}: entries {seen[entry.name]} and {i} are both named "
                             f"{entry.name!r}; names must be unique")
        seen[entry.name] = i
        out.append(entry)
    return out


def dumps(entries):
    """The file's text: sorted keys, indent 2, entries by name, UTF-8."""
    document = {"format": FORMAT, "schema_version": SCHEMA_VERSION,
                "entries": [entry.to_dict() for entry in sorted(entries, key=lambda e: e.name)]}
    return json.dumps(document, indent=2, sort_keys=True, allow_nan=False,
                      ensure_ascii=False) + "\n"


def _read_file(path):
    with open(path, "rb") as stream:
        return stream.read()
