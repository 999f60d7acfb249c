"""Run the benchmark: check the request, plan the work, execute it, report.

:func:`run_benchmark` is these steps, one function each: :func:`_check`
turns its arguments into a :class:`_Request` (or refuses them before any
work), :func:`plan_runs` lists the runs, :func:`_plan` keeps those the
results folder lacks and the discoveries they need, :func:`_execute` runs
them (each finished one is written at once, so a run resumes where it
stopped), and the folder's summary and plots are rewritten from its files.
"""

import contextlib
import functools
import os
import sys
from dataclasses import dataclass
from numbers import Integral

from sklearn.utils import Bunch
from sklearn.utils._param_validation import (HasMethods, Interval, Options, StrOptions,
                                             validate_params)

from .._formula import readable_formula
from ._configs import (BASELINE, CONFIGURATIONS, DEFAULT_CONFIGURATIONS, PAPER_SEEDS,
                       REGRESSION_CONFIGURATIONS, SOURCE_DATASET, BenchmarkSettings,
                       configuration, is_configuration)
from ._datasets import DATASETS, TASKS, display_names, task_of
from ._matrix import matrix_configurations
from ._protocols import PROTOCOLS
from ._report import source_label, write_summary
from ._store import BenchmarkError, ResultsFolder
from ._tasks import DiscoveryJob, TrainingJob, discover, train_and_score

__all__ = ["run_benchmark", "plan_runs", "formula_key"]

def formula_key(dataset, seed, settings, selection="fitness"):
    """Name the formula that the runs of ``seed`` use when it is discovered on ``dataset``.

    Parameters
    ----------
    dataset : str
        The data set the formula is discovered on.
    seed : int
        The seed of the runs.
    settings : BenchmarkSettings
        Its protocol decides (:meth:`Protocol.formula_key`).
    selection : {"fitness", "network", "evolve"}, default="fitness"
        How discovery chose the formula; network selection adds
        ``"/network"``, the evolutionary search ``"/evolve"``.

    Returns
    -------
    key : str
        ``"higgs/seed=42"`` (leakage-free: one formula per seed), or
        ``"higgs/all-rows"`` (reference: one for every seed);
        ``"higgs/seed=42/network"`` with network selection.
    """
    key = PROTOCOLS[settings.protocol].formula_key(dataset, seed)
    return key if selection == "fitness" else f"{key}/{selection}"


def plan_runs(datasets, seeds, configurations, *, source=SOURCE_DATASET, registry=None):
    """List every ``(dataset, configuration, seed)`` to run, in table order.

    Hybrid transfer is not run on the source data set itself: there the
    transferred formula *is* the specialist's, so the row would repeat it.
    A reference estimator of one task is not run on the data sets of the
    other (:meth:`Configuration.applies_to`).

    Parameters
    ----------
    datasets : sequence of str
        Keys of the data sets, in the order of the table.
    seeds : sequence of int
        The seeds.
    configurations : sequence of str
        Keys of :data:`CONFIGURATIONS`.
    source : str, default="higgs"
        The data set whose formula the transfer configuration uses.
    registry : dict, default=None
        The data sets by key, for their tasks; None: :data:`DATASETS` (a
        key it lacks is a classification data set).

    Returns
    -------
    runs : list of tuple
        ``(dataset, Configuration, seed)``, by data set, then seed, then
        configuration.
    """
    return [(dataset, configuration(key), seed)
            for dataset in datasets
            for seed in seeds
            for key in configurations
            if configuration(key).applies_to(task_of(dataset, registry))
            and not (configuration(key).activation == "transfer"
                     and dataset == _formula_source(dataset, configuration(key), source))]


def _formula_source(dataset, config, source):
    if config.activation != "transfer":
        return dataset
    return source if config.source is None else config.source


# -- check ------------------------------------------------------------------------------


def _check_choices(values, allowed, what):
    """The values, each once, in order; refused when one is not allowed, or none is given."""
    values = list(values)
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise BenchmarkError(f"unknown {what} {unknown!r}; choose from {list(allowed)}."
                             if unknown else f"no {what} given; choose from {list(allowed)}.")
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class _Request:
    """What a benchmark runs, checked: every key is known and every choice is allowed."""

    settings: BenchmarkSettings
    registry: dict
    datasets: list
    seeds: list
    configurations: list
    source: str


def _default_task(datasets, registry):
    """Regression when every data set given is a regression one, else classification."""
    regression = datasets and all(registry[d].task == "regression" for d in datasets)
    return "regression" if regression else "classification"


