"""Sign-in throttling that guessing from elsewhere cannot turn against an account's owner.

OWASP's "Slow Down Online Guessing Attacks with Device Cookies": a browser that signed in
to an account holds a signed device cookie naming that account. Failures from unknown
devices count per account and per address, and lock both for unknown devices only; a
sign-in that presents a valid device cookie for the account it names is counted against
that cookie alone, and a cookie that failed too often counts for nothing (the attempt is
then an unknown device's again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.strategies import RateLimiter

from core.ids import MAX_ROW_ID

DEVICE_COOKIE = "device"
DEVICE_COOKIE_DAYS = 365


@dataclass(frozen=True)
class DeviceCookie:
    """What a valid device cookie says: which account signed in here, and a nonce."""

    user_id: int
    nonce: str


def device_key(secret_key: str) -> bytes:
    """The cookies' own key, derived from the secret key (a device cookie is no session)."""
    return hmac.new(secret_key.encode(), b"portal device cookie", hashlib.sha256).digest()


def _signature(key: bytes, user_id: int, nonce: str) -> str:
    return hmac.new(key, f"{user_id}.{nonce}".encode(), hashlib.sha256).hexdigest()


def new_device_cookie(key: bytes, user_id: int) -> str:
    """A fresh cookie value for ``user_id``: ``<user id>.<nonce>.<HMAC>``."""
    nonce = secrets.token_urlsafe(16)
    return f"{user_id}.{nonce}.{_signature(key, user_id, nonce)}"


def read_device_cookie(key: bytes, value: str) -> DeviceCookie | None:
    """The cookie's content if its signature is ours, else None."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdecimal() or len(parts[0]) > 19:
        return None
    user_id, nonce, signature = int(parts[0]), parts[1], parts[2]
    if user_id > MAX_ROW_ID or not hmac.compare_digest(signature, _signature(key, user_id, nonce)):
        return None
    return DeviceCookie(user_id, nonce)


@dataclass(frozen=True)
class LoginLimits:
    """Failed sign-ins allowed, as limits strings ("5 per 10 minutes")."""

    per_address: str
    per_account: str
    per_device: str


@dataclass(frozen=True)
class SignInAttempt:
    """Who is trying: the typed e-mail, the address, and the device if it is trusted.

    The account is counted under ``account_key``, a keyed hash of the e-mail: the
    limits' storage (Redis) holds no one's address.
    """

    email: str
    account_key: str
    address: str
    trusted_device: DeviceCookie | None


class LoginThrottle:
    """Counts failed sign-ins in the rate limiter's storage (Redis in production)."""

    def __init__(self, limiter: RateLimiter, limits: LoginLimits) -> None:
        self._limiter = limiter
        self._per_address: RateLimitItem = parse(limits.per_address)
        self._per_account: RateLimitItem = parse(limits.per_account)
        self._per_device: RateLimitItem = parse(limits.per_device)

    def attempt(
        self,
        email: str,
        account_key: str,
        address: str,
        device: DeviceCookie | None,
        user_id: int | None,
    ) -> SignInAttempt:
        """The attempt; the device is trusted only for its own account, under its limit."""
        trusted = (
            device is not None
            and user_id is not None
            and device.user_id == user_id
            and self._limiter.test(self._per_device, "login-device", device.nonce)
        )
        return SignInAttempt(email, account_key, address, device if trusted else None)

    def may_try(self, attempt: SignInAttempt) -> bool:
        if attempt.trusted_device is not None:
            return True  # its own limit was checked when it was trusted
        return self._limiter.test(
            self._per_account, "login-account", attempt.account_key
        ) and self._limiter.test(self._per_address, "login-address", attempt.address)

    def failed(self, attempt: SignInAttempt) -> None:
        """Count a wrong password against the trusted device, or the account and address."""
        if attempt.trusted_device is not None:
            self._limiter.hit(self._per_device, "login-device", attempt.trusted_device.nonce)
            return
        self._limiter.hit(self._per_account, "login-account", attempt.account_key)
        self._limiter.hit(self._per_address, "login-address", attempt.address)
