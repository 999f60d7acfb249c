"""The torch module trained by HybridTransferClassifier."""

import copy

from torch import nn

__all__ = ["MLP"]


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
    activation : torch.nn.Module
        A template; every hidden layer gets its own deep copy, so learnable
        constants are per layer and no module is shared.
    batch_norm : bool, default=True
    dropout : float, default=0.3

    Examples
    --------
    >>> from torch import nn
    >>> from sksymact._mlp import MLP
    >>> net = MLP(54, (64, 32), 1, nn.ReLU())
    >>> sum(p.numel() for p in net.parameters())
    5825
    """

    def __init__(self, n_features, hidden_layer_sizes, n_outputs, activation,
                 batch_norm=True, dropout=0.3):
        super().__init__()
        layers = []
        width = n_features
        for size in hidden_layer_sizes:
            layers.append(nn.Linear(width, size))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(copy.deepcopy(activation))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        self.hidden = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_outputs)
        self.n_outputs = n_outputs

    def forward(self, X):
        logits = self.head(self.hidden(X))
        # One logit per sample for binary problems, as BCEWithLogitsLoss expects.
        return logits.squeeze(-1) if self.n_outputs == 1 else logits
