"""Languages: Chinese by default, English from the catalogue, the choice remembered in the
session (anonymous visitors) and on the account (signed-in users)."""
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired

from tests.conftest import login, post
from tests.factories import make_section, make_user
from workflow.models import User
from workflow.roles import Role

PROJECT_DIR = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT_DIR / "workflow" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
# The keywords of `make extract-messages`: babel's defaults (_, gettext, ngettext, ...) plus
# the lazy forms used for module-level text.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
# A message with a context (pgettext) is keyed as gettext itself keys it: "context\x04msgid".
CONTEXT_SEPARATOR = "\x04"
# A printf-style conversion: %(name)s, %(n)d, %s, %% ...
PLACEHOLDER = re.compile(r"%(?:\(([^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
HAN = re.compile(r"[\u4e00-\u9fff]")


# The catalogue ---------------------------------------------------------------------------


def extract_project_messages():
    """What `pybabel extract -F babel.cfg` finds in the project today: {msgid: [locations]}."""
    with open(PROJECT_DIR / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PROJECT_DIR), method_map, options_map, keywords=KEYWORDS
    ):
        key = message if context is None else f"{context}{CONTEXT_SEPARATOR}{message}"
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def load_catalogue(path=EN_PO):
    with open(path, "rb") as handle:
        return read_po(handle, locale="en")


def placeholders(text):
    return sorted((name or "", kind) for name, kind in PLACEHOLDER.findall(text or ""))


def catalogue_problems(extracted, catalogue):
    """Every way the catalogue falls short of the extracted messages, as readable lines."""
    problems = []
    for message_id, where in sorted(extracted.items(), key=lambda item: str(item[0])):
        # ngettext gives (singular, plural); the catalogue is keyed on the singular.
        key = message_id[0] if isinstance(message_id, tuple) else message_id
        context, _sep, key = key.rpartition(CONTEXT_SEPARATOR)
        ids = message_id if isinstance(message_id, tuple) else (key,)
        entry = catalogue.get(key, context=context or None)
        label = f"{key!r} ({', '.join(where)})"
        if entry is None:
            problems.append(f"missing from messages.po: {label}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {label}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {label}")
        expected = placeholders(ids[0])
        for string in strings:
            if placeholders(string) != expected:
                problems.append(f"placeholders differ: {label}: {string!r}")
    return problems


def test_every_extracted_message_has_an_english_translation():
    extracted = extract_project_messages()
    # Sanity: the extraction really ran over Python code and templates.
    assert "绩效评价工作台" in extracted  # templates/base.html
    assert "请先登录。" in extracted  # workflow/i18n.py, via _l
    assert "不支持该语言。" in extracted  # workflow/main/services.py, via _
    assert len(extracted) > 50
    problems = catalogue_problems(extracted, load_catalogue())
    assert not problems, "Run `make extract-messages` and translate:\n" + "\n".join(problems)


def test_catalogue_entries_are_complete_and_keep_their_placeholders():
    catalogue = load_catalogue()
    assert catalogue.locale_identifier == "en"
    for entry in catalogue:
        if not entry.id:
            continue  # the header
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(s and s.strip() for s in strings), f"empty translation for {entry.id!r}"
        assert not entry.fuzzy, f"fuzzy translation for {entry.id!r}"
        assert not any(HAN.search(s) for s in strings), f"Chinese left in the English text of {entry.id!r}"
        for string in strings:
            assert placeholders(string) == placeholders(ids[0]), (entry.id, string)
        # Babel's own checkers (python-format and friends) agree.
        assert not list(entry.check(catalogue)), entry.id


def test_the_completeness_check_catches_forgotten_translations():
    """The check above must fail when a new string is added and not translated."""
    catalogue = Catalog(locale="en")
    catalogue.add("已翻译", "Translated")
    catalogue.add("模糊", "Fuzzy", flags=["fuzzy"])
    catalogue.add("空的", "")
    catalogue.add("您好，%(name)s", "Hello, %(person)s", flags=["python-format"])
    extracted = {
        "已翻译": ["a.py:1"],
        "模糊": ["a.py:2"],
        "空的": ["a.py:3"],
        "您好，%(name)s": ["a.py:4"],
        "新增的文字": ["a.py:5"],
    }
    problems = catalogue_problems(extracted, catalogue)
    assert len(problems) == 4, problems
    assert any(p.startswith("missing") and "新增的文字" in p for p in problems)
    assert any(p.startswith("untranslated") and "空的" in p for p in problems)
    assert any(p.startswith("fuzzy") and "模糊" in p for p in problems)
    assert any(p.startswith("placeholders differ") and "您好" in p for p in problems)
    assert not catalogue_problems({"已翻译": ["a.py:1"]}, catalogue)


