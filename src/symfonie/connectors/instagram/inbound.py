"""Instagram messaging webhooks: the Messenger connector with ``"object": "instagram"``.

Meta delivers Instagram messages through the same webhook framework as Messenger (set-up check,
X-Hub-Signature-256, ``entry[].messaging[]``); the differences are the object name, the sender
(an Instagram-scoped id, IGSID), echoes arriving with the ``messages`` field, and read receipts
(``messaging_seen``) naming the message read (``read.mid``) instead of a watermark. All of that
is handled by ``MessengerConnector``; this module only parameterises it.
"""

from __future__ import annotations

from symfonie.connectors.messenger.inbound import MessengerConnector

connector = MessengerConnector(object_name="instagram", identity_kind="instagram")
