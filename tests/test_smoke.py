import re

from tests.conftest import login
from tests.factories import make_user
from workflow.roles import Role


def test_login_page_is_chinese(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert "登录" in page.get_data(as_text=True)


def test_admin_sees_dashboard(client):
    make_user("boss", roles=[Role.ADMIN], full_name="管理员乙")
    login(client, "boss")
    page = client.get("/").get_data(as_text=True)
    assert "您好，管理员乙" in page


def test_the_icon_is_linked_and_served(client):
    page = client.get("/auth/login").get_data(as_text=True)
    # Under its content's hash (workflow/static_assets.py).
    assert re.search(r'<link rel="icon" href="/static/favicon.svg\?v=[0-9a-f]{12}" type="image/svg\+xml">', page)
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.data.startswith(b"<svg")
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.mimetype == "image/vnd.microsoft.icon"
    assert ico.data[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age=86400" in ico.headers["Cache-Control"]
