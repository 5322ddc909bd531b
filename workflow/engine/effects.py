"""Effects of transitions: what happens to an evaluation's data when its state changes.
The definition names them per transition; actions.perform runs them in the same
transaction as the state change."""


def snapshot_submission(evaluation, actor):
    """Keep the evaluation as submitted: the reviewers' diff compares submissions."""
    from workflow.selfeval.services import take_snapshot

    take_snapshot(evaluation, "submission", actor)


def freeze(evaluation, actor):
    """Approval freezes the evaluation: its data is kept with a SHA-256, and the form
    refuses edits until the leader returns it."""
    from workflow.selfeval.services import take_snapshot

    take_snapshot(evaluation, "approval", actor)
