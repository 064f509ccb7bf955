"""Passwords (argon2) and signed, expiring tokens (API bearer, session cookie, e-mail verification, CSRF)."""

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_hasher = PasswordHasher()

ACCESS = "access"  # API bearer token and page session
VERIFY = "verify"  # e-mail verification link


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def make_token(secret: str, purpose: str, user_id: int, version: int = 0) -> str:
    """`version` is the account's session version: bumping it (logout, new password, deactivation)
    makes every token issued before worthless."""
    return URLSafeTimedSerializer(secret, salt=purpose).dumps({"uid": user_id, "v": version})


def read_claims(secret: str, purpose: str, token: str, max_age_seconds: int) -> tuple[int, int] | None:
    """(user id, session version) of a valid, unexpired token of this purpose; None otherwise."""
    try:
        payload = URLSafeTimedSerializer(secret, salt=purpose).loads(token, max_age=max_age_seconds)
    except (BadSignature, SignatureExpired):
        return None
    uid = payload.get("uid") if isinstance(payload, dict) else None
    version = payload.get("v", 0) if isinstance(payload, dict) else None
    return (uid, version) if isinstance(uid, int) and isinstance(version, int) else None


def read_token(secret: str, purpose: str, token: str, max_age_seconds: int) -> int | None:
    """The user id in a valid, unexpired token of this purpose; None otherwise."""
    claims = read_claims(secret, purpose, token, max_age_seconds)
    return claims[0] if claims else None


def csrf_token(secret: str, session_token: str) -> str:
    """Bound to the session: a form posted from another site cannot know it."""
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, session_token: str, candidate: str) -> bool:
    return hmac.compare_digest(csrf_token(secret, session_token), candidate or "")
