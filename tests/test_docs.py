"""The documentation stays true: its code runs, and it covers the public API.

Building the site (and running the examples gallery) is a separate step; see
``doc/conf.py``.
"""

import ast
import doctest
import io
import re
from pathlib import Path

import pytest

from sksymact._parallel import limit_torch_threads

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "doc"
# The pages with examples (``>>>``); the others show code that needs a cluster or a GPU.
PAGES = sorted(page for page in [DOC / "getting_started.rst", *(DOC / "user_guide").glob("*.rst")]
               if ">>>" in page.read_text(encoding="utf-8"))
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_code_in_the_page_runs_as_shown(page):
    text = page.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    out = io.StringIO()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    # One torch thread: the small networks of the examples train fastest so,
    # and their scores do not depend on the machine's core count.
    with limit_torch_threads(1):
        runner.run(test, out=out.write)

    assert runner.failures == 0, out.getvalue()


def test_getting_started_quotes_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = re.search(r"## Quick start\s+```bash\n(.*?)```", readme, re.S).group(1)
    page = (DOC / "getting_started.rst").read_text(encoding="utf-8")

    for command in filter(None, (line.strip() for line in quick_start.splitlines())):
        assert command in page, f"README command missing from getting_started.rst: {command}"


def _public_names(module_name):
    module = __import__(module_name, fromlist=["__all__"])
    return [name for name in module.__all__ if not name.startswith("_")]


@pytest.mark.parametrize("module_name", ["sksymact", "sksymact.datasets", "sksymact.plotting",
                                         "sksymact.benchmark", "sksymact.library"])
def test_api_reference_lists_every_public_name(module_name):
    api = (DOC / "api.rst").read_text(encoding="utf-8")
    section = api.split(f".. currentmodule:: {module_name}\n", 1)[1].split(".. currentmodule::")[0]
    listed = set(re.findall(r"^   (\w+)$", section, re.M))

    assert set(_public_names(module_name)) <= listed


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.stem)
def test_example_has_a_gallery_title(example):
    # sphinx-gallery takes the docstring's first lines as the title; a short
    # underline fails the docs build.
    docstring = ast.get_docstring(ast.parse(example.read_text(encoding="utf-8")))
    title, underline = docstring.splitlines()[:2]

    assert title.strip() and set(underline) == {"="} and len(underline) >= len(title)
