"""Delivery: notices to each customer's contacts, one module per channel.

``webhook``   Standard Webhooks signatures: signing, and the receiver's check
              (``releasecare webhook verify``)
``slack``     a notice as a Slack Block Kit message, inert and within Slack's limits
``email``     a notice as a multipart/alternative e-mail, CSS inlined, stable Message-ID;
              sent over SMTP with verified TLS
``outcome``   what one attempt came to: sent, retry, failed, or unknown

The outbox, the registry of channels and the Slack and e-mail channels come with
the delivery issue's next slices, in the shape of ``deploylogs/``.
"""
