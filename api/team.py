"""Members, invitations and API tokens of a cluster over the API."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user

from api.core import bp, json_body, page_of, runtime
from api.openapi import describe
from api.schemas import INT, STATUS, STR, TIME, component, nullable, obj, object_schema, page_schema
from auth.roles import Role, require_role
from auth.session import current_actor
from lyceum.errors import ValidationError
from services.access import invitations, team, tokens
from services.core.roles import ROLE_NAMES

ROLE_SCHEMA = {"type": "string", "enum": list(ROLE_NAMES)}
MEMBER_BODY = {"type": "object", "required": ["email", "role"], "properties": {
    "email": {"type": "string", "maxLength": 254}, "role": ROLE_SCHEMA}}
ROLE_BODY = {"type": "object", "required": ["role"], "properties": {"role": ROLE_SCHEMA}}
TOKEN_BODY = {"type": "object", "required": ["name", "role"], "properties": {
    "name": {"type": "string", "maxLength": 120}, "role": ROLE_SCHEMA,
    "expires_in_days": {"type": "integer", "enum": [1, 7, 30, 90], "nullable": True}}}

MEMBER = component("Member", obj(user_id=INT, email=STR, display_name=STR, role=STR,
                                 since=TIME, active={"type": "boolean"}))
INVITATION = component("Invitation", obj(id=INT, email=STR, role=STR, prefix=STR,
                                         expires_at=TIME, invited_by=nullable(STR)))
NEW_INVITATION = component("NewInvitation", obj(
    id=INT, email=STR, role=STR, expires_at=TIME, emailed={"type": "boolean"},
    link={**STR, "description": "the one-time link; shown only in this answer"}))
TOKEN_FIELDS = {"id": INT, "name": STR, "prefix": STR, "role": STR, "user_id": INT,
                "created_at": nullable(TIME), "expires_at": nullable(TIME),
                "last_used_at": nullable(TIME), "revoked_at": nullable(TIME)}
TOKEN = component("Token", object_schema(TOKEN_FIELDS))
NEW_TOKEN = component("NewToken", object_schema({**TOKEN_FIELDS, "secret": {
    **STR, "description": "the token itself; shown only in this answer"}}))


def _member_json(m: team.Member) -> dict[str, Any]:
    return {"user_id": m.user_id, "email": m.email, "display_name": m.display_name,
            "role": m.role, "since": m.since.isoformat(), "active": m.is_active}


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def _role_field(body: dict[str, Any]) -> Role:
    try:
        return Role.parse(_text(body, "role"))
    except ValueError as exc:
        raise ValidationError("Choose a role: admin, editor, analyst or viewer.",
                              fields={"role": "unknown"}) from exc


@bp.get("/clusters/<int:cluster_id>/members")
@describe(summary="The cluster's members and roles", tag="members", paged=True, role="viewer",
          response=page_schema("MemberPage", MEMBER))
def list_members(cluster_id: int) -> Any:
    """The cluster's members with their roles."""
    require_role(cluster_id, Role.VIEWER)
    return jsonify(page_of(team.list_members(runtime().db, cluster_id=cluster_id), _member_json))


@bp.post("/clusters/<int:cluster_id>/members")
@describe(summary="Add an existing account to the team", tag="members", body=MEMBER_BODY,
          role="admin", response=MEMBER, status=201, errors=(409,))
def add_member(cluster_id: int) -> Any:
    """Give an existing account a role on the cluster."""
    require_role(cluster_id, Role.ADMIN)
    body = json_body()
    email = _text(body, "email")
    member = team.add_member(runtime().db, cluster_id=cluster_id, email=email,
                             role=_role_field(body).label, actor=current_actor())
    return jsonify(_member_json(member)), 201


@bp.patch("/clusters/<int:cluster_id>/members/<int:user_id>")
@describe(summary="Change a member's role", tag="members", body=ROLE_BODY, role="admin",
          response=STATUS, errors=(409,))
def change_member(cluster_id: int, user_id: int) -> Any:
    """Change a member's role (the last admin cannot be demoted)."""
    require_role(cluster_id, Role.ADMIN)
    team.change_role(runtime().db, cluster_id=cluster_id, user_id=user_id,
                     role=_role_field(json_body()).label, actor=current_actor())
    return jsonify(status="changed")


@bp.delete("/clusters/<int:cluster_id>/members/<int:user_id>")
@describe(summary="Remove a member", tag="members", role="admin", response=STATUS,
          errors=(409,))
