"""A request that wrote nothing ends with COMMIT (psycopg then keeps its prepared statements);
one that wrote anything and did not commit it is still rolled back and changes nothing."""
import pytest
from sqlalchemy import event, text, update

from tests.conftest import login
from tests.factories import make_user
from workflow import create_app
from workflow.extensions import db
from workflow.models import Section
from workflow.permissions import public
from workflow.roles import Role

# Real commits: what is watched is how the app's own transactions end, on its engine.
pytestmark = pytest.mark.commits

@pytest.fixture
def endings(app):
    """How each transaction on the app's engine ended, in order."""
    seen = []
    engine = db.engine
    listeners = [(name, lambda _connection, name=name: seen.append(name)) for name in ("commit", "rollback")]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners:
        event.remove(engine, name, listener)


@pytest.fixture
def probe_app(app, tmp_path):
    """A second app on the same database with routes that misbehave on purpose (routes cannot
    be added to the shared app once it has served a request)."""
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                   "INSTANCE_PATH": str(tmp_path)})
    other.test_client_class = app.test_client_class

    def rename_then(finish):
        section = db.session.get(Section, int(other.config["PROBE_SECTION"]))
        section.name = "改过的名称"
        return finish()

    routes = {
        "flush_then_refuse": lambda: rename_then(lambda: (db.session.flush(), ("拒绝", 400))[1]),
        "pending_change": lambda: rename_then(lambda: "未提交"),
        "bulk_update": lambda: (db.session.execute(update(Section).values(name="批量改名")), "未提交")[1],
        "read_then_fail": lambda: (db.session.get(Section, int(other.config["PROBE_SECTION"])), 1 / 0)[1],
        "prepared": lambda: str(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))),
        "read": lambda: db.session.get(Section, int(other.config["PROBE_SECTION"])).name,
    }
    for name, view in routes.items():
        other.add_url_rule(f"/probe/{name}", name, public(view))
    with other.app_context():
        yield other
        db.engine.dispose()


def test_a_page_that_only_reads_ends_with_commit(client, endings):
    make_user("reader", roles=[Role.SECTION_STAFF])
    login(client, "reader")
    endings.clear()
    response = client.get("/work/inbox")
    assert response.status_code == 200
    assert endings and endings[-1] == "commit"
    assert "rollback" not in endings


@pytest.mark.parametrize("route", ["flush_then_refuse", "pending_change", "bulk_update"])
def test_a_request_that_wrote_without_committing_changes_nothing(probe_app, route):
    section = Section(name="原来的名称")
    db.session.add(section)
    db.session.commit()
    probe_app.config["PROBE_SECTION"] = section.id
    probe_app.test_client().get(f"/probe/{route}")
    db.session.expire_all()
    assert db.session.scalar(text("SELECT name FROM sections WHERE id = :id"), {"id": section.id}) == "原来的名称"


def test_a_request_that_failed_is_rolled_back(probe_app):
    section = Section(name="原来的名称")
    db.session.add(section)
    db.session.commit()
    probe_app.config["PROBE_SECTION"] = section.id
    seen = []
    with probe_app.app_context():
        engine = db.engine
    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda _c, name=name: seen.append(name))
    with pytest.raises(ZeroDivisionError):
        probe_app.test_client().get("/probe/read_then_fail")
    assert seen == ["rollback"]


def test_statements_of_read_only_requests_stay_prepared(probe_app):
    """psycopg prepares a statement at its fifth execution and forgets all of them on
    ROLLBACK: with read-only requests committed, the sixth request finds it prepared."""
    section = Section(name="原来的名称")
    db.session.add(section)
    db.session.commit()
    probe_app.config["PROBE_SECTION"] = section.id
    client = probe_app.test_client()
    for _ in range(6):
        assert client.get("/probe/read").get_data(as_text=True) == "原来的名称"
    with probe_app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":
        assert int(client.get("/probe/prepared").get_data(as_text=True)) >= 1
