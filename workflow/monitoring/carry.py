"""Next year's plan (plans.services.copy_plan, signals.plan_copied) keeps the monitoring dates
of this one, moved into its budget year with their due dates; its reports start empty. (The
lag threshold is a column of the plan, copied with it.)"""
from workflow import signals
from workflow.models.monitoring import MonitoringDate
from workflow.plans.services import shift_years


@signals.plan_copied.connect
def _carry_the_dates(source, plan=None, years=1, **_details):
    plan.monitoring_dates = [
        MonitoringDate(as_of=shift_years(d.as_of, years), due_date=shift_years(d.due_date, years))
        for d in source.monitoring_dates
    ]
