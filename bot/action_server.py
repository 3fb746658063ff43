"""`python -m bot.action_server`: rasa_sdk's action server, on loopback, and with a shared token.

rasa_sdk 3.6 listens on every interface (SANIC_HOST, default 0.0.0.0) and asks nobody who they
are: anyone who can reach port 5055 can run any action with any tracker (and so create a
referral with any summary). Here:

* it listens on `ACTION_HOST`, by default 127.0.0.1 (loopback): only this machine can reach it;
* with `ACTION_SERVER_TOKEN` set, every request but `GET /health` must carry
  `Authorization: Bearer <token>` (compared in constant time), else 401; Rasa sends it
  (bot/runconfig.py writes the header into its endpoints, read from the environment);
* it refuses to start on any other interface without a token.

Arguments are rasa_sdk's own (`--actions`, `--port`, ...).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import sys
from typing import List, Optional

log = logging.getLogger(__name__)
OPEN_PATHS = ("/health",)


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def authorised(header: Optional[str], token: str) -> bool:
    """Whether an Authorization header carries the token (`Bearer <token>`), in constant time."""
    given = (header or "").strip()
    if not given.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(given[7:].strip().encode("utf-8", "replace"), token.encode("utf-8"))


def protect(app, token: Optional[str]) -> None:
    """Refuse (401) every request without the token, except the health check."""
    if not token:
        return
    from sanic import response

    @app.middleware("request")
    async def _check_token(request):  # noqa: ANN001, ANN202
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        if not authorised(request.headers.get("authorization"), token):
            return response.json({"error": "not authorised"}, status=401)
        return None


def main(argv: Optional[List[str]] = None) -> int:
    """Start the action server (arguments as `python -m rasa_sdk`); a bad setting stops it in one line."""
    from bot.settings import settings_or_exit

    settings = settings_or_exit("actions")  # before rasa_sdk's imports, which may warn
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_app, create_argument_parser

    args = create_argument_parser().parse_args(argv)
    host = settings.action_host
    token = settings.action_server_token
    if not is_loopback(host) and not token:
        print(
            f"actions: ACTION_HOST={host} is reachable from other machines: set ACTION_SERVER_TOKEN "
            "(the same value for Rasa) or keep the default, 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = create_app(args.actions, cors_origins=None, auto_reload=args.auto_reload)
    protect(app, token)
    log.info("actions: listening on %s:%s%s", host, args.port, " (token required)" if token else "")
    app.run(host, int(args.port), workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
