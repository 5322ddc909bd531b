"""``flask backup`` and ``flask restore``: a round trip through the command line on the test
database (SQLite or PostgreSQL) gives back every row and every stored file's bytes; ids go on
after the restored ones; a damaged or mismatched archive, or a database that is not empty, is
refused and changes nothing."""
import hashlib
import io
import json
import zipfile

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select
from werkzeug.datastructures import FileStorage

from tests import factories
from tests.conftest import drop_everything, signed_in
from tests.test_audit_append_only import assert_guarded
from tests.test_cli import dump
from tests.pdf_checks import prepared_fonts  # noqa: F401  (session fixture: the fonts)
from tests.test_evidence import PDF, png_bytes, xlsx_bytes
from tests.test_meetings import bj, make_meeting, pass_at
from workflow.engine import actions
from workflow.evidence import services as evidence
from workflow.extensions import db
from workflow.meetings import services as meetings
from workflow.models import (Attachment, AuditRecord, MeetingAttachment, MeetingSignin, Plan, Section, Snapshot, User,
                             UserSession)
from workflow.plans import services as plans


# Real commits: the backup reads the database through its own connections.
pytestmark = pytest.mark.commits


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def run(runner, *args):
    return runner.invoke(args=[str(a) for a in args])


@pytest.fixture
def world(app, prepared_fonts):  # noqa: F811
    """A plan with projects in several states, an approved evaluation with its frozen PDF and
    an evidence file, a published meeting with an attachment and sign-ins, audit records."""
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "self_evaluating")
    evidence.upload(evaluation, org.staff_a, FileStorage(io.BytesIO(png_bytes(5, 3)), "现场照片.png"))
    for trigger, actor in (("submit", org.staff_a), ("pass_review", org.reviewer), ("approve", org.leader)):
        factories.prepare_step(evaluation, trigger, {})
        actions.perform(evaluation.id, trigger, actor, comment="同意" if trigger == "approve" else "")
    factories.make_evaluation(plan, org, "returned", name="危化品监管项目", section=org.section_b)
    factories.make_evaluation(plan, org, "preparing", name="安全培训项目")
    meeting = make_meeting(plan, org)
    meetings.add_attachment(meeting, org.office, FileStorage(io.BytesIO(xlsx_bytes()), "培训登记表.xlsx"), "培训登记表")
    meetings.sign_in_user(meeting, org.staff_a, pass_at(meeting, bj(6, 20, 8, 55)))
    meetings.proxy_sign_in(meeting, meetings.invitee_of(meeting, org.staff_b).id, org.office, "纸质签到")
    return org, plan, evaluation


def stored_files():
    """Every stored file's bytes by where it lives."""
    files = {}
    for model, column in ((Attachment, "data"), (MeetingAttachment, "data"), (Snapshot, "pdf")):
        for row_id, data in db.session.execute(select(model.id, getattr(model, column))):
            if data is not None:
                files[(model.__tablename__, row_id)] = bytes(data)
    db.session.commit()
    return files


def fresh_database():
    """What a restore starts from on a new server: the schema of the migrations, no rows, every
    PostgreSQL sequence at 1."""
    db.session.remove()
    drop_everything(db.engine)
    upgrade()


def test_round_trip_gives_back_every_row_and_every_file(app, world, runner, tmp_path):
    org, plan, evaluation = world
    ids = {"plan": plan.id, "section": org.section_a.id, "office": org.office.id, "staff": org.staff_a.id}
    before, files = dump(db), stored_files()
    assert {table for table, _id in files} == {"attachments", "meeting_attachments", "snapshots"}
    assert db.session.scalar(select(func.count()).select_from(MeetingSignin)) == 2
    archive = tmp_path / "backup.zip"
    result = run(runner, "backup", archive)
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output

    fresh_database()
    assert all(not rows for rows in dump(db).values())
    result = run(runner, "restore", archive)
    assert result.exit_code == 0, result.output
    assert "已从" in result.output

    assert dump(db) == before
    assert stored_files() == files
    # The restore lifted the audit log's guard only inside its own transaction.
    assert_guarded(db.session.scalar(select(func.min(AuditRecord.id))))
    db.session.commit()
    pdf = db.session.scalar(select(Snapshot).where(Snapshot.kind == "approval"))
    assert hashlib.sha256(pdf.pdf).hexdigest() == pdf.pdf_sha256 and pdf.pdf.startswith(b"%PDF-")
    # The sequences go on after the restored ids: new rows get fresh ones (on PostgreSQL the
    # fresh database's sequences started at 1 and would collide).
    last_section = db.session.scalar(select(func.max(Section.id)))
    last_attachment = db.session.scalar(select(func.max(Attachment.id)))
    assert factories.make_section("新设科室").id == last_section + 1
    project = plans.add_project(db.session.get(Plan, ids["plan"]), "新项目", ids["section"],
                                db.session.get(User, ids["office"]))
    actions.perform(project.evaluation.id, "open_self_evaluation", db.session.get(User, ids["office"]))
    fresh = evidence.upload(project.evaluation, db.session.get(User, ids["staff"]),
                            FileStorage(io.BytesIO(PDF), "说明.pdf"))
    assert fresh.id == last_attachment + 1


