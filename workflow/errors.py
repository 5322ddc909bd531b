"""The error every service raises when a rule refuses an action.

Its message is already translated text for the person at the screen; routes flash it, and
the API (later) returns it with its code. Nothing has been changed when it is raised.
"""


class ServiceError(Exception):
    code = "invalid"

    def __init__(self, message, code=None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code


class NotFound(ServiceError):
    code = "not_found"


class Forbidden(ServiceError):
    code = "forbidden"
