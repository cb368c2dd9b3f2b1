"""The ``cognito-sso`` command: one entry point for the local IdP, provisioning and the demo.

It lives outside the ``cognito_sso`` library package on purpose: the library never imports
``local_cognito``, ``provisioning`` or ``demo_apps``; this dispatcher does, lazily.
"""
