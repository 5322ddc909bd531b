"""A refused workbook import (templates/excel/_import.html): its problems are the page's error
summary, whose heading links to the file field, and the field is marked and described by them.
Nothing is imported. (The other hand-written forms: tests/test_field_errors.py.)"""
from tests.test_excel import counts, office, send, template, world  # noqa: F401 (fixtures)
from tests.test_field_errors import summary_links
from tests.test_accessibility_pages import Elements


def test_a_refused_file_is_marked_and_its_problems_are_the_summary(office, world, template):
    before = counts()
    answer = send(office, world["plan"], template)
    assert answer.status_code == 422
    page = Elements(answer.get_data(as_text=True))
    (field,) = [a for _t, a in page.tags if a.get("name") == "file"]
    assert field["aria-invalid"] == "true" and "is-invalid" in field["class"]
    assert "文件中没有项目数据" in page.text_of[field["aria-describedby"]]
    assert summary_links(page) == ["#file"]
    assert counts() == before
