"""The plan's work plan (工作方案) as an editable Word file, from workplan_data(): the same
parts, in the same order and words, as templates/documents/workplan.html."""
from workflow.documents.word.page import OfficialDocument
from workflow.documents.workplan import workplan_data


def build_workplan(data):
    """.docx bytes of the work plan in ``data`` (workplan_data()'s shape)."""
    document = OfficialDocument(data["title"])
    document.title(data["title_lines"])
    if data["basis_citation"]:
        document.paragraph(f"按照{data['basis_citation']}要求，结合我单位实际，制定本方案。")
    headings = data["headings"]

    document.heading(1, headings["group"])
    document.paragraph(f"为切实做好{data['budget_year']}年度预算项目绩效评价工作，成立{data['organisation']}绩效评价工作小组，"
                       "工作小组人员名单如下：")
    for row in data["group"]:
        document.paragraph(f"{row['label']}：" + "　".join(row["names"]))
    if data["office"]:
        document.paragraph(f"评价工作小组下设办公室，办公室设在{data['office']}，负责本次绩效评价工作的组织、协调、督促、检查工作。"
                           f"相关业务科室负责{data['budget_year']}年度部门预算项目支出绩效评价工作。")
    document.paragraph("绩效评价工作小组负责复核项目数量的完整性及项目资金的准确性。")

    for key in ("principles", "method"):
        if key in headings:
            document.heading(1, headings[key])
            document.paragraphs(data[key])
    if "stages" in headings:
        document.heading(1, headings["stages"])
        for stage in data["stages"]:
            document.heading(2, f"{stage['number']}{stage['name']}（{stage['period']}）")
            if stage["duty"]:
                document.paragraph(stage["duty"])
    if "requirements" in headings:
        document.heading(1, headings["requirements"])
        document.paragraphs(data["requirements"])
    if "basis" in headings:
        document.heading(1, headings["basis"])
        document.paragraph("此次评价主要依据文件有：")
        for number, title in enumerate(data["basis_documents"], start=1):
            document.paragraph(f"{number}．{title}")
    return document.to_bytes()


def render_workplan_docx(plan):
    return build_workplan(workplan_data(plan))
