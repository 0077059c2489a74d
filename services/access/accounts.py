"""Accounts and sign-in: first admin, password checks with throttling, server-side sessions."""

from __future__ import annotations

import math
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv6Address, ip_address, ip_network

from data.metadata import memberships
from data.metadata import throttle as throttle_data
from data.metadata import users as users_data
from data.metadata.db import Database, Session
from data.metadata.models import User, UserSession, utcnow
from lyceum.errors import AppError, Forbidden, NotFound, ValidationError
from lyceum.instance_secrets import InstanceSecrets
from services.access import tokens
from services.core import audit
from services.core.audit import Actor
from services.core.passwords import Passwords
from services.core.roles import ROLE_NAMES

SESSION_LIFETIME = timedelta(hours=12)
MAX_EMAIL_LENGTH = 254
MAX_PASSWORD_LENGTH = 1024
MIN_PASSWORD_LENGTH = 12
IP_FAILURE_FACTOR = 4
BACKOFF_CAP_FACTOR = 16
DEFAULT_WINDOW = timedelta(minutes=15)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")

MSG_EMPTY = "Enter your e-mail address and your password."
MSG_TOO_LONG = "That e-mail address or password is too long."
MSG_INCORRECT = "The e-mail address or password is incorrect."
MSG_WRONG_CURRENT = "The current password is incorrect."
MSG_THROTTLED = "Too many failed sign-in attempts. Wait {minutes} minutes, then try again."


class SignInError(AppError):
    """A sign-in attempt that was refused; the message is safe to show."""

    status_code = 401
    code = "sign_in_failed"


class SignInThrottled(SignInError):
    """Too many failed password checks for this account at this address, or this address."""

    status_code = 429
    code = "throttled"


@dataclass(frozen=True)
class SessionUser:
    """The signed-in person as the web layer sees them, tied to one server-side session."""

    id: int
    email: str
    display_name: str
    is_admin: bool
    session_token: str


def _set_hash(row: UserSession, digest: str) -> None:
    row.token_hash = digest


def generate_password() -> str:
    """A random password for a new account, to be shown once."""
    return secrets.token_urlsafe(18)


def validate_new_account(email: str, password: str) -> str:
    """Return the normalised e-mail, or raise :class:`ValidationError` naming the field."""
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email) or len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError("Enter a valid e-mail address.", fields={"email": "invalid"})
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"Passwords are {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long.",
            fields={"password": "length"},
        )
    return email


def create_user(db: Database, passwords: Passwords, *, email: str, password: str,
                display_name: str = "", is_admin: bool = False,
                actor: Actor = audit.SYSTEM) -> User:
    """Create an account with a password; refuses duplicates with a clear message."""
    email = validate_new_account(email, password)
    with db.session() as session:
        if users_data.get_user_by_email(session, email) is not None:
            raise ValidationError("An account with this e-mail address already exists.",
                                  fields={"email": "duplicate"})
        user = users_data.add_user(session, email=email, display_name=display_name or email,
                                   password_hash=passwords.hash(password), is_admin=is_admin)
        audit.record(session, "user.create", actor=actor, target_type="user", target_id=user.id,
                     detail={"email": email, "is_admin": is_admin})
    return user


def create_member_account(db: Database, passwords: Passwords, *, email: str, password: str,
                          database: str, role: str, display_name: str = "",
                          actor: Actor = audit.SYSTEM) -> User:
    """Create an account with a role on the cluster whose database is ``database``.

    All or nothing: the address, password, role and cluster are all checked first and the
    account and its membership are written in one transaction, so a refusal leaves nothing.
    """
    email = validate_new_account(email, password)
    if role not in ROLE_NAMES:
        raise ValidationError(f"Roles are {', '.join(ROLE_NAMES)}.", fields={"role": "unknown"})
    with db.session() as session:
        cluster = memberships.get_cluster_by_database(session, database)
        if cluster is None:
            raise NotFound(f"No cluster uses the database {database!r}.")
        if users_data.get_user_by_email(session, email) is not None:
            raise ValidationError("An account with this e-mail address already exists.",
                                  fields={"email": "duplicate"})
        user = users_data.add_user(session, email=email, display_name=display_name or email,
                                   password_hash=passwords.hash(password))
        audit.record(session, "user.create", actor=actor, target_type="user", target_id=user.id,
                     detail={"email": email, "is_admin": False})
        memberships.set_member(session, cluster_id=cluster.id, user_id=user.id, role=role,
                               granted_by=actor.user_id)
        audit.record(session, "member.set", actor=actor, target_type="user", target_id=user.id,
                     cluster_id=cluster.id, detail={"role": role})
    return user


def ensure_first_admin(db: Database, passwords: Passwords, *, email: str = "admin@lyceum.local"
                       ) -> str | None:
    """Create the first global admin with a random password if none exists.

    Returns the password (to be printed once) or ``None`` when an admin already exists.
    """
    with db.session() as session:
        if users_data.count_admins(session) > 0:
            return None
    password = generate_password()
    create_user(db, passwords, email=email, password=password, display_name="Administrator",
                is_admin=True)
    return password


