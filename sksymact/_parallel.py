"""Thread budgets for nested parallelism.

A grid search that runs its fits in parallel must not let each fit start as
many torch threads (or gplearn jobs) as the machine has cores: with ``k``
tasks that would be ``k × cores`` busy threads fighting over ``cores``.
The rule, applied inside a task and never at top level:

* **torch**: a fit uses at most the threads its worker was given.  joblib's
  process workers (loky) get ``cpu_count // n_jobs`` (one with
  ``n_jobs=-1``; ``parallel_config(inner_max_num_threads=...)`` changes it)
  through ``OMP_NUM_THREADS``, and the workers a Dask nanny starts get one.
  A task that shares its process with other tasks (joblib's threading
  backend, a Dask worker with several threads or without a nanny) gets one.
* **gplearn**: a discoverer inside a task evaluates its population in one
  job, except under joblib's Dask backend, where gplearn's jobs become tasks
  of the cluster like any other.  Its result does not depend on ``n_jobs``.

Top-level fits are left alone -- torch keeps its own default and gplearn the
``n_jobs`` it was given -- except that a network whose batches are small
(:func:`network_thread_budget`) trains and predicts on one torch thread,
wherever it runs: below torch's grain size a kernel runs on one thread
anyway, and more threads only add their synchronization (measured on the
speed page).
"""

import contextlib
import os
import sys
import threading

from joblib.parallel import get_active_backend

__all__ = ["inside_parallel_task", "torch_thread_budget", "network_thread_budget",
           "limit_torch_threads", "gp_n_jobs"]

#: A network whose batches hold fewer values than this per layer (batch size
#: times the widest layer) runs on one torch thread.  torch splits an
#: elementwise kernel across threads only from 32,768 elements (its grain
#: size); on the speed page's two-core machine two threads made a fit with
#: batches of 64 rows of 64 units (4,096 values) about 1.15 times slower and
#: one with 128 rows (8,192) 1.2 times, were even at 256 rows (16,384) and
#: faster at 1,024 rows (65,536).
SMALL_BATCH_VALUES = 16384

_lock = threading.Lock()
_n_limited = 0
_threads_before = None


