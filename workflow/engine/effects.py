"""Effects the engine itself offers to a flow: what any approval workflow does to the
evaluation's own columns, its committee's opinions and its people. A flow names them per
row (workflow/flow.py) beside the effects of its features; each takes (evaluation, act)."""
from flask_babel import gettext as _

from workflow import clock
from workflow.engine import opinions


def mark_submitted(evaluation, act):
    """Who submitted and when: nobody reviews or approves their own submission."""
    evaluation.submitted_by_id = act.actor.id
    evaluation.submitted_at = clock.now()


def new_review_round(evaluation, act):
    """Entering review starts a new round of opinions."""
    evaluation.review_round = (evaluation.review_round or 0) + 1


def record_pass(evaluation, act):
    opinions.record(evaluation, act, "pass")


def record_return(evaluation, act):
    opinions.record(evaluation, act, "return")


def tell_submitter(evaluation, act):
    """The submitter hears of a return with its comment, whoever holds the next task."""
    if evaluation.submitted_by is None:
        return
    project, comment = evaluation.project.name, act.comment
    act.notices.append(([evaluation.submitted_by],
                        lambda: _("“%(project)s”被退回：%(comment)s", project=project, comment=comment)))
