"""The state diagram, drawn from the definition by Graphviz (`dot`, a local program).

Built straight from the registered states and transitions so that the picture can never
disagree with the machine; for a plan, from the rows its options keep (without the 组长's
approval there is no 待审批). Labels are the Chinese (or English) names people read, edges
name the role that acts."""
import graphviz

from workflow.engine import definition

FONT = "Noto Sans CJK SC"


def dot_source(current=None, states=None, transitions=None):
    states = definition.STATES if states is None else states
    transitions = definition.TRANSITIONS if transitions is None else transitions
    graph = graphviz.Digraph("workflow", format="svg")
    graph.attr(rankdir="LR", fontname=FONT, bgcolor="transparent")
    graph.attr("node", shape="box", style="rounded,filled", fillcolor="#eef2f7", color="#0b3d78", fontname=FONT)
    graph.attr("edge", fontname=FONT, fontsize="10", color="#555555")
    for state in states:
        attributes = {}
        if state.name == current:
            attributes = {"fillcolor": "#b3191c", "fontcolor": "white", "penwidth": "2"}
        graph.node(state.name, str(state.label), **attributes)
    drawn = set()
    for transition in transitions:
        for source in transition.source:
            if source not in {state.name for state in states}:
                continue
            edge = (transition.trigger, source, transition.dest)
            if edge in drawn:
                continue
            drawn.add(edge)
            style = {"style": "dashed"} if transition.opinion else {}
            graph.edge(source, transition.dest, label=f"{transition.label}\n({transition.role.label})", **style)
    return graph


def plan_rows(plan):
    """(states, transitions) of ``plan``'s options, or the whole definition."""
    if plan is None:
        return definition.STATES, definition.TRANSITIONS
    return definition.states_for_plan(plan), definition.rows_for_plan(plan)


# Pictures by highlighted state, language and the plan's options (None: the whole definition).
# Plans with the same options share one: the definition never changes while the process runs.
_PICTURES = {}


def options_of(plan):
    return None if plan is None else tuple(t.plan_option(plan) for t in definition.TRANSITIONS if t.plan_option)


def svg(current=None, locale="zh_CN", plan=None):
    """SVG bytes of the diagram (of ``plan``'s workflow), ``current`` highlighted."""
    key = (current, locale, options_of(plan))
    if key not in _PICTURES:
        states, transitions = plan_rows(plan)
        _PICTURES[key] = dot_source(current, states, transitions).pipe(format="svg")
    return _PICTURES[key]
