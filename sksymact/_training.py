"""The pieces skorch is given to train fast and safely: a batch-level iterator
over tensors and a guard against non-finite losses.

skorch's default ``DataLoader`` fetches and collates one row at a time, which
costs more than the forward and backward pass of a small MLP.  Here a batch is
one indexing operation on a tensor that already lives on the training device.
"""

import math

import torch
from skorch.callbacks import Callback

__all__ = ["TensorDataset", "BatchIterator", "FiniteLossGuard"]


class TensorDataset(torch.utils.data.Dataset):
    """Rows of ``X`` (and ``y``) held as tensors; ``y`` may be None."""

    def __init__(self, X, y=None):
        if y is not None and len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}.")
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        return self.X[index], (self.y[index] if self.y is not None else None)


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
        X, y = self.dataset.X, self.dataset.y
        n = len(X)
        order = torch.randperm(n).to(X.device) if self.shuffle else None
        for batch in range(len(self)):
            start = batch * self.batch_size
            stop = min(start + self.batch_size, n)
            if order is None:
                yield X[start:stop], (y[start:stop] if y is not None else None)
                continue
            # index_select gathers rows several times faster than X[rows]
            # (advanced indexing) on the CPU.
            rows = order[start:stop]
            yield X.index_select(0, rows), (y.index_select(0, rows) if y is not None else None)


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
