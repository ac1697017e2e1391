"""Models of the contacts context, one module per noun group."""

from symfonie.contacts.models.cases import BackOfficeTask, Case, Note, Topic
from symfonie.contacts.models.customers import (
    Customer,
    CustomerMerge,
    Identity,
    IdentityKind,
    MergeSuggestion,
)
from symfonie.contacts.models.interactions import Attachment, Channel, Contact, Message
from symfonie.contacts.models.timeline import TimelineEntry

__all__ = [
    "Attachment",
    "BackOfficeTask",
    "Case",
    "Channel",
    "Contact",
    "Customer",
    "CustomerMerge",
    "Identity",
    "IdentityKind",
    "MergeSuggestion",
    "Message",
    "Note",
    "TimelineEntry",
    "Topic",
]
