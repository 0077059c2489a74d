"""A client generated from the served OpenAPI document works, with typed results.

openapi-python-client (in the clients' venv, ``.venv-clients`` at the repository root, made
by ``make clients``; set ``LYCEUM_CLIENTS_VENV`` to use another copy, e.g. a main checkout's)
generates a package from ``/api/v1/openapi.json`` of the real app (``AppProcess``); its
Python then runs ``generated_client_driver.py``, which calls eleven operations with an API
token, and the test checks every answer was parsed into the generated model classes.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.servers import ROOT, AppProcess

DRIVER = Path(__file__).with_name("generated_client_driver.py")
PACKAGE = "lyceum_client"
CONFIG = f"""package_name_override: {PACKAGE}
project_name_override: lyceum-client
post_hooks: []
content_type_overrides:
  application/pdf: application/octet-stream
"""
ANALYST = ("generated-client@plant.example", "generated client password")


def clients_venv() -> Path:
    """The clients' venv: ``$LYCEUM_CLIENTS_VENV`` or ``.venv-clients`` in the repo."""
    venv = Path(os.environ.get("LYCEUM_CLIENTS_VENV") or ROOT / ".venv-clients")
    if not (venv / "bin" / "openapi-python-client").exists():
        pytest.fail(f"openapi-python-client is not in {venv}: run `make clients` (or set "
                    "LYCEUM_CLIENTS_VENV to a venv made from tests/clients/requirements.txt)")
    return venv


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The real app with the small demo plant and one analyst on it."""
    served = AppProcess(tmp_path_factory.mktemp("generated") / "instance", partials=False)
    served.start()
    made = served.cli("create-user", "--email", ANALYST[0], "--cluster", "demo_plant",
                      "--role", "analyst", "--password-stdin", stdin=ANALYST[1] + "\n")
    assert made.returncode == 0, made.stderr
    yield served
    served.stop()


def _admin_token(app: AppProcess) -> str:
    """An admin token on the demo cluster, made through the API by the first admin."""
    session = app.signed_in(*app.first_admin())
    made = session.post(f"{app.url}/api/v1/clusters/1/tokens", timeout=30,
                        json={"name": "generated client", "role": "admin",
                              "expires_in_days": 1})
    assert made.status_code == 201, made.text
    secret: str = made.json()["secret"]
    return secret


def test_a_generated_client_gets_typed_results(app: AppProcess, tmp_path: Path) -> None:
    venv = clients_venv()
    token = _admin_token(app)
    document = requests.get(f"{app.url}/api/v1/openapi.json", timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
    assert document.status_code == 200
    (tmp_path / "openapi.json").write_text(document.text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    generated = subprocess.run(
        [str(venv / "bin" / "openapi-python-client"), "generate", "--path", "openapi.json",
         "--config", "config.yaml", "--meta", "none", "--output-path", PACKAGE],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout  # nothing left out
    process = requests.get(f"{app.url}/api/v1/clusters/1/curve-filters", timeout=30,
                           headers={"Authorization": f"Bearer {token}"}).json()["process"]
    ran = subprocess.run(
        [str(venv / "bin" / "python"), str(DRIVER), str(tmp_path), app.url, token, "1",
         process], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    results = {r["operation"]: r for r in map(json.loads, ran.stdout.splitlines())}

    models = f"{PACKAGE}.models."
    expected = {"list clusters": "ClusterPage", "get a cluster": "ClusterDetail",
                "cluster status": "ClusterStatus", "list members": "MemberPage",
                "list tokens": "TokenPage", "audit": "AuditPage", "curves": "CurvePage",
                "curve filters": "CurveFilters", "golden curves": "GoldenCurveList",
                "imports": "ImportJobList", "spec limits": "SpecLimitList"}
    for name, model in expected.items():
        assert results[name]["status"] == 200, results[name]
        assert results[name]["type"].startswith(models), results[name]
        assert results[name]["type"].endswith(f".{model}"), results[name]
    items = {"list clusters": "Cluster", "list members": "Member", "list tokens": "Token",
             "audit": "AuditEntry", "curves": "Curve", "spec limits": "SpecLimit"}
    for name, model in items.items():
        assert results[name]["count"] >= 1, results[name]
        assert [t.rsplit(".", 1)[1] for t in results[name]["item_types"]] == [model]
        assert all(t.startswith(models) for t in results[name]["item_types"])
    assert results["curves"]["count"] == 7  # the limit went through as a typed argument
    assert results["list clusters"]["count"] == 1  # the token's own cluster
    refused = results["another cluster"]
    assert (refused["status"], refused["type"]) == (403, f"{models}error.Error")
