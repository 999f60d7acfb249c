"""Datasets: loaders of the UCI benchmarks of the paper "Neuro-Symbolic
Activation Discovery" (HIGGS, Covertype, Spambase) and a generator of
simulated collider events that needs no file and no network."""

from ._base import get_data_home
from ._collider import make_collider_events
from ._covertype import fetch_covertype
from ._higgs import fetch_higgs
from ._spambase import fetch_spambase

__all__ = [
    "fetch_covertype",
    "fetch_higgs",
    "fetch_spambase",
    "get_data_home",
    "make_collider_events",
]
