"""``flask --app wsgi refresh-derived``: what is stored on the evaluations as derived data,
computed again from its sources and repaired where it differs.

Two things are kept on each evaluation for the busy pages: the copies of its project's plan
and section (the progress board and the inbox read them, migration 0009) and the numbers of
open and all consistency findings (the review queue reads them, migration 0008). The services
keep both current on every write; a change made directly in the database (a correction in
psql, rows loaded by hand) bypasses them. This finds and repairs what such a change left
wrong, and says how much it was.
"""
from dataclasses import dataclass

from sqlalchemy import or_, select

from workflow.extensions import db
from workflow.models import Evaluation, Project
from workflow.models.evaluations import derived_update
from workflow.review import checks

# The findings counts are computed from each evaluation's content: read so many at a time.
BATCH = 200


@dataclass
class Summary:
    evaluations: int
    copies: int  # evaluations whose copy of the project's plan or section was wrong
    counts: int  # evaluations whose stored findings counts were wrong


def refresh():
    """Repair the copies and the counts of every evaluation, in one transaction."""
    table = Evaluation.__table__
    plan_of = select(Project.plan_id).where(Project.id == table.c.project_id).scalar_subquery()
    section_of = select(Project.section_id).where(Project.id == table.c.project_id).scalar_subquery()
    copies = db.session.execute(
        derived_update()
        .where(or_(table.c.plan_id.is_distinct_from(plan_of), table.c.section_id.is_distinct_from(section_of)))
        .values(plan_id=plan_of, section_id=section_of)
    ).rowcount
    ids = db.session.scalars(select(Evaluation.id).order_by(Evaluation.id)).all()
    counts = 0
    for start in range(0, len(ids), BATCH):
        counts += checks.recount(ids[start:start + BATCH])
        db.session.expunge_all()  # the content read for one batch is not needed for the next
    db.session.commit()
    return Summary(evaluations=len(ids), copies=copies, counts=counts)
