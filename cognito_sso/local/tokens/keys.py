"""A pool's two RS256 signing keys (ID and access tokens): generated on first use, kept in
the state directory when there is one, and published as the pool's JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import RSAKey


def kid_for(key: RSAKey) -> str:
    """Cognito-style kid: standard base64 of the RFC 7638 SHA-256 thumbprint (44 chars)."""
    public = key.as_dict(private=False)
    canonical = json.dumps(
        {"e": public["e"], "kty": "RSA", "n": public["n"]}, separators=(",", ":"), sort_keys=True
    )
    return base64.b64encode(hashlib.sha256(canonical.encode()).digest()).decode()


@dataclass(frozen=True)
class PoolKeys:
    """A pool's two signing keys: one for ID tokens, one for access tokens."""

    id_key: RSAKey
    access_key: RSAKey
    id_kid: str
    access_kid: str


class KeyStore:
    """Every pool's keys, in memory and (with a state directory) on disk."""

    def __init__(self, state_dir: Path | None = None) -> None:
        self._key_dir = state_dir / "keys" if state_dir is not None else None
        self._lock = threading.Lock()
        self._keys: dict[str, PoolKeys] = {}

    def for_pool(self, pool_id: str) -> PoolKeys:
        """The pool's keys, loaded from the state dir or generated on first use."""
        with self._lock:
            keys = self._keys.get(pool_id)
            if keys is None:
                keys = self._load_keys(pool_id) or self._new_keys(pool_id)
                self._keys[pool_id] = keys
            return keys

    def jwks(self, pool_id: str) -> dict[str, Any]:
        """The pool's public JWKS document (two RS256 keys)."""
        keys = self.for_pool(pool_id)
        documents = []
        for key, kid in ((keys.id_key, keys.id_kid), (keys.access_key, keys.access_kid)):
            public = key.as_dict(private=False)
            documents.append(
                {
                    "alg": "RS256",
                    "e": public["e"],
                    "kid": kid,
                    "kty": "RSA",
                    "n": public["n"],
                    "use": "sig",
                }
            )
        return {"keys": documents}

    def _new_keys(self, pool_id: str) -> PoolKeys:
        id_key = RSAKey.generate_key(2048, private=True)
        access_key = RSAKey.generate_key(2048, private=True)
        keys = PoolKeys(id_key, access_key, kid_for(id_key), kid_for(access_key))
        self._save_keys(pool_id, keys)
        return keys

    def _key_file(self, pool_id: str) -> Path | None:
        if self._key_dir is None or not pool_id.replace("-", "").replace("_", "").isalnum():
            return None
        return self._key_dir / f"{pool_id}.json"

    def _load_keys(self, pool_id: str) -> PoolKeys | None:
        path = self._key_file(pool_id)
        if path is None or not path.is_file():
            return None
        try:
            stored = json.loads(path.read_text())
            id_key = RSAKey.import_key(stored["id"])
            access_key = RSAKey.import_key(stored["access"])
        except (OSError, ValueError, KeyError, TypeError, JoseError):
            return None  # unreadable key file: start with fresh keys
        return PoolKeys(id_key, access_key, kid_for(id_key), kid_for(access_key))

    def _save_keys(self, pool_id: str, keys: PoolKeys) -> None:
        path = self._key_file(pool_id)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = {
            "id": keys.id_key.as_dict(private=True),
            "access": keys.access_key.as_dict(private=True),
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(stored, handle)
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise

    def known(self, pool_id: str) -> PoolKeys | None:
        """The pool's keys if they exist already (in memory or on disk); never generates."""
        with self._lock:
            return self._keys.get(pool_id) or self._load_keys(pool_id)