def _check_configurations(configurations, datasets, registry, source, transfer_matrix):
    """The configurations to run: the matrix's added, each known once, their sources known."""
    if transfer_matrix:
        configurations = [*configurations, *matrix_configurations(datasets, source)]
    unknown = [c for c in configurations if not is_configuration(c)]
    if unknown:
        raise BenchmarkError(f"unknown configuration {unknown!r}; choose from "
                             f"{[*CONFIGURATIONS, 'transfer-from-<data set>']}.")
    configurations = _check_choices(configurations, configurations or CONFIGURATIONS,
                                    "configuration")
    for key in configurations:
        where = configuration(key).source
        if where is not None and where not in registry:
            raise BenchmarkError(f"{key}: no data set {where!r}; choose from {list(registry)}.")
    return configurations


def _check_tasks(datasets, registry, transfer_matrix):
    """Refuse what is for classification data sets only on a regression one."""
    regression = [registry[d].name for d in datasets if registry[d].task == "regression"]
    if regression and transfer_matrix:
        raise BenchmarkError("the transfer matrix compares ROC AUC: it is for classification "
                             f"data sets only, not {', '.join(regression)}.")


def _check_seeds(seeds):
    """The seeds, each once, in order; each a valid random state."""
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    if not seeds or any(not 0 <= s < 2**32 for s in seeds):
        raise BenchmarkError(f"seeds must be integers from 0 to 2**32 - 1, got {seeds!r}.")
    return seeds


def _check(settings, datasets, seeds, configurations, task, registry, source, transfer_matrix):
    """Resolve the defaults and refuse, before any work, what cannot be run."""
    settings = BenchmarkSettings() if settings is None else settings
    registry = DATASETS if registry is None else registry
    if datasets is not None:
        datasets = _check_choices(datasets, registry, "data set")
    task = _default_task(datasets, registry) if task is None else task
    if datasets is None:
        datasets = _check_choices([k for k, d in registry.items() if d.task == task], registry,
                                  f"{task} data set")
    if configurations is None:
        configurations = (REGRESSION_CONFIGURATIONS if task == "regression"
                          else DEFAULT_CONFIGURATIONS)
    _check_choices([source], registry, "source data set")
    _check_tasks(datasets, registry, transfer_matrix)
    configurations = _check_configurations(configurations, datasets, registry, source,
                                           transfer_matrix)
    return _Request(settings, registry, datasets, _check_seeds(seeds), configurations, source)


# -- plan -------------------------------------------------------------------------------


def _other_task(request):
    """The configurations left out on some data set, being of the other task."""
    return sorted({key for key in request.configurations for d in request.datasets
                   if not configuration(key).applies_to(request.registry[d].task)})


def _planned_runs(request):
    """:func:`plan_runs` of the request; refused when nothing of it is of the data sets' task."""
    runs = plan_runs(request.datasets, request.seeds, request.configurations,
                     source=request.source, registry=request.registry)
    other_task = _other_task(request)
    if other_task and not runs:
        raise BenchmarkError(
            f"nothing to run: the configurations {request.configurations!r} are not run on the "
            f"data sets {request.datasets!r}; {', '.join(other_task)} "
            f"{'is' if len(other_task) == 1 else 'are'} run only on data sets of "
            "another task.")
    return runs


@dataclass(frozen=True)
class _Plan:
    """The runs asked for, those the folder lacks, and the discoveries they need."""

    runs: list
    pending: list
    discoveries: dict


def _formula_of(request, dataset, config, seed):
    """``(data set, key)`` of the formula a run of a formula configuration uses."""
    where = _formula_source(dataset, config, request.source)
    return where, formula_key(where, seed, request.settings, config.selection)


def _plan(request, runs, finished, formulas):
    """What is left to do: the unfinished runs, and the formulas not yet discovered."""
    pending = [run for run in runs if (run[0], run[1].key, run[2]) not in finished]
    protocol = PROTOCOLS[request.settings.protocol]
    discoveries = {}
    for dataset, config, seed in pending:
        if config.uses_formula:
            where, key = _formula_of(request, dataset, config, seed)
            if key not in formulas:
                discoveries[key] = DiscoveryJob(key, where, protocol.formula_seed(seed),
                                                request.settings, config.selection,
                                                request.registry[where].task)
    return _Plan(runs, pending, discoveries)


