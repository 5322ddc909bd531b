from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import files
from workflow.admin import bp, people_excel, services
from workflow.admin.forms import (
    ConfirmForm,
    NewUserForm,
    ResetPasswordForm,
    SectionForm,
    UserForm,
)
from workflow.auth import links
from workflow.errors import NotFound, ServiceError, status_of
from workflow.excel import exporter, importer
from workflow.meetings import qr
from workflow.forms import flash_errors
from workflow.permissions import roles
from workflow.refusals import form_status, refused
from workflow.roles import Role

admin_only = roles(Role.ADMIN)


def _user_or_404(user_id):
    try:
        return services.get_user(user_id)
    except NotFound:
        abort(404)


def _section_or_404(section_id):
    try:
        return services.get_section(section_id)
    except NotFound:
        abort(404)


def _user_data(form):
    return services.UserData(
        username=form.username.data or "",
        full_name=form.full_name.data or "",
        section_id=form.section_id.data,
        title=form.title.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        roles=set(form.roles.data or ()),
        active=bool(form.active.data),
    )


@bp.route("/users")
@admin_only
def users():
    query = (request.args.get("q") or "").strip()[:64]
    section_id = request.args.get("section", type=int)
    return render_template(
        "admin/users.html",
        users=services.list_users(query, section_id),
        sections=services.list_sections(),
        query=query,
        section_id=section_id,
        confirm=ConfirmForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    refusal = None
    form = NewUserForm(sections=services.active_sections())
    if form.validate_on_submit():
        try:
            user = services.create_user(_user_data(form), form.password.data)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已创建用户“%(name)s”，首次登录时须修改密码。", name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), form_status(refusal)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def edit_user(user_id):
    refusal = None
    user = _user_or_404(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            services.update_user(user, _user_data(form), current_user)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存用户“%(name)s”。", name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    return _user_page(user, form, ResetPasswordForm(), form_status(refusal))


def _user_form(user):
    sections = [s for s in services.list_sections() if s.active or s.id == user.section_id]
    form = UserForm(obj=user, sections=sections)
    if request.method == "GET":
        form.roles.data = sorted(role.value for role in user.roles)
    return form


def _user_page(user, form, reset_form, status):
    return render_template(
        "admin/user_form.html", form=form, user=user, reset_form=reset_form, confirm=ConfirmForm()
    ), status


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_only
def reset_password(user_id):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _user_page(user, _user_form(user), form, 422)
    try:
        services.reset_password(user, form.password.data)
    except ServiceError as error:
        flash(error.message, "danger")
        return _user_page(user, _user_form(user), form, status_of(error))
    flash(_("已为“%(name)s”设置临时密码，对方下次登录须修改。", name=user.full_name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_only
def toggle_active(user_id):
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_active(user, not user.active, current_user)
        except ServiceError as error:
            return refused(error, "admin.users")
        else:
            message = _("已启用“%(name)s”。") if user.active else _("已停用“%(name)s”。")
            flash(message % {"name": user.full_name}, "success")
    return redirect(url_for("admin.users"))


@bp.route("/sections", methods=["GET", "POST"])
@admin_only
def sections():
    refusal = None
    form = SectionForm()
    if form.validate_on_submit():
        try:
            section = services.create_section(form.name.data, form.is_office.data, form.sort_order.data)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已添加科室“%(name)s”。", name=section.name), "success")
            return redirect(url_for("admin.sections"))
    return render_template("admin/sections.html", sections=services.list_sections(), form=form), form_status(refusal)


@bp.route("/sections/<int:section_id>", methods=["GET", "POST"])
@admin_only
def edit_section(section_id):
    refusal = None
    section = _section_or_404(section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        try:
            services.update_section(
                section, form.name.data, form.is_office.data, form.active.data, form.sort_order.data
            )
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存科室“%(name)s”。", name=section.name), "success")
            return redirect(url_for("admin.sections"))
    return render_template("admin/section_form.html", form=form, section=section), form_status(refusal)


# People and sections from Excel; one-time links to set one's password ----------------------


def _links_page(issued, title, result=None):
    """The links just made, each shown once (only its hash is kept): the ones mailed, and the
    others with their QR code for the administrator to hand over."""
    shown = [(link, qr.svg(link.url, scale=4, title=link.user.full_name)) for link in issued if not link.mailed]
    return render_template("admin/links.html", issued=issued, shown=shown, title=title, result=result,
                           days=links.lifetime().days)


@bp.route("/people/import", methods=["GET", "POST"])
@admin_only
def import_people():
    problems = []
    if request.method == "POST":
        result, problems = importer.run_upload(
            request.files.get("file"), lambda stream: people_excel.import_people(stream, current_user))
        if result is not None:
            return _links_page(result.links, _("已导入 %(n)d 人", n=len(result.people)), result)
    page = render_template(
        "admin/people_import.html", problems=problems, columns=people_excel.COLUMNS,
        explanations=people_excel.EXPLANATIONS, sheet=people_excel.SHEET_NAME, first_row=people_excel.FIRST_DATA_ROW,
        max_rows=people_excel.MAX_ROWS, role_names=people_excel.roles_text(set(Role)),
    )
    return page, (422 if problems else 200)  # a file refused: nothing imported


@bp.route("/people/template.xlsx")
@admin_only
def people_template():
    return files.download_response(people_excel.template_filename(), exporter.XLSX_MIMETYPE,
                                   people_excel.template_workbook())


@bp.route("/people/export.xlsx")
@admin_only
def people_export():
    return files.download_response(people_excel.export_filename(), exporter.XLSX_MIMETYPE,
                                   people_excel.export_workbook())


@bp.route("/users/<int:user_id>/password-link", methods=["POST"])
@admin_only
def password_link(user_id):
    user = _user_or_404(user_id)
    if not user.active:
        flash(_("该账号已停用，请先启用再发送设置密码链接。"), "danger")
        return _user_page(user, _user_form(user), ResetPasswordForm(), 409)
    try:
        issued = links.issue_reset(user, current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        return _user_page(user, _user_form(user), ResetPasswordForm(), status_of(error))
    return _links_page([issued], _("重置密码链接：%(name)s", name=user.full_name))
