"""How the documents write text, dates and paragraphs (shared by every document kind)."""


def paragraphs(text):
    """A text as its non-empty lines: each becomes one paragraph of the document."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def chinese_date(day):
    """2020年6月20日."""
    return f"{day.year}年{day.month}月{day.day}日"