def test_the_manifest_describes_the_archive_which_never_overwrites_a_file(app, world, runner, tmp_path):
    archive = tmp_path / "backup.zip"
    assert run(runner, "backup", archive).exit_code == 0
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        assert manifest["format"] == "jxpj-backup" and manifest["alembic_revision"]
        assert manifest["database"] == db.engine.dialect.name and manifest["created_at"]
        counts = {t["name"]: t["rows"] for t in manifest["tables"]}
        assert counts == {table: len(rows) for table, rows in dump(db).items()}
        assert [t["name"] for t in manifest["tables"]] == [t.name for t in db.metadata.sorted_tables]
        for entry in manifest["tables"] + manifest["files"]:
            assert hashlib.sha256(zipped.read(entry["member"])).hexdigest() == entry["sha256"]
        evidence_file = db.session.scalar(select(Attachment))
        assert zipped.read(f"files/attachments/{evidence_file.id}.data") == evidence_file.data

    result = run(runner, "backup", archive)
    assert result.exit_code != 0 and "已存在" in result.output
    with zipfile.ZipFile(archive) as zipped:
        assert json.loads(zipped.read("manifest.json")) == manifest
    # Without a path: a new file named by the time under instance/backups/.
    result = run(runner, "backup")
    assert result.exit_code == 0, result.output
    written = result.output.split("已备份到 ", 1)[1].split("：", 1)[0]
    assert written.startswith(app.instance_path + "/backups/jxpj-backup-") and written.endswith("Z.zip")
    with zipfile.ZipFile(written) as zipped:
        assert "manifest.json" in zipped.namelist()


