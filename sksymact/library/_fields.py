"""What ``ActivationLibrary.add`` accepts, turned into an entry's fields.

Text (a formula, a named activation, ``"library:NAME"``), a :class:`Formula`,
a :class:`LibraryEntry`, a fitted discoverer, a fitted network or a pipeline
ending in one.  Duck typing throughout: the library sits below the estimators
(it imports no module of sksymact that imports torch), so a network is
recognised by its parameters and fitted attributes, and a discoverer by the
method through which it gives its own provenance, ``_library_provenance()``
(see :class:`~sksymact.SymbolicActivationDiscoverer`).
"""

import math
import numbers
import types
from collections.abc import Mapping

import numpy as np

from .._formula import Formula
from .._operators import OPERATORS
from ._builtin import get_builtin
from ._checks import MAX_JSON_DEPTH, type_name
from ._entry import LibraryEntry

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
NO_FORMULA = types.MappingProxyType({
    "gelu": ("GELU is x times the normal distribution function, an erf, and the operator "
             "set has no erf (its tanh approximation needs tanh of a cubic, which would "
             "be another function than the network's exact GELU)"),
})

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


def _to_jsonable(value, depth=0):
    """A JSON form of a parameter value: tuples become lists, numpy scalars numbers.

    Values JSON cannot represent (a RandomState instance, an estimator, a
    non-finite float) become None.
    """
    if depth > MAX_JSON_DEPTH:
        return None
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):  # no numbers.Integral, unlike numpy's integers
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


def _unfrozen(estimator):
    """The estimator a FrozenEstimator wraps (a transfer), else ``estimator`` itself."""
    from sklearn.frozen import FrozenEstimator  # noqa: PLC0415 (heavy: only when needed)

    return estimator.estimator if isinstance(estimator, FrozenEstimator) else estimator


def _from_text(text):
    """The fields of formula text, of a named activation or of ``"library:NAME"``."""
    key = text.strip().lower()
    if key in NAMED_FORMULAS:
        formula = Formula.parse(NAMED_FORMULAS[key])
        return {"formula": formula,
                "notes": f"The named activation {key!r}, as the formula {formula}."}
    if key in NO_FORMULA:
        raise ValueError(
            f"the named activation {key!r} has no formula form: {NO_FORMULA[key]}. Named "
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


def _with_origin(fields, origin):
    """``fields`` with ``origin`` put before their notes."""
    fields["notes"] = " ".join(filter(None, (origin, fields.get("notes", ""))))
    return fields


def _from_entry(entry, origin=""):
    """The fields of a library entry (every one but its name), ``origin`` before its notes."""
    fields = entry.to_dict()
    del fields["name"]
    return _with_origin(fields, origin)


def _from_discoverer(estimator, origin=""):
    """The fields a fitted discoverer (or a FrozenEstimator of one) gives of itself."""
    estimator = _unfrozen(estimator)
    provenance = getattr(estimator, "_library_provenance", None)
    if provenance is None:
        _check_is_fitted(estimator)  # an unfitted estimator: NotFittedError
        has = ("has a formula_ but does not give its provenance (no _library_provenance())"
               if hasattr(estimator, "formula_") else "has no formula_")
        raise TypeError(f"formula must be {_ACCEPTED}; got a fitted "
                        f"{type(estimator).__name__}, which {has}")
    fields = dict(provenance())  # NotFittedError when it is not fitted
    # The parameters and candidates as JSON: values JSON cannot hold, such as a
    # RandomState, become None (the entry refuses them).
    for key in ("discoverer_params", "candidates"):
        if fields.get(key) is not None:
            fields[key] = _to_jsonable(fields[key])
    return _with_origin(fields, origin)


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
            why = NO_FORMULA.get(key, "it is a torch module that is not a formula")
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


def fields_of(activation):
    """The entry's fields (all but its name) for what ``ActivationLibrary.add`` was given."""
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
        return fields_of(last)
    if not hasattr(activation, "get_params") or not hasattr(activation, "fit"):
        raise TypeError(f"formula must be {_ACCEPTED}; got {type_name(activation)}")
    activation = _unfrozen(activation)
    if _is_network(activation):
        return _from_network(activation)
    return _from_discoverer(activation)