def _training_job(request, run, formulas, device):
    """The TrainingJob of a run, with the text of its formula."""
    dataset, config, seed = run
    formula = {}
    if config.uses_formula:
        _, key = _formula_of(request, dataset, config, seed)
        formula = dict(formula=formulas[key]["formula"], formula_key=key)
    return TrainingJob(dataset, config, seed, request.settings, device, **formula,
                       task=request.registry[dataset].task)


# -- execute ----------------------------------------------------------------------------


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
    """``"off"``, ``"bar"`` or ``"lines"``: what ``progress`` asks for on ``stream``."""
    if progress in (False, None, "off"):
        return "off"
    if progress == "auto":
        return "bar" if getattr(stream, "isatty", lambda: False)() else "lines"
    return progress


@contextlib.contextmanager
def _backend(n_jobs, scheduler):
    """Yield ``run(func, calls)``: ``func(*args)`` for each ``args``, as they complete.

    The data arrays are arguments of their own (not inside a job) so that
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


def _say(notes, text):
    """Print a note on ``notes``; None: notes are off."""
    if notes is not None:
        print(text, file=notes, flush=True)


def _announce(request, plan, out, notes):
    """Say what is left out and what is found finished, before the work starts."""
    other_task = _other_task(request)
    if other_task:
        _say(notes, f"Not run on the data sets of the other task: {', '.join(other_task)} (a "
                    "reference estimator of one task).")
    done = len(plan.runs) - len(plan.pending)
    if done:
        _say(notes, f"Resuming in {os.fspath(out)!r}: {done} of {len(plan.runs)} "
                    f"run{'s' if len(plan.runs) != 1 else ''} "
                    f"{'is' if done == 1 else 'are'} already finished.")


def _loader(request, data_home, download, notes):
    """``load(name)``: a data set's ``(X, y)``, loaded once."""

    @functools.cache
    def load(name):
        dataset = request.registry[name]
        X_y = dataset.load(request.settings, data_home=data_home, download=download)
        if notes is not None and _reads_bundled(request.registry, name, request.settings,
                                                data_home):
            # Said, because the rows a folder would give can differ: a full
            # Covertype file is drawn from, the bundled one holds rows 1-20,000.
            _say(notes, f"{dataset.name}: {dataset.rows(request.settings)}, read from the "
                        "sample bundled with sksymact (the data folder does not hold them; "
                        "nothing was downloaded).")
        return X_y

    return load


def _discover_all(execute, jobs, folder, formulas, progress, names):
    """Run the discoveries; keep each formula found, in the folder and in ``formulas``."""
    for entry in execute(discover, jobs):
        folder.add_formula(entry)
        formulas[entry["key"]] = entry
        found = ("ReLU (no candidate beat it: fallback='relu')" if entry.get("fell_back_to_relu")
                 else readable_formula(entry["formula"]))
        progress.advance(f"{source_label(entry, names)}: {found}")


def _train_all(execute, jobs, folder, progress):
    """Run the trainings; append each row (and learning curve) as it comes."""
    for row in execute(train_and_score, jobs):
        folder.append(row)
        folder.add_curve(row)
        score = (f"R² {row['r2']:.3f}" if row.get("r2") is not None
                 else f"AUC {row['roc_auc']:.3f}")
        progress.advance(f"{row['dataset']} / {configuration(row['configuration']).label} / "
                         f"seed {row['seed']}: {score}")


def _execute(request, plan, folder, formulas, load, *, device, n_jobs, scheduler, progress):
    """Discover the formulas the plan needs, then train its runs."""
    with _backend(n_jobs, scheduler) as execute:
        jobs = [(job, *load(job.dataset)) for job in plan.discoveries.values()]
        progress.phase("discovery")
        _discover_all(execute, jobs, folder, formulas, progress,
                      display_names(request.registry))
        jobs = [(job, *load(job.dataset))
                for job in (_training_job(request, run, formulas, device) for run in plan.pending)]
        progress.phase("training")
        _train_all(execute, jobs, folder, progress)


