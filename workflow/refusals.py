"""A POST the rules refused, answered honestly.

Before, a refused action flashed its reason and redirected, so every refusal ended as a 200
page. Now the reason is shown on the very page the redirect would have led to, rendered in
the same request with the status that says what happened (errors.status_of: 403 not
allowed, 409 changed meanwhile or already done, 422 a value refused). Nothing was changed:
the service raised before anything was committed.
"""
from flask import current_app, flash, make_response, request

from workflow.errors import status_of


def refused(error, endpoint, **values):
    """The page of ``endpoint`` (a GET-only view, called with ``values``) with ``error``'s
    reason above it and ``error``'s status."""
    flash(error.message, "danger")
    return page_with_status(status_of(error), endpoint, **values)


def page_with_status(status, endpoint, **values):
    """The page of the GET-only view ``endpoint`` with ``status``: for refusals found before
    a service ran (a form that did not validate: 422)."""
    methods = {m for rule in current_app.url_map.iter_rules(endpoint) for m in rule.methods}
    # A view that also handles POST would run the refused POST again.
    assert "POST" not in methods, f"{endpoint} is not a GET-only view"
    response = make_response(current_app.view_functions[endpoint](**values))
    response.status_code = status
    return response


def form_status(error=None):
    """The status of a page with a form: 200 when it is shown (GET). A POST that comes back to
    it was refused (a success redirects): ``error``'s status, or 422 for fields that did not
    validate."""
    if request.method != "POST":
        return 200
    return status_of(error) if error is not None else 422


def field_problems(error=None, form_field=None):
    """For a page with a hand-written form (templates/_errors.html): ``field_errors``, the
    form's field name → message of each field ``error`` names (ServiceError.fields; its keys
    turned into the form's names by ``form_field`` when they are not), and ``other_errors``,
    the parts of its message no field holds (the services join them with "；")."""
    fields = error.fields if error is not None else {}
    field_errors = {(form_field(where) if form_field else where): message for where, message in fields.items()}
    other_errors = ([part for part in error.message.split("；") if part not in fields.values()]
                    if fields else [])
    return {"field_errors": field_errors, "other_errors": other_errors}
