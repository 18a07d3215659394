"""Counted words: what every label, message and tooltip that counts something says."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from netbuilder.graph.words import noun, plural


def test_one_is_singular_and_every_other_count_is_plural():
    assert plural(1, "layer") == "1 layer" and plural(0, "layer") == "0 layers"
    assert plural(3, "wire") == "3 wires" and noun(1, "use") == "use" and noun(2, "use") == "uses"
    assert plural(2, "index", "indices") == "2 indices" and plural(1, "index", "indices") == "1 index"


@given(st.integers(-5, 10_000), st.sampled_from(["layer", "epoch", "problem", "sample"]))
def test_the_count_is_written_as_given(n, word):
    text = plural(n, word)
    assert text.split(" ")[0] == str(n) and text.endswith(word if n == 1 else word + "s")
