from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import numbers, scoring
from workflow.engine.definition import state_def
from workflow.errors import ServiceError, status_of
from workflow.library import services as library
from workflow.library.terms import BASES, category_label
from workflow.evaluations.services import visible_or_abort
from workflow.permissions import logged_in
from workflow.refusals import field_problems
from workflow.selfeval import bp, content, department, edits, services
from workflow.selfeval import framework, outline
from workflow.selfeval.framework import EXECUTION_RATE
from workflow.targets import record as target_record


def _render(evaluation, values=None, status=200, field_errors=None, other_errors=()):
    editable = services.can_edit(evaluation, current_user)
    sections = content.report_outline(evaluation)
    is_department = department.is_department(evaluation)
    return render_template(
        "selfeval/form.html",
        evaluation=evaluation,
        project=evaluation.project,
        funding=content.funding(evaluation),
        funding_labels=content.funding_labels(evaluation),
        funding_columns=content.FUNDING_COLUMNS,
        outline=sections,
        outline_labels=outline.labels(sections),
        is_department=is_department,
        department_tasks=evaluation.department_tasks if is_department else [],
        serving_choices=department.serving_choices(evaluation.project.plan) if is_department else [],
        blank_tasks=department.BLANK_TASK_ROWS if is_department and editable else 0,
        texts={s.key: s.text for s in evaluation.narrative},
        editable=editable,
        # Submitted or approved 绩效目标 are shown, not typed (workflow/targets/record.py).
        targets_fixed=target_record.fixed(evaluation),
        actuals=state_def(evaluation.state).actuals,
        problems=services.completeness_problems(evaluation),
        changes=services.changes_since_submission(evaluation),
        values=values or {},
        field_errors=field_errors or {},
        other_errors=other_errors,
        natures=scoring.NATURE_LABELS,
        bands=scoring.BAND_LABELS,
        grade_labels=scoring.GRADE_LABELS,
        execution_rate_kind=EXECUTION_RATE,
        deviation_required=scoring.deviation_reason_required,
        rates=services.funding_rates(evaluation),
        percent_text=numbers.percent_text,
        rules=services.page_rules(),
        library=framework.library(limit=500) if editable else [],
        bases=BASES,
        category_label=category_label(evaluation.project.category),
        from_library=library.offered(evaluation) if editable else [],
    ), status


@bp.route("/<int:evaluation_id>/form", methods=["GET", "POST"])
@logged_in
def form(evaluation_id):
    evaluation = visible_or_abort(evaluation_id, current_user)
    if request.method == "GET":
        services.prepare(evaluation)
        return _render(evaluation)
    try:
        services.save(evaluation.id, current_user, edits.from_form(request.form), address=request.remote_addr)
    except ServiceError as error:
        evaluation = visible_or_abort(evaluation_id, current_user)
        if not error.fields:
            flash(error.message, "danger")
            return _render(evaluation, values=request.form, status=status_of(error))
        # Each refused value is marked at its field and listed, linked, in the page's error
        # summary; the problems no field holds are listed there too.
        return _render(evaluation, values=request.form, status=status_of(error),
                       **field_problems(error, edits.form_field))
    flash(_("已保存。"), "success")
    # The id as routed: the committed evaluation is expired, and reading its id would load it again.
    return redirect(url_for("selfeval.form", evaluation_id=evaluation_id))
