from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from workflow.auth import bp, links, services, sessions
from workflow.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from workflow.errors import ServiceError, status_of
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


def _sign_in(user, secret):
    """This browser signed in as ``user`` in the session of ``secret``: a fresh cookie (no
    fixation), the language kept."""
    locale = session.get(LOCALE_KEY)
    session.clear()
    session.permanent = True  # clear() dropped the flag: keep the lifetime
    if locale:
        session[LOCALE_KEY] = locale
    session[sessions.SESSION_KEY] = secret
    login_user(user)


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
            _sign_in(user, sessions.start(user, request.remote_addr))
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


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token):
    """The page of a one-time link (workflow/auth/links.py): the person sets their own
    password and is signed in; the link ends."""
    try:
        link = links.find(token)
    except links.LinkRefused as refusal:
        return render_template("auth/set_password.html", refusal=refusal, form=None, user=None), status_of(refusal)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user, secret = links.set_password(token, form.new_password.data, form.confirm.data, request.remote_addr)
        except ServiceError as error:
            flash(error.message, "danger")
            status = status_of(error)
        else:
            _sign_in(user, secret)
            flash(_("密码已设置，欢迎使用。"), "success")
            return redirect(url_for("main.dashboard"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/set_password.html", refusal=None, form=form, user=link.user), status
