"""The worker tests/test_kill.py kills: it fires one transition with actions.perform and stops
at a chosen point of it, says so on stdout, and waits there to be killed (SIGKILL).

    python -m tests.kill_worker DATABASE_URL INSTANCE_PATH EVALUATION_ID TRIGGER ACTOR_ID POINT

It starts the application, prints READY and waits for a line on stdin before it begins (so
that a test can start several workers at once and let them go one after the other).
POINT is where it stops:
  mid_transition  the first flush of the transition: the state change has been written to
                  the database (uncommitted), the effects have not run yet
  before_commit   everything written (state, effects, tasks, audit, notifications), not committed
  after_commit    committed
TRIGGER ``report`` composes a submission batch of the evaluation (submissions.services.compose),
which reports it. The hooks are SQLAlchemy session events registered here only; the application is unchanged.
"""
import sys
import time

from sqlalchemy import event, text


def main(database_url, instance_path, evaluation_id, trigger, actor_id, point):
    from workflow import create_app
    from workflow.engine import actions
    from workflow.extensions import db
    from workflow.models import User

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": instance_path})
    print("READY", flush=True)
    sys.stdin.readline()
    with app.app_context():
        session = db.session()
        postgres = db.engine.dialect.name == "postgresql"
        if postgres:
            # A lock an earlier (killed) worker left would make this one fail, not hang.
            session.execute(text("SET lock_timeout = '30s'"))

        def stop(where):
            backend = 0
            if postgres and where != "after_commit":
                backend = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            print(f"STOPPED {where} {backend}", flush=True)
            while True:
                time.sleep(3600)

        if point == "mid_transition":
            event.listen(session, "after_flush", lambda *_: stop(point), once=True)
        elif point == "before_commit":
            def flush_then_stop(current):
                current.flush()
                stop(point)
            event.listen(session, "before_commit", flush_then_stop, once=True)
        elif point == "after_commit":
            event.listen(session, "after_commit", lambda *_: stop(point), once=True)
        else:
            raise SystemExit(f"unknown point {point}")
        actor = db.session.get(User, int(actor_id))
        if trigger == "report":  # 报送 happens through a submission batch, as on the page
            from workflow.models import Evaluation
            from workflow.submissions import services

            plan = db.session.get(Evaluation, int(evaluation_id)).project.plan
            services.compose(plan, [int(evaluation_id)], "第一批", "", actor)
        else:
            actions.perform(int(evaluation_id), trigger, actor, comment="同意")
    print("FINISHED without stopping", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
