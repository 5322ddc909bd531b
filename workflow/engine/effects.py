"""Effects of transitions: what happens to an evaluation's data when its state changes.
The definition names them per transition; actions.perform runs them in the same
transaction as the state change."""


def snapshot_submission(evaluation, actor):
    """Keep the evaluation as submitted: the reviewers' diff compares submissions. The review
    queue's counts of findings are recounted as the evaluation enters it (they follow every
    save already; this makes them exact whatever wrote the content)."""
    from workflow.review.checks import refresh_findings
    from workflow.selfeval.services import take_snapshot

    take_snapshot(evaluation, "submission", actor)
    refresh_findings(evaluation)


def freeze(evaluation, actor):
    """Approval freezes the evaluation: its data is kept with a SHA-256, its report is
    rendered and signed by the department once and kept with the SHA-256 of the signed bytes
    (every later download serves those bytes; the 验真 page knows them by it), and the form
    refuses edits until the leader returns it."""
    import hashlib

    from workflow.documents.reports import render_frozen_report
    from workflow.selfeval.services import take_snapshot

    snapshot = take_snapshot(evaluation, "approval", actor)
    snapshot.pdf = render_frozen_report(evaluation, serialized=snapshot.data)
    snapshot.pdf_sha256 = hashlib.sha256(snapshot.pdf).hexdigest()
