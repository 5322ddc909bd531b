"""The templates' numeric date filters give exactly Flask-Babel's text, in both languages and
in the user's time zone (a UTC evening is the next morning in Shanghai)."""
from datetime import date, datetime, timezone

from flask_babel import force_locale, format_date, format_datetime

from workflow import i18n

MOMENTS = [
    datetime(2026, 11, 27, 21, 5, tzinfo=timezone.utc),  # 05:05 the next day in Shanghai
    datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc),
    datetime(2025, 12, 31, 15, 59, 59, tzinfo=timezone.utc),  # 23:59 on New Year's Eve there
    datetime(2024, 2, 29, 16, 0),  # naive: taken as UTC, as Flask-Babel does
]
PATTERNS = ("yyyy-MM-dd HH:mm", "yyyy-MM-dd", "MM-dd")


def test_numeric_patterns_match_flask_babel(app):
    with app.test_request_context("/"):
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                for moment in MOMENTS:
                    for pattern in PATTERNS:
                        assert i18n.datetimeformat(moment, pattern) == format_datetime(moment, pattern)
                        assert i18n.dateformat(moment, pattern[:10]) == format_date(moment, pattern[:10])
                    assert i18n.dateformat(moment.date(), "MM-dd") == format_date(moment.date(), "MM-dd")
        assert i18n.datetimeformat(MOMENTS[0], "yyyy-MM-dd HH:mm") == "2026-11-28 05:05"


def test_other_patterns_and_values_go_to_flask_babel(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            assert i18n.datetimeformat(MOMENTS[0], "MMM d, yyyy") == format_datetime(MOMENTS[0], "MMM d, yyyy")
            assert i18n.dateformat(date(2026, 3, 1), "EEEE") == "Sunday"
            assert i18n.datetimeformat(MOMENTS[0]) == format_datetime(MOMENTS[0])


def test_templates_use_the_numeric_filters(app):
    assert app.jinja_env.filters["datetimeformat"] is i18n.datetimeformat
    assert app.jinja_env.filters["dateformat"] is i18n.dateformat


def test_the_filters_follow_a_change_of_time_zone_within_the_request(app):
    """The zone is read where Flask-Babel keeps it for the request: refresh() is followed."""
    from flask_babel import get_babel, refresh

    babel = get_babel()
    with app.test_request_context("/"):
        assert i18n.datetimeformat(MOMENTS[0], "yyyy-MM-dd HH:mm") == "2026-11-28 05:05"
        saved = babel.default_timezone
        babel.default_timezone = "UTC"
        try:
            refresh()
            assert i18n.datetimeformat(MOMENTS[0], "yyyy-MM-dd HH:mm") == "2026-11-27 21:05"
            assert i18n.dateformat(MOMENTS[0], "yyyy-MM-dd") == "2026-11-27"
        finally:
            babel.default_timezone = saved
            refresh()
        assert i18n.datetimeformat(MOMENTS[0], "yyyy-MM-dd HH:mm") == "2026-11-28 05:05"
