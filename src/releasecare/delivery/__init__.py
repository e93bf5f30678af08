"""Delivery: notices to each customer's contacts, one module per channel.

``webhook``   Standard Webhooks signatures: signing, and the receiver's check
              (``releasecare webhook verify``); the channel: a signed JSON POST
``slack``     a notice as a Slack Block Kit message, inert and within Slack's limits;
              the channel: an incoming webhook named by an environment variable
``email``     a notice as a multipart/alternative e-mail, CSS inlined, stable Message-ID;
              sent over SMTP with verified TLS
``outcome``   what one attempt came to: sent, retry, failed, or unknown
``targets``   what the channels share: a target, a notice, how a run sends
``outbox``    ``notify``: the outbox (written before sending), retries, the report

Each channel module has ``targets(customer)``, ``message_id_for(notice_key, target,
sending)`` and ``deliver(target, notice, message_id, sending)``; ``CHANNELS`` names
them, so a new channel is one module and one line here.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

# name -> module, imported on use.
CHANNELS: dict[str, str] = {
    "webhook": "releasecare.delivery.webhook",
    "slack": "releasecare.delivery.slack",
    "email": "releasecare.delivery.email",
}


def channel(name: str) -> ModuleType:
    """The module of channel ``name`` (one of ``CHANNELS``)."""
    return import_module(CHANNELS[name])
