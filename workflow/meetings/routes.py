"""Meeting pages: thin; the rules are in services.py."""
from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow.admin import services as people
from workflow.documents import meeting as meeting_documents
from workflow.documents.word import meeting as meeting_word
from workflow.errors import Forbidden, NotFound, ServiceError, status_of
from workflow.extensions import db
from workflow import files
from workflow.meetings import bp, export, qr, services, tokens
from workflow.meetings.forms import (
    AttachmentForm,
    ConfirmForm,
    GuestForm,
    InviteesForm,
    MeetingForm,
    ProxyForm,
    ReplyForm,
    UndoForm,
)
from workflow.models import Meeting
from workflow.permissions import logged_in, public, roles
from workflow.plans import services as plans
from workflow.refusals import form_status, page_with_status, refused
from workflow.roles import Role

office_only = roles(Role.OFFICE)


def _meeting_or_404(meeting_id):
    try:
        return services.get_meeting(meeting_id)
    except NotFound:
        abort(404)


def _visible_or_abort(meeting_id):
    try:
        return services.get_visible(meeting_id, current_user)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def _flash_errors(form):
    for name, errors in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else ""
        for error in errors:
            flash(f"{label}：{error}" if label else str(error), "danger")


def _to(endpoint, meeting, anchor=None, **values):
    return redirect(url_for(endpoint, meeting_id=meeting.id, _anchor=anchor, **values), code=303)


# Listing, creating, editing ---------------------------------------------------------------


@bp.route("/")
@logged_in
def index():
    may_manage = services.is_manager(current_user)
    return render_template(
        "meetings/index.html",
        meetings=services.list_for(current_user),
        may_manage=may_manage,
        kind_labels=services.KIND_LABELS,
        span=services.format_span,
    )