def test_compiled_catalogue_is_up_to_date():
    """The app reads the .mo (compiled by `make translations`); it must match the .po."""
    assert EN_MO.exists(), "run `make translations` (pybabel compile -d workflow/translations)"
    with open(EN_MO, "rb") as handle:
        compiled = read_mo(handle)
    for entry in load_catalogue():
        if entry.id:
            found = compiled.get(entry.id, context=entry.context)
            assert found is not None, f"{entry.id!r} not compiled: run `make translations`"
            # A plural's forms come back from the .mo as a list, from the .po as a tuple.
            strings = tuple(found.string) if isinstance(found.string, list) else found.string
            assert strings == entry.string, f"{entry.id!r} is stale: run `make translations`"


# Choosing the language -----------------------------------------------------------------


def browser(app):
    """A new browser: its own cookies, nothing shared with the others."""
    return app.test_client()


@pytest.fixture
def client(app):
    return browser(app)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def html_lang(text):
    match = re.search(r'<html lang="([^"]+)"', text)
    assert match, "no <html lang>"
    return match.group(1)


def stored_locale(db, user_id):
    """The user's language as committed to the database (a fresh connection, no ORM cache)."""
    with db.engine.connect() as connection:
        return connection.execute(select(User.locale).where(User.id == user_id)).scalar_one()


def assert_chinese_login_page(text):
    assert html_lang(text) == "zh-CN"
    assert "<title>登录 · 绩效评价工作台</title>" in text
    assert "登录名" in text and "密码" in text
    assert "Sign in" not in text
    assert 'data-testid="lang-en"' in text  # the switch offers the other language


def assert_english_login_page(text):
    assert html_lang(text) == "en"
    assert "<title>Sign in · Performance Evaluation Workbench</title>" in text
    assert "Username" in text and "Password" in text
    assert "登录名" not in text and "绩效评价工作台" not in text
    assert 'data-testid="lang-zh_CN"' in text and 'data-testid="lang-en"' not in text


def test_chinese_is_the_default_for_an_anonymous_visitor(client):
    text = page(client, "/auth/login")
    assert_chinese_login_page(text)
    with client.session_transaction() as session:
        assert "locale" not in session


def test_anonymous_visitor_switches_to_english_and_it_is_remembered(client):
    response = post(client, "/language/en", headers={"Referer": "http://localhost/auth/login"})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/auth/login", "http://localhost/auth/login")
    with client.session_transaction() as session:
        assert session["locale"] == "en"

    assert_english_login_page(page(client, "/auth/login"))
    # Later requests, other pages, the same session: still English.
    assert_english_login_page(page(client, "/auth/login"))
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    # Text produced by the services is English too.
    failed = post(client, "/auth/login", {"username": "nobody", "password": "wrong-password1"})
    assert "Incorrect username or password." in failed.get_data(as_text=True)

    # A different browser is not affected.
    assert_chinese_login_page(page(browser(client.application), "/auth/login"))


