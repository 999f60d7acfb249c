"""The torch module trained by HybridTransferClassifier."""

from collections import OrderedDict

import torch
from torch import nn

__all__ = ["MLP", "Dropout"]

# The keep/drop decision is taken on 15-bit uniform integers.
_LEVELS = 1 << 15


class Dropout(nn.Dropout):
    """:class:`torch.nn.Dropout` with a much cheaper mask on the CPU.

    On the CPU, ``nn.Dropout`` draws one Bernoulli sample per element, and on
    the paper's light net that draw takes about a fifth of each training step.
    This module instead draws one 64-bit integer from torch's generator for
    every four elements, splits it into four 15-bit integers and drops an
    element when its integer falls below ``round(p * 2**15)``.  The drop
    probability is therefore ``p`` rounded to a multiple of ``2**-15`` (off by
    at most 1.5e-5), and the survivors are scaled by the exact inverse of the
    keep probability, so the expected output equals the input as in
    ``nn.Dropout``.  The mask comes from torch's global generator, so a seeded
    fit is reproducible; it is a different draw than ``nn.Dropout``'s for the
    same seed.

    Anywhere else — other devices (CUDA's own kernel is fast), in-place use,
    or a ``p`` that rounds to 0 or 1 — it is exactly ``nn.Dropout``.
    """

    def forward(self, input):
        threshold = round(self.p * _LEVELS)
        if (not self.training or self.inplace or input.device.type != "cpu"
                or not input.is_floating_point() or not 0 < threshold < _LEVELS):
            return super().forward(input)
        n = input.numel()
        bits = torch.empty((n + 3) // 4, dtype=torch.int64).random_()  # uniform on [0, 2**63)
        bits.bitwise_and_(0x7FFF7FFF7FFF7FFF)  # four uniform 15-bit integers per draw
        noise = bits.view(torch.int16)[:n].to(input.dtype)
        torch.ge(noise, threshold, out=noise)  # 1 keeps, 0 drops
        noise.mul_(_LEVELS / (_LEVELS - threshold))
        return input * noise.view(input.shape)


class MLP(nn.Module):
    """``[Linear → BatchNorm1d → activation → Dropout] × k → Linear`` head.

    Parameters
    ----------
    n_features : int
        Width of the input.
    hidden_layer_sizes : sequence of int
        Width of each hidden layer, e.g. ``(64, 32)`` (the paper's light net)
        or ``(200, 100)`` (its heavy baseline).
    n_outputs : int
        1 for a binary problem (one logit), K for K classes.
    activations : sequence of torch.nn.Module
        One module per hidden layer, used as given (the caller builds a new
        one for each layer, so learnable constants are per layer and no
        module is shared).
    batch_norm : bool, default=True
    dropout : float, default=0.3
        Probability for :class:`Dropout` after each activation.

    Attributes
    ----------
    hidden : torch.nn.Sequential
        The hidden layers, named ``linear<i>``, ``batch_norm<i>``,
        ``activation<i>`` and ``dropout<i>`` for layer ``i`` (from 0).
    head : torch.nn.Linear

    Examples
    --------
    >>> from torch import nn
    >>> from sksymact._mlp import MLP
    >>> net = MLP(54, (64, 32), 1, [nn.ReLU(), nn.ReLU()])
    >>> sum(p.numel() for p in net.parameters())
    5825
    >>> net.activations
    [ReLU(), ReLU()]
    """

    def __init__(self, n_features, hidden_layer_sizes, n_outputs, activations,
                 batch_norm=True, dropout=0.3):
        super().__init__()
        activations = list(activations)
        if len(activations) != len(hidden_layer_sizes):
            raise ValueError(f"{len(hidden_layer_sizes)} hidden layers need as many "
                             f"activations, got {len(activations)}.")
        layers = OrderedDict()
        width = n_features
        for i, (size, activation) in enumerate(zip(hidden_layer_sizes, activations)):
            layers[f"linear{i}"] = nn.Linear(width, size)
            if batch_norm:
                layers[f"batch_norm{i}"] = nn.BatchNorm1d(size)
            layers[f"activation{i}"] = activation
            if dropout > 0:
                layers[f"dropout{i}"] = Dropout(dropout)
            width = size
        self.hidden = nn.Sequential(layers)
        self.head = nn.Linear(width, n_outputs)
        self.n_outputs = n_outputs
        self.n_hidden = len(activations)

    @property
    def activations(self):
        """The activation module of each hidden layer, in order."""
        return [getattr(self.hidden, f"activation{i}") for i in range(self.n_hidden)]

    def forward(self, X):
        logits = self.head(self.hidden(X))
        # One logit per sample for binary problems, as BCEWithLogitsLoss expects.
        return logits.squeeze(-1) if self.n_outputs == 1 else logits
