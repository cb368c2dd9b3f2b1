"""A signed ID token whose claims nest too deeply (a pre-token-generation Lambda can add
object and array claims; here the local IdP copies a user's stored ``identities`` attribute
into the token), with each framework adapter: the callback answers the "Sign-in failed"
page (400), never a 500, and stores no session. (Tokens nested far deeper are refused by the
verifier: tests/verifier/test_nesting.py.)"""

from __future__ import annotations

import pytest

from cognito_sso.strict_json import MAX_DEPTH
from tests.plugins.adapters import AdapterEnv


def identities(levels: int) -> str:
    """The ``identities`` attribute: one entry with a member ``levels`` objects deep (built as
    text: json.dumps recurses)."""
    deep = '{"k":' * levels + '"bottom"' + "}" * levels
    return f'[{{"userId":"u1","providerName":"Corp","providerType":"OIDC","x":{deep}}}]'


# The payload is one level, the identities array a second, its entry a third.
@pytest.mark.parametrize(("levels", "signs_in"), [(MAX_DEPTH - 3, True), (MAX_DEPTH - 2, False)])
def test_sign_in_with_claims_nested_too_deeply(
    adapter_env: AdapterEnv, levels: int, signs_in: bool
) -> None:
    sso = adapter_env.sso
    app = adapter_env.app()
    email = sso.user()
    sso.cognito.admin_update_user_attributes(
        UserPoolId=sso.pool_id,
        Username=email,
        UserAttributes=[{"Name": "identities", "Value": identities(levels)}],
    )
    browser = sso.browser()
    page = browser.sign_in(app.url("/me"), email)
    if signs_in:
        assert page.status_code == 200, page.text
        return
    assert page.status_code == 400, page.text
    assert "Sign-in failed" in page.text
    assert "failed verification" in page.text
    assert browser.http.cookies.get(app.cookie_name) is None
