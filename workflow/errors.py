"""The error every service raises when a rule refuses an action, and the HTTP status that
says what happened.

Its message is already translated text for the person at the screen; the pages show it
(workflow/refusals.py) and the API returns it with its code, both with status_of()'s status.
Nothing has been changed when it is raised.
"""


class ServiceError(Exception):
    code = "invalid"

    def __init__(self, message, code=None, fields=None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        # Where the problems are, when the service knows: {a key of its own → message}, for a
        # page to mark each field (e.g. the 自评表's, workflow/selfeval/edits.form_field).
        self.fields = dict(fields or {})


class NotFound(ServiceError):
    code = "not_found"


class Forbidden(ServiceError):
    code = "forbidden"


# A service error's code → HTTP status: not allowed (403), changed meanwhile or already done
# (409), too many attempts (429), the server cannot do it now (503); any other code is a value
# the rules refused (422).
STATUS = {
    "not_found": 404,
    "forbidden": 403,
    "refused": 403,
    "not_invited": 403,
    "token_refused": 403,
    "duplicate": 409,
    "concurrent_change": 409,
    "window": 409,
    "locked": 409,
    "conflict": 409,
    "throttled": 429,
    "signing_key": 503,  # the server cannot sign now: the administrator's to fix
}


def status_of(error):
    return STATUS.get(error.code, 422)
