"""The local, Cognito-compatible identity provider (``cognito-sso local``);
extra ``[local]``.

One process, organised by plane:

- `cognito_sso.local.api`: the cognito-idp JSON 1.1 API at ``POST /`` (boto3's
  ``endpoint_url``); one module per area, everything not intercepted is forwarded to moto.
- `cognito_sso.local.web`: the browser and OAuth2 side: hosted UI, ``/oauth2/*``,
  ``/logout``, discovery, JWKS and the developer pages (outbox, faults).
- `cognito_sso.local.signin`: password sign-in and its challenges, codes and TOTP, shared by
  the JSON API and the hosted UI.
- `cognito_sso.local.tokens`: token minting and checking (keys, claims, sessions, rotation).
- `cognito_sso.local.moto_adapter`: the only code that imports moto; it hands plain records
  (`cognito_sso.local.model`) to everything else.

Entry points: `cognito_sso.local.app.create_app`, `cognito_sso.local.server.run_in_thread`,
`cognito_sso.local.cli` and the pytest plugin `cognito_sso.local.testing`.
"""

from cognito_sso.extras import require_extra

require_extra("local", "cognito_sso.local", "flask", "boto3", "moto", "joserfc", "pyotp", "segno")
