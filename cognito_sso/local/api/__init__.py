"""The cognito-idp JSON 1.1 API at ``POST /``: `dispatch` routes each action to the module of
its area (pools, clients, users, sign-in flows, sessions, MFA) or forwards it to moto."""
