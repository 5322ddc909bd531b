"""gunicorn's access log without the secrets some addresses carry.

The personal calendar feed (/work/calendar/<token>.ics) is a long-lived credential in the
URL, and the sign-in and set-password addresses carry tokens too; an access log is read by
more people than should subscribe to someone's calendar or set someone's password. Use with ``--logger-class workflow.access_log.Logger``.
"""
import re

from gunicorn.glogging import Logger as GunicornLogger

SECRET_IN_PATH = re.compile(r"(/work/calendar/|/meetings/\d+/(?:scan|checkin)/|/auth/set-password/)[^/?#\s\"]+")


def redact(text):
    return SECRET_IN_PATH.sub(r"\1[redacted]", text) if isinstance(text, str) else text


class Logger(GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{raw_uri}e"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        return atoms
