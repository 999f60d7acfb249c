"""Where discovery and training see data: the two protocols, and each seed's split.

This module imports only the standard library at import time (the command
line reads :data:`PROTOCOLS` without importing scikit-learn); :func:`split`
imports scikit-learn when it runs.
"""

from dataclasses import dataclass

__all__ = ["PROTOCOLS", "Protocol", "split"]


def split(X, y, seed, test_size, *, task="classification"):
    """The paper's split: stratified 80/20 by ``seed``, scaled with the training rows.

    A regression data set's split is the same without stratification (a
    continuous target has no classes); its target is not scaled here (the
    regressor standardizes it, and the scores are in the target's units).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Every row of the data set.
    y : ndarray of shape (n_samples,)
        Their labels, or a regression data set's target.
    seed : int
        The split's random state.
    test_size : float
        The held-out fraction (``BenchmarkSettings.test_size``).
    task : {"classification", "regression"}, default="classification"
        The data set's task: only a classification split is stratified.

    Returns
    -------
    X_train, X_test : ndarray
        The rows, standardized with the training rows' mean and std.
    y_train, y_test : ndarray
        Their labels or targets, as given.
    """
    from sklearn.model_selection import train_test_split  # noqa: PLC0415 (see the top)
    from sklearn.preprocessing import StandardScaler  # noqa: PLC0415

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y if task == "classification" else None,
        random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@dataclass(frozen=True)
class Protocol:
    """Where discovery sees data: which rows, with which seed, under which key.

    The protocol is the only thing that differs between the paper's two
    ways of running discovery; the trainings do not depend on it.

    Parameters
    ----------
    key : str
        Its name in :class:`BenchmarkSettings`, on the command line and in
        ``results.csv``.
    description : str
        Where discovery happens, as ``summary.md`` words it.
    per_seed : bool
        True: one discovery per data set and seed, on that seed's training
        rows only (scaled as the networks see them), with the seed as its
        random state; no test row is seen.  False: one discovery per data
        set, on all its rows (test rows included), with
        ``BenchmarkSettings.reference_seed``; every seed uses that formula.

    See Also
    --------
    PROTOCOLS : The two protocols, by key.
    BenchmarkSettings : Its ``protocol`` names one of them.

    Examples
    --------
    >>> from sksymact.benchmark import PROTOCOLS
    >>> [PROTOCOLS[key].formula_key("higgs", 42) for key in PROTOCOLS]
    ['higgs/seed=42', 'higgs/all-rows']
    """

    key: str
    description: str
    per_seed: bool

    def formula_key(self, dataset, seed):
        """Name the formula that the runs of ``seed`` on ``dataset`` use.

        Parameters
        ----------
        dataset : str
            The data set the formula is discovered on.
        seed : int
            The seed of the runs.

        Returns
        -------
        key : str
            ``"higgs/seed=42"`` (per seed) or ``"higgs/all-rows"``.
        """
        return f"{dataset}/seed={seed}" if self.per_seed else f"{dataset}/all-rows"

    def formula_seed(self, seed):
        """The seed recorded with the formula that the runs of ``seed`` use.

        Parameters
        ----------
        seed : int
            The seed of the runs.

        Returns
        -------
        seed : int or None
            ``seed`` (per seed), or None: one formula serves every seed.
        """
        return seed if self.per_seed else None

    def discovery_rows(self, X, y, seed, settings, task="classification"):
        """The rows discovery fits on, and its random state.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Every row of the data set.
        y : ndarray of shape (n_samples,)
            Their labels, or a regression data set's target.
        seed : int or None
            :meth:`formula_seed` of the runs.
        settings : BenchmarkSettings
            For the split and ``reference_seed``.
        task : {"classification", "regression"}, default="classification"
            The data set's task: a regression data set's split is not
            stratified.

        Returns
        -------
        X_fit, y_fit : ndarray
            The rows and labels discovery sees.
        random_state : int
            The discoverer's random state.
        """
        if not self.per_seed:
            return X, y, settings.reference_seed
        X_fit, _, y_fit, _ = split(X, y, seed, settings.test_size, task=task)
        return X_fit, y_fit, seed


#: The protocols, by key.  ``leakage-free``, the default, is the one to
#: report; ``reference`` is the paper's reference code's.
PROTOCOLS = {p.key: p for p in (
    Protocol("leakage-free", "each seed's training rows only (no test row is seen)",
             per_seed=True),
    Protocol("reference", "one discovery per data set on a sample of all its rows, test rows "
                          "included (the reference code's protocol)", per_seed=False),
)}
