"""Signed tokens for sign-in (签到).

The projector shows a QR code whose URL carries ``<meeting>.<period>.<mac>``: the meeting, the
number of the current time period (SIGNIN_TOKEN_PERIOD_SECONDS long, 45 s by default) and an
HMAC-SHA256 of both under a key derived from SECRET_KEY. The code changes every period; a code
of the current period or of the SIGNIN_TOKEN_GRACE_PERIODS before it is accepted, so a person
who scanned just before the change is not refused, while a photo of the code passed on later
is. Nothing is kept in memory or in the database, so every worker and host agrees.

A scanned code is exchanged for a *pass* ``<meeting>.<issued epoch>.<mac>`` (another key),
valid SIGNIN_PASS_SECONDS: it covers the few minutes a person may need to log in on the phone
before tapping 签到. Time comes from workflow.clock, so tests move it instead of waiting.
"""
import base64
import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _

from workflow import clock
from workflow.errors import ServiceError

QR_PURPOSE = b"meeting-signin-qr"
PASS_PURPOSE = b"meeting-signin-pass"
MAC_BYTES = 16
MAX_TOKEN_LENGTH = 80


class TokenRefused(ServiceError):
    """A sign-in code or pass that is forged, expired or of another meeting."""


def _key(purpose):
    secret = current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return hmac.new(secret, purpose, hashlib.sha256).digest()


def _mac(purpose, meeting_id, number):
    digest = hmac.new(_key(purpose), f"{meeting_id}.{number}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:MAC_BYTES]).rstrip(b"=").decode("ascii")


def _sign(purpose, meeting_id, number):
    return f"{int(meeting_id)}.{int(number)}.{_mac(purpose, meeting_id, number)}"


def _open(purpose, token, forged_message):
    """(meeting id, number) of a well-formed token with a valid MAC; TokenRefused otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenRefused(forged_message, code="forged")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise TokenRefused(forged_message, code="forged")
    meeting_id, number = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2].encode("ascii", "replace"),
                               _mac(purpose, meeting_id, number).encode("ascii")):
        raise TokenRefused(forged_message, code="forged")
    return meeting_id, number


# The QR code ----------------------------------------------------------------------------


def period_seconds():
    return max(int(current_app.config["SIGNIN_TOKEN_PERIOD_SECONDS"]), 1)


def grace_periods():
    return max(int(current_app.config["SIGNIN_TOKEN_GRACE_PERIODS"]), 0)


def period_at(moment=None):
    moment = moment or clock.now()
    return int(moment.timestamp()) // period_seconds()


def qr_token(meeting_id, moment=None):
    """The code the projector shows now (or at ``moment``)."""
    return _sign(QR_PURPOSE, meeting_id, period_at(moment))


def seconds_left(moment=None):
    """Seconds until the code shown now is replaced by the next one."""
    moment = moment or clock.now()
    length = period_seconds()
    return length - int(moment.timestamp()) % length


def check_qr_token(token, meeting_id, moment=None):
    """Accept a code of ``meeting_id`` from the current period or the grace periods before it;
    raise TokenRefused (with the reason people read) otherwise."""
    token_meeting, period = _open(QR_PURPOSE, token, _("二维码无效，请扫描会场大屏上的签到二维码。"))
    if token_meeting != int(meeting_id):
        raise TokenRefused(_("此二维码不是本次会议的签到码，请扫描本会场大屏上的二维码。"), code="other_meeting")
    current = period_at(moment)
    # One period ahead is a clock running slightly fast on another app host, not a forgery.
    if period > current + 1:
        raise TokenRefused(_("二维码无效，请扫描会场大屏上的签到二维码。"), code="forged")
    if current - period > grace_periods():
        raise TokenRefused(_("二维码已过期，请重新扫描会场大屏上的最新二维码。"), code="expired")
    return period


# The pass -------------------------------------------------------------------------------


def issue_pass(meeting_id, moment=None):
    moment = moment or clock.now()
    return _sign(PASS_PURPOSE, meeting_id, int(moment.timestamp()))


def check_pass(token, meeting_id, moment=None):
    token_meeting, issued = _open(PASS_PURPOSE, token, _("签到链接无效，请扫描会场大屏上的签到二维码。"))
    if token_meeting != int(meeting_id):
        raise TokenRefused(_("此签到链接不属于本次会议，请扫描本会场大屏上的二维码。"), code="other_meeting")
    now = int((moment or clock.now()).timestamp())
    if issued > now + period_seconds():
        raise TokenRefused(_("签到链接无效，请扫描会场大屏上的签到二维码。"), code="forged")
    if now - issued > int(current_app.config["SIGNIN_PASS_SECONDS"]):
        raise TokenRefused(_("签到页面已过期，请重新扫描会场大屏上的二维码。"), code="expired")
    return issued
