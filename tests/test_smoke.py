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
