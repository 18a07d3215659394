"""Values and free text rendered into source: literals evaluate back, comments stay comments."""

from __future__ import annotations

import ast
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.codegen.errors import CompileError
from netbuilder.codegen.literals import call, comment_text, literal

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4).map(tuple),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_literal_evaluates_back_to_the_value(value):
    text = literal(value)
    assert ast.literal_eval(text) == value or (isinstance(value, float) and math.isclose(
        ast.literal_eval(text), value))


def test_literal_examples():
    assert literal((3, 5)) == "(3, 5)"
    assert literal([6, 8]) == "(6, 8)"
    assert literal((7,)) == "(7,)"
    assert literal(1e-5) == "1e-05"
    assert literal("same") == "'same'"
    assert literal(None) == "None"
    assert call("nn.Conv2d", [1, 6, 5], {"padding": 2}) == "nn.Conv2d(1, 6, 5, padding=2)"


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), object(), {"a": 1}, b"bytes",
                                 {1, 2}])
def test_literal_refuses_anything_else(bad):
    with pytest.raises(CompileError):
        literal(bad)


def test_call_refuses_a_keyword_that_is_not_an_identifier():
    with pytest.raises(CompileError):
        call("nn.Linear", [], {"a=1, b": 2})


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_comment_text_stays_on_one_comment_line(text):
    safe = comment_text(text)
    source = f"# {safe}\nresult = 1\n"
    tree = ast.parse(source)
    assert len(tree.body) == 1
    assert len(source.splitlines()) == 2
    assert len(safe) <= 100
    assert not safe.endswith("\\") or safe.endswith("\\\\")  # never half an escape


def test_comment_text_escapes_line_breaks_and_shortens():
    assert comment_text("a\nb\rc\u2028d") == "a\\x0ab\\x0dc\\u2028d"
    assert comment_text("é 卷积 ok") == "é 卷积 ok"
    assert len(comment_text("x" * 10_000)) == 100
    assert comment_text("\x00" * 40) == "\\x00" * 24 + "..."
