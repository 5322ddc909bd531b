"""The meeting documents as editable Word files, from notice_data() and signin_sheet_data():
the notice (关于召开……的通知) with its attachment 培训登记表, and the sign-in sheet (签到表), in
the same words and tables as templates/documents/notice.html and signin_sheet.html."""
from docx.shared import Mm, Pt

from workflow.documents.meeting import notice_data, signin_sheet_data
from workflow.documents.word.page import SIZE_SMALL, Cell, OfficialDocument

DRAFT_HEADER = "草稿　通知尚未发布"

# Column widths (per cent of the text block), as in meeting.css.
REGISTER_WIDTHS = (7, 12, 25, 11, 19, 13, 13)
SIGNIN_WIDTHS = (6, 11, 20, 9, 17, 11, 14, 12)
# Rows tall enough to write in by hand.
REGISTER_ROW, SIGNIN_ROW = Mm(8.5), Mm(10)


def build_notice(data):
    """.docx bytes of the notice in ``data`` (notice_data()'s shape) with its registration form."""
    document = OfficialDocument(data["heading"], header=DRAFT_HEADER if data["draft"] else None)
    document.title(data["heading_lines"])
    if data["addressee"]:
        document.flush(f"{data['addressee']}：")
    document.paragraphs(data["purpose"])
    document.paragraph(f"会议时间：{data['time_text']}")
    document.paragraph(f"会议地点：{data['place']}")
    document.paragraph("参加人员：" + "　".join(data["participants"]))
    document.paragraphs(data["arrangements"])
    if data["reply"]:
        document.paragraph(data["reply"])
    document.attachment_note(data["attachments"])
    document.signoff(data["issuer"], data["issued_on_text"])

    form = data["form"]
    document.annex("附件1" if len(data["attachments"]) > 1 else "附件")
    document.title(form["name_lines"]).paragraph_format.space_after = Mm(3)
    facts = [f"会议名称：{form['meeting']}", f"会议时间：{form['when']}　　会议地点：{form['place']}"]
    if form["reply_by"]:
        facts.append(f"请于{form['reply_by']}前填写" + (f"，报{form['reply_to']}" if form["reply_to"] else "") + "。")
    for line in facts:
        document.small(line)
    rows = [form["columns"]]
    rows += [[row["index"], row["name"], Cell(row["unit"], align="left"), row["title"], row["phone"], "", ""]
             for row in form["rows"]]
    document.table(REGISTER_WIDTHS, rows, size=SIZE_SMALL, row_height=REGISTER_ROW)
    return document.to_bytes()


def build_signin_sheet(data):
    """.docx bytes of the sign-in sheet in ``data`` (signin_sheet_data()'s shape); the 签名
    column stays empty for the handwritten signatures."""
    document = OfficialDocument(data["heading"])
    document.title(data["heading_lines"]).paragraph_format.space_after = Mm(3)
    facts = [[Cell("会议名称", head=True), Cell(data["title"], span=3, align="left")],
             [Cell("会议时间", head=True), Cell(data["when"], align="left"), Cell("会议地点", head=True),
              Cell(data["place"], align="left")]]
    if data["organiser"]:
        facts.append([Cell("主办单位", head=True), Cell(data["organiser"], span=3, align="left")])
    document.table((13, 39, 13, 35), facts, head_rows=0, size=SIZE_SMALL, borders=False)
    rows = [data["columns"]]
    rows += [[row["index"], row["name"], Cell(row["unit"], align="left"), row["title"], row["phone"], row["signed_at"], "",
              Cell(row["remarks"], align="left")] for row in data["rows"]]
    document.table(SIGNIN_WIDTHS, rows, row_height=SIGNIN_ROW)
    summary = data["summary"]
    line = (f"应到{summary['invited']}人，实到{summary['signed_in']}人（其中迟到{summary['late']}人），"
            f"请假{summary['absent']}人" + (f"；名单外签到{summary['walk_ins']}人" if summary["walk_ins"] else "") + "。")
    document.small(line).paragraph_format.space_before = Pt(6)
    return document.to_bytes()


def render_notice_docx(meeting):
    return build_notice(notice_data(meeting))


def render_signin_sheet_docx(meeting, now=None):
    return build_signin_sheet(signin_sheet_data(meeting, now))
