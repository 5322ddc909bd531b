"""One page of a long list (tasks, the review queue): a large plan has thousands of rows, and
a page shows a fixed number of them whatever the size of the plan."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from workflow.extensions import db

PAGE_SIZE = 25


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self):
        return max(1, ceil(self.total / self.size))

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


def page_number(raw):
    """The ``page`` query argument as a number from 1; anything else is page 1."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 100000 else 1


def paginate(query, number=1, size=PAGE_SIZE):
    """Rows of ``query`` (an ORM select with its ORDER BY) for page ``number``. The total
    comes with the rows (a window count, no second query); a page past the end shows the
    last page."""
    rows = db.session.execute(
        query.add_columns(func.count().over()).limit(size).offset((number - 1) * size)
    ).all()
    if rows:
        return Page([row[0] for row in rows], number, size, rows[0][-1])
    if number == 1:
        return Page([], 1, size, 0)
    total = db.session.scalar(
        select(func.count()).select_from(query.options(lazyload("*")).order_by(None).subquery())
    )
    return paginate(query, max(1, ceil(total / size)), size)
