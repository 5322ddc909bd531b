"""The monitoring pages' forms: a monitoring date, the plan's threshold, and the report (read
from the POST into services.ReportEdit, amounts as typed: Decimal, never float)."""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField
from wtforms.validators import InputRequired

from workflow.monitoring.services import ProgressEdit, ReportEdit

AMOUNT_PLACES = 4
LIMIT = Decimal("1e14")


class MonitoringDateForm(FlaskForm):
    as_of = DateField(_l("监控时点"), validators=[InputRequired(message=_l("此项为必填项。"))])
    due_date = DateField(_l("报送截止日期"), validators=[InputRequired(message=_l("此项为必填项。"))])


class LagPointsForm(FlaskForm):
    monitoring_lag_points = DecimalField(_l("执行进度预警线（百分点）"),
                                         validators=[InputRequired(message=_l("此项为必填项。"))])


def _number(form, name, label, errors):
    """The form's field ``name`` as a Decimal (None when blank); the problem to ``errors``,
    with the field it is in: (name, message)."""
    text = (form.get(name) or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.append((name, _("“%(field)s”应为数字。", field=label)))
        return None
    if value < 0:
        errors.append((name, _("“%(field)s”不能为负数。", field=label)))
        return None
    if value.as_tuple().exponent < -AMOUNT_PLACES:
        errors.append((name, _("“%(field)s”最多保留 %(n)d 位小数。", field=label, n=AMOUNT_PLACES)))
        return None
    if value >= LIMIT:
        errors.append((name, _("“%(field)s”数值过大。", field=label)))
        return None
    return value


def report_edit(form, indicators):
    """The report form's fields: ``executed``, ``execution_reason``, ``execution_correction``
    and per monitored indicator ``ind-<id>-value``, ``-expected`` (a number) or ``-met``
    (yes/no, 定性), ``-reason``, ``-correction``. The services name a refused field by the
    same name (ServiceError.fields), for the page to mark it."""
    errors = []
    edit = ReportEdit(executed=_number(form, "executed", _("累计执行数"), errors),
                      execution_reason=form.get("execution_reason", ""),
                      execution_correction=form.get("execution_correction", ""), errors=errors)
    version = form.get("version", "")
    edit.version = int(version) if version.isdigit() and len(version) < 10 else None
    for ind in indicators:
        prefix = f"ind-{ind.id}-"
        label = ind.name or ind.level2 or ind.level1
        if ind.nature == "qualitative":
            met = form.get(prefix + "met", "")
            value, expected, expected_met = form.get(prefix + "value", ""), None, {"yes": True, "no": False}.get(met)
        else:
            value = _number(form, prefix + "value", _("%(name)s · 截至监控时点完成值", name=label), errors)
            expected = _number(form, prefix + "expected", _("%(name)s · 预计全年完成值", name=label), errors)
            expected_met = None
        edit.progress.append(ProgressEdit(ind.id, value, expected, expected_met,
                                          form.get(prefix + "reason", ""), form.get(prefix + "correction", "")))
    return edit
