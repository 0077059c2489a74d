"""Single sign-on accounts: keyed by (issuer, subject), never merged with another by e-mail."""

from __future__ import annotations

import secrets

from data.metadata import users as users_data
from data.metadata.db import Database, Session
from data.metadata.models import User, utcnow
from lyceum.instance_secrets import InstanceSecrets
from services.access.accounts import SESSION_LIFETIME, SessionUser, SignInError
from services.core import audit
from services.core.audit import Actor

EMAIL_TAKEN = ("An account with the e-mail address {email} already exists and is not linked "
               "to this single sign-on identity. Sign in with your password, or ask an "
               "administrator.")


def _find_or_create(session: Session, *, issuer: str, subject: str, email: str, name: str,
                    actor: Actor) -> User:
    user = users_data.get_user_by_oidc(session, issuer=issuer, subject=subject)
    if user is not None:
        return user
    address = (email or "").strip().lower()[:254] or f"{subject[:120]}@{issuer[:60]}"
    if users_data.get_user_by_email(session, address) is not None:
        audit.record(session, "login.sso_refused", actor=actor, outcome="denied",
                     detail={"issuer": issuer, "subject": subject[:120],
                             "reason": "e-mail belongs to another account"})
        raise SignInError(EMAIL_TAKEN.format(email=address))
    user = users_data.add_user(session, email=address, display_name=(name or address)[:120],
                               password_hash=None)
    user.oidc_issuer, user.oidc_subject = issuer, subject
    audit.record(session, "user.create", actor=actor, target_type="user", target_id=user.id,
                 detail={"email": address, "via": "sso", "issuer": issuer})
    return user


def sign_in(db: Database, *, keys: InstanceSecrets, issuer: str, subject: str, email: str,
            name: str, ip: str, user_agent: str = "") -> SessionUser:
    """Open a session for the identity (creating its account on first sign-in)."""
    if not issuer or not subject or len(issuer) > 255 or len(subject) > 255:
        raise SignInError("The identity provider sent no usable identity.")
    actor = Actor(label=(email or subject)[:254], ip=ip)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    refused: SignInError | None = None
    with db.session() as session:
        try:
            user = _find_or_create(session, issuer=issuer, subject=subject, email=email,
                                   name=name, actor=actor)
        except SignInError as exc:
            refused = exc
        else:
            if not user.is_active:
                raise SignInError("This account is disabled.")
            user.last_login_at = now
            users_data.add_session(session, user_id=user.id,
                                   token_hash=keys.digest(token),
                                   expires_at=now + SESSION_LIFETIME, ip=ip,
                                   user_agent=user_agent)
            audit.record(session, "login.success", actor=Actor(user_id=user.id,
                                                               label=user.email, ip=ip),
                         target_type="user", target_id=user.id, detail={"via": "sso"})
            return SessionUser(id=user.id, email=user.email, display_name=user.display_name,
                               is_admin=user.is_admin, session_token=token)
    assert refused is not None
    raise refused
