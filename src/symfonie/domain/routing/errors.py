"""Why the router refuses a command. It raises before any event is emitted, so a refused
command changes nothing.

Three families, for the API to map: ``NotFound`` (404), ``Conflict`` (409: the state does not
allow it, e.g. an expired offer or an offline transfer target), ``Invalid`` (422).
"""

from __future__ import annotations


class RoutingError(Exception):
    """Base class of every refusal by the router."""


class NotFound(RoutingError, LookupError):
    """An unknown queue, agent, contact or offer id."""


class Conflict(RoutingError):
    """The command does not fit the current state; the message says why."""


class Invalid(RoutingError, ValueError):
    """The command itself is malformed (e.g. a break without a reason code)."""


class UnknownQueue(NotFound):
    """No queue with this id."""


class UnknownAgent(NotFound):
    """No agent with this id."""


class UnknownContact(NotFound):
    """No waiting or assigned contact with this id."""


class OfferNotInFlight(Conflict):
    """No such offer in flight: it expired, was withdrawn or was already answered."""


class OfferNotYours(Conflict):
    """The offer belongs to another agent."""


class OfferExpired(Conflict):
    """The offer's time ran out (the next ``tick`` re-offers the contact)."""


class DuplicateContact(Conflict):
    """The contact already waits or is assigned."""


class WrongContactState(Conflict):
    """The contact is not in the state the command needs (e.g. wrap-up of a waiting contact)."""


class TransferRefused(Conflict):
    """The transfer target is unqualified, unavailable or of another tenant."""
