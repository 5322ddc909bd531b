"""What a request remembers for itself, and only for itself.

Every page shows the unread count (the bell): the session loader reads it in the user's own
query and keeps it for the rest of that request; notify() and mark_all_read() drop it. The
translations catalogue is looked up once per request and again when the locale changes.
Nothing of either is kept from one request to the next.
"""
from flask import session as flask_session
from flask_babel import force_locale, gettext

from tests.factories import make_user
from tests.test_sql_counts import counting
from workflow.auth import sessions
from workflow.auth.services import load_user
from workflow.engine import notify
from workflow.extensions import db


def session_id(user):
    """Sign ``user`` in for this request (a session row, its secret in the request's
    session); returns the id Flask-Login hands to the loader."""
    flask_session[sessions.SESSION_KEY] = sessions.start(user)
    return str(user.id)


def loaded(user):
    return load_user(session_id(user))


def test_the_unread_count_comes_with_the_user_and_follows_notify_and_mark_all_read(app):
    user = make_user("kept")
    notify.notify([user], "先前的消息")
    db.session.commit()
    with app.test_request_context("/"):
        key = session_id(user)
        with counting() as statements:
            me = load_user(key)
            assert notify.unread_count(me) == 1
        assert len(statements) == 1  # the user, the roles, the count and the session: one query
        notify.notify([me], "新消息")
        db.session.flush()
        assert notify.unread_count(me) == 2
        notify.mark_all_read(me)
        assert notify.unread_count(me) == 0


def test_a_count_remembered_for_one_user_is_not_shown_to_another(app):
    first, second = make_user("first"), make_user("second")
    notify.notify([second], "给第二位")
    db.session.commit()
    with app.test_request_context("/"):
        loaded(first)
        assert notify.unread_count(db.session.get(type(second), second.id)) == 1


def test_a_count_remembered_in_one_request_is_not_read_in_the_next(app):
    user = make_user("twice")
    with app.test_request_context("/"):
        assert notify.unread_count(loaded(user)) == 0
        notify.notify([user], "第一条")  # the memo is dropped; a later count asks the database
    db.session.rollback()
    notify.notify([user], "第二条")
    db.session.commit()
    with app.test_request_context("/"):
        user_id = user.id
        with counting() as statements:
            assert notify.unread_count(db.session.get(type(user), user_id)) == 1
        assert len(statements) == 1


def test_translations_follow_a_change_of_locale_within_the_request(app):
    with app.test_request_context("/"):
        assert gettext("工作台") == "工作台"
        with force_locale("en"):
            assert gettext("工作台") == "Dashboard"
        assert gettext("工作台") == "工作台"
    with app.test_request_context("/"):
        with force_locale("en"):
            assert gettext("工作台") == "Dashboard"
    assert gettext("工作台") == "工作台"  # outside a request: the text itself
