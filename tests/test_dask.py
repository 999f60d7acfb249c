"""Scale-out on a dask.distributed cluster through joblib's Dask backend.

A real two-process cluster on the loopback interface runs the GridSearchCV a
user runs locally; the only change is ``with joblib.parallel_backend("dask")``.
One cluster serves the whole module; every search is bounded in time, so a
hang fails a test instead of stalling the suite.
"""

import concurrent.futures
import os
import threading
import time

import joblib
import numpy as np
import pytest
import torch
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sksymact import HybridTransferClassifier, SymbolicActivationDiscoverer, efficiency_scorer
from sksymact._parallel import (
    gp_n_jobs,
    inside_parallel_task,
    limit_torch_threads,
    torch_thread_budget,
)

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

# Seconds after which a search that has not returned counts as hung.
TIMEOUT = 90

SMALL_GP = dict(population_size=60, generations=2)


@pytest.fixture(scope="module")
def cluster():
    # One retry per task: a worker dying under a task is survived once.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None,
        ) as local_cluster:
            yield local_cluster


@pytest.fixture(scope="module")
def module_client(cluster):
    with distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture
def client(module_client):
    # A worker killed by an earlier test is restarted by its nanny; joblib would run
    # everything locally on a cluster with a single thread left.
    module_client.wait_for_workers(2, timeout=TIMEOUT)
    return module_client


@pytest.fixture(scope="module")
def data():
    # 150 rows: a training fold's 100 indices take 800 bytes (see the worker-failure tests).
    return make_classification(n_samples=150, n_features=8, n_informative=4, random_state=0)


@pytest.fixture(scope="module")
def source(data):
    return SymbolicActivationDiscoverer(**SMALL_GP, random_state=0).fit(*data)


def _on_dask_worker():
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


class _DieOnWorker(TransformerMixin, BaseEstimator):
    """Passes X through; on a Dask worker, kills the worker's process.

    ``deaths="once"``: only the first task to get here dies; ``"always"``:
    every task does.  Each death leaves a file in ``folder``.
    """

    def __init__(self, folder=None, deaths=None):
        self.folder = folder
        self.deaths = deaths

    def fit(self, X, y=None):
        if self.deaths is None or not _on_dask_worker():
            return self
        name = "death" if self.deaths == "once" else f"death-{os.getpid()}"
        try:
            open(os.path.join(self.folder, name), "x").close()
        except FileExistsError:
            return self
        os._exit(1)

    def transform(self, X):
        return X


def _search(source, folder=None, deaths=None):
    pipeline = Pipeline([
        ("scale", StandardScaler()),
        ("chaos", _DieOnWorker(folder, deaths)),
        ("clf", HybridTransferClassifier((8,), max_iter=4, batch_size=64, device="cpu",
                                         random_state=0)),
    ])
    grid = {"clf__activation": [
        "relu",
        "x*cos(x)",
        FrozenEstimator(source),                   # transfer
        SymbolicActivationDiscoverer(**SMALL_GP),  # specialist, refit on every fold
    ]}
    return GridSearchCV(pipeline, grid, cv=StratifiedKFold(3),
                        scoring={"auc": "roc_auc", "efficiency": efficiency_scorer},
                        refit="efficiency")


def _start_on_cluster(function, *args, **backend_options):
    """Run ``function(*args)`` under the Dask backend in a daemon thread.

    Returns a ``concurrent.futures.Future``; a daemon thread cannot keep the
    test process alive should the call never return.
    """
    future = concurrent.futures.Future()

    def run():
        try:
            with joblib.parallel_backend("dask", **backend_options):
                future.set_result(function(*args))
        except BaseException as exc:  # noqa: BLE001 (handed to the test)
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return future


def _on_cluster(function, *args, timeout=TIMEOUT, **backend_options):
    try:
        return _start_on_cluster(function, *args, **backend_options).result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        pytest.fail(f"no result from the cluster after {timeout} s")


def _assert_same_results(local, remote):
    for key, value in local.cv_results_.items():
        if key.startswith(("split", "mean_test", "std_test", "rank_test")):
            np.testing.assert_array_equal(remote.cv_results_[key], value, err_msg=key)
    assert remote.best_index_ == local.best_index_
    assert remote.best_score_ == local.best_score_


@pytest.fixture(scope="module")
def local_search(data, source):
    # The cluster's workers run torch on one thread; floating-point sums, and so
    # the last digits of a score, depend on the thread count.
    with limit_torch_threads(1):
        return _search(source).fit(*data)


def test_cluster_listens_on_loopback_only(cluster, client):
    nannies = [nanny.address for nanny in cluster.workers.values()]
    addresses = [cluster.scheduler_address, *client.scheduler_info()["workers"], *nannies]
    assert len(addresses) == 5
    assert all(address.startswith("tcp://127.0.0.1:") for address in addresses)


