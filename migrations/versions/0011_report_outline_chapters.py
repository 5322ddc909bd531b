"""Report outlines without typed numbers: each section gets its chapter (基本情况) and keeps its
part title (项目概况) without 一、 or （一）, so that the report numbers what it prints and an
empty optional section no longer leaves a gap or a repeat. The section that states the score
cites the scoring table (cites_annex). Every plan's outline gains the preamble (the opening
paragraph the seed's report has), unheaded, before the chapters.

Existing titles are split as they were written: "一、基本情况（一）项目概况" opens chapter
基本情况 with part 项目概况; "（二）项目绩效目标" is a part of the chapter above; "三、综合评价…"
is a chapter whose section has no part title. The downgrade writes the numbers back.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_CHAPTER = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*([^（(]*)(.*)$")
_PART = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*(.*)$")
_DIGITS = "零一二三四五六七八九"

sections = sa.table(
    "plan_report_sections",
    sa.column("id", sa.Integer), sa.column("plan_id", sa.Integer), sa.column("key", sa.String),
    sa.column("chapter", sa.String), sa.column("title", sa.String), sa.column("hint", sa.Text),
    sa.column("required", sa.Boolean), sa.column("cites_annex", sa.Boolean), sa.column("sort_order", sa.Integer),
)


def split(title, chapter):
    """(chapter, part title) of an old numbered title, given the chapter above it."""
    match = _CHAPTER.match(title)
    if match:
        rest = _PART.match(match.group(2).strip())
        return match.group(1).strip(), (rest.group(1).strip() if rest else match.group(2).strip())
    match = _PART.match(title)
    return chapter, (match.group(1).strip() if match else title.strip())


def _outlines(connection):
    rows = connection.execute(
        sa.select(sections.c.id, sections.c.plan_id, sections.c.key, sections.c.chapter, sections.c.title,
                  sections.c.sort_order)
        .order_by(sections.c.plan_id, sections.c.sort_order, sections.c.id)
    ).all()
    plans = {}
    for row in rows:
        plans.setdefault(row.plan_id, []).append(row)
    return plans


def upgrade():
    with op.batch_alter_table('plan_report_sections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chapter', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cites_annex', sa.Boolean(), nullable=False, server_default=sa.false()))

    connection = op.get_bind()
    for plan_id, rows in _outlines(connection).items():
        chapter = ""
        for row in rows:
            chapter, title = split(row.title or "", chapter)
            connection.execute(sections.update().where(sections.c.id == row.id).values(
                chapter=chapter, title=title, cites_annex=row.key == "conclusion"))
        if all(row.key != "preamble" for row in rows):
            connection.execute(sections.insert().values(
                plan_id=plan_id, key="preamble", chapter="", title="",
                hint="评价依据、目的和对象（已按工作方案的依据文件预填）", required=False, cites_annex=False,
                sort_order=min(row.sort_order for row in rows) - 1))


def _chinese(number):
    tens, ones = divmod(number, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")


def downgrade():
    connection = op.get_bind()
    connection.execute(sections.delete().where(sections.c.key == "preamble"))
    for rows in _outlines(connection).values():
        chapters = parts = 0
        current = None
        for row in rows:
            title = row.title or ""
            numbered = ""
            if row.chapter and row.chapter != current:
                chapters += 1
                parts = 0
                numbered = f"{_chinese(chapters)}、{row.chapter}"
            current = row.chapter
            if title and row.chapter:
                parts += 1
                numbered += f"（{_chinese(parts)}）{title}"
            connection.execute(sections.update().where(sections.c.id == row.id)
                               .values(title=(numbered or title)[:100]))
    with op.batch_alter_table('plan_report_sections', schema=None) as batch_op:
        batch_op.drop_column('cites_annex')
        batch_op.drop_column('chapter')
