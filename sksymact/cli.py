"""The ``sksymact`` command: ``benchmark``, ``demo`` and ``discover``.

Errors a user can cause (a missing file, an unknown column, a bad option
value, a results folder made with other settings) end with a message on
stderr and exit status 2, without a traceback.

Building the parser, ``--help`` and ``--version`` import neither
scikit-learn, torch, skorch nor gplearn: each subcommand imports what it
needs when it runs.

Examples
--------
>>> from sksymact.cli import build_parser
>>> args = build_parser().parse_args(["discover", "--data", "events.csv", "--target", "label"])
>>> args.command, args.population_size, args.subsample
('discover', 500, 0.1)
"""

import argparse
import json
import os
import re
import sys

from ._version import __version__
from .benchmark import (CONFIGURATIONS, DATASETS, DEFAULT_CONFIGURATIONS, PAPER_SEEDS, PROTOCOLS,
                        REGRESSION_CONFIGURATIONS, SUITES, BenchmarkError, BenchmarkSettings)
from ._io import atomic_write_text

__all__ = ["main", "build_parser"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: The benchmark's settings that it has an option for, each named as the setting
#: (``max_iter`` is ``--max-iter``); the others keep their defaults.
_SETTING_OPTIONS = ("protocol", "higgs_rows", "covertype_rows", "friedman_rows", "max_iter",
                   "early_stopping", "n_iter_no_change", "population_size", "generations",
                   "max_rows")
#: The settings of a benchmark run without options: the options' defaults.
_DEFAULTS = BenchmarkSettings()


class UsageError(Exception):
    """Something the user can fix; reported without a traceback."""


# -- argument types ------------------------------------------------------------------------


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _dataset_key(text):
    from .benchmark._datasets import PMLB_PREFIX  # noqa: PLC0415 (standard library)

    if text in DATASETS or (text.startswith(PMLB_PREFIX) and len(text) > len(PMLB_PREFIX)):
        return text
    raise argparse.ArgumentTypeError(
        f"unknown data set {text!r}; choose from {', '.join(DATASETS)}, or pmlb:NAME")


def _configuration_key(text):
    from .benchmark._configs import is_configuration  # noqa: PLC0415 (standard library)

    if is_configuration(text):
        return text
    raise argparse.ArgumentTypeError(
        f"unknown configuration {text!r}; choose from {', '.join(CONFIGURATIONS)}, or "
        "transfer-from-DATASET")


def _n_jobs(text):
    if text.strip() == "-1":
        return -1
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or -1 (all cores), got {text!r}") from None


def _rows(text):
    if text.strip().lower() == "all":
        return None
    try:
        return _positive_int(text.replace(",", "").replace("_", ""))
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive number of rows or 'all', got {text!r}") from None


def _subsample(text):
    text = text.strip()
    if re.fullmatch(r"\d+", text) and int(text) >= 1:
        return int(text)  # a number of rows
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value <= 1:
        raise argparse.ArgumentTypeError(
            f"expected a fraction in (0, 1] such as 0.1, or a whole number of rows, got {text!r}")
    return value


def _device(text):
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", text):
        raise argparse.ArgumentTypeError(
            f"expected 'auto', 'cpu', 'cuda' or 'cuda:N', got {text!r}")
    return text


def _escaped(text):
    """``text`` as argparse help, which reads ``%`` as a format."""
    return text.replace("%", "%%")


# -- the parser ----------------------------------------------------------------------------


def build_parser():
    """The argparse parser of the ``sksymact`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser; each subcommand's namespace has a ``func`` that runs it.
    """
    parser = argparse.ArgumentParser(
        prog="sksymact",
        description="Neuro-symbolic activation discovery: find an activation function with "
                    "genetic programming, use it in a parameter-light network.")
    parser.add_argument("--version", action="version", version=f"sksymact {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    bench = commands.add_parser(
        "benchmark", help="run the paper's benchmark (Table 2); resumable",
        description="Discover formulas and train the paper's configurations on HIGGS, "
                    "Covertype and Spambase for several seeds (with --task regression: "
                    "regressors on California housing and the generated Friedman #1, scored "
                    "by R²). Each finished run is appended "
                    "to OUT/results.csv (accuracy, ROC AUC and log loss; R² and RMSE for "
                    "regression); rerunning with the same --out resumes. Writes "
                    "summary.md, formulas.json, activations.png and efficiency.png.")
    by_task = {task: [k for k, d in DATASETS.items() if d.task == task]
               for task in ("classification", "regression")}
    bench.add_argument("--task", choices=list(by_task), default=None,
                       help="which defaults --datasets and --configs take: classification "
                            "(the paper's) or regression (our extension: R² instead of ROC "
                            "AUC); default: regression when every --datasets is a regression "
                            "data set, else classification")
    bench.add_argument("--datasets", nargs="+", type=_dataset_key, default=None,
                       metavar="NAME", help=f"data sets to run (default: all of the task: "
                                            f"{' '.join(by_task['classification'])}; for "
                                            f"regression {' '.join(by_task['regression'])}); "
                                            "pmlb:NAME is any data set of the Penn Machine "
                                            "Learning Benchmarks (read from DATA_HOME/pmlb, "
                                            "else downloaded)")
    suites = "; ".join(f"{name}: {suite.description}" for name, suite in SUITES.items())
    bench.add_argument("--suite", choices=list(SUITES), default=None,
                       help=_escaped(
                           f"a named suite: its data sets, configurations, seeds and "
                           f"settings (the converged budget), each unless an option gives "
                           f"another; summary.md then ends with the statistics across data "
                           f"sets and critical_difference.png is drawn. {suites}"))
    bench.add_argument("--quick", action="store_true",
                       help="with --suite: a smoke test of the whole path (three data sets, "
                            "one seed, few rows and epochs, a small search): about a minute")
    bench.add_argument("--seeds", nargs="+", type=int, default=None, metavar="SEED",
                       help="seeds of the splits, networks and searches (default: the "
                            f"paper's, {' '.join(map(str, PAPER_SEEDS))}; a suite's own)")
    bench.add_argument("--max-rows", type=_rows, default=_DEFAULTS.max_rows, metavar="N|all",
                       help="at most this many rows of a PMLB data set, drawn stratified "
                            "with the data seed (default: all; a suite's own)")
    extra = [key for key in CONFIGURATIONS if key not in DEFAULT_CONFIGURATIONS]
    bench.add_argument("--configs", nargs="+", type=_configuration_key,
                       default=None, metavar="NAME",
                       help=f"configurations (default: the paper's six: "
                            f"{' '.join(DEFAULT_CONFIGURATIONS)}; for regression: "
                            f"{' '.join(REGRESSION_CONFIGURATIONS)}; also available: "
                            f"{' '.join(extra)}; the last four are scikit-learn estimators, "
                            "not networks, for reference, two per task, each run only on "
                            "the data sets of its task)")
    bench.add_argument("--transfer-matrix", action="store_true",
                       help="also use every data set's formula on every other one (plus the "
                            "network-selected specialist and transfer); summary.md shows the "
                            "matrix of mean AUC differences against Light ReLU with p-values")
    protocols = "; ".join(f"{key}{' (default)' if key == _DEFAULTS.protocol else ''}: "
                          f"{protocol.description}" for key, protocol in PROTOCOLS.items())
    bench.add_argument("--protocol", choices=list(PROTOCOLS), default=_DEFAULTS.protocol,
                       help=_escaped(f"where discovery sees data: {protocols}"))
    bench.add_argument("--higgs-rows", type=_rows, default=_DEFAULTS.higgs_rows, metavar="N|all",
                       help="leading rows of HIGGS (default: %(default)s, the paper's; up to "
                            "5000 ship with sksymact and need no data folder or network)")
    bench.add_argument("--covertype-rows", type=_rows, default=_DEFAULTS.covertype_rows,
                       metavar="N|all",
                       help="rows drawn from Covertype (default: %(default)s, the paper's; up "
                            "to 20000 are drawn from its first 20,000 rows, which ship with "
                            "sksymact, unless the data folder holds more)")
    bench.add_argument("--friedman-rows", type=_positive_int, default=_DEFAULTS.friedman_rows,
                       metavar="N",
                       help="rows of the generated regression data set friedman "
                            "(make_friedman1, 10 features, noise 1.0, seed 0; default: "
                            "%(default)s)")
    bench.add_argument("--data-home", metavar="DIR",
                       help="folder with the data files (default: $SKSYMACT_DATA, else "
                            "scikit-learn's data home); rows it lacks are read from the "
                            "samples that ship with sksymact when they hold them (all of "
                            "Spambase, HIGGS rows 1-5,000, Covertype rows 1-20,000), else "
                            "downloaded")
    bench.add_argument("--no-download", action="store_true",
                       help="never download: fail if neither the data folder nor the bundled "
                            "samples hold the rows asked for")
    bench.add_argument("--out", default="sksymact-results", metavar="DIR",
                       help="results folder (default: %(default)s)")
    bench.add_argument("--max-iter", type=_positive_int, default=_DEFAULTS.max_iter,
                       metavar="N",
                       help="training epochs; with --early-stopping the most a network trains "
                            "(default: %(default)s, the paper's)")
    bench.add_argument("--early-stopping", action="store_true", default=_DEFAULTS.early_stopping,
                       help=_escaped(
                           "the converged budget instead of the paper's fixed one: stop once "
                           f"the loss on {_DEFAULTS.validation_fraction:.0%} of the training "
                           "rows (stratified by class on a classification data set) has not "
                           "improved for --n-iter-no-change epochs, best weights restored, "
                           "validation AUC (R² on a regression data set) per epoch in "
                           "curves.json and learning_curves.png"))
    bench.add_argument("--n-iter-no-change", type=_positive_int,
                       default=_DEFAULTS.n_iter_no_change, metavar="N",
                       help="epochs without a better validation loss before stopping "
                            "(--early-stopping; default: %(default)s)")
    bench.add_argument("--population-size", type=_positive_int,
                       default=_DEFAULTS.population_size, metavar="N",
                       help="GP population (default: %(default)s, the paper's)")
    bench.add_argument("--generations", type=_positive_int, default=_DEFAULTS.generations,
                       metavar="N", help="GP generations (default: %(default)s, the paper's)")
    bench.add_argument("--device", type=_device, default="auto",
                       help="auto (default), cpu, cuda or cuda:N")
    # Every core by default: each task (a discovery, network selection included, or
    # a training) is seeded and runs on one torch thread, so neither results.csv nor
    # formulas.json depends on the number of processes.
    bench.add_argument("--n-jobs", type=_n_jobs, default=-1, metavar="N",
                       help="parallel tasks on this machine (default: -1, one per core; "
                            "every task is seeded and runs on one torch thread, so the "
                            "results and formulas are the same for every N)")
    bench.add_argument("--scheduler", metavar="ADDRESS",
                       help="run the tasks on a Dask cluster (e.g. tcp://host:8786); "
                            "workers with one thread each give the same rows as a local run")
    bench.add_argument("--no-plots", action="store_true", help="do not write the PNGs")
    bench.add_argument("--quiet", action="store_true",
                       help="no progress and no table; only errors")
    bench.set_defaults(func=_benchmark)

    demo = commands.add_parser(
        "demo", help="the method on real UCI rows in about a minute, offline",
        description="Discover an activation on the HIGGS sample bundled with sksymact (best "
                    "fitness, and network-aware selection) and transfer it to the bundled "
                    "Covertype and Spambase samples, beside Light ReLU, the network-selected "
                    "specialist, HistGradientBoosting and LogisticRegression; print the table "
                    "and what it shows, and write plots. No data folder, no network.")
    demo.add_argument("--out", default="sksymact-demo", metavar="DIR",
                      help="folder for results.csv and the plots (default: sksymact-demo)")
    demo.add_argument("--quick", action="store_true",
                      help="a tiny run in seconds, to check the installation")
    demo.add_argument("--collider", action="store_true",
                      help="the earlier demo instead: simulated collider events transferred "
                           "to scikit-learn's breast cancer and digits")
    demo.add_argument("--n-jobs", type=_n_jobs, default=2, metavar="N",
                      help="parallel tasks (default: 2; every task is seeded and runs on "
                           "one torch thread, so the numbers do not depend on it)")
    demo.add_argument("--no-plots", action="store_true", help="do not write the PNGs")
    demo.set_defaults(func=_demo)

    disc = commands.add_parser(
        "discover", help="discover an activation on a CSV file",
        description="Run SymbolicActivationDiscoverer on a CSV file (every column but the "
                    "target is a feature) and print the formula.")
    disc.add_argument("--data", required=True, metavar="FILE.csv", help="CSV with a header row")
    disc.add_argument("--target", required=True, metavar="COLUMN", help="the class column")
    disc.add_argument("--population-size", type=_positive_int, default=500,
                      help="default: 500")
    disc.add_argument("--generations", type=_positive_int, default=5, help="default: 5")
    disc.add_argument("--random-state", type=int, default=0, help="default: 0")
    disc.add_argument("--subsample", type=_subsample, default=0.1,
                      help="what the search sees: a fraction such as 0.1 or 1.0, or a whole "
                           "number of rows such as 500 (default: 0.1)")
    disc.add_argument("--function-set", nargs="+", metavar="OP",
                      default=["add", "sub", "mul", "sin", "cos", "abs"],
                      help="gplearn operators (default: add sub mul sin cos abs)")
    disc.add_argument("--save", metavar="FILE.json", help="save the formula and its provenance")
    disc.add_argument("--save-to", metavar="LIB.json",
                      help="add the formula, with its provenance, to an activation library "
                           "file (created if missing; concurrent writers are merged)")
    disc.add_argument("--name", metavar="NAME",
                      help="the entry's name in --save-to (letters, digits, - _ .)")
    disc.add_argument("--replace", action="store_true",
                      help="replace an entry of the same name in --save-to")
    disc.set_defaults(func=_discover)

    lib = commands.add_parser(
        "library", help="list, show and plot activation-library entries",
        description="The activation library: formulas with their provenance. Without a "
                    "LIB.json file, the built-in entries (activation='library:NAME').")
    lib_commands = lib.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    lib_list = lib_commands.add_parser("list", help="one line per entry")
    lib_list.add_argument("file", nargs="?", metavar="LIB.json",
                          help="a library file (default: the built-in entries)")
    lib_list.set_defaults(func=_library_list)
    lib_show = lib_commands.add_parser(
        "show", help="an entry: formula, simplified form, LaTeX, provenance, scores")
    lib_show.add_argument("name", metavar="NAME")
    lib_show.add_argument("file", nargs="?", metavar="LIB.json",
                          help="a library file (default: the built-in entries)")
    lib_show.set_defaults(func=_library_show)
    lib_plot = lib_commands.add_parser("plot", help="draw entries against ReLU and SiLU")
    lib_plot.add_argument("names", nargs="+", metavar="NAME")
    lib_plot.add_argument("--file", metavar="LIB.json",
                          help="a library file (default: the built-in entries)")
    lib_plot.add_argument("--out", default="activations.png", metavar="FILE.png",
                          help="the image (default: activations.png)")
    lib_plot.set_defaults(func=_library_plot)
    lib_build = lib_commands.add_parser(
        "build-builtin", help="regenerate the built-in entries from a benchmark folder",
        description="Rewrite sksymact's built-in library file from a benchmark output "
                    "folder (its formulas.json and settings.json), plus the paper's "
                    "higgs-paper entry. For maintainers: the file ships with the package.")
    lib_build.add_argument("folder", metavar="FOLDER")
    lib_build.add_argument("--out", metavar="FILE.json",
                           help="where to write (default: the package's built-in file)")
    lib_build.set_defaults(func=_library_build)
    return parser


# -- benchmark -----------------------------------------------------------------------------


def _benchmark(args):
    from .benchmark import run_benchmark  # noqa: PLC0415 (imports scikit-learn)

    if args.data_home is not None and not os.path.isdir(args.data_home):
        raise UsageError(f"--data-home {args.data_home!r}: no such folder.")
    if args.device.startswith("cuda"):
        import torch  # noqa: PLC0415 (heavy; only this check needs it)

        if not torch.cuda.is_available():
            raise UsageError(f"--device {args.device}: CUDA is not available here; use "
                             "--device cpu or auto.")
    from .benchmark._configs import configuration  # noqa: PLC0415 (standard library)
    from .benchmark._datasets import with_pmlb  # noqa: PLC0415 (standard library)

    given = {name: getattr(args, name) for name in _SETTING_OPTIONS}
    datasets, configs, seeds = args.datasets, args.configs, args.seeds
    if args.quick and args.suite is None:
        raise UsageError("--quick goes with --suite NAME.")
    if args.suite is not None:
        suite = SUITES[args.suite]
        quick = dict(suite.quick) if args.quick else {}
        chosen = {**suite.settings, **{k: v for k, v in quick.items()
                                       if k not in ("datasets", "seeds")}}
        # The suite's settings, except where an option asked for another value.
        given = {**given, **{name: value for name, value in chosen.items()
                             if given.get(name, getattr(_DEFAULTS, name))
                             == getattr(_DEFAULTS, name)}}
        datasets = datasets or list(quick.get("datasets", suite.datasets))
        configs = configs or list(suite.configurations)
        seeds = seeds or list(quick.get("seeds", suite.seeds))
    settings = BenchmarkSettings(**given)
    sources = [configuration(key).source for key in configs or ()]
    registry = with_pmlb([*(datasets or ()), *filter(None, sources)])
    result = run_benchmark(
        args.out, settings, datasets=datasets, seeds=seeds or PAPER_SEEDS,
        configurations=configs, task=args.task, data_home=args.data_home, registry=registry,
        download=not args.no_download,
        device=args.device, n_jobs=args.n_jobs, scheduler=args.scheduler,
        progress=False if args.quiet else "auto", plots=not args.no_plots,
        transfer_matrix=args.transfer_matrix)
    if args.suite is not None or any(key.startswith("pmlb:") for key in datasets or ()):
        from .benchmark._across_report import write_across_report  # noqa: PLC0415

        metric = SUITES[args.suite].metric if args.suite is not None else None
        # A formula evolved with the network in the loop is a source of its own.
        sources = {key: (configuration(key).source or "higgs")
                   + (" (evolved)" if configuration(key).selection == "evolve" else "")
                   for key in configs or () if configuration(key).activation == "transfer"}
        sources.update({key: "HIGGS (the paper's x cos x)" for key in configs or ()
                        if configuration(key).activation.startswith("library:")})
        write_across_report(args.out, metric, registry=registry, sources=sources)
    if not args.quiet:
        print(result.summary)
        print(f"{_count(result.n_run, 'run')} done now, {result.n_resumed} found finished; "
              f"results in {args.out!r}.")
    return 0


# -- demo ----------------------------------------------------------------------------------


def _demo(args):
    from .benchmark import run_demo  # noqa: PLC0415 (imports scikit-learn and torch)

    run_demo(args.out, quick=args.quick, n_jobs=args.n_jobs, plots=not args.no_plots,
             collider=args.collider)
    return 0


# -- discover ------------------------------------------------------------------------------


def _read_csv(path, target):
    try:
        import pandas as pd  # noqa: PLC0415 (heavy, and optional)
    except ImportError:
        raise UsageError("discover reads CSV files with pandas, which is not installed: "
                         "pip install pandas") from None
    if not os.path.isfile(path):
        raise UsageError(f"--data {path!r}: no such file.")
    try:
        frame = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, OSError) as exc:  # pandas' errors are ValueErrors
        raise UsageError(f"--data {path!r} could not be read as CSV: {exc}") from None
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if target not in columns:
        raise UsageError(f"--target {target!r}: no such column in {os.path.basename(path)}; "
                         f"its columns are {', '.join(map(repr, columns))}.")
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise UsageError(f"{os.path.basename(path)} has no column besides the target {target!r}.")
    not_numeric = list(features.select_dtypes(exclude="number").columns)
    if not_numeric:
        raise UsageError(f"columns {', '.join(map(repr, not_numeric))} are not numeric; "
                         "remove or encode them first.")
    missing = [c for c in features.columns if features[c].isna().any()]
    if missing or frame[target].isna().any():
        missing += [target] if frame[target].isna().any() else []
        raise UsageError(f"columns {', '.join(map(repr, missing))} have missing values; fill "
                         "or drop those rows first.")
    y = frame[target].to_numpy()
    if len(set(y.tolist())) < 2:
        raise UsageError(f"--target {target!r} has a single class; discovery needs two or more.")
    return features, y


