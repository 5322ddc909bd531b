"""A notification and its mail are in the reader's language, not in the language of whoever
caused them: the English-reading colleague gets English, the others Chinese, from one event."""
from datetime import datetime, timezone

from sqlalchemy import select

from tests.factories import make_evaluation, make_setup, prepare_step
from tests.mail_server import deliver_outbox, smtp  # noqa: F401  (fixture)
from tests.test_reminders import address
from workflow import clock
from workflow.engine import actions, reminders
from workflow.extensions import db
from workflow.models import Notification


def texts_by_user(after_id):
    rows = db.session.scalars(select(Notification).where(Notification.id > after_id)).all()
    return {row.user_id: row.text for row in rows}


def last_id():
    return db.session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1)) or 0


def test_a_transition_tells_each_reviewer_in_their_own_language(app):
    org, plan = make_setup()
    org.reviewer2.locale = "en"
    db.session.commit()
    evaluation = make_evaluation(plan, org, "self_evaluating", name="应急物资储备项目")
    prepare_step(evaluation, "submit", {"office": org.office})
    mark = last_id()
    with app.test_request_context():   # the actor reads Chinese screens
        actions.perform(evaluation.id, "submit", org.staff_a)
    told = texts_by_user(mark)
    assert told[org.reviewer.id].startswith("“应急物资储备项目”：")
    assert "待办：复核自评" in told[org.reviewer.id]
    english = told[org.reviewer2.id]
    assert english.startswith("“应急物资储备项目”: ") and "Next task:" in english
    assert "待办" not in english


def test_a_reminder_mail_is_in_the_readers_language(app, smtp):  # noqa: F811
    org, plan = make_setup()
    org.staff_a2.locale = "en"
    db.session.commit()
    make_evaluation(plan, org, "self_evaluating", name="应急物资储备项目")   # due 2020-07-30
    mark = last_id()
    clock.freeze(datetime(2020, 7, 28, 4, 0, tzinfo=timezone.utc))
    reminders.run()   # as from cron: no request, the default language
    told = texts_by_user(mark)
    assert told[org.staff_a.id] == "即将到期：填报并提交自评“应急物资储备项目”，截止日期 2020-07-30。"
    assert told[org.staff_a2.id] == (
        "Due soon: Fill in and submit the self-evaluation for “应急物资储备项目”, deadline 2020-07-30.")
    deliver_outbox()   # the sender, as from cron too: the texts were fixed when queued
    subjects = {rcpt: subject for rcpt, subject, _body in smtp.sent()}
    assert subjects[address(org.staff_a)].startswith("【绩效评价】即将到期")
    assert subjects[address(org.staff_a2)].startswith("[Performance evaluation] Due soon")
