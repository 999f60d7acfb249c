"""The package imports lazily: ``import sksymact`` and the command's ``--help``
and ``--version`` load none of the heavy dependencies, and every public name
still resolves.

What a fresh interpreter imports is checked in a subprocess: this process has
imported torch long ago.
"""

import json
import subprocess
import sys
import types
import warnings

import pytest

import sksymact
import sksymact.exceptions
from sksymact import benchmark
from sksymact._warnings import (
    DegenerateFormulaWarning,
    InconsistentSksymactVersionWarning,
    SksymactWarning,
)

#: Imports that take seconds, or that only some features need.
HEAVY = ("torch", "skorch", "gplearn", "sklearn", "sympy", "pandas", "matplotlib", "distributed",
         "onnx", "onnxruntime", "skl2onnx")

#: An expression, for the code run in a subprocess: the heavy packages it has imported.
_HEAVY_IMPORTED = f"sorted({{name.split('.')[0] for name in sys.modules}} & set({HEAVY!r}))"


def _run(code):
    """Run ``code`` in a fresh interpreter; return its last line of output, decoded from JSON."""
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _heavy_after(code):
    """The heavy top-level packages imported once ``code`` has run in a fresh interpreter."""
    return _run(f"{code}\nimport json, sys\nprint(json.dumps({_HEAVY_IMPORTED}))")


def _run_command(*args):
    """``python -m sksymact ARGS`` in a fresh interpreter: (status, stdout, heavy imports)."""
    code = f"""
import contextlib, io, json, runpy, sys
sys.argv = ["sksymact", *{list(args)!r}]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        runpy.run_module("sksymact", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        status = exc.code
print(json.dumps([status, out.getvalue(), {_HEAVY_IMPORTED}]))
"""
    return _run(code)


def test_import_sksymact_imports_no_heavy_dependency():
    assert _heavy_after("import sksymact") == []


def test_formula_and_metrics_import_without_torch():
    # Names load one module at a time: the formulas and the metrics need
    # neither torch nor gplearn, only the estimators do.
    code = "from sksymact import Formula, count_params\nimport sksymact.exceptions\n"
    assert not {"torch", "skorch", "gplearn"} & set(_heavy_after(code))


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_help_and_version_import_no_heavy_dependency(option):
    status, out, heavy = _run_command(option)

    assert status == 0
    assert (out.strip() == f"sksymact {sksymact.__version__}" if option == "--version"
            else "benchmark" in out and "discover" in out)
    assert heavy == []


def test_every_public_name_resolves_lazily():
    code = """
import json, sys
import sksymact
lazy = [name for name in sksymact.__all__ if name not in vars(sksymact)]
values = {name: getattr(sksymact, name) for name in sksymact.__all__}
bound = all(name in vars(sksymact) for name in sksymact.__all__)
print(json.dumps([lazy, bound, "torch" in sys.modules]))
"""
    lazy, bound, torch_imported = _run(code)

    assert set(lazy) == set(sksymact.__all__) - {"__version__"}  # nothing loaded up front
    assert bound and torch_imported  # once resolved, a name is a plain module attribute


@pytest.mark.parametrize("name", sksymact.__all__)
def test_public_name_is_the_defining_modules_object(name):
    value = getattr(sksymact, name)
    if name == "__version__":
        assert value == sksymact._version.__version__
    else:
        assert sys.modules[value.__module__].__dict__[name] is value


def test_star_import_gives_all():
    namespace = {}
    exec("from sksymact import *", namespace)  # noqa: S102

    assert set(namespace) - {"__builtins__"} == set(sksymact.__all__)


@pytest.mark.parametrize("name", ["benchmark", "datasets", "exceptions", "plotting"])
def test_subpackages_are_attributes(name):
    module = getattr(sksymact, name)

    assert isinstance(module, types.ModuleType) and module.__name__ == f"sksymact.{name}"
    assert sys.modules[f"sksymact.{name}"] is module


def test_subpackages_load_on_attribute_access():
    code = """
import json, sys
import sksymact
before = [name for name in ("datasets", "benchmark", "plotting")
          if f"sksymact.{name}" in sys.modules]
names = [sksymact.datasets.__name__, sksymact.benchmark.__name__, sksymact.plotting.__name__]
print(json.dumps([before, names]))
"""
    before, names = _run(code)

    assert before == []
    assert names == ["sksymact.datasets", "sksymact.benchmark", "sksymact.plotting"]


def test_dir_lists_public_names_and_subpackages():
    listed = dir(sksymact)

    assert set(sksymact.__all__) <= set(listed)
    assert {"benchmark", "datasets", "exceptions", "plotting"} <= set(listed)
    assert listed == sorted(listed)


@pytest.mark.parametrize("module", [sksymact, sksymact.benchmark], ids=lambda m: m.__name__)
def test_unknown_attribute_raises_attribute_error(module):
    with pytest.raises(AttributeError, match=rf"module '{module.__name__}' has no attribute "
                                             r"'no_such_name'"):
        module.no_such_name  # noqa: B018
    assert not hasattr(module, "no_such_name")
    with pytest.raises(ImportError, match="no_such_name"):
        exec(f"from {module.__name__} import no_such_name", {})  # noqa: S102


def test_benchmark_names_resolve():
    assert set(dir(benchmark)) >= set(benchmark.__all__)
    for name in benchmark.__all__:
        assert getattr(benchmark, name) is not None


def test_old_warnings_module_reexports_the_same_classes():
    assert DegenerateFormulaWarning is sksymact.exceptions.DegenerateFormulaWarning
    assert InconsistentSksymactVersionWarning is (
        sksymact.exceptions.InconsistentSksymactVersionWarning)
    assert SksymactWarning is sksymact.exceptions.SksymactWarning
    for name in sksymact.exceptions.__all__:
        warning = getattr(sksymact.exceptions, name)
        assert issubclass(warning, SksymactWarning) and issubclass(warning, UserWarning)


def test_the_suite_turns_sksymact_warnings_into_errors():
    # pyproject.toml's filterwarnings names the class by its import path.
    with pytest.raises(sksymact.exceptions.DegenerateFormulaWarning):
        warnings.warn("an unexpected warning", DegenerateFormulaWarning, stacklevel=1)
