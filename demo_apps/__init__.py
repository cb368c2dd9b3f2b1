"""The demo: two Flask services (billing, reports) sharing one Cognito user pool.

`demo_apps.runner` starts the local IdP, provisions the demo pool and serves both apps.
"""
