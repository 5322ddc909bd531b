"""Models as the plain data the API returns (the schemas in schemas.py describe it).

Decimals are strings, so that no amount or score passes through a float."""
from workflow.engine import actions, tasks
from workflow.engine.definition import state_def
from workflow.meetings import services as meetings
from workflow.selfeval import content
from workflow.selfeval import services as selfeval


def number(value):
    return None if value is None else format(value, "f")


def plan(item):
    return {
        "id": item.id, "title": item.title, "budget_year": item.budget_year, "run_year": item.run_year,
        "basis_documents": list(item.basis_documents or []), "principles": item.principles,
        "method": item.method, "requirements": item.requirements,
        "office_section": item.office_section.name if item.office_section else None,
        "result_summary": item.result_summary,
        "return_working_days": item.return_working_days,
        "review_rule": item.review_rule,
        "review_quorum": item.review_quorum,
        "approval_required": item.approval_required,
        "targets_approval": item.targets_approval,
    }


def stage(item):
    return {"id": item.id, "kind": item.kind, "name": item.name, "start_date": item.start_date,
            "due_date": item.due_date}


def plan_detail(item):
    data = plan(item)
    data["stages"] = [stage(s) for s in item.stages]
    data["group"] = group(item)
    return data


def project(item):
    evaluation = item.evaluation
    return {
        "id": item.id, "plan_id": item.plan_id, "name": item.name, "section_id": item.section_id,
        "section": item.section.name if item.section else "", "budget_year": item.budget_year,
        "leader_name": item.leader_name, "category": item.category,
        "evaluation_id": evaluation.id if evaluation else None,
        "state": evaluation.state if evaluation else None,
        "state_label": str(state_def(evaluation.state).label) if evaluation else None,
        "total_score": number(evaluation.total_score) if evaluation else None,
        "grade": evaluation.grade if evaluation else None,
    }


def group(item):
    return [{"user_id": m.user_id, "full_name": m.user.full_name, "group_role": m.group_role}
            for m in item.members]


def framework(item, templates, totals, refreshed=None):
    """The plan's indicator framework; ``templates``: {key: (label, rows)}."""
    data = {
        "template": item.framework,
        "indicators": [{"level1": r.level1, "level2": r.level2, "name": r.name, "weight": number(r.weight),
                        "kind": r.kind} for r in item.indicators],
        "totals": {level1: number(weight) for level1, weight in totals.items()},
        "templates": [{"key": key, "label": str(label)} for key, (label, _rows) in templates.items()],
    }
    if refreshed is not None:
        data["refreshed"] = refreshed
    return data


def day_off(item):
    return {"day": item.day, "note": item.note}


def transition(item):
    return {"trigger": item.trigger, "label": str(item.label), "dest": item.dest,
            "comment_required": item.comment_required}


def evaluation(item, user):
    return {
        "id": item.id, "version": item.version, "state": item.state,
        "state_label": str(state_def(item.state).label),
        "project": project(item.project),
        "submitted_by": item.submitted_by.full_name if item.submitted_by else None,
        "submitted_at": item.submitted_at, "updated_at": item.updated_at,
        "total_score": number(item.total_score), "grade": item.grade,
        "finance_feedback": item.finance_feedback,
        "may_edit": selfeval.can_edit(item, user),
        "problems": [str(p) for p in selfeval.completeness_problems(item)]
        if state_def(item.state).section_edits else [],
        "transitions": [transition(t) for t in actions.available(item, user)],
        "content": content.serialize(item),
    }


def history(record):
    return {"at": record.at, "actor": record.actor.full_name if record.actor else None, "action": record.action,
            "from_state": record.from_state, "to_state": record.to_state, "comment": record.comment}


def task(item):
    evaluation = item.evaluation
    return {
        "id": item.id, "label": str(tasks.label(item)), "state": item.state, "evaluation_id": item.evaluation_id,
        "project": evaluation.project.name, "section": evaluation.project.section.name
        if evaluation.project.section else None,
        "role": item.role, "assignee": item.assignee.full_name if item.assignee else None,
        "due_date": item.due_date, "urgency": tasks.urgency(item), "created_at": item.created_at,
    }


