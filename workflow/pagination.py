"""One page of a long list (tasks, the review queue): a large plan has thousands of rows, and
a page shows a fixed number of them whatever the size of the plan."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import Integer, bindparam, func, select
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


def keyed_rows(query, key, limit, offset=0, rows_query=None, **windows):
    """``query`` (an ORM select with its ORDER BY) limited to ``limit`` rows from ``offset``,
    with window aggregates over all its rows (``windows``: name → aggregate, e.g.
    ``total=func.count()``) added as the last columns, in that order.

    For a query whose rows are wide (joined and eager-loaded tables): the page's ``key``
    values (the listed entity's primary key) and the aggregates are found on the query's own
    tables and conditions only, in a subquery, and the full rows are read for those keys in
    the same statement, by ``rows_query`` (the same select without its conditions, which the keys
    already satisfy; ``query`` itself by default). The database then joins and sorts the
    narrow rows of the query's own tables, and reads the wide ones for the page's keys only.
    ``limit`` and ``offset``: numbers, or bound parameters given when the statement runs."""
    columns = [key.label("page_key")] + [aggregate.over().label(name) for name, aggregate in windows.items()]
    page = (query.with_only_columns(*columns, maintain_column_froms=False)
            .limit(limit).offset(offset).subquery())
    rows_query = query if rows_query is None else rows_query
    return rows_query.join(page, key == page.c.page_key).add_columns(*(page.c[name] for name in windows))


def paginate(query, number=1, size=PAGE_SIZE, key=None, rows_query=None, whole_rows=False):
    """Rows of ``query`` (an ORM select with its ORDER BY) for page ``number``. The total
    comes with the rows (a window count, no second query); a page past the end shows the
    last page. With ``key`` (the listed entity's primary key column), the page's keys are
    found first and only their full rows read (keyed_rows: for wide, eager-loaded rows).

    The items are the rows' first column (the listed entity), or with ``whole_rows`` the rows
    themselves (a ``rows_query`` of plain columns; the total is left on them as their last
    column, named ``total``)."""
    def read(limit, offset):
        if key is None:
            statement = query.add_columns(func.count().over().label("total")).limit(limit).offset(offset)
        else:
            statement = keyed_rows(query, key, limit, offset, rows_query, total=func.count())
        return db.session.execute(statement).all()

    return _paged(read, lambda: db.session.scalar(_count(query)), number, size, whole_rows)


class Pages:
    """paginate(query, key=..., rows_query=...) for a list read on every view of a busy page:
    its statement is built once, the page's LIMIT and OFFSET (and the query's own bound
    parameters, ``params``) given when it runs. Keep the object (functools.cache): a list of
    many parts (subqueries, windows) need not be built and keyed anew on every view."""

    def __init__(self, query, key=None, rows_query=None, whole_rows=False, **windows):
        limit = bindparam("page_limit", type_=Integer)
        offset = bindparam("page_offset", type_=Integer)
        if key is None:
            self.statement = query.add_columns(func.count().over().label("total")).limit(limit).offset(offset)
        else:
            # ``windows``: more aggregates over all the rows, after the total (keyed_rows).
            self.statement = keyed_rows(query, key, limit, offset, rows_query, total=func.count(), **windows)
        self.count = _count(query)
        self.whole_rows = whole_rows

    def rows(self, limit, offset=0, params=None):
        """The rows of the statement from ``offset`` (at most ``limit``)."""
        return db.session.execute(self.statement, {**(params or {}), "page_limit": limit, "page_offset": offset}).all()

    def page(self, number=1, size=PAGE_SIZE, params=None):
        return _paged(lambda limit, offset: self.rows(limit, offset, params),
                      lambda: db.session.scalar(self.count, params or {}), number, size, self.whole_rows)


def _count(query):
    """The number of rows of ``query``."""
    return select(func.count()).select_from(query.options(lazyload("*")).order_by(None).subquery())


def _paged(read, count, number, size, whole_rows):
    """Page ``number`` of the rows ``read(limit, offset)`` gives (each with the total as its
    column ``total``); past the end, the last page (``count()``: the total)."""
    rows = read(size, (number - 1) * size)
    if rows:
        return Page(rows if whole_rows else [row[0] for row in rows], number, size, rows[0].total)
    if number == 1:
        return Page([], 1, size, 0)
    return _paged(read, count, max(1, ceil(count() / size)), size, whole_rows)

