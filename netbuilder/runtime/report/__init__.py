"""``netbuilder report``: one self-contained HTML page about a trained network.

``content`` gathers what the page says (the network, its summary, curves, evaluation,
filters, feature maps, decision boundary, embedding) from the insight computations;
``figures`` and ``diagram`` draw it with matplotlib's object API (Agg, no pyplot state);
``page`` writes the HTML with every image inlined; ``command`` is the CLI's entry. No Qt:
the window calls the same ``build_report``.
"""