def remove_member(cluster_id: int, user_id: int) -> Any:
    """Remove a member (the last admin cannot be removed)."""
    require_role(cluster_id, Role.ADMIN)
    team.remove_member(runtime().db, cluster_id=cluster_id, user_id=user_id, actor=current_actor())
    return jsonify(status="removed")


@bp.get("/clusters/<int:cluster_id>/invitations")
@describe(summary="Open invitations", tag="invitations", paged=True, role="admin",
          response=page_schema("InvitationPage", INVITATION))
def list_invitations(cluster_id: int) -> Any:
    """Invitations that can still be used."""
    require_role(cluster_id, Role.ADMIN)
    return jsonify(page_of(invitations.list_open(runtime(), cluster_id=cluster_id), lambda r: {
        "id": r.id, "email": r.email, "role": r.role, "prefix": r.prefix,
        "expires_at": r.expires_at.isoformat(), "invited_by": r.invited_by}))


@bp.post("/clusters/<int:cluster_id>/invitations")
@describe(summary="Invite an e-mail address with a role; the link is returned once",
          tag="invitations", body=MEMBER_BODY, role="admin", response=NEW_INVITATION,
          status=201, errors=(409,))
def create_invitation(cluster_id: int) -> Any:
    """Create a one-time invitation link (e-mailed when SMTP is configured)."""
    require_role(cluster_id, Role.ADMIN)
    body = json_body()
    email = _text(body, "email")
    new = invitations.create_invitation(runtime(), cluster_id=cluster_id, email=email,
                                        role=_role_field(body).label, actor=current_actor(),
                                        link_base=request.host_url)
    return jsonify({"id": new.id, "email": new.email, "role": new.role,
                    "expires_at": new.expires_at.isoformat(),
                    "link": f"{request.host_url.rstrip('/')}/invite/{new.token}",
                    "emailed": new.emailed}), 201


@bp.delete("/clusters/<int:cluster_id>/invitations/<int:invitation_id>")
@describe(summary="Withdraw an invitation", tag="invitations", role="admin",
          response=STATUS)
def revoke_invitation(cluster_id: int, invitation_id: int) -> Any:
    """Withdraw an invitation so its link no longer works."""
    require_role(cluster_id, Role.ADMIN)
    invitations.revoke(runtime(), cluster_id=cluster_id, invitation_id=invitation_id,
                       actor=current_actor())
    return jsonify(status="revoked")


def _owner_filter(cluster_id: int) -> int | None:
    """Admins see every token of the cluster; others only their own."""
    return None if require_role(cluster_id, Role.VIEWER) >= Role.ADMIN else current_user.id


@bp.get("/clusters/<int:cluster_id>/tokens")
@describe(summary="API tokens (admins: all; others: their own)", tag="tokens", paged=True,
          role="viewer", response=page_schema("TokenPage", TOKEN))
def list_tokens(cluster_id: int) -> Any:
    """The cluster's API tokens with prefix and last use."""
    owner = _owner_filter(cluster_id)
    rows = tokens.list_tokens(runtime(), cluster_id=cluster_id, owner_id=owner)
    return jsonify(page_of(rows, tokens.token_fields))


@bp.post("/clusters/<int:cluster_id>/tokens")
@describe(summary="Create a token (role no higher than yours); the secret is returned once",
          tag="tokens", body=TOKEN_BODY, role="viewer", response=NEW_TOKEN, status=201,
          errors=(409,))
def create_token(cluster_id: int) -> Any:
    """Create an API token for the caller on this cluster."""
    require_role(cluster_id, Role.VIEWER)
    body = json_body()
    role = _role_field(body)
    require_role(cluster_id, role)  # a token never exceeds its creator's role (or scope)
    days = body.get("expires_in_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
        raise ValidationError("expires_in_days is 1, 7, 30, 90 or null.",
                              fields={"expires": "invalid"})
    name = _text(body, "name")
    row, secret = tokens.create_token(runtime(), user_id=current_user.id, cluster_id=cluster_id,
                                      name=name, role=role.label, expires_in_days=days,
                                      actor=current_actor())
    return jsonify({**tokens.token_fields(row), "secret": secret}), 201


@bp.delete("/clusters/<int:cluster_id>/tokens/<int:token_id>")
@describe(summary="Revoke a token (admins: any; others: their own)", tag="tokens",
          role="viewer", response=STATUS)
def revoke_token(cluster_id: int, token_id: int) -> Any:
    """Revoke a token; it is refused everywhere from now on."""
    owner = _owner_filter(cluster_id)
    tokens.revoke_token(runtime(), cluster_id=cluster_id, token_id=token_id, actor=current_actor(),
                        owner_id=owner)
    return jsonify(status="revoked")
