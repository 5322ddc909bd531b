"""The state diagram, drawn from the definition by Graphviz (`dot`, a local program).

Built straight from STATES and TRANSITIONS so that the picture can never disagree with the
machine; labels are the Chinese (or English) names people read, edges name the roles."""
from functools import lru_cache

import graphviz

from workflow.engine.definition import STATES, TRANSITIONS

FONT = "Noto Sans CJK SC"


def dot_source(current=None):
    graph = graphviz.Digraph("workflow", format="svg")
    graph.attr(rankdir="LR", fontname=FONT, bgcolor="transparent")
    graph.attr("node", shape="box", style="rounded,filled", fillcolor="#eef2f7", color="#0b3d78", fontname=FONT)
    graph.attr("edge", fontname=FONT, fontsize="10", color="#555555")
    for state in STATES:
        attributes = {}
        if state.name == current:
            attributes = {"fillcolor": "#b3191c", "fontcolor": "white", "penwidth": "2"}
        graph.node(state.name, str(state.label), **attributes)
    for transition in TRANSITIONS:
        roles = str(transition.role.label)
        for source in transition.source:
            graph.edge(source, transition.dest, label=f"{transition.label}\n({roles})")
    return graph


@lru_cache(maxsize=64)
def _svg(current, locale):
    return dot_source(current).pipe(format="svg")


def svg(current=None, locale="zh_CN"):
    """SVG bytes; cached per highlighted state and language (the definition never changes
    while the process runs)."""
    return _svg(current, locale)
