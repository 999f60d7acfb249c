"""The pieces skorch is given to train fast and safely: a batch-level iterator
over tensors, a guard against non-finite losses, and torch's Adam without the
second and a half its first use costs in a fresh process.

skorch's default ``DataLoader`` fetches and collates one row at a time, which
costs more than the forward and backward pass of a small MLP.  Here a batch is
one indexing operation on a tensor that already lives on the training device.
"""

import inspect
import math

import torch
from skorch.callbacks import Callback

__all__ = ["TensorDataset", "BatchIterator", "FiniteLossGuard", "Adam"]


class TensorDataset(torch.utils.data.Dataset):
    """Rows of ``X`` (and ``y``, and per-row weights) held as tensors.

    ``y`` may be None.  With ``weight``, the target of a row (and of a batch)
    is the pair ``(y, weight)``, which the weighted loss of the network unpacks.
    """

    def __init__(self, X, y=None, weight=None):
        if y is not None and len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}.")
        if weight is not None and (y is None or len(weight) != len(X)):
            raise ValueError(f"weight needs y and one value per row of X ({len(X)}).")
        self.X = X
        self.y = y
        self.weight = weight

    def __len__(self):
        return len(self.X)

    def target(self, index):
        """The target of the rows ``index``: ``y[index]``, with their weights if any."""
        if self.y is None:
            return None
        if self.weight is None:
            return self.y[index]
        return self.y[index], self.weight[index]

    def __getitem__(self, index):
        return self.X[index], self.target(index)


class BatchIterator:
    """Iterate over a :class:`TensorDataset` in whole batches.

    With ``shuffle=True`` the rows are permuted anew on every pass, drawing
    from torch's global generator (which the classifier seeds inside a forked
    RNG state), exactly as ``DataLoader(shuffle=True)`` would.  With
    ``drop_single=True`` a final batch of one row is skipped: BatchNorm cannot
    normalise a single sample in training mode.  The row it would have held is
    different on every shuffled pass.
    """

    def __init__(self, dataset, batch_size, shuffle=False, drop_single=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_single = drop_single

    def __len__(self):
        n = len(self.dataset)
        n_batches = math.ceil(n / self.batch_size)
        if self.drop_single and n % self.batch_size == 1 and n > 1:
            n_batches -= 1
        return n_batches

    def __iter__(self):
        X, y, weight = self.dataset.X, self.dataset.y, getattr(self.dataset, "weight", None)
        n = len(X)
        order = torch.randperm(n).to(X.device) if self.shuffle else None
        for batch in range(len(self)):
            start = batch * self.batch_size
            stop = min(start + self.batch_size, n)
            if order is None:
                parts = [t[start:stop] if t is not None else None for t in (X, y, weight)]
            else:
                # index_select gathers rows several times faster than X[rows]
                # (advanced indexing) on the CPU.
                rows = order[start:stop]
                parts = [t.index_select(0, rows) if t is not None else None
                         for t in (X, y, weight)]
            X_batch, y_batch, weight_batch = parts
            yield X_batch, (y_batch if weight_batch is None else (y_batch, weight_batch))


class FiniteLossGuard(Callback):
    """Stop training with a clear error as soon as the loss is NaN or infinite.

    A net whose loss diverged has non-finite weights; returning it would give
    silent NaN predictions.
    """

    def __init__(self, activation_name):
        self.activation_name = activation_name

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        loss = net.history[-1, "batches", -1, "train_loss"]
        if not math.isfinite(loss):
            epoch = len(net.history)
            batch_index = len(net.history[-1, "batches"])
            raise FloatingPointError(
                f"Training loss became {loss} in epoch {epoch}, batch {batch_index}, with "
                f"activation {self.activation_name}. The activation may overflow for the "
                "inputs it sees: standardize the features, lower learning_rate_init, "
                "or choose another activation."
            )


# torch's own method bodies, without the decorators that only matter when
# torch.compile traces an optimizer (``inspect.unwrap`` follows the
# ``functools.wraps`` chain; were there none, these are the decorated methods
# and nothing but the import is changed).
_ADD_PARAM_GROUP = inspect.unwrap(torch.optim.Optimizer.add_param_group)
_ZERO_GRAD = inspect.unwrap(torch.optim.Optimizer.zero_grad)
_ADAM_STEP = inspect.unwrap(torch.optim.Adam.step)


class Adam(torch.optim.Adam):
    """``torch.optim.Adam``, minus the import of ``torch._dynamo`` on first use.

    torch wraps ``add_param_group`` and ``zero_grad`` in
    ``torch._disable_dynamo`` and ``step`` in a wrapper that calls
    ``torch._dynamo.graph_break()``, for the case where torch.compile traces
    the optimizer.  Both import ``torch._dynamo`` the first time they run,
    which took 1.3 to 2 s in a fresh process on the machine of the speed page
    (it imports sympy and torch.distributed), whichever of ``fused`` and
    ``foreach`` is set, and every torch optimizer has it.  This subclass runs
    torch's own bodies of those three methods, undecorated, with the grad
    mode torch's ``step`` wrapper sets: the same update, bit for bit, the same
    hooks (torch patches ``step`` of every optimizer class for its step
    hooks and the profiler), and no change to torch itself.  Only the
    network's training uses it: skorch calls the optimizer from Python,
    outside any compiled code, also with ``compile=True`` (which compiles
    the module).
    """

    def add_param_group(self, param_group):
        """Add a parameter group (torch's method, without the dynamo guard).

        Parameters
        ----------
        param_group : dict
            The parameters and the group's options.
        """
        _ADD_PARAM_GROUP(self, param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients (torch's method, without the dynamo guard).

        Parameters
        ----------
        set_to_none : bool, default=True
            Set the gradients to None instead of zero.
        """
        _ZERO_GRAD(self, set_to_none)

    def step(self, closure=None):
        """One optimization step (torch's method, with its grad mode, without the graph breaks).

        Parameters
        ----------
        closure : callable or None, default=None
            Re-evaluates the model and returns the loss.

        Returns
        -------
        loss : torch.Tensor or None
            What ``closure`` returned.
        """
        with torch.set_grad_enabled(self.defaults["differentiable"]):
            return _ADAM_STEP(self, closure)
