"""Request-wide behaviour: access checks, forced password change, security headers, error
pages and what every template may use (navigation, languages)."""
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from workflow import clock
from workflow.api import errors as api_errors
from workflow.api.auth import is_api_request
from workflow.auth import directory
from workflow.engine.audit import action_label
from workflow.engine.tasks import label as task_label
from workflow.scoring import GRADE_LABELS
from workflow.i18n import select_locale
from workflow.permissions import access_rule, enforce_access, may_visit, user_may
from workflow.roles import Role

# The navigation, in one place: (endpoint, label). A link shows only when the user may
# follow it, which the endpoint's own access rule decides. The labels carry the context "nav":
# in Chinese they read as everywhere else, in English the bar takes short forms ("Plans",
# "Board") so that the widest menu stays on one line of a 1366 px screen.
NAVIGATION = (
    ("main.dashboard", lazy_pgettext("nav", "工作台")),
    ("work.inbox", lazy_pgettext("nav", "我的待办")),
    ("plans.index", lazy_pgettext("nav", "评价方案")),
    ("work.progress_board", lazy_pgettext("nav", "进度看板")),
    ("overview.index", lazy_pgettext("nav", "概览")),
    ("review.queue", lazy_pgettext("nav", "复核")),
    ("meetings.index", lazy_pgettext("nav", "会议")),
    ("evaluations.approvals", lazy_pgettext("nav", "批量审批")),
    ("submissions.index", lazy_pgettext("nav", "报送财政局")),
    ("verify.index", lazy_pgettext("nav", "验真")),
)
# The administrator's pages, folded into one menu of the bar.
ADMINISTRATION = (
    ("admin.users", lazy_pgettext("nav", "用户管理")),
    ("admin.sections", lazy_pgettext("nav", "科室管理")),
    ("admin.import_people", lazy_pgettext("nav", "导入人员")),
)

# Endpoints a user who must change the password may still reach.
PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.set_password", "auth.logout", "main.set_language", "static"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)

ERROR_TEXTS = {
    400: (_l("请求有误"), _l("提交的内容无法处理，请返回上一页检查后重试。")),
    403: (_l("无权访问"), _l("您的账号没有访问此页面的权限。如需开通，请联系管理员。")),
    404: (_l("页面不存在"), _l("您访问的页面不存在或已被删除。")),
    405: (_l("请求方式不允许"), _l("此页面不支持该操作方式。")),
    413: (_l("文件过大"), _l("上传的内容超过了系统允许的大小。")),
    500: (_l("系统错误"), _l("系统处理请求时出错，已记录日志。请稍后重试或联系管理员。")),
}


from workflow import numbers  # noqa: E402
from workflow.documents.titles import plain_title  # noqa: E402


def init_app(app):
    app.before_request(_keep_session_fresh)
    app.before_request(enforce_access)
    app.before_request(_force_password_change)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    # The print header's time (base.html), from the one clock of the app.
    app.jinja_env.globals["now"] = clock.now
    # A title may carry the writer's line break for the printed documents (a "|"); screens
    # show the title without it.
    app.add_template_filter(plain_title, "plain_title")
    # Amounts as typed (206.632, not the stored 206.6320): workflow/numbers.py.
    app.add_template_filter(numbers.plain, "plain")
    for code in ERROR_TEXTS:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)


def _keep_session_fresh():
    # A permanent session expires after PERMANENT_SESSION_LIFETIME of inactivity.
    session.permanent = True


def _force_password_change():
    # The directory keeps a directory user's password: a flag left from before it was set up
    # would send them to a page that refuses them (their next sign-in clears it).
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_ALLOWED
        and not directory.handles(current_user.username)
    ):
        if is_api_request():
            return api_errors.error_response(403, "password_change_required",
                                             _("管理员为您设置了新密码，请先登录网页修改密码。"))
        flash(_("管理员为您设置了新密码，请先修改密码。"), "warning")
        return redirect(url_for("auth.change_password"))
    return None


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        # Pages hold personal and unpublished data: never keep them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _template_globals():
    # The user looked up once for the links, not through the current_user proxy and
    # Flask-Login's lookup for each: may_visit's answer for each endpoint.
    user = current_user._get_current_object()
    return {
        "navigation": _links(user, NAVIGATION),
        "administration": _links(user, ADMINISTRATION),
        "may_visit": may_visit,
        "Role": Role,
        "current_locale": select_locale(),
        "unread_notifications": _unread(),
        "task_label": task_label,
        "action_label": action_label,
        "grade_label": lambda code: GRADE_LABELS.get(code, ""),
    }


def _links(user, links):
    return [(endpoint, label) for endpoint, label in links if user_may(user, access_rule(endpoint))]


def _unread():
    if not current_user.is_authenticated:
        return 0
    from workflow.engine.notify import unread_count

    return unread_count(current_user)


def _error_page(error):
    if is_api_request():  # also unknown API paths and wrong methods, which match no blueprint
        return api_errors.http_error(error)
    code = getattr(error, "code", 500) or 500
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    # Keep what HTTP requires of the error, e.g. the Allow header of a 405.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"] if hasattr(error, "get_headers") else []
    return render_template("errors/error.html", code=code, title=title, text=text), code, headers


def _csrf_error(error):
    if is_api_request():
        return api_errors.http_error(error)
    title = _("请求已失效")
    text = _("表单的安全校验未通过（页面可能已过期）。请刷新页面后重新提交。")
    return render_template("errors/error.html", code=400, title=title, text=text), 400