def address_group(ip: str) -> str:
    """The unit an address is throttled by: the address itself, or for IPv6 its /64 (one
    host usually holds a whole /64, so single addresses are free to rotate)."""
    try:
        address = ip_address(ip)
    except ValueError:
        return ip
    if not isinstance(address, IPv6Address):
        return ip
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ip_network(f"{address}/64", strict=False))


def throttle_keys(email: str, ip: str, *, max_failures: int) -> list[tuple[str, int]]:
    """The counters one password check is reserved against: this account at this address,
    and this address (with a higher limit, for guessing across many accounts)."""
    return [(f"acct:{email}|{ip}", max_failures),
            (f"addr:{address_group(ip)}", max_failures * IP_FAILURE_FACTOR)]


def reserve_attempt(db: Database, *, email: str, ip: str, attempt: str, max_failures: int = 5,
                    window: timedelta = DEFAULT_WINDOW) -> None:
    """Count one password check before it runs, or raise :class:`SignInThrottled` (audited).

    The reservation is atomic, so parallel attempts never pass the limit. Throttling is per
    (account, address) and per address, never account-wide, so failures elsewhere cannot lock
    the owner out; a window that ends full doubles the next one (backoff, capped).
    """
    now = time.time()
    base = window.total_seconds()
    refused = throttle_data.reserve(db, throttle_keys(email, ip, max_failures=max_failures),
                                    now=now, base=base, cap=base * BACKOFF_CAP_FACTOR)
    if refused is None:
        return
    wait = max(1.0, refused.until - now)
    scope = "account at address" if refused.key.startswith("acct:") else "address"
    with db.session() as session:
        audit.record(session, "login.throttled", actor=Actor(label=email, ip=ip),
                     outcome="denied", detail={"scope": scope, "attempt": attempt,
                                               "retry_after_s": int(wait)})
    raise SignInThrottled(MSG_THROTTLED.format(minutes=math.ceil(wait / 60)))


def release_attempt(db: Database, *, email: str, ip: str) -> None:
    """After a correct password: clear the (account, address) counter, refund the address."""
    pair, address = (key for key, _limit in throttle_keys(email, ip, max_failures=0))
    throttle_data.release(db, reset=pair, refund=address)


def _refuse(db: Database, *, actor: Actor, reason: str, message: str) -> SignInError:
    with db.session() as session:
        audit.record(session, "login.failure", actor=actor, outcome="denied",
                     detail={"reason": reason})
    return SignInError(message)


def authenticate(db: Database, passwords: Passwords, *, keys: InstanceSecrets, email: str,
                 password: str, ip: str, user_agent: str = "", max_failures: int = 5,
                 window: timedelta = DEFAULT_WINDOW) -> SessionUser:
    """Check a password and open a server-side session, or raise :class:`SignInError`.

    Wrong password and unknown user get the same message and take the same time. Every check
    is first reserved against the throttling counters (see :func:`reserve_attempt`).
    """
    email = (email or "").strip().lower()
    if not email or not password:
        raise SignInError(MSG_EMPTY)
    if len(email) > MAX_EMAIL_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        raise _refuse(db, actor=Actor(label=email[:60] + "…", ip=ip), reason="oversized input",
                      message=MSG_TOO_LONG)
    actor = Actor(label=email, ip=ip)
    reserve_attempt(db, email=email, ip=ip, attempt="sign-in", max_failures=max_failures,
                    window=window)
    with db.session() as session:
        user = users_data.get_user_by_email(session, email)
        stored = user.password_hash if user is not None else None
    if not passwords.verify(stored, password) or user is None or not user.is_active:
        raise _refuse(db, actor=actor, reason="bad credentials", message=MSG_INCORRECT)
    release_attempt(db, email=email, ip=ip)
    return _open_session(db, passwords, keys=keys, user=user, password=password, ip=ip,
                         user_agent=user_agent)


def start_session(db: Database, *, keys: InstanceSecrets, user_id: int, ip: str,
                  user_agent: str) -> SessionUser:
    """Open a server-side session for an account that has just proved itself another way
    (a new account that set its password on an invitation)."""
    with db.session() as session:
        row = users_data.get_user(session, user_id)
        if row is None or not row.is_active:
            raise SignInError(MSG_INCORRECT)
        return _new_session(session, row, keys=keys, ip=ip, user_agent=user_agent)


def _new_session(session: Session, row: User, *, keys: InstanceSecrets, ip: str,
                 user_agent: str) -> SessionUser:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row.last_login_at = now
    users_data.add_session(session, user_id=row.id, token_hash=keys.digest(token),
                           expires_at=now + SESSION_LIFETIME, ip=ip, user_agent=user_agent)
    audit.record(session, "login.success", actor=Actor(user_id=row.id, label=row.email, ip=ip),
                 target_type="user", target_id=row.id)
    return SessionUser(id=row.id, email=row.email, display_name=row.display_name,
                       is_admin=row.is_admin, session_token=token)


