"""Instagram messaging send side: Messenger's Send API with Instagram's rules.

The request is Messenger's (``recipient.id`` an IGSID, see ``fixtures/SOURCE.md``), with four
differences: texts are at most 1,000 bytes (UTF-8); the only message tag is ``HUMAN_AGENT`` (7
days after the customer's last message); no ``metadata`` is sent, as the Instagram Send API
does not document it; and the node is ``me``. The account's ``provider_account_id`` is the
Instagram account (the ``entry.id`` of its webhooks), while the Send API node is the linked
Page with Facebook Login, the Instagram account with Instagram Login: ``me`` is the owner of
the access token in both cases.
"""

from __future__ import annotations

from symfonie.connectors.messenger.sender import HUMAN_AGENT, TAGS, SendAPI, window_closes_at

instagram = SendAPI(
    identity_kind="instagram",
    label="Instagram",
    tags={HUMAN_AGENT: TAGS[HUMAN_AGENT]},
    max_text_bytes=1000,
    echo_metadata=False,
    node="me",
)

IDENTITY_KIND = instagram.identity_kind
approved_templates = instagram.approved_templates
build_request = instagram.build_request
send = instagram.send

__all__ = [
    "IDENTITY_KIND",
    "approved_templates",
    "build_request",
    "send",
    "window_closes_at",
]
