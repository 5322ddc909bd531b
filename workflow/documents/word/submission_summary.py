"""The submission to the finance bureau (报送汇总表) as an editable Word file, from
summary_data(): the covering report to 市财政局 and, as its attachment, the table of the
evaluated projects, in the same words as templates/documents/submission_summary.html."""
from docx.enum.text import WD_ALIGN_PARAGRAPH

from workflow.documents.submission_summary import summary_data
from workflow.documents.word.page import Cell, OfficialDocument

COLUMNS = ("序号", "项目名称", "责任科室", "全年预算数", "全年执行数", "执行率", "得分", "评价\n等级", "预算安排\n建议")
# As submission_summary.css, with a point more for 执行率 so that "83.60%" keeps to one line in Word.
WIDTHS = (6, 19, 14, 12, 12, 10, 7, 7, 13)


def build_summary(data):
    """.docx bytes of the covering report and summary table in ``data`` (summary_data()'s shape)."""
    document = OfficialDocument(data["title"])
    if data["document_number"] or data["signer"]:
        document.number_line(data["document_number"], data["signer"])
    document.title(data["title_lines"])
    document.flush("市财政局：")
    document.paragraph(f"按照市财政局预算绩效评价工作要求，{data['organisation'] or '我单位'}组织开展了{data['budget_year']}"
                       "年度部门预算项目支出绩效评价工作。各项目经责任科室自评、绩效评价工作小组复核、组长审批，形成了评价结果。"
                       f"现将“{data['batch']}”的评价结果报送如下。")
    document.paragraph(f"本次报送项目{data['count']}个，全年预算数合计{data['budget']}万元，全年执行数合计{data['executed']}万元，"
                       f"预算执行率{data['rate']}。" + (f"评价等级：{data['grades']}。" if data["grades"] else ""))
    document.paragraphs(data["note"])
    document.paragraph("各项目的绩效评价报告随附报送。")
    document.attachment_note(data["attachments"])
    document.signoff(data["organisation"], data["date"])

    document.annex("附件")
    document.title([data["table_title"]])
    document.small("单位：万元").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    rows = [list(COLUMNS)]
    rows += [[row["number"], Cell(row["project"], align="left"), Cell(row["section"], align="left"), Cell(row["budget"], align="right"),
              Cell(row["executed"], align="right"), row["rate"], row["score"], row["grade"], row["advice"]] for row in data["rows"]]
    rows.append([Cell(f"合计（{data['count']}个项目）", span=3), Cell(data["budget"], align="right"),
                 Cell(data["executed"], align="right"), data["rate"], "", "", ""])
    document.table(WIDTHS, rows)
    return document.to_bytes()


def render_summary_docx(submission, rows=None):
    return build_summary(summary_data(submission, rows))
