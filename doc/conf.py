"""Sphinx configuration of the sksymact documentation.

Build (offline; warnings are errors)::

    python -m sphinx -W --keep-going -b html doc doc/_build/html

The examples gallery runs every ``examples/plot_*.py``.  Set the environment
variable ``SKSYMACT_DOCS_RUN_GALLERY=0`` to build the gallery pages from the
scripts without running them (no output, no figures).
"""

import os

import sksymact

# -- project ---------------------------------------------------------------------------

project = "sksymact"
author = "The sksymact developers"
copyright = "The sksymact developers"  # noqa: A001 (Sphinx's name)
release = sksymact.__version__
version = ".".join(release.split(".")[:2])

# -- general ---------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "sg_execution_times.rst"]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"

# Nothing is fetched from the network while building: no intersphinx, and
# references to other projects' objects stay plain text.
nitpicky = False

# -- autodoc / autosummary / numpydoc --------------------------------------------------

autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"

# The class template lists the methods itself; numpydoc's own member tables
# would point to stub pages that do not exist.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# -- examples gallery ------------------------------------------------------------------

run_gallery = os.environ.get("SKSYMACT_DOCS_RUN_GALLERY", "1").strip().lower() not in {
    "0", "false", "no", "off"}

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "plot_gallery": run_gallery,
    # An example that raises fails the build.
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,
    "min_reported_time": 1,
    "reset_modules": ("matplotlib",),
    "image_scrapers": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
}

# -- HTML ------------------------------------------------------------------------------

html_theme = "alabaster"
html_title = f"sksymact {release}"
html_static_path = []
html_theme_options = {
    "description": "Neuro-symbolic activation discovery as scikit-learn estimators",
    "fixed_sidebar": True,
    "show_relbars": True,
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
