"""Token minting and checking: signing keys, claims, sessions, refresh and revocation."""
