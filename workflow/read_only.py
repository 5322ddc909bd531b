"""A request that wrote nothing ends its transaction with COMMIT instead of ROLLBACK.

psycopg forgets every statement it has prepared whenever the connection rolls back (its
``rollback()`` clears the prepared-statement cache), and the session of a request that did not
commit ends with a rollback. So no page that only reads ever reached psycopg's threshold of
five executions: PostgreSQL parsed and planned each of its statements again on every request.
Committing a transaction that wrote nothing leaves the data exactly as a rollback would, and
keeps the statements prepared on the pooled connection.

"Wrote nothing" is decided conservatively: no pending change in the session, no statement
other than a SELECT sent in the transaction (a flush, a bulk UPDATE, anything else marks it),
and no exception that ended the request. Everything else is rolled back as before, so a view
that flushed a change and then refused the request still changes nothing.
"""
from sqlalchemy import event

WROTE = "workflow_wrote"


def _mark_writes(connection, _cursor, statement, _parameters, _context, _executemany):
    if not statement.lstrip()[:6].upper() == "SELECT":
        connection.info[WROTE] = True


def _forget_writes(connection):
    connection.info.pop(WROTE, None)


def init_app(app, db):
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _mark_writes)
    for name in ("begin", "commit", "rollback"):
        event.listen(engine, name, _forget_writes)

    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session is
    # removed (Flask calls teardown functions in reverse order).
    @app.teardown_appcontext
    def _commit_if_read_only(error):
        session = db.session()  # this context's session, not the scoped proxy
        if error is not None or not session.in_transaction():
            return
        if session.new or session.dirty or session.deleted:
            return
        if session.connection().info.get(WROTE):
            return
        session.commit()
