#!/usr/bin/env python3
"""Make the department's default signing key once (``make setup``): a PKCS#12 with a new RSA
key and a self-signed certificate in the department's name, at instance/signing/department.p12,
its random password beside it in department.p12.password (both mode 0600, the folder 0700).

Nothing is done when an office's own PKCS#12 is configured (DOCUMENT_SIGNING_P12; it is only
checked to open) or when the default key exists already: reports signed with it stay
verifiable, so it is never replaced by this script.

The certificate's name is --name, else DEPARTMENT_NAME, else the 主管部门 of the newest plan if
the database already has one. On a first set-up with none of them (no database yet) the key is
not made here: the app makes it at the first approval, in the name of that plan's 主管部门
(workflow/documents/signing.py current_key), so the certificate never carries a placeholder.
Usage: scripts/signing_key.py [--name NAME]
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import INSTANCE_DIR, get_config  # noqa: E402
from workflow.documents import signing  # noqa: E402


def plan_department():
    """The newest plan's 主管部门, if the database is there and holds one; else None."""
    url = get_config().SQLALCHEMY_DATABASE_URI
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None   # (not even an empty SQLite file made by asking)
    try:
        from workflow import create_app
        from workflow.excel.exporter import organisation
        from workflow.plans.services import current_plan

        app = create_app()
        with app.app_context():
            plan = current_plan()
            name = organisation(plan) if plan is not None else "—"
    except Exception:  # noqa: BLE001 - no database yet (the usual first set-up)
        return None
    return None if name == "—" else name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", help="the certificate's subject (default: see above)")
    args = parser.parse_args()
    configured = os.environ.get("DOCUMENT_SIGNING_P12")
    if configured:
        password = os.environ.get("DOCUMENT_SIGNING_P12_PASSWORD")
        key = signing.load_key(configured, password.encode("utf-8") if password else None)
        print(f"signing key: {configured} ({key.subject})")
        return
    p12_path, _password_path = signing.default_paths(INSTANCE_DIR)
    if p12_path.exists():
        return
    name = args.name or os.environ.get("DEPARTMENT_NAME", "").strip() or plan_department()
    if not name:
        print("signing key: the department's name is not known yet (set DEPARTMENT_NAME); "
              "it will be made at the first approval, in the name of the plan's 主管部门")
        return
    if signing.ensure_default_key(INSTANCE_DIR, name):
        print(f"signing key: made {p12_path} (self-signed, {name})")


if __name__ == "__main__":
    main()
