"""Passwords (argon2) and signed, expiring tokens (API bearer, session cookie, e-mail verification, password
reset, CSRF)."""

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

_hasher = PasswordHasher()

ACCESS = "access"  # API bearer token and page session
VERIFY = "verify"  # e-mail verification link
RESET = "reset"  # password-reset link


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _serializer(secret: str, purpose: str, issued_at: int | None = None) -> URLSafeTimedSerializer:
    if issued_at is None:
        return URLSafeTimedSerializer(secret, salt=purpose)

    class IssuedAt(TimestampSigner):  # a token as if signed then (tests of expiry, no sleeping)
        def get_timestamp(self) -> int:
            return issued_at

    return URLSafeTimedSerializer(secret, salt=purpose, signer=IssuedAt)


def make_token(secret: str, purpose: str, user_id: int, version: int = 0, *, bound_to: str | None = None,
               issued_at: int | None = None) -> str:
    """`version` is the account's session version: bumping it (logout, new password, deactivation)
    makes every token issued before worthless. `bound_to`: a value the token dies with once it changes
    (a password reset link: the fingerprint of the password it replaces). `issued_at`: Unix seconds,
    for tests; now by default."""
    payload: dict[str, object] = {"uid": user_id, "v": version}
    if bound_to is not None:
        payload["b"] = bound_to
    return _serializer(secret, purpose, issued_at).dumps(payload)


def _payload(secret: str, purpose: str, token: str, max_age_seconds: int) -> dict | None:
    try:
        payload = URLSafeTimedSerializer(secret, salt=purpose).loads(token, max_age=max_age_seconds)
    except (BadSignature, SignatureExpired, UnicodeError):  # UnicodeError: a lone surrogate in the text
        return None
    return payload if isinstance(payload, dict) else None


def read_claims(secret: str, purpose: str, token: str, max_age_seconds: int) -> tuple[int, int] | None:
    """(user id, session version) of a valid, unexpired token of this purpose; None otherwise."""
    payload = _payload(secret, purpose, token, max_age_seconds) or {}
    uid, version = payload.get("uid"), payload.get("v", 0)
    return (uid, version) if isinstance(uid, int) and isinstance(version, int) else None


def read_bound(secret: str, purpose: str, token: str, max_age_seconds: int) -> tuple[int, str] | None:
    """(user id, the value it is bound to) of a valid, unexpired token made with `bound_to`."""
    payload = _payload(secret, purpose, token, max_age_seconds) or {}
    uid, bound = payload.get("uid"), payload.get("b")
    return (uid, bound) if isinstance(uid, int) and isinstance(bound, str) else None


def password_fingerprint(secret: str, password_hash: str) -> str:
    """Short keyed digest of a stored password hash: changes whenever the password is set again (argon2
    salts each hash), and tells nothing about the hash itself."""
    return hmac.new(secret.encode(), b"pw:" + password_hash.encode(), hashlib.sha256).hexdigest()[:24]


def read_token(secret: str, purpose: str, token: str, max_age_seconds: int) -> int | None:
    """The user id in a valid, unexpired token of this purpose; None otherwise."""
    claims = read_claims(secret, purpose, token, max_age_seconds)
    return claims[0] if claims else None


def csrf_token(secret: str, session_token: str) -> str:
    """Bound to the session: a form posted from another site cannot know it."""
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, session_token: str, candidate: str) -> bool:
    return hmac.compare_digest(csrf_token(secret, session_token), candidate or "")
