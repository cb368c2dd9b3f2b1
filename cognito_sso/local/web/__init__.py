"""The browser and OAuth2 side: hosted UI, ``/oauth2/*`` endpoints, ``/logout``, discovery,
JWKS and the developer pages (start page, outbox, faults)."""