def _discover(args):
    from ._discovery import SymbolicActivationDiscoverer  # noqa: PLC0415 (imports torch, gplearn)

    for option, path in (("--save", args.save), ("--save-to", args.save_to)):
        if path is not None:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise UsageError(f"{option} {path!r}: the folder {folder!r} does not exist.")
    if (args.save_to is None) != (args.name is None):
        raise UsageError("--save-to and --name go together: the library file and the "
                         "entry's name.")
    library = None
    if args.save_to is not None:
        library = _open_library(args.save_to, missing_ok=True)
        if args.name in library and not args.replace:
            raise UsageError(f"--name {args.name!r}: {args.save_to!r} already has an entry of "
                             "that name; choose another or pass --replace.")
    features, y = _read_csv(args.data, args.target)
    discoverer = SymbolicActivationDiscoverer(
        population_size=args.population_size, generations=args.generations,
        function_set=tuple(args.function_set), subsample=args.subsample,
        random_state=args.random_state)
    try:
        discoverer.fit(features.to_numpy(dtype=float), y)
    except ValueError as exc:  # bad function set, degenerate formulas: the user can act on it
        raise UsageError(f"discovery failed: {exc}") from None
    names = list(features.columns)
    named_program = re.sub(r"\bX(\d+)\b", lambda m: names[int(m.group(1))], discoverer.program_)
    formula = discoverer.formula_
    print(f"Data: {os.path.basename(args.data)}, {len(y):,} rows, {len(names)} features; "
          f"target {args.target!r}, positive class {_jsonable(discoverer.positive_class_)!r}")
    print(f"Program:    {named_program}")
    print(f"            {discoverer.program_}")
    print(f"Activation: {formula.to_sympy()}    ({formula})")
    print(f"LaTeX:      {formula.latex()}")
    print(f"Fitness:    {discoverer.fitness_:.6g} (log loss on the search subsample; lower is "
          "better)")
    if args.save is not None:
        record = {
            "format": "sksymact-formula", "version": 1,
            "formula": str(formula), "expression": str(formula.to_sympy()),
            "latex": formula.latex(), "program": discoverer.program_,
            "program_with_columns": named_program, "fitness": float(discoverer.fitness_),
            "source": os.path.basename(args.data), "target": args.target,
            "positive_class": _jsonable(discoverer.positive_class_),
            "n_rows": int(len(y)), "features": names,
            "parameters": {"population_size": args.population_size,
                           "generations": args.generations, "random_state": args.random_state,
                           "subsample": args.subsample, "function_set": list(args.function_set)},
            "sksymact_version": __version__,
        }
        atomic_write_text(args.save, json.dumps(record, indent=2) + "\n")
        print(f"Saved to {args.save}")
    if library is not None:
        from .library import rows_checksum  # noqa: PLC0415 (numpy)

        X = features.to_numpy(dtype=float)
        source = {"name": os.path.basename(args.data), "n_rows": int(len(y)),
                  "sha256": rows_checksum(X, y)}
        try:
            library.add(args.name, discoverer, replace=args.replace, source=source,
                        notes=f"sksymact discover --data {os.path.basename(args.data)} "
                              f"--target {args.target}")
            library.save(args.save_to)
        except ValueError as exc:  # a bad name, or a conflict with another writer
            raise UsageError(f"--save-to {args.save_to!r}: {exc}") from None
        print(f"Added {args.name!r} to {args.save_to}")
    return 0


