"""`casedesk users passwd|deactivate|activate`: the account ends its sign-ins and tokens at once."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.errors import NotFound
from engine.tokens import AuthenticationFailed, TokenService
from tests.conftest import PASSWORD
from tests.integration.test_cli import Cli, cli  # noqa: F401  (the fixture)


def test_deactivate_revokes_tokens_and_refuses_sign_in_until_activated(app: Casedesk, cli: Cli) -> None:  # noqa: F811
    tokens = TokenService(app.db, app.clock)
    token = tokens.issue("alice", PASSWORD).token
    session_id = app.users.sign_in("alice", PASSWORD)
    done = cli("users", "deactivate", "alice")
    assert done.code == 0 and "deactivated" in done.out
    with pytest.raises(AuthenticationFailed):
        tokens.resolve(token)
    assert app.users.session_user(session_id or "") is None
    assert not app.users.authenticate("alice", PASSWORD)
    with pytest.raises(NotFound):
        app.users.groups("alice")
    assert cli("users", "activate", "alice").code == 0
    assert app.users.authenticate("alice", PASSWORD)


def test_passwd_sets_a_new_password_and_ends_sessions(app: Casedesk, cli: Cli) -> None:  # noqa: F811
    session_id = app.users.sign_in("bob", PASSWORD)
    done = cli("users", "passwd", "bob", "--password", "new-secret-77")
    assert done.code == 0
    assert app.users.session_user(session_id or "") is None
    assert app.users.authenticate("bob", "new-secret-77") and not app.users.authenticate("bob", PASSWORD)


def test_an_unknown_user_is_reported(cli: Cli) -> None:  # noqa: F811
    refused = cli("users", "deactivate", "nobody")
    assert refused.code == 1 and "nobody" in refused.err
