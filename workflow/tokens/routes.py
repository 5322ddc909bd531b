from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.admin.forms import ConfirmForm
from workflow.errors import NotFound, ServiceError, status_of
from workflow.forms import flash_errors
from workflow.permissions import logged_in
from workflow.tokens import bp, services
from workflow.tokens.forms import TokenForm


def _page(form, new_token=None, status=200):
    return render_template("tokens/index.html", form=form, tokens=services.list_for(current_user),
                           new_token=new_token, confirm=ConfirmForm()), status


@bp.route("/", methods=["GET"])
@logged_in
def index():
    return _page(TokenForm())


@bp.route("/", methods=["POST"])
@logged_in
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _page(form, status=422)
    try:
        _token, raw = services.create(current_user, form.name.data)
    except ServiceError as error:
        flash(error.message, "danger")
        return _page(form, status=status_of(error))
    # Shown on this response only, never stored: no redirect (a reload must not show it again).
    return _page(TokenForm(formdata=None), new_token=raw)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@logged_in
def revoke(token_id):
    if not ConfirmForm().validate_on_submit():
        flash(_("请求已失效，请重试。"), "danger")
        return redirect(url_for("tokens.index"))
    try:
        token = services.revoke(current_user, token_id)
    except NotFound as error:
        flash(error.message, "danger")
        return _page(TokenForm(formdata=None), status=404)
    flash(_("已撤销令牌“%(name)s”。", name=token.name), "success")
    return redirect(url_for("tokens.index"))
