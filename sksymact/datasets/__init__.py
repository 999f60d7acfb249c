"""Datasets: the UCI benchmarks of the paper "Neuro-Symbolic Activation
Discovery" (HIGGS, Covertype, Spambase), any data set of the Penn Machine
Learning Benchmarks (PMLB) by name, and a generator of simulated collider
events that needs no file and no network.

``load_*`` reads the samples that ship with the package (HIGGS rows 1-5,000,
Covertype rows 1-20,000, all of Spambase; UCI, CC BY 4.0); ``fetch_*`` reads a
data folder or downloads, as in scikit-learn.
"""

from ._base import get_data_home
from ._bundled import load_covertype, load_higgs, load_spambase
from ._collider import make_collider_events
from ._covertype import fetch_covertype
from ._higgs import fetch_higgs
from ._pmlb import fetch_pmlb
from ._spambase import fetch_spambase

__all__ = [
    "fetch_covertype",
    "fetch_higgs",
    "fetch_pmlb",
    "fetch_spambase",
    "get_data_home",
    "load_covertype",
    "load_higgs",
    "load_spambase",
    "make_collider_events",
]