def _open_session(db: Database, passwords: Passwords, *, keys: InstanceSecrets, user: User,
                  password: str, ip: str, user_agent: str) -> SessionUser:
    with db.session() as session:
        row = users_data.get_user(session, user.id)
        assert row is not None
        if row.password_hash and passwords.needs_rehash(row.password_hash):
            row.password_hash = passwords.hash(password)
        return _new_session(session, row, keys=keys, ip=ip, user_agent=user_agent)


def change_password(db: Database, passwords: Passwords, *, keys: InstanceSecrets, user_id: int,
                    session_token: str,
                    current: str, new: str, ip: str, max_failures: int = 5,
                    window: timedelta = DEFAULT_WINDOW) -> int:
    """Change one's own password: the current one is required (throttled like sign-in),
    the new one is checked like a new account's; every other session of the account ends.

    Returns how many other sessions were ended.
    """
    with db.session() as session:
        user = users_data.get_user(session, user_id)
        if user is None or not user.is_active:
            raise NotFound("That account does not exist or is deactivated.")
        email, has_password = user.email, user.password_hash is not None
    if not has_password:
        raise ValidationError("This account signs in with single sign-on; it has no password "
                              "here to change.", fields={"current": "none"})
    if not current or not new:
        raise ValidationError("Enter your current password and the new one.",
                              fields={"current": "empty"})
    if len(current) > MAX_PASSWORD_LENGTH:
        raise ValidationError(MSG_TOO_LONG, fields={"current": "length"})
    validate_new_account(email, new)
    if new == current:
        raise ValidationError("The new password is the same as the current one.",
                              fields={"new": "unchanged"})
    actor = Actor(user_id=user_id, label=email, ip=ip)
    reserve_attempt(db, email=email, ip=ip, attempt="password change",
                    max_failures=max_failures, window=window)
    with db.session() as session:
        stored = users_data.get_user(session, user_id)
        ok = stored is not None and passwords.verify(stored.password_hash, current)
    if not ok:
        with db.session() as session:
            audit.record(session, "password.change", actor=actor, outcome="denied",
                         target_type="user", target_id=user_id,
                         detail={"reason": "wrong current password"})
        raise ValidationError(MSG_WRONG_CURRENT, fields={"current": "wrong"})
    release_attempt(db, email=email, ip=ip)
    with db.session() as session:
        row = users_data.get_user(session, user_id)
        assert row is not None
        row.password_hash = passwords.hash(new)
        ended = users_data.revoke_user_sessions(session, user_id=user_id, now=utcnow(),
                                                keep_hash=keys.digest(session_token))
        audit.record(session, "password.change", actor=actor, target_type="user",
                     target_id=user_id, detail={"other_sessions_ended": ended})
    return ended


def load_session(db: Database, token: str, *, keys: InstanceSecrets) -> SessionUser | None:
    """The user behind a live session token, or ``None`` if it is unknown, revoked or expired."""
    if not token or len(token) > 128:
        return None
    with db.session() as session:
        now = utcnow()
        found = keys.find(token, lambda digest: users_data.get_active_session(
            session, digest, now=now), upgrade=_set_hash)
        if found is None:
            return None
        user = users_data.get_user(session, found.user_id)
        if user is None or not user.is_active:
            return None
        return SessionUser(id=user.id, email=user.email, display_name=user.display_name,
                           is_admin=user.is_admin, session_token=token)


def end_session(db: Database, token: str, *, keys: InstanceSecrets, actor: Actor) -> None:
    """Revoke a session server-side (sign-out) and audit it."""
    with db.session() as session:
        for digest in keys.lookup_digests(token):
            users_data.revoke_session(session, digest, now=utcnow())
        audit.record(session, "logout", actor=actor, target_type="user",
                     target_id=actor.user_id or "")


LAST_GLOBAL_ADMIN = ("This is the last active administrator; make someone else an "
                     "administrator first.")


def deactivate_user(db: Database, *, email: str, actor: Actor) -> int:
    """Deactivate an account: it can no longer sign in, its sessions end now and its API
    tokens on every cluster are revoked (each audited). The last active global admin cannot be
    deactivated. Returns how many tokens were revoked."""
    with db.session() as session:
        user = users_data.get_user_by_email(session, (email or "")[:MAX_EMAIL_LENGTH])
        if user is None or not user.is_active:
            raise NotFound("No active account uses that e-mail address.")
        if user.is_admin and users_data.count_admins(session) <= 1:
            raise Forbidden(LAST_GLOBAL_ADMIN)
        user.is_active = False
        sessions = users_data.revoke_user_sessions(session, user_id=user.id, now=utcnow())
        revoked = tokens.revoke_owner_tokens(session, user_id=user.id, cluster_id=None,
                                             actor=actor, reason="owner deactivated")
        audit.record(session, "user.deactivate", actor=actor, target_type="user",
                     target_id=user.id, detail={"email": user.email, "sessions": sessions,
                                                "tokens": len(revoked)})
        return len(revoked)
