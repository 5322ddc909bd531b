"""Calling the JSON API in tests: a client that sends one user's bearer token."""
import io

from workflow.tokens import services as tokens


def token_for(user, name="测试令牌"):
    _row, raw = tokens.create(user, name)
    return raw


class ApiClient:
    """A test client of its own (no cookies shared) that sends ``Authorization: Bearer``."""

    def __init__(self, app, user=None, raw=None):
        self.client = app.test_client()
        self.raw = raw if raw is not None else token_for(user)
        self.headers = {"Authorization": f"Bearer {self.raw}"}

    def _call(self, method, url, json=None, **kwargs):
        return self.client.open(url, method=method, json=json, headers=self.headers, **kwargs)

    def get(self, url, **kwargs):
        return self._call("GET", url, **kwargs)

    def post(self, url, json=None, **kwargs):
        return self._call("POST", url, json=json, **kwargs)

    def put(self, url, json=None, **kwargs):
        return self._call("PUT", url, json=json, **kwargs)

    def patch(self, url, json=None, **kwargs):
        return self._call("PATCH", url, json=json, **kwargs)

    def delete(self, url, **kwargs):
        return self._call("DELETE", url, **kwargs)

    def upload(self, url, data, name):
        """A multipart/form-data POST with the file ``data`` as ``file``."""
        return self.client.post(url, data={"file": (io.BytesIO(data), name)}, headers=self.headers)


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_error(response, status, code):
    """The API's error shape: JSON {"error": {"code", "message"}} with a Chinese message."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.get_data(as_text=True)[:200]
    error = response.get_json()["error"]
    assert error["code"] == code, error
    assert has_chinese(error["message"]), error
    return error