@validate_params(
    {
        "out": [str, os.PathLike],
        "settings": [BenchmarkSettings, None],
        "datasets": ["array-like", None],
        "seeds": ["array-like"],
        "configurations": ["array-like", None],
        "task": [StrOptions(set(TASKS)), None],
        "registry": [dict, None],
        "source": [str],
        "data_home": [str, os.PathLike, None],
        "download": ["boolean"],
        "device": [str],
        "n_jobs": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1})],
        "scheduler": [str, None],
        "progress": [StrOptions({"auto", "bar", "lines", "off"}), Options(bool, {False}), None],
        "plots": ["boolean"],
        "stream": [HasMethods(["write"]), None],
        "resume": ["boolean"],
        "transfer_matrix": ["boolean"],
        "title": [str],
    },
    # Not skipped: the estimators that the tasks build from the settings
    # validate their parameters, which are not checked here.
    prefer_skip_nested_validation=False,
)
def run_benchmark(
    out,
    settings=None,
    *,
    datasets=None,
    seeds=PAPER_SEEDS,
    configurations=None,
    task=None,
    registry=None,
    source=SOURCE_DATASET,
    data_home=None,
    download=True,
    device="auto",
    n_jobs=1,
    scheduler=None,
    progress="auto",
    plots=True,
    stream=None,
    resume=True,
    transfer_matrix=False,
    title="sksymact benchmark",
):
    """Run (or resume) the paper's benchmark into the folder ``out``.

    For each data set: formulas are discovered (see ``settings.protocol``),
    then every configuration is trained on each seed's stratified split and
    scored on its test rows (accuracy, ROC AUC and log loss; R² and RMSE on
    a regression data set).  Each finished run is appended to
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
    datasets : sequence of str, default=None
        Keys of ``registry`` to train on (default: all of them of ``task``).
        Each data set's :attr:`Dataset.task` decides its networks, split and
        scores, so one run may hold both tasks.
    seeds : sequence of int, default=(42, 43, 44)
        Seeds of the splits, the networks and (per seed) the searches.
    configurations : sequence of str, default=None
        Keys of :data:`CONFIGURATIONS`; None: :data:`DEFAULT_CONFIGURATIONS`
        (the paper's six) for a classification run and
        :data:`REGRESSION_CONFIGURATIONS` for a regression one.  The
        network-selected formulas (``hybrid-specialist-network``,
        ``hybrid-transfer-network``) and the reference rows that are no
        network (``hist-gradient-boosting``, ``logistic-regression``; for
        regression ``hist-gradient-boosting-regressor``,
        ``linear-regression``) are chosen here; a reference estimator is
        run only on the data sets of its task.  A network-selected discovery
        records its candidates in ``formulas.json``, and whether none beat
        ReLU (a ``WeakActivationWarning``, noted, not raised).
    task : {"classification", "regression"} or None, default=None
        Which defaults to take for ``datasets`` and ``configurations``; None:
        ``"regression"`` when every data set of ``datasets`` is a regression
        data set, else ``"classification"``.  On a regression data set the
        networks are :class:`~sksymact.HybridTransferRegressor` (linear head,
        squared error on the standardized target), the split is not
        stratified, the specialist's formula is searched by gplearn's
        SymbolicRegressor, and the scores are R², RMSE and E_param =
        max(R², 0) / log10(Params); Hybrid transfer uses the formula
        discovered on ``source`` (HIGGS, a classification data set) for the
        same seed.  With ``settings.early_stopping`` a regressor's
        validation rows are a random (not stratified) part of its training
        rows, and ``curves.json`` records its validation R² per epoch
        (``learning_curves_regression.png``).
    registry : dict, default=None
        The data sets by key (:class:`Dataset`); None means :data:`DATASETS`.
    source : str, default="higgs"
        The key in ``registry`` of the data set whose formula Hybrid transfer
        uses, on either task.  It is loaded for discovery even when
        ``datasets`` leaves it out.
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
        Write the PNGs (needs matplotlib).
    stream : file, default=sys.stderr
        Where progress and notes go.
    resume : bool, default=True
        False: start afresh, replacing the results, formulas and settings a
        previous run left in ``out``.
    transfer_matrix : bool, default=False
        Also discover on every data set of ``datasets`` and use each formula
        on every other one (configurations ``transfer-from-<key>``, plus
        Light ReLU, the specialist and both network-selected
        configurations); ``summary.md`` then shows the matrix of mean AUC
        differences against Light ReLU with paired-test p-values.
    title : str, default="sksymact benchmark"
        The heading of ``summary.md`` (the demos name themselves).

    Returns
    -------
    result : sklearn.utils.Bunch
        ``rows`` (every row of results.csv), ``formulas`` (key -> entry),
        ``n_run`` (runs trained now), ``n_resumed`` (runs found finished),
        ``summary`` (the markdown of summary.md), ``plots`` (the names of
        the PNGs written), ``out``.
    """
    request = _check(settings, datasets, seeds, configurations, task, registry, source,
                     transfer_matrix)
    runs = _planned_runs(request)
    stream = sys.stderr if stream is None else stream
    mode = _progress_mode(progress, stream)
    notes = None if mode == "off" else stream
    with ResultsFolder(out, request.settings, resume=resume) as folder:
        formulas = folder.formulas()
        plan = _plan(request, runs, folder.finished(), formulas)
        _announce(request, plan, out, notes)
        progress_bar = _Progress(len(plan.discoveries) + len(plan.pending), mode, stream)
        try:
            _execute(request, plan, folder, formulas,
                     _loader(request, data_home, download, notes),
                     device=device, n_jobs=n_jobs, scheduler=scheduler, progress=progress_bar)
        finally:
            progress_bar.close()
        summary = write_summary(folder.path, title=title, registry=request.registry,
                                source=request.source)
        written = _write_plots(folder, request.registry, notes) if plots else []
        return Bunch(rows=folder.rows(), formulas=folder.formulas(), n_run=len(plan.pending),
                     n_resumed=len(plan.runs) - len(plan.pending), summary=summary, plots=written,
                     out=os.fspath(out))


