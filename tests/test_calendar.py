"""Each user's private iCal feed: their task deadlines and the plan's stages, served
without login at a secret URL that can be renewed."""
from datetime import date, timedelta

from icalendar import Calendar

from tests.factories import make_evaluation, make_setup
from workflow.engine import calendar
from workflow.extensions import db


def events(ics):
    parsed = Calendar.from_ical(ics)
    assert parsed.get("version") == "2.0"
    return {str(e.get("uid")): e for e in parsed.walk("VEVENT")}


def task_events(found):
    return {uid: e for uid, e in found.items() if uid.startswith("task-")}


def stage_events(found):
    return {uid: e for uid, e in found.items() if uid.startswith("stage-")}


def test_ensure_token_makes_one_secret_and_keeps_it():
    org, _plan = make_setup()
    assert org.staff_a.calendar_token is None
    token = calendar.ensure_token(org.staff_a)
    assert len(token) >= 32
    db.session.expire_all()
    assert org.staff_a.calendar_token == token
    assert calendar.ensure_token(org.staff_a) == token
    assert calendar.ensure_token(org.staff_b) != token
    assert calendar.user_for_token(token).id == org.staff_a.id
    assert calendar.user_for_token("x" * 65) is None and calendar.user_for_token("") is None


def test_the_feed_holds_the_users_deadlines_and_the_plans_stages():
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating", name="应急物资储备项目")  # staff_a, due 07-30
    make_evaluation(plan, org, "preparing", name="森林草原防灭火宣传培训项目")  # staff_a, due 06-30
    make_evaluation(plan, org, "submitted", name="危险化学品重大危险源监测预警项目", section=org.section_b)
    make_evaluation(plan, org, "applied", name="已完成的项目")  # no open task

    found = events(calendar.feed(org.staff_a, domain="jxpj.test"))
    deadlines = sorted((e.get("dtstart").dt, str(e.get("summary"))) for e in task_events(found).values())
    assert deadlines == [
        (date(2020, 6, 30), "设定绩效目标：森林草原防灭火宣传培训项目"),
        (date(2020, 7, 30), "填报并提交自评：应急物资储备项目"),
    ]
    for event in task_events(found).values():
        assert event.get("dtend").dt == event.get("dtstart").dt + timedelta(days=1)
        assert str(event.get("uid")).endswith("@jxpj.test")

    stages = sorted((e.get("dtstart").dt, e.get("dtend").dt, str(e.get("summary")))
                    for e in stage_events(found).values())
    assert stages == [
        (s.start_date, s.due_date + timedelta(days=1), f"{plan.title}：{s.name}") for s in plan.stages
    ]
    assert [s.name for s in plan.stages] == ["准备阶段", "自评阶段", "复核阶段", "报送财政局", "结果应用"]

    # The reviewers of the group see the review; section A's staff and the outsider do not.
    review = "复核自评：危险化学品重大危险源监测预警项目"
    for user, sees in ((org.reviewer, True), (org.reviewer2, True), (org.outsider, False), (org.staff_b, False)):
        summaries = {str(e.get("summary")) for e in task_events(events(calendar.feed(user))).values()}
        assert (review in summaries) == sees, user.username
    assert review not in {str(e.get("summary")) for e in task_events(found).values()}


def test_the_feed_url_works_without_login_and_only_with_the_right_token(client):
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating", name="应急物资储备项目")
    token = calendar.ensure_token(org.staff_a)

    response = client.get(f"/work/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    found = events(response.data)
    assert [str(e.get("summary")) for e in task_events(found).values()] == ["填报并提交自评：应急物资储备项目"]
    assert len(stage_events(found)) == 5

    assert client.get(f"/work/calendar/{token[:-1]}x.ics").status_code == 404
    assert client.get("/work/calendar/" + "a" * 70 + ".ics").status_code == 404

    new_token = calendar.renew_token(org.staff_a)
    assert new_token != token
    assert client.get(f"/work/calendar/{token}.ics").status_code == 404
    assert client.get(f"/work/calendar/{new_token}.ics").status_code == 200


def test_the_feed_of_a_deactivated_account_is_gone(client):
    org, _plan = make_setup()
    token = calendar.ensure_token(org.staff_a)
    assert client.get(f"/work/calendar/{token}.ics").status_code == 200
    org.staff_a.active = False
    db.session.commit()
    assert client.get(f"/work/calendar/{token}.ics").status_code == 404


def test_the_uids_are_the_same_whichever_host_name_the_feed_is_fetched_through(app, client):
    """A calendar subscribed once through the server's name and once through its address must
    see each event once: the UIDs end in CALENDAR_UID_DOMAIN, not in the request's host."""
    org, plan = make_setup()
    make_evaluation(plan, org, "self_evaluating", name="应急物资储备项目")
    token = calendar.ensure_token(org.staff_a)
    through_name = client.get(f"/work/calendar/{token}.ics", base_url="http://jxpj.chengde.gov.cn")
    through_address = client.get(f"/work/calendar/{token}.ics", headers={"Host": "127.0.0.1:5105"})
    assert through_name.status_code == through_address.status_code == 200
    uids = set(events(through_name.data))
    assert uids == set(events(through_address.data))
    assert len(uids) == 6  # one deadline, five stages
    domain = app.config["CALENDAR_UID_DOMAIN"]
    assert all(uid.endswith(f"@{domain}") for uid in uids)
    assert not any("127.0.0.1" in uid or "chengde" in uid for uid in uids)
