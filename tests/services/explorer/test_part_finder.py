"""The navbar's part search: one match opens its trace page, several are listed, none says
so; only the user's readable clusters are asked, and bad text is refused with a message."""

from __future__ import annotations

import pytest

from lyceum.errors import ValidationError
from services.core.runtime import Runtime
from services.explorer import part_finder, trace
from tests.access_world import World
from tests.callbacks.explorer.test_view import world  # noqa: F401


def _serial(runtime: Runtime, cluster_id: int) -> dict[str, object]:
    return trace.search(runtime, cluster_id, "LC-", limit=3)[1]


def test_an_exact_serial_or_part_id_opens_its_trace_page(mod_runtime: Runtime,
                                                         world: World) -> None:  # noqa: F811
    part = _serial(mod_runtime, world.a)
    for text in (str(part["serial"]), f"  {part['serial']} ", str(part["part_id"])):
        found = part_finder.find_part(mod_runtime, text, user_id=world.users["viewer"],
                                      is_admin=False)
        assert found.open == f"/clusters/{world.a}/trace?serial={part['serial']}", text
        assert found.hits[0].exact and found.hits[0].cluster_id == world.a


def test_a_prefix_lists_the_matches_without_opening_one(mod_runtime: Runtime,
                                                        world: World) -> None:  # noqa: F811
    found = part_finder.find_part(mod_runtime, "LC-", user_id=world.users["analyst"],
                                  is_admin=False)
    assert found.open is None and len(found.hits) == part_finder.PER_CLUSTER
    assert found.message == f"{part_finder.PER_CLUSTER} parts match “LC-”: choose one."
    assert [h.serial for h in found.hits] == sorted(h.serial for h in found.hits)
    assert all(h.href.startswith(f"/clusters/{world.a}/trace?serial=LC-") for h in found.hits)


def test_no_match_reads_the_same_for_a_missing_part_and_an_unseen_cluster(
        mod_runtime: Runtime, world: World) -> None:  # noqa: F811
    part = _serial(mod_runtime, world.a)
    missing = part_finder.find_part(mod_runtime, "NO-SUCH-PART", user_id=world.users["b_admin"],
                                    is_admin=False)
    unseen = part_finder.find_part(mod_runtime, str(part["serial"]),
                                   user_id=world.users["b_admin"], is_admin=False,
                                   current=world.a)  # typed on A's page: B is all it may read
    assert missing.hits == unseen.hits == [] and missing.open is None is unseen.open
    assert unseen.message == f"No part with serial or part id “{part['serial']}” on this cluster."
    assert missing.message.replace("NO-SUCH-PART", str(part["serial"])) == unseen.message


def test_the_current_cluster_narrows_the_search_and_admins_search_everywhere(
        mod_runtime: Runtime, world: World) -> None:  # noqa: F811
    part = _serial(mod_runtime, world.a)
    on_b = part_finder.find_part(mod_runtime, str(part["serial"]), user_id=world.users["root"],
                                 is_admin=True, current=world.b)
    assert on_b.hits == [] and on_b.searched == 1
    anywhere = part_finder.find_part(mod_runtime, str(part["serial"]),
                                     user_id=world.users["root"], is_admin=True)
    assert anywhere.searched >= 2 and anywhere.open is not None
    token = part_finder.find_part(mod_runtime, str(part["serial"]), user_id=world.users["root"],
                                  is_admin=True, scope=(world.b, "viewer"))
    assert token.hits == [] and token.searched == 1


def test_outsiders_have_nothing_to_search(mod_runtime: Runtime, world: World) -> None:  # noqa: F811
    found = part_finder.find_part(mod_runtime, "LC-", user_id=world.users["outsider"],
                                  is_admin=False, current=world.a)
    assert found.hits == [] and found.message == "You have no cluster with parts to search."


@pytest.mark.parametrize(("text", "message"), [
    ("", "Type a serial or part id."), ("   ", "Type a serial or part id."),
    (None, "Type a serial or part id."), (["LC-1"], "Type a serial or part id."),
    ("x" * 81, "A serial is 1 to 80"), ("LC-'; DROP TABLE parts --", "A serial is 1 to 80"),
])
def test_bad_text_is_refused_with_a_message(mod_runtime: Runtime, world: World,  # noqa: F811
                                            text: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        part_finder.find_part(mod_runtime, text, user_id=world.users["viewer"], is_admin=False)
    assert message in caught.value.user_message
