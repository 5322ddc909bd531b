"""Object rules before the body: a caller who may not touch the object hears 403, never the
422s of a body that would have been refused anyway.

Role marks are enforced before any view runs (permissions.enforce_access). Rules that depend
on the object (the evaluation's section and state) live in the services, which run only after
flask-smorest has parsed the body. ``rule_before_body(check)``, placed between ``@bp.route``
and ``@bp.arguments``, asks ``check(**view_args)`` when the body was refused: a caller the
object's rule refuses gets that refusal (403) instead of the body's messages (422).
"""
import functools

from flask_login import current_user
from werkzeug.exceptions import HTTPException

from workflow.errors import Forbidden


def rule_before_body(check):
    def decorator(view):
        @functools.wraps(view)  # keeps flask-smorest's and the permission layer's marks
        def guarded(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except HTTPException as error:
                if error.code == 422 and current_user.is_authenticated:
                    check(**kwargs)
                raise

        return guarded

    return decorator


def refuse_unless(reason):
    """Raise the refusal a check found (None: allowed)."""
    if reason:
        raise Forbidden(reason, code="refused")
