"""Command-line tasks: ``flask --app wsgi create-admin``, ``import-people``, ``demo``, ``remind``,
``send-mail``, ``backup``, ``restore`` and ``refresh-derived``."""
import click
from flask.cli import with_appcontext

from workflow.errors import ServiceError
from workflow.roles import Role


def init_app(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(import_people)
    app.cli.add_command(demo)
    app.cli.add_command(remind)
    app.cli.add_command(send_mail)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(refresh_derived)


def _new_password():
    """Ask for the password twice, in Chinese like every other prompt here (click's own
    confirmation would answer a mismatch in English)."""
    while True:
        password = click.prompt("密码", hide_input=True)
        if click.prompt("再次输入密码", hide_input=True) == password:
            return password
        click.echo("两次输入的密码不一致，请重新输入。", err=True)


@click.command("create-admin")
@click.option("--username", prompt="登录名", help="the administrator's login name")
@click.option("--name", "full_name", prompt="姓名", help="the administrator's full name")
@click.option("--password", help="the password (asked twice, hidden, when not given)")
@with_appcontext
def create_admin(username, full_name, password):
    """Create an administrator account (or give an existing account the admin role)."""
    if password is None:
        password = _new_password()
    from sqlalchemy import select

    from workflow.admin import services
    from workflow.auth import sessions
    from workflow.auth.services import validate_new_password
    from workflow.extensions import db
    from workflow.models import User

    from sqlalchemy import func

    existing = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    try:
        if existing is not None:
            validate_new_password(existing, password)
            existing.set_roles(existing.roles | {Role.ADMIN})
            existing.set_password(password)
            existing.must_change_password = False  # chosen at the console, as for a new admin
            existing.active = True
            sessions.end_all(existing)  # the old password's sessions end
            if full_name.strip():
                existing.full_name = full_name.strip()[:64]
            db.session.commit()
            click.echo(f"已授予 {existing.username} 管理员角色并重设密码。")
            return
        user = services.create_user(
            services.UserData(username=username, full_name=full_name, roles={Role.ADMIN}), password
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    # Whoever runs this chose the password at the console: no forced change.
    user.must_change_password = False
    db.session.commit()
    click.echo(f"已创建管理员 {user.username}（{user.full_name}）。")


@click.command("import-people")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", "by_login", help="the administrator who imports (default: the first active one)")
@click.option("--url", "base_url", help="the address people reach the app by (default: PUBLIC_URL, MEETING_PUBLIC_URL)")
@with_appcontext
def import_people(path, by_login, base_url):
    """Import people and sections from the people workbook (the admin page's template), all or
    nothing; print each new person's set-password link, or that it was mailed."""
    from flask import current_app
    from sqlalchemy import select

    from workflow.admin import people_excel
    from workflow.excel.importer import ImportRefused
    from workflow.extensions import db
    from workflow.models import User, UserRole

    config = current_app.config
    base_url = (base_url or config.get("PUBLIC_URL") or config.get("MEETING_PUBLIC_URL") or "").rstrip("/")
    if not base_url:
        raise click.ClickException("请用 --url 指定人员访问本系统的地址（或设置 PUBLIC_URL），设置密码链接需要它。")
    query = (select(User).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == Role.ADMIN.value, User.active.is_(True)).order_by(User.id))
    if by_login:
        query = query.where(User.username == by_login)
    actor = db.session.scalars(query).first()
    if actor is None:
        raise click.ClickException("找不到在用的管理员，请先运行 create-admin，或用 --by 指定管理员的登录名。")
    with current_app.test_request_context("/", base_url=base_url):
        try:
            with open(path, "rb") as stream:
                result = people_excel.import_people(stream, actor)
        except ImportRefused as refusal:
            for problem in refusal.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException("文件未导入，没有创建任何人员或科室。") from None
    click.echo(f"已导入 {len(result.people)} 人，新建科室 {len(result.new_sections)} 个。")
    if result.office is not None:
        click.echo(f"“{result.office.name}”已设为评价工作小组办公室所在科室。")
    for link in result.links:
        where = f"已发送邮件至 {link.user.email}" if link.mailed else link.url
        click.echo(f"  {link.user.username:<12} {link.user.full_name:<8} {where}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
@with_appcontext
def demo(if_empty):
    """Load the seed's organisation (承德市应急管理局) as demo data; safe to run twice."""
    from workflow import demo as demo_data

    if if_empty and not demo_data.database_is_empty():
        click.echo("数据库中已有用户，跳过演示数据。")
        return
    logins = demo_data.load_demo()
    click.echo(f"演示账号（初始密码均为 {demo_data.DEMO_PASSWORD}）：")
    for username, full_name, roles, part, created in logins:
        role_names = "、".join(str(role.label) for role in Role if role in roles)
        marker = "" if created else "（已存在）"
        click.echo(f"  {username:<12} {full_name:<8} {role_names:<24} {part}{marker}")


@click.command("remind")
@with_appcontext
def remind():
    """Send due-soon and overdue reminders once per task and threshold (run from cron)."""
    from workflow.engine import reminders

    summary = reminders.run()
    click.echo(f"提醒 {summary.reminders} 条，督办 {summary.escalations} 条，邮件 {summary.emails} 封。")


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running: a pass every --interval seconds until stopped.")
@click.option("--interval", type=click.IntRange(1, 3600), default=None,
              help="Seconds between the passes of --loop (default MAIL_POLL_SECONDS).")
@with_appcontext
def send_mail(loop, interval):
    """Deliver the outbox's due mail (one pass, for cron every minute; --loop: a long-running
    sender). Several senders at once never send one message twice."""
    import signal
    import threading

    from flask import current_app

    from workflow.engine import mailer

    def report(summary):
        click.echo(f"已发送 {summary.sent} 封，待重试 {summary.retrying} 封，放弃 {summary.failed} 封。")

    if not current_app.config["MAIL_ENABLED"]:
        click.echo("邮件未启用（MAIL_ENABLED），不发送。")
        if not loop:
            return
    if not loop:
        report(mailer.deliver())
        return
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        # Finish the message in hand, then stop (systemd's stop, Ctrl-C).
        signal.signal(number, lambda *_args: stop.set())
    seconds = interval or current_app.config["MAIL_POLL_SECONDS"]
    click.echo(f"邮件发送进程已启动，每 {seconds} 秒检查一次。")
    mailer.run_forever(seconds, stop, report)
    click.echo("邮件发送进程已停止。")


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=True))
@with_appcontext
def backup(path):
    """Write one consistent archive of the database and its stored files (default: under
    instance/backups/)."""
    from workflow.maintenance import backup as maintenance

    try:
        summary = maintenance.backup(path)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已备份到 {summary.path}：{summary.tables} 张表，{summary.rows} 行，{summary.files} 个文件，"
               f"共 {summary.size / 1048576:.1f} MB。")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the data of a database that is not empty.")
@with_appcontext
def restore(path, force):
    """Bring a backup back into an empty database at the same migration revision
    (--force: replace the existing data)."""
    from workflow.maintenance import restore as maintenance

    try:
        summary = maintenance.restore(path, force=force)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    replaced = "（已替换原有数据）" if summary.replaced else ""
    click.echo(f"已从 {path} 恢复{replaced}：{summary.tables} 张表，{summary.rows} 行，{summary.files} 个文件，校验一致。")


@click.command("refresh-derived")
@with_appcontext
def refresh_derived():
    """Compute what is stored on the evaluations for the busy pages (the copies of the
    project's plan and section, the findings counts) again and repair what differs, e.g. after
    a change made directly in the database."""
    from workflow.maintenance import derived

    summary = derived.refresh()
    click.echo(f"已检查 {summary.evaluations} 个评价：方案与科室副本修正 {summary.copies} 个，"
               f"核查问题计数修正 {summary.counts} 个。")