def _meeting_data(form):
    day, start, end = form.day.data, form.start_time.data, form.end_time.data
    return services.MeetingData(
        title=form.title.data or "",
        kind=form.kind.data,
        starts_at=services.to_utc(day, start) if day and start else None,
        ends_at=services.to_utc(day, end) if day and end else None,
        place=form.place.data or "",
        organiser_section_id=form.organiser_section_id.data,
        addressee=form.addressee.data or "",
        purpose=form.purpose.data or "",
        arrangements=form.arrangements.data or "",
        issuer=form.issuer.data or "",
        issued_on=form.issued_on.data,
        reply_by=form.reply_by.data,
        allow_guests=bool(form.allow_guests.data),
        signin_opens_before=form.signin_opens_before.data,
        signin_closes_after=form.signin_closes_after.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@office_only
def new():
    all_plans = plans.list_plans()
    form = MeetingForm(plans=all_plans, sections=people.active_sections())
    refusal = None
    if request.method == "GET":
        wanted = request.args.get("plan_id", type=int)
        form.plan_id.data = wanted if any(p.id == wanted for p in all_plans) else (all_plans[0].id if all_plans else None)
        form.signin_opens_before.data = current_app.config["MEETING_SIGNIN_OPENS_BEFORE_MINUTES"]
        form.signin_closes_after.data = current_app.config["MEETING_SIGNIN_CLOSES_AFTER_MINUTES"]
    if form.validate_on_submit():
        try:
            plan = plans.get_plan(form.plan_id.data)
            meeting = services.create_meeting(plan, _meeting_data(form), current_user)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存会议。请添加参加人员，然后发布会议通知。"), "success")
            return _to("meetings.invitees", meeting)
    return render_template("meetings/form.html", form=form, meeting=None, has_plans=bool(all_plans)), form_status(refusal)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@office_only
def edit(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = MeetingForm(obj=meeting, plans=[meeting.plan], sections=people.active_sections())
    del form.plan_id  # a meeting stays with its plan
    refusal = None
    if request.method == "GET":
        start, end = services.local(meeting.starts_at), services.local(meeting.ends_at)
        form.day.data, form.start_time.data, form.end_time.data = start.date(), start.time(), end.time()
    if form.validate_on_submit():
        try:
            changes = services.update_meeting(meeting, _meeting_data(form), current_user, request.remote_addr)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存会议。"), "success")
            if changes:
                flash(_("已将变更通知参加人员：%(changes)s", changes="；".join(changes)), "info")
            return _to("meetings.detail", meeting)
    return render_template("meetings/form.html", form=form, meeting=meeting, has_plans=True), form_status(refusal)


@bp.route("/<int:meeting_id>/delete", methods=["POST"])
@office_only
def delete(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    try:
        services.delete_meeting(meeting, current_user)
    except ServiceError as error:
        return refused(error, "meetings.detail", meeting_id=meeting.id)
    flash(_("已删除会议。"), "success")
    return redirect(url_for("meetings.index"), code=303)


@bp.route("/<int:meeting_id>/publish", methods=["POST"])
@office_only
def publish(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    try:
        notified, mailed = services.publish(meeting, current_user, request.remote_addr)
    except ServiceError as error:
        return refused(error, "meetings.detail", meeting_id=meeting.id)
    flash(_("会议通知已发布：已通知 %(people)d 人，邮件 %(mails)d 封已加入发送队列。", people=notified, mails=mailed), "success")
    return _to("meetings.detail", meeting)


# The meeting page ------------------------------------------------------------------------


@bp.route("/<int:meeting_id>")
@logged_in
def detail(meeting_id):
    meeting = _visible_or_abort(meeting_id)
    invitee = services.invitee_of(meeting, current_user)
    reply_form = None
    if invitee is not None:
        defaults = services.reply_defaults(invitee)
        reply_form = ReplyForm(data={
            "attending": None if defaults.attending is None else ("yes" if defaults.attending else "no"),
            "reason": defaults.reason, "name": defaults.name, "unit": defaults.unit, "title": defaults.title,
            "phone": defaults.phone, "remarks": defaults.remarks,
        })
    may_manage = services.is_manager(current_user)
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        notice=services.notice(meeting),
        kind_label=services.KIND_LABELS[meeting.kind],
        span=services.format_span,
        may_manage=may_manage,
        invitee=invitee,
        own_signin=services.signin_of_user(meeting, current_user.id),
        reply_form=reply_form,
        registration_open=services.registration_open(meeting),
        summary=services.attendance_summary(meeting),
        person=services.person,
        silent=services.silent(meeting) if may_manage else [],
        confirm=ConfirmForm(),
        attachment_form=AttachmentForm() if may_manage else None,
        accept=files.ACCEPT,
        max_mb=current_app.config["MEETING_ATTACHMENT_MAX_MB"],
    )


@bp.route("/<int:meeting_id>/notice.pdf")
@logged_in
def notice_pdf(meeting_id):
    """The notice (关于召开……的通知) as an official-style PDF with its registration form."""
    meeting = _visible_or_abort(meeting_id)
    data = meeting_documents.render_notice(meeting)
    return files.pdf_download(_("关于召开%(title)s的通知", title=meeting.title), data)


@bp.route("/<int:meeting_id>/notice.docx")
@logged_in
def notice_docx(meeting_id):
    """The notice with its registration form as an editable Word file, for whoever may see the
    meeting (as the PDF)."""
    meeting = _visible_or_abort(meeting_id)
    data = meeting_word.render_notice_docx(meeting)
    return files.docx_download(_("关于召开%(title)s的通知", title=meeting.title), data)


@bp.route("/<int:meeting_id>/summary.json")
@logged_in
def summary_json(meeting_id):
    """The attendance counts an indicator's evidence can cite (培训人次 = every sign-in)."""
    meeting = _visible_or_abort(meeting_id)
    data = services.attendance_summary(meeting).as_dict()
    return jsonify(meeting={"id": meeting.id, "title": meeting.title, "kind": meeting.kind,
                            "starts_at": meeting.starts_at.isoformat(), "place": meeting.place}, summary=data)


# Invitees and their replies ----------------------------------------------------------------


def _invitees_form(meeting):
    active_people = [u for u in people.list_users() if u.active]
    return InviteesForm(people=active_people, sections=people.active_sections())


def _invitees_page(meeting, form, status=200):
    present = {inv.user_id for inv in meeting.invitees if inv.user_id}
    form.user_ids.choices = [c for c in form.user_ids.choices if c[0] not in present]
    return render_template("meetings/invitees.html", meeting=meeting, form=form, confirm=ConfirmForm(),
                           kind_label=services.KIND_LABELS[meeting.kind],
                           person=services.person, span=services.format_span), status


@bp.route("/<int:meeting_id>/invitees")
@office_only
def invitees(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    return _invitees_page(meeting, _invitees_form(meeting))


@bp.route("/<int:meeting_id>/invitees", methods=["POST"])
@office_only
def add_invitees(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = _invitees_form(meeting)
    if not form.validate_on_submit():
        _flash_errors(form)
        return _invitees_page(meeting, form, 422)
    guest = services.GuestData(form.guest_name.data or "", form.guest_unit.data or "",
                               form.guest_title.data or "", form.guest_phone.data or "")
    try:
        added = services.add_invitees(meeting, current_user, form.user_ids.data or [],
                                      form.section_ids.data or [], guest)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _invitees_page(meeting, form, status_of(error))
    flash(_("已添加 %(n)d 人。", n=added), "success")
    return _to("meetings.invitees", meeting)


@bp.route("/<int:meeting_id>/invitees/<int:invitee_id>/remove", methods=["POST"])
@office_only
def remove_invitee(meeting_id, invitee_id):
    meeting = _meeting_or_404(meeting_id)
    try:
        services.remove_invitee(meeting, invitee_id, current_user)
    except NotFound:
        abort(404)
    except ServiceError as error:
        return refused(error, "meetings.invitees", meeting_id=meeting.id)
    flash(_("已移出名单。"), "success")
    return _to("meetings.invitees", meeting)


@bp.route("/<int:meeting_id>/reply", methods=["POST"])
@logged_in
def reply(meeting_id):
    meeting = _visible_or_abort(meeting_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return page_with_status(422, "meetings.detail", meeting_id=meeting.id)
    attending = {"yes": True, "no": False}.get(form.attending.data)
    data = services.ReplyData(attending, form.reason.data or "", form.name.data or "", form.unit.data or "",
                              form.title.data or "", form.phone.data or "", form.remarks.data or "")
    try:
        services.reply(meeting, current_user, data)
    except Forbidden:
        abort(403)
    except ServiceError as error:
        return refused(error, "meetings.detail", meeting_id=meeting.id)
    flash(_("已提交参会登记。"), "success")
    return _to("meetings.detail", meeting, anchor="registration")


@bp.route("/<int:meeting_id>/remind", methods=["POST"])
@office_only
def remind(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    try:
        reminded, mailed = services.remind_silent(meeting, current_user)
    except ServiceError as error:
        return refused(error, "meetings.detail", meeting_id=meeting.id)
    flash(_("已提醒 %(people)d 位未回复的人员（邮件 %(mails)d 封）。", people=reminded, mails=mailed), "success")
    return _to("meetings.detail", meeting, anchor="replies")


# Attachments -----------------------------------------------------------------------------


@bp.route("/<int:meeting_id>/attachments", methods=["POST"])
@office_only
def upload(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return page_with_status(422, "meetings.detail", meeting_id=meeting.id)
    try:
        attachment = services.add_attachment(meeting, current_user, request.files.get("file"), form.title.data)
    except ServiceError as error:
        return refused(error, "meetings.detail", meeting_id=meeting.id)
    flash(_("已上传附件“%(title)s”。", title=attachment.title), "success")
    return _to("meetings.detail", meeting, anchor="attachments")


@bp.route("/<int:meeting_id>/attachments/<int:attachment_id>")
@logged_in
def download(meeting_id, attachment_id):
    meeting = _visible_or_abort(meeting_id)
    try:
        attachment = services.get_attachment(meeting, attachment_id)
    except NotFound:
        abort(404)
    return files.download_response(attachment.filename, attachment.content_type, attachment.data)


@bp.route("/<int:meeting_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@office_only
def delete_attachment(meeting_id, attachment_id):
    meeting = _meeting_or_404(meeting_id)
    try:
        title = services.delete_attachment(meeting, attachment_id, current_user)
    except NotFound:
        abort(404)
    flash(_("已删除附件“%(title)s”。", title=title), "success")
    return _to("meetings.detail", meeting, anchor="attachments")


# Sign-in: the projector and its QR code ----------------------------------------------------


def _token_payload(meeting):
    code = services.signin_code(meeting)
    return {**code, "qr": url_for("meetings.qr_svg", meeting_id=meeting.id, token=code["token"])}


@bp.route("/<int:meeting_id>/projector")
@office_only
def projector(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    return render_template("meetings/projector.html", meeting=meeting, qr=_token_payload(meeting),
                           board=services.board(meeting), span=services.format_span,
                           refresh_ms=current_app.config["MEETING_BOARD_REFRESH_SECONDS"] * 1000,
                           window=services.window(meeting), local=services.local)


@bp.route("/<int:meeting_id>/signin/token.json")
@office_only
def token_json(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    return jsonify(_token_payload(meeting))


@bp.route("/<int:meeting_id>/signin/qr.svg")
@office_only
def qr_svg(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    token = request.args.get("token", "")
    try:
        tokens.check_qr_token(token, meeting.id)
    except tokens.TokenRefused:
        abort(404)
    url = services.absolute_url("meetings.scan", meeting_id=meeting.id, token=token)
    return Response(qr.svg(url, title=_("扫码签到")), mimetype="image/svg+xml")


# Sign-in: the phone --------------------------------------------------------------------------


def _published_or_refuse(meeting_id):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not meeting.is_published:
        return None
    return meeting


def _refused_page(message, status=400, meeting=None):
    return render_template("meetings/checkin.html", meeting=meeting, refusal=message, span=services.format_span), status


@bp.route("/<int:meeting_id>/scan/<token>")
@public
def scan(meeting_id, token):
    """Where the QR code leads: a valid code is exchanged for a pass to the sign-in page."""
    meeting = _published_or_refuse(meeting_id)
    if meeting is None:
        return _refused_page(_("会议不存在或尚未发布。"), 404)
    try:
        pass_token = services.scan(meeting, token)
    except tokens.TokenRefused as error:
        return _refused_page(error.message, 400, meeting)
    return redirect(url_for("meetings.checkin", meeting_id=meeting.id, pass_token=pass_token), code=303)


def _outcome_message(outcome):
    signin = outcome.signin
    when = services.format_clock(signin.signed_at)
    if not outcome.created:
        return _("%(name)s 已于 %(time)s 签到，以首次签到时间为准，无需重复签到。", name=signin.name, time=when)
    if signin.late:
        return _("签到成功（迟到）：%(name)s，%(time)s。", name=signin.name, time=when)
    return _("签到成功：%(name)s，%(time)s。", name=signin.name, time=when)


@bp.route("/<int:meeting_id>/checkin/<pass_token>", methods=["POST"])
@public
def checkin_submit(meeting_id, pass_token):
    meeting = _published_or_refuse(meeting_id)
    if meeting is None:
        return _refused_page(_("会议不存在或尚未发布。"), 404)
    here = url_for("meetings.checkin", meeting_id=meeting.id, pass_token=pass_token)
    try:
        if request.form.get("action") == "guest":
            guest_form = GuestForm()
            if not guest_form.validate_on_submit():
                _flash_errors(guest_form)
                return page_with_status(422, "meetings.checkin", meeting_id=meeting.id, pass_token=pass_token)
            guest = services.GuestData(guest_form.name.data, guest_form.unit.data, guest_form.title.data or "",
                                       guest_form.phone.data or "")
            outcome = services.sign_in_guest(meeting, pass_token, guest, request.remote_addr)
        else:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=here), code=303)
            outcome = services.sign_in_user(meeting, current_user, pass_token, request.remote_addr)
    except ServiceError as error:
        return refused(error, "meetings.checkin", meeting_id=meeting.id, pass_token=pass_token)
    flash(_outcome_message(outcome), "success" if outcome.created else "info")
    return redirect(here, code=303)


@bp.route("/<int:meeting_id>/checkin/<pass_token>")
@public
def checkin(meeting_id, pass_token):
    meeting = _published_or_refuse(meeting_id)
    if meeting is None:
        return _refused_page(_("会议不存在或尚未发布。"), 404)
    here = url_for("meetings.checkin", meeting_id=meeting.id, pass_token=pass_token)
    guest_form = GuestForm()
    refusal = None
    try:
        tokens.check_pass(pass_token, meeting.id)
    except tokens.TokenRefused as error:
        refusal = error.message
    own = None
    invitee = None
    if current_user.is_authenticated:
        own = services.signin_of_user(meeting, current_user.id)
        invitee = services.invitee_of(meeting, current_user)
    if refusal and own is None:
        return _refused_page(refusal, 400, meeting)
    has_guest_invitees = services.has_guest_invitees(meeting)
    return render_template(
        "meetings/checkin.html",
        meeting=meeting,
        refusal=None,
        span=services.format_span,
        own=own,
        invitee=invitee,
        window_refusal=services.window_refusal(meeting),
        may_sign_in=current_user.is_authenticated and (invitee is not None or meeting.allow_guests),
        guest_form=guest_form if (meeting.allow_guests or has_guest_invitees) else None,
        confirm=ConfirmForm(),
        login_url=url_for("auth.login", next=here),
        format_clock=services.format_clock,
    )


# Attendance --------------------------------------------------------------------------------


def _proxy_choices(meeting):
    return [(inv.id, "{}（{}）".format(*services.person(inv)[:2])) for inv in services.not_signed_in(meeting)]


@bp.route("/<int:meeting_id>/attendance")
@office_only
def attendance(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    return render_template(
        "meetings/attendance.html",
        meeting=meeting,
        kind_label=services.KIND_LABELS[meeting.kind],
        board=services.board(meeting),
        summary=services.attendance_summary(meeting),
        signins=meeting.signins,
        proxy_form=ProxyForm(choices=_proxy_choices(meeting)),
        undo_form=UndoForm(),
        trail=services.audit_trail(meeting),
        span=services.format_span,
        format_moment=services.format_moment,
        refresh_ms=current_app.config["MEETING_BOARD_REFRESH_SECONDS"] * 1000,
    )


@bp.route("/<int:meeting_id>/attendance.json")
@office_only
def attendance_json(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    return jsonify(services.board(meeting))


@bp.route("/<int:meeting_id>/attendance/proxy", methods=["POST"])
@office_only
def proxy(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = ProxyForm(choices=_proxy_choices(meeting))
    if not form.validate_on_submit():
        _flash_errors(form)
        return page_with_status(422, "meetings.attendance", meeting_id=meeting.id)
    try:
        arrived = services.parse_clock(form.arrived.data, services.meeting_date(meeting))
        signin = services.proxy_sign_in(meeting, form.invitee_id.data, current_user, form.note.data,
                                        arrived_at=arrived, address=request.remote_addr)
    except ServiceError as error:
        return refused(error, "meetings.attendance", meeting_id=meeting.id)
    flash(_("已为 %(name)s 代签（%(time)s）。", name=signin.name, time=services.format_moment(signin.signed_at)),
          "success")
    return _to("meetings.attendance", meeting)


@bp.route("/<int:meeting_id>/attendance/<int:signin_id>/undo", methods=["POST"])
@office_only
def undo(meeting_id, signin_id):
    meeting = _meeting_or_404(meeting_id)
    form = UndoForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return page_with_status(422, "meetings.attendance", meeting_id=meeting.id)
    try:
        details = services.undo_sign_in(meeting, signin_id, current_user, form.note.data, request.remote_addr)
    except ServiceError as error:
        return refused(error, "meetings.attendance", meeting_id=meeting.id)
    flash(_("已撤销 %(name)s 的签到。", name=details["name"]), "success")
    return _to("meetings.attendance", meeting)


@bp.route("/<int:meeting_id>/signin-sheet.xlsx")
@office_only
def signin_sheet(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    data = export.signin_sheet_xlsx(meeting)
    return files.download_response(_("%(title)s签到表", title=meeting.title) + ".xlsx",
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)


@bp.route("/<int:meeting_id>/signin-sheet.pdf")
@office_only
def signin_sheet_pdf(meeting_id):
    """The sign-in sheet (签到表) as an official-style PDF, its 签名 column empty for paper."""
    meeting = _meeting_or_404(meeting_id)
    data = meeting_documents.render_signin_sheet(meeting)
    return files.pdf_download(_("%(title)s签到表", title=meeting.title), data)


@bp.route("/<int:meeting_id>/signin-sheet.docx")
@office_only
def signin_sheet_docx(meeting_id):
    """The sign-in sheet as an editable Word file, for the office only (as the PDF)."""
    meeting = _meeting_or_404(meeting_id)
    data = meeting_word.render_signin_sheet_docx(meeting)
    return files.docx_download(_("%(title)s签到表", title=meeting.title), data)
