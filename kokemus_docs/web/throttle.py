"""Throttling failed logins (the `limits` library under Flask-Limiter, moving windows kept in memory).

The policy, so that nobody elsewhere can lock a user out:
- one address and one account: 10 failures a minute, then that address waits before trying that account again;
- one address, any accounts: 30 failures a minute, then that address waits;
- one account, from all addresses together: 30 failures in 10 minutes, then only addresses that have failed
  themselves wait. The right password from an address without failures always gets in.
Only failures count; a good login never uses the allowance. What was typed as a login is kept only as a hash.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

PER_ADDRESS_AND_ACCOUNT = parse("10 per minute")
PER_ADDRESS = parse("30 per minute")
PER_ACCOUNT = parse("30 per 10 minutes")


def _account(login: str) -> str:
    return hashlib.sha256(login.strip().lower().encode("utf-8", "replace")).hexdigest()


class LoginThrottle:
    """Counts failed logins by address, by account and by both; says when a login attempt must wait."""

    def __init__(self) -> None:
        self.windows = MovingWindowRateLimiter(MemoryStorage())

    def refused(self, address: str, login: str) -> bool:
        """Whether a login from `address` to `login` must wait (before its password is even checked)."""
        account = _account(login)
        if not self.windows.test(PER_ADDRESS_AND_ACCOUNT, "pair", address, account):
            return True
        if not self.windows.test(PER_ADDRESS, "address", address):
            return True
        if self.windows.test(PER_ACCOUNT, "account", account):
            return False
        # The account is under attack from many places: only addresses that have failed themselves wait.
        return self.windows.get_window_stats(PER_ADDRESS, "address", address).remaining < PER_ADDRESS.amount

    def failed(self, address: str, login: str) -> None:
        """Count a failed login."""
        account = _account(login)
        self.windows.hit(PER_ADDRESS_AND_ACCOUNT, "pair", address, account)
        self.windows.hit(PER_ADDRESS, "address", address)
        self.windows.hit(PER_ACCOUNT, "account", account)


def login_throttle() -> LoginThrottle:
    """The app's throttle (one per app, made on first use)."""
    return current_app.extensions.setdefault("kokemus_login_throttle", LoginThrottle())
