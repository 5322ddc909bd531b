"""SQL statements per page: a fixed handful, whatever the size of the plan.

The busy pages (the dashboard, the inbox, an evaluation, the review queue, the progress
board) are rendered through the test client for the people who use them, first with a small
plan, then after adding several times more sections, evaluations, audit records and review
comments. The statements each page sends to the database (SQLAlchemy's
``before_cursor_execute`` on the engine) are counted: at most MAX_STATEMENTS, and the same
number both times. A count that grows with the rows means rows are loaded one by one (N+1).
Speed itself is measured by bench/load.py, never here.
"""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.conftest import signed_in
from tests.factories import make_section, make_setup, make_user, walk_to
from workflow.engine import audit
from workflow.extensions import db
from workflow.plans import services as plans
from workflow.review import services as review
from workflow.roles import Role

# Real commits: the statements are counted, and a test's savepoints would add to them.
pytestmark = pytest.mark.commits


MAX_STATEMENTS = 15

# The states the plan's evaluations are spread over (approval, which renders the frozen
# report, is left out to keep the test fast; its pages are the same lists).
STATES = ("preparing", "self_evaluating", "submitted", "returned", "reviewed")


@contextmanager
def counting():
    """Collects the SQL statements sent while the block runs."""
    statements = []

    def count(_connection, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_of(client, path):
    """The statements of one GET of ``path`` (after one warm-up request)."""
    assert client.get(path).status_code == 200, path
    with counting() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


def add_evaluation(plan, name, section, staff, state, org):
    project = plans.add_project(plan, name, section.id, org.office)
    walk_to(project.evaluation, state, {"office": org.office, "staff": staff, "reviewer": org.reviewer,
                                        "leader": org.leader})
    return project.evaluation


def grow(plan, org, own, under_review):
    """Several times more of everything: four new sections with their staff, twelve more
    evaluations over every state and section, forty more audit records and three more review
    comments (on indicators) on the evaluations whose pages are counted."""
    sections = [(org.section_a, org.staff_a), (org.section_b, org.staff_b)]
    for n in range(4):
        section = make_section(f"新增业务{n + 1}科")
        sections.append((section, make_user(f"staff_new{n}", [Role.SECTION_STAFF], section)))
    for n in range(12):
        section, staff = sections[n % len(sections)]
        add_evaluation(plan, f"新增项目{n + 1:02d}", section, staff, STATES[n % len(STATES)], org)
    for n in range(20):
        audit.record(own, org.staff_a, "edit", details={"n": n})
        audit.record(under_review, org.staff_b, "edit", details={"n": n})
    db.session.commit()
    targets = [value for value, _label in review.comment_targets(under_review)]
    for n in range(3):
        review.add_comment(under_review, org.reviewer, targets[-1 - n], f"请核对第{n + 1}项数据。")


def test_busy_pages_send_few_statements_whatever_the_size_of_the_plan(app):
    org, plan = make_setup()
    own = add_evaluation(plan, "应急物资储备项目", org.section_a, org.staff_a, "self_evaluating", org)
    under_review = add_evaluation(plan, "危险化学品监测预警项目", org.section_b, org.staff_b, "submitted", org)
    add_evaluation(plan, "矿山隐患排查项目", org.section_a, org.staff_a, "reviewed", org)
    # A comment on a report section: its label is looked up as for many comments.
    review.add_comment(under_review, org.reviewer, review.comment_targets(under_review)[1][0], "请补充项目概况。")
    own_id, review_id = own.id, under_review.id
    clients = {who: signed_in(app, getattr(org, who)) for who in ("staff_a", "reviewer", "leader", "office")}
    pages = [
        ("dashboard", "staff_a", "/"), ("dashboard", "reviewer", "/"), ("dashboard", "leader", "/"),
        ("dashboard", "office", "/"),
        ("inbox", "staff_a", "/work/inbox"), ("inbox", "reviewer", "/work/inbox"), ("inbox", "leader", "/work/inbox"),
        ("evaluation", "staff_a", f"/evaluations/{own_id}"), ("evaluation", "reviewer", f"/evaluations/{review_id}"),
        ("review queue", "reviewer", "/evaluations/review"), ("review queue", "office", "/evaluations/review"),
        ("progress board", "leader", "/work/board"), ("progress board", "office", "/work/board"),
        ("progress board, filtered", "office", "/work/board?q=科&urgent=0"),
        ("progress board, page 2", "office", "/work/board?page=2"), ("whole board", "leader", "/work/board?all=1"),
    ]

    def count_all():
        return {(page, who): statements_of(clients[who], path) for page, who, path in pages}

    def shown():
        """How much the pages show: rows of the review queue, the leader's inbox and the
        board, entries of the evaluation's history."""
        html = {key: clients[who].get(path).get_data(as_text=True) for key, who, path in (
            ("queue", "reviewer", "/evaluations/review"), ("inbox", "leader", "/work/inbox"),
            ("board", "leader", "/work/board"), ("history", "reviewer", f"/evaluations/{review_id}"))}
        return (html["queue"].count('/review">'), html["inbox"].count('<tr class="task-'),
                html["board"].count("data-section="), html["history"].count('class="history-item"'))

    small, small_shown = count_all(), shown()
    grow(plan, org, db.session.get(type(own), own_id), db.session.get(type(under_review), review_id))
    large, large_shown = count_all(), shown()

    # The larger plan really shows several times more on these pages.
    assert all(big >= 2 * few > 0 for few, big in zip(small_shown, large_shown)), (small_shown, large_shown)
    problems = []
    for key in small:
        n_small, n_large = len(small[key]), len(large[key])
        if n_large != n_small or n_large > MAX_STATEMENTS:
            problems.append(f"{key}: {n_small} statements with the small plan, {n_large} with the large one")
            extra = [s for s in large[key] if s not in small[key]] or large[key]
            problems += ["    " + " ".join(s.split())[:160] for s in extra[:5]]
    assert not problems, "\n".join(problems)


def test_the_review_queue_reads_its_page_in_one_statement(app):
    """The user, the page's rows with the total (the page's ids and their rows together), the
    current plan's unsubmitted projects with their number and the plan's title: three
    statements."""
    org, plan = make_setup()
    for n in range(3):
        add_evaluation(plan, f"待复核项目{n}", org.section_a, org.staff_a, "submitted", org)
    add_evaluation(plan, "自评中的项目", org.section_b, org.staff_b, "self_evaluating", org)
    statements = statements_of(signed_in(app, org.reviewer), "/evaluations/review")
    assert len(statements) == 3, "\n".join(" ".join(s.split())[:160] for s in statements)


def test_the_dashboard_reads_the_user_with_the_section_and_the_inbox_in_one_statement_each(app):
    """The user with the roles, the section, the unread count and the session's row (the
    cookie's session checked in the same statement: workflow/auth/sessions.py); the current plan; whom the
    user stands in for (deputies, 代理); the inbox's first tasks with their numbers: four
    statements for a section's staff and a reviewer."""
    org, plan = make_setup()
    add_evaluation(plan, "应急物资储备项目", org.section_a, org.staff_a, "self_evaluating", org)
    add_evaluation(plan, "危险化学品监测预警项目", org.section_b, org.staff_b, "submitted", org)
    for who in (org.staff_a, org.reviewer):
        statements = statements_of(signed_in(app, who), "/")
        assert len(statements) == 4, "\n".join(" ".join(s.split())[:160] for s in statements)


def test_the_evaluation_page_reads_the_content_by_one_statement_per_kind(app):
    """The section's own evaluation in 自评中 checks completeness (the submit button and the
    list of what is missing): the user; the evaluation with its project and its open task; its
    funding rows, indicators, narrative and the plan's report outline, one lazy load each
    (checked twice without another); the review comments and the history; whom the user stands
    in for and, in one statement, whether they may act in the role the buttons need (the
    engine's rule, rights.py). The reviewer's page of a submitted one reads no content, and asks
    for each of its two buttons whether the reviewer gave an opinion in this round already."""
    org, plan = make_setup()
    own = add_evaluation(plan, "应急物资储备项目", org.section_a, org.staff_a, "self_evaluating", org)
    under_review = add_evaluation(plan, "危险化学品监测预警项目", org.section_b, org.staff_b, "submitted", org)
    own_id, review_id = own.id, under_review.id
    section_page = statements_of(signed_in(app, org.staff_a), f"/evaluations/{own_id}")
    assert len(section_page) == 10, "\n".join(section_page)
    reviewer_page = statements_of(signed_in(app, org.reviewer), f"/evaluations/{review_id}")
    assert len(reviewer_page) == 8, "\n====".join(" ".join(s.split())[:150] for s in reviewer_page)


def test_a_submit_reads_as_much_for_eight_reviewers_as_for_two(app):
    """The reviewers a submitted evaluation waits for are found, with whoever stands in for
    them, in a fixed number of queries: on deadline day every section submits at once. (Each
    one's notification is a row of its own: one INSERT for all on PostgreSQL, one a row on
    SQLite.)"""
    from tests.factories import fill_complete
    from workflow.engine import actions

    org, plan = make_setup()

    def submit_reads(name):
        evaluation = add_evaluation(plan, name, org.section_a, org.staff_a, "self_evaluating", org)
        fill_complete(evaluation)
        with counting() as statements:
            actions.perform(evaluation.id, "submit", org.staff_a)
        return sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))

    few = submit_reads("应急物资储备项目")
    more = [make_user(f"reviewer_x{n}", [Role.REVIEWER], org.office_section) for n in range(6)]
    plans.set_group(plan, org.leader.id, [org.reviewer.id], [org.reviewer2.id, *(u.id for u in more)])
    assert submit_reads("安全生产宣传项目") == few
