"""Run by ``test_generated_client.py`` in the clients' venv (never imported by the app's
tests): call ten operations through the client openapi-python-client generated from the
served document, and print what each returned, as JSON, for the test to judge.

Usage: ``python generated_client_driver.py <package dir> <base url> <token> <cluster id>
<process>``.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

PACKAGE = "lyceum_client"


def _call(module: str, client: Any, **kwargs: Any) -> Any:
    """``api/<tag>/<operation>.sync_detailed`` of the generated package."""
    found = importlib.import_module(f"{PACKAGE}.api.{module}")
    return found.sync_detailed(client=client, **kwargs)


def _describe(name: str, response: Any, items: str | None) -> dict[str, Any]:
    parsed = response.parsed
    out: dict[str, Any] = {"operation": name, "status": int(response.status_code),
                           "type": f"{type(parsed).__module__}.{type(parsed).__qualname__}"}
    listed = getattr(parsed, items, None) if items else None
    if isinstance(listed, list):
        out["count"] = len(listed)
        out["item_types"] = sorted({f"{type(i).__module__}.{type(i).__qualname__}"
                                    for i in listed})
    return out


def _emit(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result) + "\n")


def main(folder: str, base_url: str, token: str, cluster_id: str, process: str) -> None:
    """Print one JSON line per operation: its status, result type and item types."""
    sys.path.insert(0, folder)
    client_module = importlib.import_module(PACKAGE)
    client = client_module.AuthenticatedClient(base_url=base_url, token=token,
                                               raise_on_unexpected_status=True)
    cid = int(cluster_id)
    calls: list[tuple[str, str, dict[str, Any], str | None]] = [
        ("list clusters", "clusters.list_clusters_get", {}, "items"),
        ("get a cluster", "clusters.get_cluster_get", {"cluster_id": cid}, None),
        ("cluster status", "clusters.cluster_status_get", {"cluster_id": cid}, None),
        ("list members", "members.list_members_get", {"cluster_id": cid}, "items"),
        ("list tokens", "tokens.list_tokens_get", {"cluster_id": cid}, "items"),
        ("audit", "audit.list_audit_get", {"cluster_id": cid, "limit": 5}, "items"),
        ("curves", "curves.curves_get", {"cluster_id": cid, "process": process, "limit": 7},
         "items"),
        ("curve filters", "curves.curve_filters_get", {"cluster_id": cid}, "processes"),
        ("golden curves", "curves.golden_curves_get", {"cluster_id": cid,
                                                       "process": process}, "items"),
        ("imports", "imports.list_import_jobs_get", {"cluster_id": cid}, "items"),
        ("spec limits", "spec_limits.list_spec_limits_get", {"cluster_id": cid}, "items"),
    ]
    with client:
        for name, module, kwargs, items in calls:
            _emit(_describe(name, _call(module, client, **kwargs), items))
        refused = _call("clusters.get_cluster_get", client, cluster_id=cid + 1000)
        _emit(_describe("another cluster", refused, None))


if __name__ == "__main__":
    main(*sys.argv[1:6])
