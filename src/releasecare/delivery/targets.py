"""What every channel shares: a target, a notice to send, and how a run sends.

A ``Target`` is one place a customer's notice goes (one webhook URL, one Slack
webhook named by its variable, one e-mail address), always taken from that
customer's contacts as the registry holds them now. ``key`` identifies it in the
outbox and changes when the contact does (a Slack target disabled by Slack comes
back when its variable holds another URL); ``shown`` is how output and the
database name it, and never holds a secret: a URL without its query, a variable's
name, an address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from releasecare import http
from releasecare.configsections import DeliverySettings


@dataclass(frozen=True)
class Target:
    customer_id: str
    channel: str
    key: str
    shown: str
    address: str = ""  # the webhook URL, the e-mail address; "" for Slack (a secret)
    secret_env: str | None = None  # webhook: the secret's variable; Slack: the URL's


def target_key(channel: str, *parts: str) -> str:
    """A stable key for a contact: a digest of what names it (for Slack, of the URL its
    variable holds: the digest is in the database, the URL never is)."""
    digest = hashlib.sha256("\0".join((channel, *parts)).encode()).hexdigest()
    return digest[:32]


@dataclass(frozen=True)
class Notice:
    """One notice version as a channel sends it: its documents and the id every attempt
    to this target carries (``webhook-id``, ``Message-ID``)."""

    customer_id: str
    customer_name: str
    version: int
    version_key: str
    subject: str
    title: str
    documents: Mapping[str, str]

    @property
    def data(self) -> dict[str, Any]:
        """The JSON notice (what ``notes render --format json`` writes)."""
        loaded = json.loads(self.documents.get("json") or "{}")
        return loaded if isinstance(loaded, dict) else {}


@dataclass
class Sending:
    """How one ``notify`` run sends: settings, the insecure-localhost switch, the HTTP
    client every webhook and Slack message goes through, and (tests) a TLS context
    for SMTP."""

    settings: DeliverySettings
    allow_insecure_localhost: bool = False
    product: str = "Our product"
    smtp_context: ssl.SSLContext | None = field(default=None, repr=False)
    _client: http.Client | None = field(default=None, repr=False)

    def client(self) -> http.Client:
        """The one HTTP client (``releasecare.http``): one attempt per call, no redirects;
        the outbox decides about retries."""
        if self._client is None:
            timeout = self.settings.timeout
            self._client = http.Client(
                options=http.Options(
                    connect_timeout=min(timeout, 10.0),
                    read_timeout=timeout,
                    deadline=timeout + 1.0,
                    max_retries=0,
                    max_bytes=1024 * 1024,
                ),
                headers={"User-Agent": "releasecare"},
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def url_problem(url: str, allow_insecure_localhost: bool) -> str | None:
    """Why a notice may not go to ``url`` (None: it may): only ``https``, except plain
    ``http`` to a loopback address with ``--allow-insecure-localhost``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "not a valid URL"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and _loopback(host):
        if allow_insecure_localhost:
            return None
        return "plain http:// is refused (a loopback target needs --allow-insecure-localhost)"
    return "only https:// targets are allowed"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