# -- library -------------------------------------------------------------------------------


def _open_library(path, *, missing_ok=False):
    from .library import ActivationLibrary  # noqa: PLC0415 (numpy)

    if path is None:
        return ActivationLibrary.builtin()
    if not os.path.exists(path):
        if missing_ok:
            return ActivationLibrary()
        raise UsageError(f"{path!r}: no such library file.")
    try:
        return ActivationLibrary.load(path)
    except (ValueError, OSError) as exc:  # a damaged, foreign or newer file: say which
        raise UsageError(str(exc)) from None


def _entry(library, name, where):
    try:
        return library.get(name)
    except KeyError as exc:
        raise UsageError(f"{where}: {exc}") from None


def _library_list(args):
    library = _open_library(args.file)
    where = args.file or "built-in entries"
    print(f"{_count(len(library), 'entry', 'entries')} ({where})")
    for entry in library:
        source = (entry.source or {}).get("name") or "?"
        print(f"{entry.name:<28} {str(entry.formula.to_sympy()):<40} "
              f"nonlinearity {entry.nonlinearity:.3g}  source {source}")
    return 0


def _library_show(args):
    library = _open_library(args.file)
    entry = _entry(library, args.name, args.file or "built-in entries")
    record = entry.to_dict()
    print(f"Name:         {entry.name}")
    print(f"Formula:      {entry.formula}")
    print(f"Simplified:   {entry.formula.to_sympy()}")
    print(f"LaTeX:        {entry.formula.latex()}")
    print(f"Nonlinearity: {entry.nonlinearity:.4g}")
    for key in ("source", "selection", "fitness", "random_state", "created", "versions",
                "discoverer_params", "notes"):
        value = record.get(key)
        if value not in (None, "", {}):
            print(f"{key.replace('_', ' ').capitalize() + ':':<14}{json.dumps(value)}")
    if entry.candidates:
        print(f"Candidates:   {len(entry.candidates.get('formula', ()))} (network selection)")
    for score in entry.scores:
        print(f"Score:        {json.dumps(dict(score))}")
    return 0


