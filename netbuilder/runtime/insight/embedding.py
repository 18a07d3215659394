"""Embeddings: a node's outputs over the validation set, projected to 2-D (scikit-learn).

PCA is quick and linear; t-SNE shows neighbourhoods (clusters of a class) and takes
seconds: callers run it off the GUI thread. ``node_outputs`` gathers the vectors in
batches from one probe per batch.
"""

from __future__ import annotations

import numpy as np
import torch

from netbuilder.runtime.insight.probe import NodePath, Prober, as_path


def node_outputs(prober: Prober, x: torch.Tensor, node: str | NodePath,
                 batch_size: int = 256) -> np.ndarray:
    """(N, features): ``node``'s output per sample, flattened."""
    path = as_path(node)
    parts = []
    for start in range(0, x.shape[0], batch_size):
        seen = prober.probe(x[start:start + batch_size], [path])
        parts.append(seen[path].float().reshape(seen[path].shape[0], -1).cpu())
    return torch.cat(parts).numpy() if parts else np.zeros((0, 0))


def project(vectors: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """(N, 2) coordinates: ``method`` is ``"pca"`` or ``"tsne"``."""
    n = vectors.shape[0]
    if n < 3:
        raise ValueError(f"an embedding needs at least 3 samples; received {n}")
    if vectors.shape[1] == 1:
        return np.concatenate([vectors, np.zeros_like(vectors)], axis=1)
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(vectors)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30, max(2, (n - 1) // 3)))
        return TSNE(n_components=2, init="pca", perplexity=perplexity,
                    random_state=seed).fit_transform(vectors)
    raise ValueError(f"method must be 'pca' or 'tsne'; received {method!r}")
