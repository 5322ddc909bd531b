"""The meeting documents as official-style PDFs: the notice (关于召开……的通知) with its
attachment, the registration form (培训登记表), and the sign-in sheet (签到表).

notice_data() and signin_sheet_data() turn a meeting into plain data (the only thing the
templates see), built on what the meetings services already say about the meeting;
render_notice() and render_signin_sheet() render them. These are documents for paper: they
are in Chinese whatever language the person printing them reads the screens in.
"""

from workflow import clock
from workflow.documents.render import document_language, render
from workflow.documents.text import chinese_date, paragraphs
from workflow.documents.titles import title_lines
from workflow.meetings import services

# Empty rows the paper forms keep for people added by hand: at least this many, and the
# table is filled up to FORM_ROWS rows in all (one page of the registration form).
SPARE_ROWS = 5
FORM_ROWS = 15



def _clock(moment):
    return f"{moment.hour}:{moment.minute:02d}"


def _when(meeting):
    """2020年6月20日 9:00—11:30 (dates on both ends when the meeting spans days)."""
    start, end = services.local(meeting.starts_at), services.local(meeting.ends_at)
    if start.date() == end.date():
        return f"{chinese_date(start.date())} {_clock(start)}—{_clock(end)}"
    return (f"{chinese_date(start.date())} {_clock(start)}—"
            f"{chinese_date(end.date())} {_clock(end)}")


def form_name(meeting):
    """The attachment's name: 培训登记表 for a training, 参会登记表 for any other meeting."""
    return "培训登记表" if meeting.kind == "training" else "参会登记表"


def registration_rows(meeting):
    """The registration form's rows: each person on the list with what is known of them
    (姓名, 单位/科室, 职务, 联系电话), the reply left for the person to fill in, then empty
    rows for the paper copy."""
    rows = []
    for number, invitee in enumerate(meeting.invitees, start=1):
        name, unit, title, phone = services.person(invitee)
        rows.append({"index": number, "name": name or "", "unit": unit or "", "title": title or "",
                     "phone": phone or ""})
    spare = max(SPARE_ROWS, FORM_ROWS - len(rows))
    rows += [{"index": "", "name": "", "unit": "", "title": "", "phone": ""} for _ in range(spare)]
    return rows


def notice_data(meeting):
    """Plain data for templates/documents/notice.html."""
    with document_language():
        notice = services.notice(meeting)
    form = form_name(meeting)
    # The registration form is always the first attachment (it is part of this PDF); files
    # uploaded to the notice follow, except an upload of the same form.
    attachments = [form] + [title for title in notice["attachments"] if title and title != form]
    reply_to = notice["organiser"] or notice["issuer"]
    reply = ""
    if meeting.reply_by:
        reply = (f"请于{chinese_date(meeting.reply_by)}前在绩效评价工作台回复参会情况，"
                 f"或填写{form}（见附件）" + (f"报{reply_to}。" if reply_to else "报送。"))
    return {
        "heading": notice["heading"],
        "heading_lines": title_lines(notice["heading_as_typed"]),
        "title": notice["title"],
        "addressee": notice["addressee"] or "",
        "purpose": paragraphs(notice["purpose"]),
        "time_text": notice["time_text"],
        "place": notice["place"],
        "participants": [name for name in notice["participants"] if name],
        "arrangements": paragraphs(notice["arrangements"]),
        "reply": reply,
        "attachments": attachments,
        "issuer": notice["issuer"],
        "issued_on_text": notice["issued_on_text"],
        # Until it is published the notice may still change: printed, it says 草稿.
        "draft": not meeting.is_published,
        "form": {
            "name": form,
            "name_lines": title_lines(form),
            "meeting": notice["title"],
            "when": notice["time_text"],
            "place": notice["place"],
            "reply_by": chinese_date(meeting.reply_by) if meeting.reply_by else "",
            "reply_to": reply_to,
            "columns": ["序号", "姓名", "单位/科室", "职务", "联系电话", "是否参加", "备注"],
            "rows": registration_rows(meeting),
        },
    }


def signin_sheet_data(meeting, now=None):
    """Plain data for templates/documents/signin_sheet.html: the sheet as the meetings
    services make it, with each recorded sign-in time as HH:MM (with the date when it is not
    the meeting's day) and the 签名 column left empty for the paper copy."""
    now = now or clock.now()
    with document_language():
        sheet = services.signin_sheet(meeting, now=now)
        summary = services.attendance_summary(meeting, now=now)
    day = services.local(meeting.starts_at).date()

    def signed(moment):
        if moment is None:
            return ""
        if moment.date() == day:
            return moment.strftime("%H:%M")
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}"

    rows = [{"index": row["index"], "name": row["name"] or "", "unit": row["unit"] or "",
             "title": row["title"] or "", "phone": row["phone"] or "", "signed_at": signed(row["signed_at"]),
             "remarks": row["remarks"] or ""}
            for row in sheet["rows"]]
    return {
        "heading": sheet["heading"],
        "heading_lines": title_lines(sheet["heading_as_typed"]),
        "title": sheet["title"],
        "when": _when(meeting),
        "place": sheet["place"],
        "organiser": sheet["organiser"],
        "columns": sheet["columns"],
        "rows": rows,
        "summary": {"invited": summary.invited, "signed_in": summary.invited_signed_in, "late": summary.late,
                    "absent": summary.absent_with_reason, "walk_ins": summary.walk_ins},
    }


def render_notice(meeting):
    """PDF bytes of the meeting's notice, its registration form as the attachment."""
    return render("notice.html", notice_data(meeting))


def render_signin_sheet(meeting, now=None):
    """PDF bytes of the meeting's sign-in sheet."""
    return render("signin_sheet.html", signin_sheet_data(meeting, now))
