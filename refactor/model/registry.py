"""Resolving a tag to its digest with the registry's HTTP API (OCI distribution spec).

Used only when the user asks for digest pinning (`--pin-digests`): this is
the one place refactor goes to the network. Loopback registries are spoken to
over plain HTTP, as Docker treats them; everything else over HTTPS, with the
anonymous bearer-token flow Docker Hub and most registries use.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from ..syntax.image import ImageRef

__all__ = ["resolve_digest", "RegistryError"]

ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])
DOCKER_HUB = "registry-1.docker.io"


class RegistryError(Exception):
    pass


def registry_url(ref: ImageRef) -> str:
    host = ref.registry if ref.registry and not ref.is_docker_hub else DOCKER_HUB
    loopback = host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]") or host.startswith("127.")
    return f"{'http' if loopback else 'https'}://{host}"


def resolve_digest(ref: ImageRef, *, timeout: float = 15.0) -> str:
    """`sha256:…` of the manifest (or index) the reference's tag points to now."""
    if ref.tag is None:
        raise RegistryError(f"{ref} has no tag to resolve")
    url = f"{registry_url(ref)}/v2/{ref.repository}/manifests/{urllib.parse.quote(ref.tag)}"
    headers = {"Accept": ACCEPT, "User-Agent": "refactor (dockerfile-refactor)"}
    for method in ("HEAD", "GET"):
        response = _request(url, method, headers, timeout)
        digest = response.headers.get("Docker-Content-Digest")
        if digest and re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            return digest
        if method == "GET":
            return "sha256:" + hashlib.sha256(response.body).hexdigest()
    raise RegistryError(f"{url}: no digest in the answer")  # pragma: no cover


class _Response:
    def __init__(self, headers, body: bytes) -> None:
        self.headers = headers
        self.body = body


def _request(url: str, method: str, headers: dict, timeout: float, retried: bool = False) -> _Response:
    req = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return _Response(r.headers, r.read() if method == "GET" else b"")
    except urllib.error.HTTPError as e:
        challenge = e.headers.get("WWW-Authenticate", "") if e.headers else ""
        if e.code == 401 and not retried and challenge.lower().startswith("bearer"):
            token = _token(challenge, timeout)
            return _request(url, method, {**headers, "Authorization": f"Bearer {token}"}, timeout, retried=True)
        if e.code == 404:
            raise RegistryError(f"{url}: no such tag (404)") from None
        raise RegistryError(f"{url}: HTTP {e.code}") from None
    except (urllib.error.URLError, OSError) as e:
        raise RegistryError(f"{url}: {getattr(e, 'reason', e)}") from None


def _token(challenge: str, timeout: float) -> str:
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", None)
    if not realm:
        raise RegistryError("the registry asks for a token but names no realm")
    query = urllib.parse.urlencode({k: v for k, v in params.items() if k in ("service", "scope")})
    try:
        with urllib.request.urlopen(f"{realm}?{query}", timeout=timeout) as r:
            data = json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise RegistryError(f"cannot get a token from {realm}: {e}") from None
    token = data.get("token") or data.get("access_token")
    if not token:
        raise RegistryError(f"{realm} gave no token")
    return token
