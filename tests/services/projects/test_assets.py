"""Asset configs a client saves: an allow list of keys per type, server-made types refused,
and every saved config in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from data.metadata.models import AuditEntry, ProjectAsset
from lyceum.errors import ValidationError
from services.core.runtime import Runtime
from services.projects import assets, project_store
from tests.services.import_helpers import ACTOR, make_cluster


@pytest.fixture
def project(runtime: Runtime, ch_database: str) -> tuple[int, int]:
    cid = make_cluster(runtime, ch_database, schema=False)
    view = project_store.create_project(runtime, cluster_id=cid, actor=ACTOR, name="P",
                                   project_type="custom")
    return cid, view.id


def _counts(rt: Runtime) -> tuple[int, int]:
    with rt.db.session() as session:
        return (session.scalar(select(func.count()).select_from(ProjectAsset)) or 0,
                session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


REPORT = "A report asset is made by generating a report of the project, not saved directly."
ALERT = "An alert asset is made with its alert rule in the live dashboard, not saved directly."


@pytest.mark.parametrize(("asset_type", "config", "message"), [
    ("report", {"pdf": "lyceum.db"}, REPORT),
    ("report", {"pdf": "/etc/passwd"}, REPORT),
    ("report", {"pdf": "../../instance/secret_key"}, REPORT),
    ("report", {"report_id": 1}, REPORT),
    ("report", {}, REPORT),
    ("alert", {"rule_id": 1}, ALERT),
    ("folder", {}, "Unknown asset type."),
    ("chart", {"state": {}, "pdf": "lyceum.db"},
     "A chart asset does not take these settings: pdf."),
    ("dashboard", {"report_id": 3}, "A dashboard asset does not take these settings: report_id."),
    ("chart", {"page": "report", "state": {}}, "A chart asset is made in the explorer page."),
    ("chart", ["state"], "Nothing to save yet."),
    ("chart", {"state": {"pdf": "lyceum.db"}}, "The explorer link contains unknown fields."),
    ("dashboard", {"state": {"window": {"pdf": "lyceum.db"}}},
     "The dashboard view holds only its named choices (short text or numbers)."),
    ("dashboard", {"state": {"../x": "1"}},
     "The dashboard view holds only its named choices (short text or numbers)."),
    ("dashboard", {"state": {"line": "x" * 201}},
     "The dashboard view holds only its named choices (short text or numbers)."),
])
def test_bad_configs_are_refused_and_change_nothing(runtime: Runtime, project: tuple[int, int],
                                                    asset_type: str, config: Any,
                                                    message: str) -> None:
    cid, pid = project
    before = _counts(runtime)
    with pytest.raises(ValidationError) as caught:
        assets.save_asset(runtime, cluster_id=cid, project_id=pid, actor=ACTOR,
                          asset_type=asset_type, name="x", config=config)
    assert caught.value.user_message == message
    assert _counts(runtime) == before


def test_saved_configs_keep_only_allowed_keys_and_are_audited(
        runtime: Runtime, project: tuple[int, int]) -> None:
    cid, pid = project
    chart = assets.save_asset(runtime, cluster_id=cid, project_id=pid, actor=ACTOR,
                              asset_type="chart", name="Overlay",
                              config={"state": {"p": "press-fit"}})
    board = assets.save_asset(runtime, cluster_id=cid, project_id=pid, actor=ACTOR,
                              asset_type="dashboard", name="Board",
                              config={"page": "dashboard", "state": {"window": "24h",
                                                                     "line": "Line 1"}})
    assert chart.config == {"page": "explorer", "state": {"p": "press-fit"}}
    assert board.config == {"page": "dashboard", "state": {"window": "24h", "line": "Line 1"}}
    copy = assets.duplicate_asset(runtime, cluster_id=cid, project_id=pid, asset_id=board.id,
                                  actor=ACTOR)
    with runtime.db.session() as session:
        found = session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("asset.create", "asset.duplicate")))
            .order_by(AuditEntry.id)).all()
        seen = [(e.action, e.actor, e.cluster_id, e.target_id, e.detail["asset"],
                 e.detail["config"]) for e in found]
        hashes = [e.detail["config_sha256"] for e in found]
    assert seen == [
        ("asset.create", "tester", cid, str(pid), chart.id, chart.config),
        ("asset.create", "tester", cid, str(pid), board.id, board.config),
        ("asset.duplicate", "tester", cid, str(pid), copy.id, board.config)]
    assert len(hashes[0]) == 64 and hashes[1] == hashes[2] != hashes[0]


def test_a_long_config_is_audited_by_its_hash(runtime: Runtime,
                                              project: tuple[int, int]) -> None:
    cid, pid = project
    state = {f"k{i}": "v" * 200 for i in range(16)}
    assets.save_asset(runtime, cluster_id=cid, project_id=pid, actor=ACTOR,
                      asset_type="dashboard", name="Wide", config={"state": state})
    with runtime.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "asset.create")
                                ).one()
    assert "config" not in entry.detail
    assert entry.detail["config_keys"] == ["page", "state"]
    assert len(entry.detail["config_sha256"]) == 64
