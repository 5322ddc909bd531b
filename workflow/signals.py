"""Signals between features (blinker, as Flask's own): a writer says what happened, and the
features that keep something derived from it react, without the writer knowing them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the evaluation whenever its content (form, project figures, imported workbook)
# may have changed, before the writer's commit; the review's consistency findings are
# recounted (workflow/review/checks.py). Keyword ``notes``: the finding notes, when known.
evaluation_content_changed = _signals.signal("evaluation-content-changed")

# Sent with a new project once it is flushed (it has its id), before the creator's commit; the
# results feature links it to the same project of the previous year (workflow/results/links.py).
project_created = _signals.signal("project-created")
# Sent by the engine (workflow/engine/actions.perform) after a transition fired, its effects
# ran and its tasks, audit and notifications were written, inside its transaction (a
# listener's writes stand or fall with the transition), with the evaluation and the keywords
# ``trigger``, ``from_state``, ``to_state`` and ``actor``: features that react to a move of the
# workflow (the monitoring's prefill when self-evaluation opens, the indicator library's
# growth at approval) listen, the engine knows none.
evaluation_transitioned = _signals.signal("evaluation-transitioned")

# Sent by plans.services.copy_plan with the source plan and keywords ``plan`` (next year's, in
# the session, not committed) and ``years`` (how far its dates move), before the commit: the
# features that keep something of a plan carry it (the indicator library its entries, the
# monitoring its dates).
plan_copied = _signals.signal("plan-copied")

# Sent by the iCal feed (workflow/engine/calendar.feed) with the user whose feed it is: each
# receiver returns its events for that user as a list of calendar.FeedEvent (the meetings they
# are invited to: workflow/meetings/calendar_events.py); the feed gives them their stable UIDs.
calendar_feed_collecting = _signals.signal("calendar-feed-collecting")
