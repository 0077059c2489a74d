"""What the team and token pages show, gathered in one call each."""

from __future__ import annotations

from dataclasses import dataclass

from data.metadata import memberships
from data.metadata import users as users_data
from data.metadata.models import ClusterAccessToken
from data.metadata.models_team import TeamInvitation
from lyceum.errors import NotFound
from services.access import invitations, team, tokens
from services.access.team import Member
from services.core.runtime import Runtime


@dataclass(frozen=True)
class TeamView:
    """A cluster's team: members, open invitations (admins only), whether mail works."""

    cluster_name: str
    members: list[Member]
    invitations: list[TeamInvitation]
    smtp: bool


@dataclass(frozen=True)
class TokensView:
    """A cluster's tokens as one user may see them, with their owners' e-mails."""

    cluster_name: str
    tokens: list[ClusterAccessToken]
    owners: dict[int, str]


def _cluster_name(runtime: Runtime, cluster_id: int) -> str:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        if cluster is None:
            raise NotFound("That cluster does not exist.")
        return cluster.name


def team_view(runtime: Runtime, cluster_id: int, *, is_admin: bool) -> TeamView:
    """The team page's content; invitations only for admins."""
    name = _cluster_name(runtime, cluster_id)
    return TeamView(cluster_name=name, members=team.list_members(runtime.db,
                                                                 cluster_id=cluster_id),
                    invitations=invitations.list_open(runtime, cluster_id=cluster_id)
                    if is_admin else [],
                    smtp=invitations.smtp_configured(runtime.settings))


def tokens_view(runtime: Runtime, cluster_id: int, *, owner_id: int | None) -> TokensView:
    """The tokens page's content: all tokens for admins (``owner_id=None``), else one's own."""
    name = _cluster_name(runtime, cluster_id)
    rows = tokens.list_tokens(runtime, cluster_id=cluster_id, owner_id=owner_id)
    with runtime.db.session() as session:
        owners = {}
        for uid in {r.user_id for r in rows}:
            user = users_data.get_user(session, uid)
            owners[uid] = user.email if user else f"user {uid}"
    return TokensView(cluster_name=name, tokens=rows, owners=owners)
