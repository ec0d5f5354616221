"""The Flask extensions every blueprint shares: CSRF protection, the rate limiter and the login manager."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[],
                  headers_enabled=False)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None
