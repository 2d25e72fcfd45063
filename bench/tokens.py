#!/usr/bin/env python3
"""Mints an access token for each bench shopper: `id|token_version` lines on stdin, one token per
line on stdout, signed with the secret the bench gives the service (argv[1]). Claims as the
service's own tokens carry them (crates/api/src/auth/tokens.rs); valid for a day."""
import base64
import hashlib
import hmac
import json
import sys
import time


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


secret = sys.argv[1].encode()
now = int(time.time())
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
for line in sys.stdin:
    user_id, version = line.strip().split("|")
    claims = {"sub": user_id, "role": "customer", "ver": int(version), "iss": "stockroom",
              "aud": "stockroom-api", "iat": now, "exp": now + 86400}
    signing_input = f"{header}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    print(f"{signing_input}.{b64(signature)}")
