"""graph/diff.py: random edits to the shipped examples are reported exactly, line for line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.graph.diff import diff_graphs, diff_lines
from netbuilder.graph.examples import example_path
from netbuilder.graph.model import Edge, Node
from netbuilder.graph.params import BOOL, CHOICE, FLOAT, INT
from netbuilder.graph.project import load_project

EXAMPLES = ("mlp_digits", "lenet5", "mlp_moons", "resnet_small", "vgg16")
GRAPHS = {name: load_project(example_path(name)).graph for name in EXAMPLES}


def _show(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _other_value(p, value):
    """A different valid value of the same kind, or None when there is none to pick."""
    if p.kind == BOOL:
        return not value
    if p.kind == CHOICE and len(p.choices) > 1:
        return next(c for c in p.choices if c != value)
    if p.kind == INT and isinstance(value, int):
        return value + 1 if p.max is None or value + 1 <= p.max else value - 1
    if p.kind == FLOAT and isinstance(value, float):
        return round(value + 0.25, 6) if p.max is None or value + 0.25 <= p.max else value / 2
    return None


def test_the_same_network_moved_about_has_no_differences():
    g = GRAPHS["lenet5"]
    moved = g.copy()
    for nid, n in moved.nodes.items():
        moved.nodes[nid] = Node(n.id, n.type, dict(n.params), (1.0, 2.0), "a label", n.trainable)
    moved.name = "renamed"
    assert diff_graphs(g, moved) == []


def test_dropout_added_and_its_p_changed_read_as_a_student_would_say_them():
    g = GRAPHS["mlp_digits"]
    new = g.copy()
    first = next(e for e in new.edges if new.nodes[e.source].type == "ReLU")
    new.nodes["drop1"] = Node("drop1", "Dropout", {"p": 0.5})
    new.edges.remove(first)
    new.edges += [Edge(first.source, "drop1"), Edge("drop1", first.target, first.target_port)]
    assert diff_lines(g, new) == [f"added Dropout 'drop1' after '{first.source}'"]
    newer = new.copy()
    newer.nodes["drop1"] = Node("drop1", "Dropout", {"p": 0.2})
    assert diff_lines(new, newer) == ["Dropout p 0.5 -> 0.2 at 'drop1'"]
    assert diff_lines(newer, g) == [f"removed Dropout 'drop1' after '{first.source}'"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(EXAMPLES), st.data())
def test_random_edits_are_reported_exactly(example, data):
    old = GRAPHS[example]
    new = old.copy()
    expected: list[str] = []
    ids = list(old.nodes)
    touched: set[str] = set()

    # remove up to one layer with one input, splicing its outputs onto that input
    single = [n for n in ids if len(old.in_edges(n)) == 1 and old.out_edges(n)]
    if single and data.draw(st.booleans(), "remove"):
        victim = data.draw(st.sampled_from(single), "victim")
        (src,) = [e.source for e in old.in_edges(victim)]
        outs = old.out_edges(victim)
        new.edges = [e for e in new.edges if victim not in (e.source, e.target)]
        new.edges += [Edge(src, e.target, e.target_port) for e in outs]
        del new.nodes[victim]
        expected.append(f"removed {old.nodes[victim].type} '{victim}' after '{src}'")
        touched |= {victim, src} | {e.target for e in outs}

    # change one parameter of up to three other layers
    editable = [n for n in ids if n not in touched and old.spec_of(n).params]
    for nid in data.draw(st.lists(st.sampled_from(editable), unique=True, max_size=3)
                         if editable else st.just([]), "edited"):
        node = new.nodes[nid]
        spec = old.spec_of(nid)
        full = spec.full_params(node.params)
        p = data.draw(st.sampled_from(spec.params), f"param of {nid}")
        value = _other_value(p, full[p.name])
        if value is None:
            continue
        new.nodes[nid] = Node(nid, node.type, {**node.params, p.name: value}, node.position,
                              node.label, node.trainable)
        expected.append(f"{node.type} {p.name} {_show(full[p.name])} -> {_show(value)} "
                        f"at '{nid}'")

    # freeze or unfreeze up to two layers
    for nid in data.draw(st.lists(st.sampled_from([n for n in ids if n in new.nodes]),
                                  unique=True, max_size=2), "frozen"):
        node = new.nodes[nid]
        new.nodes[nid] = Node(nid, node.type, dict(node.params), node.position, node.label,
                              not node.trainable)
        expected.append(f"{'unfroze' if node.trainable is False else 'froze'} '{nid}'")

    # insert up to two Dropout layers into wires between layers nobody else touched
    free = [e for e in new.edges if e.source not in touched and e.target not in touched]
    for k, edge in enumerate(data.draw(st.lists(st.sampled_from(free), unique=True,
                                                max_size=2) if free else st.just([]), "wires")):
        nid = f"inserted_{k}"
        new.nodes[nid] = Node(nid, "Dropout", {"p": 0.5})
        new.edges.remove(edge)
        new.edges += [Edge(edge.source, nid), Edge(nid, edge.target, edge.target_port)]
        expected.append(f"added Dropout '{nid}' after '{edge.source}'")
        touched |= {edge.source, edge.target}

    # move the input of one untouched single-input layer to another untouched layer
    movable = [n for n in ids if n in new.nodes and n not in touched
               and len(new.in_edges(n)) == 1 and len(old.in_edges(n)) == 1]
    if movable and data.draw(st.booleans(), "rewire"):
        target = data.draw(st.sampled_from(movable), "rewired")
        (edge,) = new.in_edges(target)
        sources = [n for n in ids if n in new.nodes and n not in (target, edge.source)
                   and not n.startswith("inserted_")]
        if sources:
            src = data.draw(st.sampled_from(sources), "new source")
            new.edges.remove(edge)
            new.edges.append(Edge(src, target, edge.target_port))
            expected.append(f"rewired '{target}': its input comes from '{src}' instead of "
                            f"'{edge.source}'")

    assert sorted(diff_lines(old, new)) == sorted(expected)
    assert diff_lines(old, old.copy()) == []
