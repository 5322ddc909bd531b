"""The plan's work plan (工作方案) as an official-style PDF: the seed plan's group, office,
principles, method, stages with their dates, requirements and basis documents, on the GB/T
9704 page; and who may download it."""
import io
from datetime import date

import pytest
from pypdf import PdfReader

from tests import factories
from tests.conftest import signed_in
from tests.pdf_checks import (assert_every_glyph_drawn, assert_official_page, plain, prepared_fonts,  # noqa: F401
                              squeeze, text_of)
from workflow.documents import workplan
from workflow.extensions import db
from workflow.plans import services as plans

@pytest.fixture
def seed_plan(app, prepared_fonts):  # noqa: F811
    """The seed's plan: its texts and basis documents, the group of the seed's people."""
    org = factories.make_org()
    return org, factories.make_seed_plan(org)


def test_the_seed_plan_prints_as_the_seeds_work_plan(seed_plan):
    _org, plan = seed_plan
    pdf = workplan.render_workplan(plan)
    text = squeeze(text_of(pdf))
    expected = [
        "承德市应急管理局", "2020年市级预算绩效部门重点评价", "工作方案",
        "一、组织领导", "组长：姜立新", "副组长：闫洪涛曲志清", "成员：任志华李东阳",
        "办公室设在规划财务科", "项目数量的完整性及项目资金的准确性",
        "二、评价原则", "谁使用资金、谁负责绩效评价", "确保评价客观真实",
        "三、评价方法及工作流程", "项目责任科室自评→绩效评价工作小组复核→撰写绩效报告按要求报市财政局",
        "四、工作步骤", "（一）准备阶段（6月10日—6月30日）", "（二）自评阶段（7月2日—7月30日）",
        "（三）复核阶段（8月3日—8月21日）", "（四）报送财政局（8月24日—8月31日）", "（五）结果应用（9月1日—12月31日）",
        "五、工作要求", "花钱必问效，无效必问责",
        "六、评价依据", "承财预〔2019〕13号", "承财绩〔2020〕1号", "承财绩〔2020〕2号", "承财评价〔2020〕6号",
    ]
    for part in expected:
        assert squeeze(part) in text, part
    # In the seed's order: the group before the principles, the stages in their order.
    positions = [text.index(squeeze(part)) for part in ("一、组织领导", "二、评价原则", "（一）准备阶段", "（五）结果应用",
                                                         "六、评价依据")]
    assert positions == sorted(positions)
    assert "曲志清" in text and "局外人" not in text   # the outsider is in no group


def test_work_plan_is_on_the_official_page_with_every_glyph(seed_plan):
    _org, plan = seed_plan
    pdf = workplan.render_workplan(plan)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert_official_page(pdf)
    assert_every_glyph_drawn(pdf)


def test_work_plan_follows_the_plan_as_edited(seed_plan):
    """Dates moved by the office, a part left empty (the rest renumbered without a gap), a
    stage across the year's end, a rare character in a name: the next download shows them."""
    org, plan = seed_plan
    plans.update_stages(plan, {
        "prepare": ("准备阶段", date(2020, 6, 12), date(2020, 7, 1)),
        "self_evaluate": ("自评阶段", date(2020, 7, 2), date(2020, 7, 30)),
        "review": ("复核阶段", None, None),
        "report": ("报送财政局", date(2020, 8, 24), date(2020, 8, 31)),
        "apply": ("结果应用", date(2020, 9, 1), date(2021, 1, 15)),
    })
    plan.principles = ""
    org.leader.full_name = "王堃"
    db.session.commit()
    data = workplan.workplan_data(plan)
    assert list(data["headings"].values()) == ["一、组织领导", "二、评价方法及工作流程", "三、工作步骤", "四、工作要求",
                                               "五、评价依据"]
    pdf = workplan.render_workplan(plan)
    text = squeeze(text_of(pdf))
    for part in ("（一）准备阶段（6月12日—7月1日）", "（三）复核阶段（时间另行通知）",
                 "（五）结果应用（2020年9月1日—2021年1月15日）", "组长：王堃", "二、评价方法及工作流程"):
        assert squeeze(part) in text, part
    assert "评价原则" not in text
    assert_every_glyph_drawn(pdf)


def test_work_plan_data_is_plain_and_escaped(seed_plan):
    _org, plan = seed_plan
    plan.method = '<script>alert(1)</script><img src="http://127.0.0.1:9/x.png">'
    db.session.commit()
    data = workplan.workplan_data(plan)
    assert plain(data)
    pdf = workplan.render_workplan(plan)
    assert squeeze("<script>alert(1)</script>") in squeeze(text_of(pdf))


def test_plan_page_links_the_work_plan_for_everyone_who_sees_the_plan(app, seed_plan):
    org, plan = seed_plan
    for user in (org.office, org.leader, org.reviewer, org.staff_a, org.finance):
        client = signed_in(app, user)
        page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
        assert f'href="/plans/{plan.id}/workplan.pdf"' in page, user.username
    response = signed_in(app, org.staff_a).get(f"/plans/{plan.id}/workplan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E5%B7%A5%E4%BD%9C%E6%96%B9%E6%A1%88.pdf" in disposition   # …工作方案.pdf
    assert "组长：姜立新" in squeeze(text_of(response.data))


def test_work_plan_refuses_who_may_not_see_plans_and_unknown_plans(app, seed_plan):
    org, plan = seed_plan
    assert signed_in(app, org.admin).get(f"/plans/{plan.id}/workplan.pdf").status_code == 403
    assert signed_in(app, org.office).get("/plans/999999/workplan.pdf").status_code == 404
    anonymous = app.test_client().get(f"/plans/{plan.id}/workplan.pdf")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
