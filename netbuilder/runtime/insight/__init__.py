"""Looking inside a network: probes of node outputs, evaluation, saliency, embeddings.

Computation on torch tensors and plain data out; no Qt. The window's views (``ui/insight``)
and ``netbuilder report`` draw what this package computes.
"""