def _library_plot(args):
    try:
        import matplotlib  # noqa: PLC0415 (optional)
    except ImportError:
        raise UsageError("library plot draws with matplotlib, which is not installed: "
                         "pip install matplotlib") from None
    matplotlib.use("Agg")
    from .plotting import plot_activation  # noqa: PLC0415

    library = _open_library(args.file)
    where = args.file or "built-in entries"
    entries = [_entry(library, name, where) for name in args.names]
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise UsageError(f"--out {args.out!r}: the folder {folder!r} does not exist.")
    ax = plot_activation({entry.name: entry.formula for entry in entries})
    ax.figure.savefig(args.out, dpi=120, bbox_inches="tight")
    print(f"Wrote {args.out}")
    return 0


def _library_build(args):
    from importlib import resources  # noqa: PLC0415

    from .benchmark._library_entries import write_builtin  # noqa: PLC0415
    from .library import BUILTIN_FILE  # noqa: PLC0415

    if not os.path.isdir(args.folder):
        raise UsageError(f"{args.folder!r}: no such folder.")
    out = args.out or str(resources.files("sksymact.library") / BUILTIN_FILE)
    try:
        write_builtin(args.folder, out)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    print(f"Wrote {out}")
    return 0


def _count(n, word, words=None):
    """``"1 entry"``, ``"3 entries"``: a count with its noun in the right number."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _jsonable(value):
    return value.item() if hasattr(value, "item") else value


# -- entry point ---------------------------------------------------------------------------


def main(argv=None):
    """Run the ``sksymact`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 for a usage error, 130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argparse error (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args.func(args)
    except (UsageError, BenchmarkError) as exc:
        print(f"sksymact {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        hint = " Rerun with the same --out to resume." if args.command == "benchmark" else ""
        print(f"sksymact {args.command}: interrupted.{hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