def test_language_switch_never_redirects_to_another_site(client):
    response = post(client, "/language/en", headers={"Referer": "https://evil.example/phish"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/")


@pytest.mark.commits  # reads the engine's own connections
def test_signed_in_user_switches_language_and_it_follows_the_account(app, client, db):
    section = make_section("综合科")
    user = make_user("zhangsan", roles=[Role.SECTION_STAFF], section=section, full_name="张三")
    login(client, "zhangsan")
    text = page(client, "/")
    assert html_lang(text) == "zh-CN"
    assert "您好，张三" in text and "科室经办人" in text
    assert stored_locale(db, user.id) is None

    response = post(client, "/language/en")
    assert response.status_code == 302
    text = page(client, "/")
    assert html_lang(text) == "en"
    assert "<title>Dashboard · Performance Evaluation Workbench</title>" in text
    assert "Hello, 张三" in text
    assert "Section staff" in text and "Sign out" in text
    assert "您好" not in text and "科室经办人" not in text
    assert stored_locale(db, user.id) == "en"

    assert post(client, "/auth/logout").status_code == 302

    # Another computer: no cookies at all, yet the account remembers English.
    other = browser(app)
    assert_chinese_login_page(page(other, "/auth/login"))
    login(other, "zhangsan")
    text = page(other, "/")
    assert html_lang(text) == "en"
    assert "Hello, 张三" in text and "Dashboard" in text

    # And back to Chinese.
    assert post(other, "/language/zh_CN").status_code == 302
    text = page(other, "/")
    assert html_lang(text) == "zh-CN"
    assert "您好，张三" in text and "工作台" in text
    assert "Hello" not in text and "Dashboard" not in text
    assert 'data-testid="lang-en"' in text
    assert stored_locale(db, user.id) == "zh_CN"


@pytest.mark.parametrize("code", ["fr", "EN", "zh", "zh-CN", "xx"])
def test_unknown_language_is_not_found_and_changes_nothing(client, code):
    response = post(client, f"/language/{code}")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "locale" not in session
    assert_chinese_login_page(page(client, "/auth/login"))


@pytest.mark.commits  # reads the engine's own connections
def test_unknown_language_leaves_the_account_alone(client, db):
    user = make_user("lisi", roles=[Role.ADMIN], full_name="李四", locale="en")
    login(client, "lisi")
    response = post(client, "/language/de")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert stored_locale(db, user.id) == "en"
    assert html_lang(page(client, "/")) == "en"


def test_language_switch_without_csrf_token_is_refused(client):
    response = client.post("/language/en")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "请求已失效" in text
    assert "表单的安全校验未通过" in text
    with client.session_transaction() as session:
        assert "locale" not in session
    assert_chinese_login_page(page(client, "/auth/login"))


def test_language_switch_with_a_wrong_csrf_token_is_refused(client):
    page(client, "/auth/login")  # a session with a real token exists
    response = client.post("/language/en", data={"csrf_token": "not-the-token"})
    assert response.status_code == 400
    assert "请求已失效" in response.get_data(as_text=True)
    assert_chinese_login_page(page(client, "/auth/login"))


def test_language_switch_is_post_only(client):
    assert client.get("/language/en").status_code == 405
    assert_chinese_login_page(page(client, "/auth/login"))


# Form validation messages -----------------------------------------------------------------


def test_project_validation_messages_follow_the_language(client):
    response = post(client, "/auth/login", {"username": "", "password": ""})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("此项为必填项。") == 2

    post(client, "/language/en")
    response = post(client, "/auth/login", {"username": "", "password": ""})
    text = response.get_data(as_text=True)
    assert text.count("This field is required.") == 2
    assert "此项为必填项" not in text


def test_wtforms_own_messages_are_chinese_by_default(client, admin_user):
    """Messages that come from WTForms itself (not from workflow/forms.py)."""
    login(client, "admin")
    response = post(client, "/admin/sections", {"name": "新科室", "sort_order": "abc"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "不是有效的整数。" in text
    assert "Not a valid integer value" not in text

    post(client, "/language/en")
    response = post(client, "/admin/sections", {"name": "新科室", "sort_order": "abc"})
    text = response.get_data(as_text=True)
    assert "Not a valid integer value." in text
    assert "不是有效的整数" not in text


class BareForm(FlaskForm):
    """A form using WTForms' default messages only."""

    class Meta:
        csrf = False

    name = StringField(validators=[DataRequired()])
    count = IntegerField()


def test_wtforms_required_message_is_chinese_by_default(app):
    with app.app_context(), app.test_request_context("/", method="POST", data={"count": "x"}):
        form = BareForm()
        assert not form.validate()
        assert form.name.errors == ["该字段是必填字段。"]
        assert form.count.errors == ["不是有效的整数。"]


def test_wtforms_required_message_is_english_in_english(app):
    with app.app_context(), app.test_request_context("/", method="POST", data={"count": "x"}), force_locale("en"):
        form = BareForm()
        assert not form.validate()
        assert form.name.errors == ["This field is required."]
        assert form.count.errors == ["Not a valid integer value."]


def test_a_language_without_its_compiled_catalogue_is_reported(app, tmp_path):
    """At start-up the app warns of a catalogue not compiled (English would show Chinese)."""
    import os
    from types import SimpleNamespace

    from workflow.i18n import uncompiled_catalogues

    assert uncompiled_catalogues(app) == []  # this checkout: compiled
    catalogue = tmp_path / "translations" / "en" / "LC_MESSAGES"
    catalogue.mkdir(parents=True)
    (catalogue / "messages.po").write_text("")
    fake = SimpleNamespace(root_path=str(tmp_path), config=app.config)
    [missing] = uncompiled_catalogues(fake)
    assert "messages.mo is missing" in missing and "make translations" in missing
    (catalogue / "messages.mo").write_bytes(b"")
    os.utime(catalogue / "messages.mo", (1, 1))  # compiled before the last change of the .po
    [stale] = uncompiled_catalogues(fake)
    assert "older than messages.po" in stale
    os.utime(catalogue / "messages.mo", None)
    assert uncompiled_catalogues(fake) == []
