"""Decisions do not depend on n_jobs, the torch thread count or the machine's load.

Each configuration runs in its own process, so that the thread setting is
real (torch's intra-op pool is per process) and nothing leaks between runs.
"""

import json
import subprocess
import sys
import textwrap

import pytest

_SELECTION = textwrap.dedent("""
    import json, sys, warnings
    import numpy as np
    import torch
    torch.set_num_threads(int(sys.argv[1]))
    n_jobs = None if sys.argv[2] == "None" else int(sys.argv[2])
    from sklearn.preprocessing import StandardScaler
    from sksymact import SymbolicActivationDiscoverer
    from sksymact.datasets import load_covertype
    X, y = load_covertype(return_X_y=True, n_samples=2000, random_state=0)
    X = StandardScaler().fit_transform(X)
    warnings.simplefilter("ignore")
    disc = SymbolicActivationDiscoverer(population_size=100, generations=2,
                                        selection="network", random_state=8,
                                        n_jobs=n_jobs).fit(X, y)
    print(json.dumps({"formula": str(disc.formula_),
                      "scores": [s.hex() for s in disc.candidates_["validation_score"]],
                      "relu": disc.relu_validation_score_.hex(),
                      "threads_after": torch.get_num_threads()}))
""")


def _run(script, *args):
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_network_selection_is_the_same_for_every_thread_count_and_n_jobs():
    # The audit's case: on this sample the winner flipped between the ReLU
    # fallback (n_jobs=None) and a discovered formula (n_jobs=2).
    runs = {(threads, n_jobs): _run(_SELECTION, threads, n_jobs)
            for threads in (1, 2) for n_jobs in (None, 2)}
    reference = runs[(1, None)]
    for key, run in runs.items():
        assert run["formula"] == reference["formula"], key
        assert run["scores"] == reference["scores"], key  # bit for bit (float.hex)
        assert run["relu"] == reference["relu"], key
        assert run["threads_after"] == key[0], key  # the caller's setting is restored