def _dask_worker():
    """The Dask worker running this code, or None (never imports distributed)."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.get_worker()
    except ValueError:
        return None


def _active_joblib_backend():
    return get_active_backend()[0]


def _is_dask_backend(backend):
    return type(backend).__name__ == "DaskDistributedBackend"


def inside_parallel_task():
    """Whether this code runs as one task of a parallel computation.

    True inside a joblib worker (loky, multiprocessing or threading
    backend: joblib then reports a nesting level of at least 1) and inside a
    Dask worker; False at top level and in joblib's sequential backend.

    Returns
    -------
    bool

    Examples
    --------
    >>> from joblib import Parallel, delayed
    >>> from sksymact._parallel import inside_parallel_task
    >>> inside_parallel_task()
    False
    >>> Parallel(n_jobs=2, backend="threading")(
    ...     delayed(inside_parallel_task)() for _ in range(2))
    [True, True]
    """
    if _dask_worker() is not None:
        return True
    return (_active_joblib_backend().nesting_level or 0) >= 1


def _positive_int_env(name):
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return None
    return value if value >= 1 else None


def torch_thread_budget():
    """How many intra-op torch threads one fit may use here.

    Returns
    -------
    budget : int or None
        None at top level (no limit: torch's default applies).  Inside a
        parallel task: 1 when the task shares its process with other tasks
        (a thread of joblib's threading backend, of a Dask worker with
        several threads, or of a Dask worker whose environment sets no
        ``OMP_NUM_THREADS``); otherwise the worker's ``OMP_NUM_THREADS``,
        which loky sets to ``cpu_count // n_jobs`` and a Dask nanny to 1.

    Examples
    --------
    >>> from joblib import Parallel, delayed
    >>> from sksymact._parallel import torch_thread_budget
    >>> torch_thread_budget() is None
    True
    >>> Parallel(n_jobs=2, backend="threading")(
    ...     delayed(torch_thread_budget)() for _ in range(2))
    [1, 1]
    """
    if not inside_parallel_task():
        return None
    worker = _dask_worker()
    if worker is not None:
        shared = worker.state.nthreads > 1
    else:
        shared = threading.current_thread() is not threading.main_thread()
    if shared:
        return 1
    return _positive_int_env("OMP_NUM_THREADS") or 1


def network_thread_budget(batch_size, widths):
    """How many intra-op torch threads a network's training or prediction may use.

    Parameters
    ----------
    batch_size : int
        Rows per batch.
    widths : sequence of int
        The widths of the network's layers, its input included.

    Returns
    -------
    budget : int or None
        1 when ``batch_size * max(widths)`` is below
        :data:`SMALL_BATCH_VALUES` (small batches run fastest on one thread),
        otherwise :func:`torch_thread_budget`.

    Examples
    --------
    >>> from sksymact._parallel import network_thread_budget
    >>> network_thread_budget(64, (30, 64, 32))
    1
    >>> network_thread_budget(1024, (54, 64, 32)) is None  # top level: torch's default
    True
    """
    if batch_size * max(widths) < SMALL_BATCH_VALUES:
        return 1
    return torch_thread_budget()


@contextlib.contextmanager
def limit_torch_threads(n_threads=None):
    """Cap torch's intra-op threads for the duration of a ``with`` block.

    Nested and concurrent blocks (several threads of one worker) share one
    process-wide setting: the first block to enter lowers it, a block inside
    it may lower it further but never raises it, and the last to leave
    restores the value found by the first.

    Parameters
    ----------
    n_threads : int or None, default=None
        The cap; None means :func:`torch_thread_budget`.  Nothing changes
        when the cap is None or not below torch's current thread count.

    Examples
    --------
    >>> import torch
    >>> from sksymact._parallel import limit_torch_threads
    >>> before = torch.get_num_threads()
    >>> with limit_torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch  # noqa: PLC0415 (local: importing this module does not import torch)

    global _n_limited, _threads_before
    budget = torch_thread_budget() if n_threads is None else int(n_threads)
    with _lock:
        limit = budget is not None and (_n_limited > 0 or budget < torch.get_num_threads())
        if limit:
            if _n_limited == 0:
                _threads_before = torch.get_num_threads()
            _n_limited += 1
            # torch.set_num_threads also sets the calling thread's OpenMP
            # team size, so every thread that computes must call it itself.
            # A nested block never raises the cap of the block around it.
            torch.set_num_threads(max(1, min(budget, torch.get_num_threads())))
    try:
        yield
    finally:
        if limit:
            with _lock:
                _n_limited -= 1
                if _n_limited == 0:
                    torch.set_num_threads(_threads_before)


def gp_n_jobs(n_jobs):
    """The number of jobs gplearn should use for a discoverer's ``n_jobs``.

    Parameters
    ----------
    n_jobs : int or None
        The discoverer's parameter; None means 1.

    Returns
    -------
    n_jobs : int
        ``n_jobs`` at top level and under joblib's Dask backend (gplearn's
        jobs are then tasks of the cluster), 1 inside any other parallel
        task.

    Examples
    --------
    >>> from joblib import Parallel, delayed
    >>> from sksymact._parallel import gp_n_jobs
    >>> gp_n_jobs(None), gp_n_jobs(4)
    (1, 4)
    >>> Parallel(n_jobs=2, backend="threading")(delayed(gp_n_jobs)(4) for _ in range(2))
    [1, 1]
    """
    n_jobs = 1 if n_jobs is None else n_jobs
    if _is_dask_backend(_active_joblib_backend()):
        return n_jobs
    return 1 if inside_parallel_task() else n_jobs