def meeting(item):
    return {"id": item.id, "plan_id": item.plan_id, "title": item.title, "kind": item.kind,
            "kind_label": str(meetings.KIND_LABELS.get(item.kind, item.kind)), "starts_at": item.starts_at,
            "ends_at": item.ends_at, "place": item.place, "published": item.is_published}


def signin(item):
    return {"id": item.id, "name": item.name, "unit": item.unit, "signed_at": item.signed_at, "late": item.late,
            "method": item.method, "guest": item.is_guest, "note": item.note}


def meeting_detail(item, user):
    invitee = meetings.invitee_of(item, user)
    own = meetings.signin_of_user(item, user.id)
    data = meeting(item)
    data.update({
        "addressee": item.addressee, "purpose": item.purpose, "arrangements": item.arrangements,
        "reply_by": item.reply_by, "allow_guests": item.allow_guests,
        "registration_open": meetings.registration_open(item),
        "invited": invitee is not None,
        "my_reply": reply(invitee) if invitee is not None else None,
        "my_signin": signin(own) if own is not None else None,
        "summary": meetings.attendance_summary(item).as_dict(),
    })
    return data


def reply(invitee):
    defaults = meetings.reply_defaults(invitee)
    return {"attending": defaults.attending, "reason": defaults.reason, "name": defaults.name,
            "unit": defaults.unit, "title": defaults.title, "phone": defaults.phone, "remarks": defaults.remarks,
            "responded_at": invitee.responded_at}


def registration(invitee):
    name, unit, title, phone = meetings.person(invitee)
    return {"invitee_id": invitee.id, "guest": invitee.is_guest, "name": name, "unit": unit, "title": title,
            "phone": phone, "response": invitee.response, "reason": invitee.reason, "remarks": invitee.remarks,
            "responded_at": invitee.responded_at}


def invitee(item, signed_in_ids):
    name, unit, title, phone = meetings.person(item)
    return {"invitee_id": item.id, "user_id": item.user_id, "guest": item.is_guest, "name": name, "unit": unit,
            "title": title, "phone": phone, "response": item.response, "reminders": item.reminder_count,
            "signed_in": item.id in signed_in_ids}


def invitees(meeting):
    signed = {s.invitee_id for s in meeting.signins if s.invitee_id is not None}
    return [invitee(i, signed) for i in meeting.invitees]


def meeting_attachment(item):
    return {"id": item.id, "title": item.title, "filename": item.filename, "content_type": item.content_type,
            "size": item.size, "uploaded_at": item.uploaded_at}


def finding(item):
    return {"code": item.code, "kind": item.kind, "message": str(item.message), "explained": item.explained,
            "note": item.note}


def comment(row, label):
    return {"id": row.id, "target": row.target, "target_label": str(label), "text": row.text,
            "author": row.author.full_name if row.author else None, "created_at": row.created_at}


def evidence(item, may_delete):
    return {"id": item.id, "evaluation_id": item.evaluation_id, "indicator_id": item.indicator_id,
            "filename": item.filename, "content_type": item.content_type, "size": item.size, "sha256": item.sha256,
            "uploaded_by": item.uploaded_by.full_name if item.uploaded_by else None,
            "uploaded_at": item.uploaded_at, "may_delete": may_delete}

def submission(item):
    return {"id": item.id, "plan_id": item.plan_id, "title": item.title, "note": item.note,
            "document_number": item.document_number, "signer": item.signer, "received_at": item.received_at,
            "created_by": item.created_by.full_name if item.created_by else None, "created_at": item.created_at,
            "items": len(item.items)}


def summary_row(row):
    return {"evaluation_id": row.evaluation_id, "project": row.project, "section": row.section,
            "budget": number(row.budget), "executed": number(row.executed),
            "execution_rate": number(row.rate), "total_score": number(row.score),
            "grade": row.grade}


def submission_detail(item, rows, totals):
    data = submission(item)
    budget, executed, rate = totals
    data["rows"] = [summary_row(r) for r in rows]
    data["totals"] = {"budget": number(budget), "executed": number(executed), "execution_rate": number(rate)}
    return data