def test_grid_search_on_cluster_equals_local_run(client, data, source, local_search):
    with distributed.get_task_stream(client) as stream:
        remote = _on_cluster(_search(source).fit, *data)

    fits = [task for task in stream.data if "_fit_and_score" in task["key"]]
    assert fits and all(task["worker"].startswith("tcp://127.0.0.1:") for task in fits)
    _assert_same_results(local_search, remote)
    assert remote.best_estimator_[-1].n_params_ == local_search.best_estimator_[-1].n_params_


def test_discoverer_gp_runs_on_cluster(client, data):
    local = SymbolicActivationDiscoverer(**SMALL_GP, random_state=3).fit(*data)
    with distributed.get_task_stream(client) as stream:
        remote = _on_cluster(
            SymbolicActivationDiscoverer(**SMALL_GP, random_state=3, n_jobs=2).fit, *data)

    evolve_tasks = [task for task in stream.data if "_parallel_evolve" in task["key"]]
    # One task per job and generation: gplearn's population was evaluated on the workers.
    assert len(evolve_tasks) == 2 * SMALL_GP["generations"]
    assert remote.program_ == local.program_


# joblib sends an argument over 1 kB to one worker only; should that worker die, the
# argument is lost and the search fails with FutureCancelledError.  Broadcasting X and y
# (scatter=...) and keeping the folds' index arrays under 1 kB puts every input of every
# task on both workers, so the loss of one is survived.


def test_search_survives_a_worker_killed_mid_run(client, data, source, local_search, tmp_path):
    remote = _on_cluster(_search(source, str(tmp_path), "once").fit, *data, scatter=list(data))

    assert os.listdir(tmp_path) == ["death"]  # a worker did die, and its task was retried
    _assert_same_results(local_search, remote)


@pytest.mark.xfail(
    strict=True,
    raises=pytest.fail.Exception,
    reason="joblib's Dask backend (joblib <= 1.6) does not pass a task error raised by the "
           "scheduler (KilledWorker) to Parallel, which then waits forever",
)
def test_task_killing_every_worker_it_meets_fails_clearly(client, tmp_path):
    # Data small enough to travel inside the task: no scattered input can be lost, so
    # the only possible error is Dask's verdict on the task.  One split, so one task.
    X, y = make_classification(n_samples=24, n_features=4, random_state=0)
    search = GridSearchCV(
        Pipeline([("chaos", _DieOnWorker(str(tmp_path), "always")),
                  ("clf", HybridTransferClassifier((4,), max_iter=1, device="cpu"))]),
        {"clf__activation": ["relu"]}, cv=[(np.arange(12), np.arange(12, 24))])

    running = _start_on_cluster(search.fit, X, y)
    deadline = time.monotonic() + TIMEOUT
    while len(os.listdir(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(os.listdir(tmp_path)) == 2  # tried on a second worker, then given up
    # The scheduler has now declared the task lost; the error should follow at once.
    with pytest.raises(distributed.scheduler.KilledWorker, match="workers died"):
        try:
            running.result(timeout=5)
        except concurrent.futures.TimeoutError:
            pytest.fail("the search neither finished nor failed")


# -- the nested-parallelism rule ---------------------------------------------------------


def _thread_report():
    # A closure, so that process workers receive it by value and need not import
    # this test module.
    def report():
        return {
            "inside_task": inside_parallel_task(),
            "torch_threads": torch.get_num_threads(),
            "budget": torch_thread_budget(),
            "gp_n_jobs": gp_n_jobs(4),
        }
    return report


def test_dask_task_gets_one_torch_thread_and_gp_jobs_go_to_the_cluster(client):
    reports = _on_cluster(lambda: Parallel()(delayed(_thread_report())() for _ in range(4)))

    # distributed's nanny starts workers with OMP_NUM_THREADS=1, which torch reads.
    assert reports == [{"inside_task": True, "torch_threads": 1, "budget": 1,
                        "gp_n_jobs": 4}] * 4


def test_loky_task_gets_its_share_of_the_cores_and_one_gp_job():
    reports = Parallel(n_jobs=2)(delayed(_thread_report())() for _ in range(2))

    # loky's OMP_NUM_THREADS for n_jobs=2, unless the parent process sets one.
    share = int(os.environ.get("OMP_NUM_THREADS") or max(joblib.cpu_count() // 2, 1))
    assert reports == [{"inside_task": True, "torch_threads": share, "budget": share,
                        "gp_n_jobs": 1}] * 2


def test_threads_sharing_a_process_get_one_torch_thread_each():
    def fit_like():
        with limit_torch_threads():
            return torch_thread_budget(), torch.get_num_threads()

    before = torch.get_num_threads()
    reports = Parallel(n_jobs=2, backend="threading")(delayed(fit_like)() for _ in range(4))

    assert reports == [(1, 1)] * 4
    assert torch.get_num_threads() == before


def test_top_level_is_left_alone():
    assert _thread_report()() == {"inside_task": False, "torch_threads": torch.get_num_threads(),
                                  "budget": None, "gp_n_jobs": 4}
