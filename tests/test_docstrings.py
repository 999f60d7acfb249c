"""Docstrings checked like scikit-learn's: numpydoc's validator over the public API.

Every public class and function (the names in ``__all__`` of ``sksymact`` and of
its public subpackages) and every public method or property that sksymact itself
defines on those classes is run through ``numpydoc.validate.validate``. Any
finding fails, except the few codes of ``IGNORED`` and ``IGNORED_BELOW_CLASSES``
below, each with the reason it is not required here.
"""

import importlib
import inspect

import pytest

numpydoc_validation = pytest.importorskip("numpydoc.validate")

#: The modules whose ``__all__`` is the public API. Public objects are found
#: through ``__all__``, never ``dir()``: the package may import lazily.
PUBLIC_MODULES = ("sksymact", "sksymact.datasets", "sksymact.benchmark", "sksymact.plotting",
                  "sksymact.library")

#: Codes ignored on every object.
IGNORED = {
    # A Returns entry may name what it returns ("self : object", "X_new :
    # ndarray of shape ...") so the text can refer to it: the convention of
    # scikit-learn, whose test ignores RT02 too.
    "RT02": "the first line of Returns may name the returned value, as in scikit-learn",
}

#: Codes ignored on methods, properties and functions, but enforced on a public
#: class's own docstring (the rule of scikit-learn's test). The class docstring
#: carries the extended description, the cross-references and the runnable
#: examples; repeating them on every method and small function is noise.
#: Exception classes are held to the same rule as functions: what raises them,
#: and when, is the business of the functions that raise them.
IGNORED_BELOW_CLASSES = {
    "ES01": "an extended summary is not required beyond the class docstring",
    "SA01": "a See Also section is not required beyond the class docstring",
    "EX01": "an Examples section is not required beyond the class docstring",
}


def _own_function(attr):
    """The function behind a class attribute if sksymact defines it, else None.

    Methods, class and static methods and properties count. Members inherited
    from scikit-learn, torch or the standard library, and members that
    scikit-learn generates on our classes (the ``set_*_request`` methods of
    metadata routing), have docstrings that are not ours to check.
    """
    if isinstance(attr, property):
        attr = attr.fget
    elif isinstance(attr, (classmethod, staticmethod)):
        attr = attr.__func__
    if inspect.isfunction(attr) and attr.__module__.startswith("sksymact"):
        return attr
    return None


def _public_objects():
    """Yield ``(import_path, is_class_docstring)`` of each object to validate.

    A public name bound to data (a constant, ``__version__``) is skipped: it has
    no docstring of its own, only that of its type.
    """
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            if path in seen:
                continue
            seen.add(path)
            is_class = inspect.isclass(obj)
            yield path, is_class and not issubclass(obj, BaseException)
            if not is_class:
                continue
            for member in sorted(dir(obj)):
                if member.startswith("_"):
                    continue
                owner = next(klass for klass in obj.__mro__ if member in vars(klass))
                if _own_function(vars(owner)[member]) is None:
                    continue
                member_path = f"{owner.__module__}.{owner.__qualname__}.{member}"
                if member_path not in seen:
                    seen.add(member_path)
                    yield member_path, False


PUBLIC_OBJECTS = dict(_public_objects())


def _findings(import_path):
    """The numpydoc findings on one object, less the ignored codes."""
    result = numpydoc_validation.validate(import_path)
    ignored = set(IGNORED)
    if not PUBLIC_OBJECTS[import_path]:
        ignored |= set(IGNORED_BELOW_CLASSES)
    return result, [(code, msg) for code, msg in result["errors"] if code not in ignored]


def test_public_api_is_found():
    # A discovery that silently finds nothing would pass every check below.
    assert "sksymact._formula.Formula" in PUBLIC_OBJECTS
    assert "sksymact._formula.Formula.collapse" in PUBLIC_OBJECTS
    assert "sksymact.datasets._collider.make_collider_events" in PUBLIC_OBJECTS
    assert "sksymact.plotting.plot_activation" in PUBLIC_OBJECTS
    assert len(PUBLIC_OBJECTS) > 50


@pytest.mark.parametrize("import_path", sorted(PUBLIC_OBJECTS))
def test_docstring(import_path):
    result, findings = _findings(import_path)
    if findings:
        lines = "\n".join(f" - {code}: {msg}" for code, msg in findings)
        pytest.fail(f"{import_path} ({result['file']}:{result['file_line']})\n{lines}",
                    pytrace=False)
