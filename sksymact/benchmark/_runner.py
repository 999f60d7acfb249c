"""Run the benchmark: plan the work, discover formulas, train, append, resume."""

import contextlib
import os
import sys

from sklearn.utils import Bunch

from ._configs import CONFIGURATIONS, DATASETS, SOURCE_DATASET, BenchmarkSettings
from ._store import BenchmarkError, ResultsFolder
from ._tasks import discover, load_dataset, train_and_score

__all__ = ["run_benchmark", "plan_runs", "formula_key"]

PAPER_SEEDS = (42, 43, 44)


def formula_key(dataset, seed, settings):
    """Where a formula comes from: ``"higgs/seed=42"``, or ``"higgs/all-rows"`` (reference)."""
    if settings.protocol == "reference":
        return f"{dataset}/all-rows"
    return f"{dataset}/seed={seed}"


def plan_runs(datasets, seeds, configurations):
    """Every ``(dataset, configuration, seed)`` to run, in table order.

    Hybrid transfer is not run on the source data set itself: there the
    transferred formula *is* the specialist's, so the row would repeat it.
    """
    return [(dataset, CONFIGURATIONS[key], seed)
            for dataset in datasets
            for seed in seeds
            for key in configurations
            if not (CONFIGURATIONS[key].activation == "transfer" and dataset == SOURCE_DATASET)]


def _formula_source(dataset, config):
    return SOURCE_DATASET if config.activation == "transfer" else dataset


def _check_choices(values, allowed, what):
    values = list(values)
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise BenchmarkError(f"unknown {what} {unknown!r}; choose from {list(allowed)}."
                             if unknown else f"no {what} given; choose from {list(allowed)}.")
    return list(dict.fromkeys(values))


class _Progress:
    """A tqdm bar on a terminal, one line per finished task elsewhere, or nothing."""

    def __init__(self, total, mode, stream):
        self.total, self.mode, self.stream, self.done = total, mode, stream, 0
        self.bar = None
        if mode == "bar" and total:
            from tqdm.auto import tqdm  # noqa: PLC0415

            self.bar = tqdm(total=total, file=stream, unit="run", dynamic_ncols=True)

    def phase(self, text):
        if self.bar is not None:
            self.bar.set_description(text)

    def advance(self, text):
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)
            self.bar.update()
        elif self.mode == "lines":
            print(f"[{self.done}/{self.total}] {text}", file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _progress_mode(progress, stream):
    if progress in (False, None, "off"):
        return "off"
    if progress == "auto":
        return "bar" if getattr(stream, "isatty", lambda: False)() else "lines"
    if progress in ("bar", "lines"):
        return progress
    raise ValueError(f"progress must be 'auto', 'bar', 'lines' or False, got {progress!r}.")


@contextlib.contextmanager
def _backend(n_jobs, scheduler):
    """Yield ``run(func, calls)``: ``func(*args)`` for each ``args``, as they complete.

    The data arrays are arguments of their own (not inside a job dict) so that
    joblib memory-maps them for local processes and Dask scatters each one once
    to its workers instead of shipping it with every task.
    """
    if scheduler is None and n_jobs == 1:
        yield lambda func, calls: (func(*args) for args in calls)
        return
    from joblib import Parallel, delayed, parallel_config  # noqa: PLC0415

    if scheduler is None:
        yield lambda func, calls: Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(func)(*args) for args in calls)
        return
    try:
        from distributed import Client  # noqa: PLC0415
    except ImportError:
        raise BenchmarkError(
            "--scheduler needs Dask's distributed scheduler, which is not installed; "
            "install it with: pip install 'dask[distributed]'"
        ) from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise BenchmarkError(
            f"Could not connect to the Dask scheduler at {scheduler!r}: {exc}") from exc

    def run(func, calls):
        with parallel_config(backend="dask"):
            yield from Parallel(n_jobs=-1, return_as="generator_unordered")(
                delayed(func)(*args) for args in calls)

    try:
        yield run
    finally:
        client.close()


