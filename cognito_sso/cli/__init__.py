"""The ``cognito-sso`` command: one entry point for the local IdP, provisioning and the demo.

The library never imports the tools (``cognito_sso.local``, ``cognito_sso.provisioning``);
this dispatcher does, lazily, so ``cognito-sso --help`` works with no extra installed.
"""
