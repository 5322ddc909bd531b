"""Pieces of the end-to-end year (tests/test_year_e2e.py): the seed's organisation, the
settable clock in the office's time zone, the people at their browsers and the downloads.

Only the organisation (sections and accounts, the administrator's work before the year
starts) is written straight to the database; everything of the year itself goes through the
pages, as the people of the seed would do it."""
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.factories import make_section, make_user
from tests.pdf_checks import squeeze, text_of
from tests.test_meetings_browser import PHONE, log_in
from workflow import clock, demo

# APP_TIMEZONE's default, the office's calendar: the times the pages show (08:45) are in it.
OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
DESKTOP = {"width": 1366, "height": 900}
TIMEOUT_MS = 15_000


def make_organisation():
    """The seed's sections and people (workflow/demo.py's SECTIONS and PEOPLE), each with the
    test password; returns {login: (full name, section name)}."""
    sections = {name: make_section(name, is_office) for name, is_office in demo.SECTIONS}
    people = {}
    for login, full_name, section_name, title, roles, _part in demo.PEOPLE:
        make_user(login, roles=roles, section=sections.get(section_name), full_name=full_name, title=title)
        people[login] = (full_name, section_name)
    return people


def at(month, day, hour=10, minute=0):
    """Move the application's clock to this moment of 2020 in the office's time zone. The
    live server runs in this process, so its requests read the same clock."""
    moment = datetime(2020, month, day, hour, minute, tzinfo=OFFICE_ZONE)
    clock.freeze(moment.astimezone(timezone.utc))
    return moment


@dataclass
class Desk:
    """One person's browser (own cookies), logged in once for the whole year."""

    login: str
    page: object

    def go(self, path):
        self.page.goto(path)
        return self.page

    def nav(self, label):
        """Follow the top bar's link, as a person finds the page."""
        link = self.page.locator("#main-nav").get_by_role("link", name=label, exact=True)
        target = link.get_attribute("href")
        link.click()
        self.page.wait_for_url(lambda url: url.endswith(target))
        return self.page

    def download(self, locator):
        """Click a download link; the file's bytes."""
        with self.page.expect_download() as info:
            locator.click()
        return Path(info.value.path()).read_bytes()


class Office:
    """The browsers of the people of the year, opened on first use."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.desks = {}
        self.contexts = []

    def new_context(self, **options):
        options.setdefault("viewport", DESKTOP)
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", accept_downloads=True, **options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return context

    def desk(self, login):
        if login not in self.desks:
            page = self.new_context().new_page()
            page.goto("/auth/login")
            log_in(page, login)
            page.wait_for_url(re.compile(r"/$"))
            self.desks[login] = Desk(login, page)
        return self.desks[login]

    def phone(self):
        return self.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()

    def close(self):
        for context in self.contexts:
            context.close()


def pdf_text(data):
    """The PDF's text without any white space (pypdf breaks lines where the layout does)."""
    assert data[:5] == b"%PDF-", data[:40]
    return squeeze(text_of(data))


def expect_flash(page, text):
    expect(page.locator(".alert", has_text=text).first).to_be_visible()