def run_benchmark(
    out,
    settings=None,
    *,
    datasets=tuple(DATASETS),
    seeds=PAPER_SEEDS,
    configurations=tuple(CONFIGURATIONS),
    data_home=None,
    download=True,
    device="auto",
    n_jobs=1,
    scheduler=None,
    progress="auto",
    plots=True,
    stream=None,
):
    """Run (or resume) the paper's benchmark into the folder ``out``.

    For each data set: formulas are discovered (see ``settings.protocol``),
    then every configuration is trained on each seed's stratified split and
    scored on its test rows.  Each finished run is appended to
    ``out/results.csv`` at once; each discovered formula is saved in
    ``out/formulas.json``.  Running again into the same folder skips what is
    there, so an interrupted benchmark resumes where it stopped.  At the end
    ``summary.md`` and, when matplotlib is installed, ``activations.png`` and
    ``efficiency.png`` are (re)written from everything in the folder.

    Parameters
    ----------
    out : str or path-like
        The results folder.
    settings : BenchmarkSettings, default=None
        What changes the numbers; None means the paper's settings.
    datasets : sequence of {"higgs", "covertype", "spambase"}
    seeds : sequence of int, default=(42, 43, 44)
    configurations : sequence of str
        Keys of :data:`CONFIGURATIONS`.
    data_home : str or path-like, default=None
        The data folder (default: the ``SKSYMACT_DATA`` environment variable,
        see :func:`sksymact.datasets.get_data_home`).
    download : bool, default=True
        Whether missing data may be downloaded.
    device : str, default="auto"
        Passed to :class:`~sksymact.HybridTransferClassifier`.
    n_jobs : int, default=1
        Parallel tasks on this machine (joblib); ignored with ``scheduler``.
    scheduler : str, default=None
        Address of a Dask scheduler (``"tcp://host:8786"``): the tasks run on
        its cluster through joblib's Dask backend.  With one thread per worker
        the rows equal a local run's (torch's thread count is per process).
    progress : {"auto", "bar", "lines"} or False, default="auto"
        "auto": a progress bar when ``stream`` is a terminal, else one line
        per finished task.
    plots : bool, default=True
    stream : file, default=sys.stderr
        Where progress and notes go.

    Returns
    -------
    result : sklearn.utils.Bunch
        ``rows`` (every row of results.csv), ``formulas`` (key -> entry),
        ``n_run`` (runs trained now), ``n_resumed`` (runs found finished),
        ``summary`` (the markdown of summary.md), ``out``.
    """
    from ._report import write_summary  # noqa: PLC0415

    settings = BenchmarkSettings() if settings is None else settings
    stream = sys.stderr if stream is None else stream
    datasets = _check_choices(datasets, DATASETS, "data set")
    configurations = _check_choices(configurations, CONFIGURATIONS, "configuration")
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    if not seeds or any(not 0 <= s < 2**32 for s in seeds):
        raise BenchmarkError(f"seeds must be integers from 0 to 2**32 - 1, got {seeds!r}.")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise BenchmarkError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}.")

    with ResultsFolder(out, settings) as folder:
        finished = folder.finished()
        runs = plan_runs(datasets, seeds, configurations)
        pending = [run for run in runs if (run[0], run[1].key, run[2]) not in finished]
        formulas = folder.formulas()
        needed = {}
        for dataset, config, seed in pending:
            if config.uses_formula:
                source = _formula_source(dataset, config)
                key = formula_key(source, seed, settings)
                if key not in formulas:
                    needed[key] = (source, None if settings.protocol == "reference" else seed)

        data = {}

        def get_data(name):
            if name not in data:
                data[name] = load_dataset(name, settings, data_home=data_home, download=download)
            return data[name]

        mode = _progress_mode(progress, stream)
        if mode != "off" and len(runs) > len(pending):
            print(f"Resuming in {os.fspath(out)!r}: {len(runs) - len(pending)} of {len(runs)} "
                  "runs are already finished.", file=stream, flush=True)
        progress_bar = _Progress(len(needed) + len(pending), mode, stream)
        try:
            with _backend(n_jobs, scheduler) as execute:
                jobs = []
                for key, (dataset, seed) in needed.items():
                    jobs.append(({"key": key, "dataset": dataset, "seed": seed,
                                  "settings": settings}, *get_data(dataset)))
                progress_bar.phase("discovery")
                for entry in execute(discover, jobs):
                    folder.add_formula(entry)
                    formulas[entry["key"]] = entry
                    progress_bar.advance(f"{entry['key']}: {entry['formula']}")

                jobs = []
                for dataset, config, seed in pending:
                    job = {"dataset": dataset, "configuration": config, "seed": seed,
                           "settings": settings, "device": device}
                    if config.uses_formula:
                        key = formula_key(_formula_source(dataset, config), seed, settings)
                        job.update(formula=formulas[key]["formula"], formula_key=key)
                    jobs.append((job, *get_data(dataset)))
                progress_bar.phase("training")
                for row in execute(train_and_score, jobs):
                    folder.append(row)
                    progress_bar.advance(
                        f"{row['dataset']} / {CONFIGURATIONS[row['configuration']].label} / "
                        f"seed {row['seed']}: AUC {row['roc_auc']:.3f}")
        finally:
            progress_bar.close()

        summary = write_summary(folder.path)
        if plots:
            _write_plots(folder, stream if mode != "off" else None)
        return Bunch(rows=folder.rows(), formulas=folder.formulas(), n_run=len(pending),
                     n_resumed=len(runs) - len(pending), summary=summary,
                     out=os.fspath(out))


def _display_labels():
    from ._report import DISPLAY_NAMES  # noqa: PLC0415

    return {**DISPLAY_NAMES, **{key: c.label for key, c in CONFIGURATIONS.items()}}


def _write_plots(folder, stream):
    """activations.png and efficiency.png, if matplotlib is there."""
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        if stream is not None:
            print("matplotlib is not installed: no plots were written "
                  "(pip install matplotlib).", file=stream)
        return
    from ..plotting import plot_activation, plot_efficiency  # noqa: PLC0415

    labels = _display_labels()
    by_dataset = {}
    for entry in folder.formulas().values():
        by_dataset.setdefault(entry["dataset"], []).append(entry)
    if by_dataset:
        from matplotlib.figure import Figure  # noqa: PLC0415

        names = [d for d in DATASETS if d in by_dataset]
        fig = Figure(figsize=(5.2 * len(names), 4.2), layout="constrained")
        for ax, name in zip(fig.subplots(1, len(names), squeeze=False)[0], names):
            plot_activation(by_dataset[name], ax=ax)
            ax.set_title(f"Discovered on {labels.get(name, name)}")
        fig.savefig(os.path.join(folder.path, "activations.png"), dpi=100)
    rows = folder.rows()
    if rows:
        fig = plot_efficiency(rows, labels=labels)
        fig.savefig(os.path.join(folder.path, "efficiency.png"), dpi=100)