def rewrite(source, target, change):
    """Copy the archive member by member; ``change(name, data)`` returns the new bytes,
    or None to leave the member out."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)


def altered_file(name, data):
    return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("files/attachments/") else data


def missing_table(name, data):
    return None if "_evaluations.jsonl" in name else data


def _manifest(change):
    def edit(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        change(manifest)
        return json.dumps(manifest).encode()
    return edit


def lying_row_count(manifest):
    """Every checksum still right: the mismatch shows only once the rows are in."""
    entry = next(t for t in manifest["tables"] if t["name"] == "audit_records")
    entry["rows"] += 1


def other_revision(manifest):
    manifest["alembic_revision"] = ["0001"]


def other_columns(manifest):
    manifest["tables"][1]["columns"].append("colour")


DAMAGE = {
    "a stored file changed": (altered_file, "校验值"),
    "a table missing": (missing_table, "缺少"),
    "the row count disagrees": (_manifest(lying_row_count), "行数"),
    "another revision": (_manifest(other_revision), "版本"),
    "other columns": (_manifest(other_columns), "数据表"),
}


def corrupt(damage, data):
    if damage == "flipped":
        # A byte in the middle of the compressed data: ZIP's CRC or the SHA-256 notices.
        data = bytearray(data)
        data[len(data) // 3] ^= 0xFF
        return bytes(data)
    if damage == "truncated":
        return data[: len(data) // 2]
    return b"%PDF-1.4 not a backup"


def test_a_damaged_or_mismatched_archive_is_refused_even_with_force_and_changes_nothing(
        app, world, runner, tmp_path):
    good = tmp_path / "backup.zip"
    assert run(runner, "backup", good).exit_code == 0
    # The database moves on after the backup; a refused restore must leave it as it now is.
    org, plan, evaluation = world
    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="请补充。")
    before = dump(db)
    for case, (change, message) in DAMAGE.items():
        damaged = tmp_path / f"{case}.zip"
        rewrite(good, damaged, change)
        result = run(runner, "restore", "--force", damaged)
        assert result.exit_code != 0, case
        assert message in result.output, (case, result.output)
        assert dump(db) == before, case
    for damage in ("flipped", "truncated", "not a zip"):
        bad = tmp_path / f"{damage}.zip"
        bad.write_bytes(corrupt(damage, good.read_bytes()))
        result = run(runner, "restore", "--force", bad)
        assert result.exit_code != 0, damage
        assert "损坏" in result.output or "不是本系统的备份" in result.output, (damage, result.output)
        assert dump(db) == before, damage
    # "The row count disagrees" failed after the old rows were deleted, the guard lifted: the
    # rollback brought both back.
    assert_guarded(db.session.scalar(select(func.min(AuditRecord.id))))


def test_restore_into_a_database_with_data_needs_force(app, world, runner, tmp_path):
    org, plan, evaluation = world
    archive = tmp_path / "backup.zip"
    assert run(runner, "backup", archive).exit_code == 0
    original = dump(db)
    actions.perform(evaluation.id, "return_for_revision", org.leader, comment="请补充。")
    factories.make_section("后来的科室")
    changed = dump(db)
    result = run(runner, "restore", archive)
    assert result.exit_code != 0 and "--force" in result.output and "未做任何改动" in result.output
    assert dump(db) == changed
    result = run(runner, "restore", "--force", archive)
    assert result.exit_code == 0, result.output
    assert "已替换原有数据" in result.output
    assert dump(db) == original
    assert_guarded(db.session.scalar(select(func.max(AuditRecord.id))))


def test_a_backup_holds_no_sessions_and_a_restore_signs_everybody_out(app, runner, tmp_path):
    org, _plan = factories.make_setup()
    browser = signed_in(app, org.staff_a)
    assert browser.get("/work/inbox").status_code == 200
    archive = tmp_path / "backup.zip"
    assert run(runner, "backup", archive).exit_code == 0
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    entry = next(t for t in manifest["tables"] if t["name"] == "user_sessions")
    assert entry["rows"] == 0  # the table is there, its rows are not
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    db.session.commit()
    result = run(runner, "restore", "--force", archive)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    response = browser.get("/work/inbox")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_restore_into_a_database_without_schema_says_what_to_do(app, runner, tmp_path):
    factories.make_setup()
    archive = tmp_path / "backup.zip"
    assert run(runner, "backup", archive).exit_code == 0
    db.session.remove()
    drop_everything(db.engine)
    try:
        result = run(runner, "restore", archive)
        assert result.exit_code != 0 and "db upgrade" in result.output, result.output
    finally:
        upgrade()


def test_the_backup_reads_one_moment_while_others_write(app, database_url, runner, tmp_path):
    """A row committed by someone else while the backup runs, in a table it has not read yet,
    is not in the archive: every table is read in one transaction."""
    org, plan = factories.make_setup()
    sections_before = db.session.scalar(select(func.count()).select_from(Section))
    db.session.commit()
    other = create_engine(database_url)
    written = []

    def write_meanwhile(connection, cursor, statement, *args):
        if not written and "login_failures" in statement:  # the first table the backup reads
            with other.begin() as writer:
                writer.execute(Section.__table__.insert().values(name="备份期间新建的科室", is_office=False,
                                                                 active=True, sort_order=0))
            written.append(True)

    event.listen(db.engine, "after_cursor_execute", write_meanwhile)
    try:
        result = run(runner, "backup", tmp_path / "backup.zip")
    finally:
        event.remove(db.engine, "after_cursor_execute", write_meanwhile)
        other.dispose()
    assert result.exit_code == 0, result.output
    assert written and db.session.scalar(select(func.count()).select_from(Section)) == sections_before + 1
    with zipfile.ZipFile(tmp_path / "backup.zip") as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        entry = next(t for t in manifest["tables"] if t["name"] == "sections")
        assert entry["rows"] == sections_before
        assert "备份期间新建的科室" not in zipped.read(entry["member"]).decode()
