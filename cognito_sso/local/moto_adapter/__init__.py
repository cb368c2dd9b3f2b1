"""The moto adapter: the only code of the local IdP that imports moto.

Everything else sees plain records (`cognito_sso.local.model`) through `directory.Directory`.
"""