# -- report -----------------------------------------------------------------------------


def _reads_bundled(registry, name, settings, data_home):
    """Whether the paper's data set ``name`` is read from the rows bundled with sksymact."""
    from ._datasets import UCI_KEYS, uci_source  # noqa: PLC0415

    return (registry.get(name) is DATASETS.get(name) and name in UCI_KEYS
            and uci_source(name, settings, data_home) == "bundled")


def _plot_kind(config):
    """How :func:`~sksymact.plotting.plot_efficiency` draws a :class:`Configuration`."""
    if config.uses_formula:
        return "discovered"
    return "network" if config.neural else "reference"


def _write_plots(folder, registry, stream):
    """activations.png and efficiency.png, if matplotlib is there."""
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        if stream is not None:
            print("matplotlib is not installed: no plots were written "
                  "(pip install matplotlib).", file=stream)
        return []
    from ..plotting import plot_activation, plot_efficiency  # noqa: PLC0415

    labels = {**display_names(registry), **{key: c.label for key, c in CONFIGURATIONS.items()}}
    formulas = folder.formulas()
    by_dataset = {}
    for entry in formulas.values():
        by_dataset.setdefault(entry["dataset"], []).append(entry)
    written = []
    if by_dataset:
        from matplotlib.figure import Figure  # noqa: PLC0415

        names = [d for d in registry if d in by_dataset]
        names += sorted(d for d in by_dataset if d not in registry)
        # The legends go under the panels, two lines per distinct formula: the
        # figure grows with the longest one instead of legends covering curves.
        lines = max(2 * len({e["formula"] for e in by_dataset[name]}) + 3 for name in names)
        fig = Figure(figsize=(5.2 * len(names), 3.6 + 0.14 * lines), layout="constrained")
        for ax, name in zip(fig.subplots(1, len(names), squeeze=False)[0], names):
            plot_activation(by_dataset[name], ax=ax, labels=labels)
            ax.set_title(f"Discovered on {labels.get(name, name)}")
        fig.savefig(os.path.join(folder.path, "activations.png"), dpi=100)
        written.append("activations.png")
    rows = folder.rows()
    # The table's order, then the transfer matrix's configurations as found.
    keys = dict.fromkeys([*CONFIGURATIONS, *(r["configuration"] for r in rows)])
    kinds = {key: _plot_kind(configuration(key)) for key in keys if is_configuration(key)}
    for metric, name in (("roc_auc", "efficiency.png"), ("r2", "efficiency_regression.png")):
        chosen = [r for r in rows if r.get(metric) not in (None, "")]
        if any(r["n_params"] not in (None, "") for r in chosen):  # at least one network
            fig = plot_efficiency(chosen, metric=metric, labels=labels, formulas=formulas,
                                  baseline=BASELINE, kinds=kinds)
            fig.savefig(os.path.join(folder.path, name), dpi=100)
            written.append(name)
    curves = folder.curves()
    for metric, name in (("valid_auc", "learning_curves.png"),
                         ("valid_r2", "learning_curves_regression.png")):
        chosen = [c for c in curves if c.get(metric)]
        if chosen:
            from ..plotting import plot_learning_curves  # noqa: PLC0415

            fig = plot_learning_curves(chosen, metric, labels=labels)
            fig.savefig(os.path.join(folder.path, name), dpi=100)
            written.append(name)
    return written
