from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from workflow.auth import bp, services, sessions
from workflow.auth.forms import ChangePasswordForm, LoginForm
from workflow.errors import ServiceError
from workflow.i18n import SESSION_KEY as LOCALE_KEY
from workflow.permissions import logged_in, public


def _safe_next(target):
    """Only follow a ``next`` that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data, request.remote_addr)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            locale = session.get(LOCALE_KEY)
            session.clear()  # a fresh session on login: no fixation
            session.permanent = True  # clear() dropped the flag: keep the lifetime
            if locale:
                session[LOCALE_KEY] = locale
            session[sessions.SESSION_KEY] = sessions.start(user, request.remote_addr)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@logged_in
def logout():
    sessions.end(session.get(sessions.SESSION_KEY))  # for good: a copy of the cookie is refused too
    logout_user()
    locale = session.get(LOCALE_KEY)
    session.clear()
    if locale:  # the language is the person's choice, not part of the login
        session[LOCALE_KEY] = locale
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@logged_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            secret = services.change_password(current_user, form.current_password.data, form.new_password.data,
                                              request.remote_addr)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            # Every session of the user ended; this browser goes on in the new one.
            session[sessions.SESSION_KEY] = secret
            flash(_("密码已修改。"), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/change_password.html", form=form)
