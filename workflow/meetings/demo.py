"""The seed's training meeting (关于召开预算重点项目绩效评价工作培训会议的通知, 2020-06-15) as demo
data: 6月20日上午9:00 in 应急管理局2603会议室, its eleven participants, the attachment 培训登记表,
published so that the participants see it (and its 签到表 starts empty, as in the seed)."""
import io
from datetime import date, time

from werkzeug.datastructures import FileStorage

from workflow.meetings import export, services

TITLE = "预算重点项目绩效评价工作培训会议"
PURPOSE = (
    "按照承德市财政局《承德市市级预算绩效重点评价管理办法》（承财绩〔2020〕2号）、及《承德市财政局关于印发2020年市级"
    "预算绩效部门重点评价的计划通知》（承财评价〔2020〕6号）要求，为了解项目总体情况，学习绩效评价政策、评价标准，"
    "了解财政支出绩效评价方法和有关要求，承德市应急管理局绩效评价工作小组决定召开预算重点项目绩效评价工作培训会议。"
    "具体安排如下："
)
ISSUER = "承德市应急管理局绩效评价工作小组"
PLACE = "应急管理局2603会议室"
ADDRESSEE = "局机关各科室"
DAY, STARTS, ENDS = date(2020, 6, 20), time(9, 0), time(11, 30)  # 6月20日上午9:00
ISSUED_ON = date(2020, 6, 15)
# 参加人员, in the notice's order.
PARTICIPANTS = ("yanhongtao", "quzhiqing", "renzhihua", "wangjianhua", "lidongyang", "yuanliji", "wangxu",
                "zhangyukun", "gongjian", "wangshixue", "zhulili")


def load_training_meeting(plan, users, office_login="yanhongtao"):
    office = users[office_login]
    meeting = services.create_meeting(plan, services.MeetingData(
        title=TITLE, kind="training",
        starts_at=services.to_utc(DAY, STARTS), ends_at=services.to_utc(DAY, ENDS),
        place=PLACE, addressee=ADDRESSEE, purpose=PURPOSE, issuer=ISSUER, issued_on=ISSUED_ON,
    ), office)
    services.add_invitees(meeting, office, [users[login].id for login in PARTICIPANTS])
    form = FileStorage(io.BytesIO(export.blank_registration_form(TITLE)), filename="培训登记表.xlsx")
    services.add_attachment(meeting, office, form, "培训登记表")
    services.publish(meeting, office, address="demo")
    return meeting

