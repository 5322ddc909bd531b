"""Signals between features (blinker, as Flask's own): a writer says what happened, and the
features that keep something derived from it react, without the writer knowing them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the evaluation whenever its content (form, project figures, imported workbook)
# may have changed, before the writer's commit; the review's consistency findings are
# recounted (workflow/review/checks.py). Keyword ``notes``: the finding notes, when known.
evaluation_content_changed = _signals.signal("evaluation-content-changed")

# Sent by the engine (workflow/engine/actions.perform) after a transition has moved the
# evaluation, inside its transaction, before the commit: sender the evaluation, keywords
# ``trigger`` (the transition fired) and ``dest`` (the state it is now in). A listener's
# writes stand or fall with the transition.
transition_done = _signals.signal("transition-done")
