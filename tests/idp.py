"""An OpenID Connect identity provider for tests: authlib's own authorization server on a
small Flask app, served on a free loopback port in a thread (discovery, JWKS, code flow).

Whoever is in ``IdentityProvider.user`` is signed in at the provider and approves at once.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, grants
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server


@dataclass
class Client(ClientMixin):
    """The relying party (Lyceum) as the provider knows it."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    """An issued authorization code."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict[str, str]
    nonce: str | None = None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> None:
        return None

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass
class IdentityProvider:
    """The running provider: its issuer URL, its one client, and the signed-in user."""

    issuer: str = ""
    client: Client = field(default_factory=lambda: Client("lyceum", secrets.token_urlsafe(16),
                                                          []))
    user: dict[str, str] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    key: Any = None
    _server: Any = None


def _make_app(idp: IdentityProvider) -> Flask:
    app = Flask("idp")
    app.config["SECRET_KEY"] = secrets.token_urlsafe(32)

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, request: Any) -> None:
            idp.codes[code] = Code(code=code, client_id=request.client.client_id,
                                   redirect_uri=request.payload.redirect_uri,
                                   scope=request.payload.scope, user=dict(request.user),
                                   nonce=request.payload.data.get("nonce"))

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = idp.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            idp.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> dict[str, str]:
            return authorization_code.user

    class IdToken(OpenIDCode):
        def exists_nonce(self, nonce: str, request: Any) -> bool:
            return False

        def resolve_client_private_key(self, client: Client) -> Any:
            return idp.key

        def get_client_algorithm(self, client: Client) -> str:
            return "RS256"

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            return {"iss": idp.issuer, "aud": [client.client_id]}

        def get_encode_header(self, client: Client) -> dict[str, str]:
            return {"alg": "RS256", "kid": "test-key"}

        def generate_user_info(self, user: dict[str, str], scope: str) -> UserInfo:
            return UserInfo(sub=user["sub"], email=user.get("email"), name=user.get("name"))

    server = AuthorizationServer(app, query_client=lambda cid: idp.client
                                 if cid == idp.client.client_id else None,
                                 save_token=lambda token, request: None)
    server.register_grant(CodeGrant, [IdToken(require_nonce=False)])

    @app.get("/authorize")
    def authorize() -> Any:
        return server.create_authorization_response(grant_user=idp.user)

    @app.post("/token")
    def token() -> Any:
        return server.create_token_response()

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        return jsonify(issuer=idp.issuer, authorization_endpoint=f"{idp.issuer}/authorize",
                       token_endpoint=f"{idp.issuer}/token", jwks_uri=f"{idp.issuer}/jwks",
                       response_types_supported=["code"], subject_types_supported=["public"],
                       id_token_signing_alg_values_supported=["RS256"],
                       token_endpoint_auth_methods_supported=["client_secret_basic",
                                                              "client_secret_post"])

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(KeySet([idp.key]).as_dict(private=False))

    return app


def start_provider(*, redirect_uri: str) -> IdentityProvider:
    """Start a provider on a free loopback port; stop it with :func:`stop_provider`."""
    idp = IdentityProvider()
    idp.client.redirect_uris.append(redirect_uri)
    idp.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True)
    server = make_server("127.0.0.1", 0, _make_app(idp), threaded=True)
    idp.issuer = f"http://127.0.0.1:{server.server_port}"
    idp._server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return idp


def stop_provider(idp: IdentityProvider) -> None:
    """Shut the provider down."""
    idp._server.shutdown()
