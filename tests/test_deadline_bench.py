"""What bench/deadline.py relies on to count lost saves and to stand for the README's
deployment: the form it fills saves whole and may be submitted, its read-back of the database
sees what was posted (and a value that is not), and its nginx configuration is valid and has
the README's proxy directives. The bench itself measures; these only check its instruments."""
import random
import re
import subprocess
from pathlib import Path

import pytest

from bench import deadline
from tests import factories
from tests.conftest import post, signed_in
from workflow.extensions import db
from workflow.models import Evaluation
from workflow.selfeval import services

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.commits  # the bench reads the database back through a connection of its own
def test_the_bench_fills_a_form_that_saves_whole_may_be_submitted_and_reads_back_as_posted(app, database_url):
    org, plan = factories.make_setup()
    project = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office)
    factories.walk_to(project.evaluation, "self_evaluating", org)
    evaluation_id = project.evaluation.id
    client = signed_in(app, org.staff_a)
    page = client.get(f"/evaluations/{evaluation_id}/form").get_data(as_text=True)
    fields, version = deadline.form_fields(page)
    values = deadline.fill(fields, 1, org.staff_a.username, random.Random(1))
    # Every kind of field the person writes: the header, the budget, each indicator, the report.
    assert {"leader_name", "overall_target", "overall_achievement"} <= set(values)
    assert sum(name.startswith("funding-") for name in values) == 12
    assert sum(name.startswith("ind-") for name in values) >= 50
    assert sum(name.startswith("text-") for name in values) >= 5

    response = post(client, f"/evaluations/{evaluation_id}/form", dict(values, version=version))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert services.completeness_problems(db.session.get(Evaluation, evaluation_id)) == []

    forms, submits, open_tasks, states, _outbox = deadline.read_back(database_url, [evaluation_id])
    stored = forms[evaluation_id]
    compared = [name for name in values if name in stored]
    assert len(compared) >= 0.7 * len(values)
    assert [name for name in compared if not deadline.same(stored[name], values[name])] == []
    # A value other than the one posted is seen as lost, a number as a number.
    assert not deadline.same(stored["overall_achievement"], values["overall_achievement"] + "。")
    assert not deadline.same(stored["funding-total-executed"], "172.7")
    assert deadline.same(stored["funding-total-executed"], values["funding-total-executed"] + "0")
    assert states[evaluation_id] == "self_evaluating" and submits.get(evaluation_id, 0) == 0
    assert open_tasks[evaluation_id] == 1


def test_the_bench_nginx_configuration_is_valid_and_has_the_readmes_proxy_directives(tmp_path):
    folder = tmp_path / "nginx"
    folder.mkdir()
    config = deadline.nginx_config(folder, 8080, [8001, 8002])
    result = subprocess.run(["nginx", "-t", "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "server 127.0.0.1:8001;" in config.read_text() and "server 127.0.0.1:8002;" in config.read_text()

    readme = re.search(r"```nginx\n(.*?)```", README.read_text(), re.S).group(1)
    readme_lines = {line.split("#")[0].strip() for line in readme.splitlines()}
    bench_lines = {line.strip() for line in deadline.NGINX_SITE.format(servers="", port=0).splitlines()}
    directives = {line for line in bench_lines if line.startswith(("proxy_", "keepalive", "client_max_body_size"))}
    assert len(directives) == 9
    assert directives <= readme_lines, directives - readme_lines
