"""The v1 layer catalogue, one module per family; ``netbuilder.graph.catalogue`` indexes it."""
