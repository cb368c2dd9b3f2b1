"""Federation: the local IdP signing users in through another OpenID Connect provider.

- `cognito_sso.local.federation.upstream`: the relying-party side towards the provider
  (discovery, code exchange, userInfo, ID-token checks).
- `cognito_sso.local.federation.profile`: what a provider's claims become in the pool
  (user id, mapped attributes, the ``identities`` attribute and claim).

The browser side (``/oauth2/authorize`` with ``identity_provider``, ``/oauth2/idpresponse``)
is `cognito_sso.local.web.federation`; providers and their users are stored by
`cognito_sso.local.moto_adapter.federation`. SAML and the social providers are not emulated.
"""
