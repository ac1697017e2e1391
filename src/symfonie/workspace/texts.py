"""The words the workspace script shows, translated on the server (no JS catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def presence_labels() -> dict[str, str]:
    return {
        "available": _("available"),
        "busy": _("busy"),
        "wrap_up": _("wrap-up"),
        "break": _("break"),
        "not_responding": _("not responding"),
        "offline": _("offline"),
    }


def texts() -> dict[str, object]:
    return {
        "presence": presence_labels(),
        "wrapUp": _("wrap-up"),
        "needReason": _("A break needs a reason."),
        "liveOk": _("Live updates: connected"),
        "signedOut": _("Signed out: reload the page to sign in again."),
        "needTitle": _("A task needs a title."),
        "needTeam": _("Name the back-office team."),
        "liveDown": _("Live updates: reconnecting…"),
        "failed": _("That did not work"),
        "emptyReply": _("Write a reply first."),
        "windowClosed": _("The 24-hour window is closed: send an approved template."),
        "noCustomer": _("This contact has no known customer."),
        "noTarget": _("Pick a queue or an agent."),
        "saved": _("Saved."),
        "taskCreated": _("Task created."),
        "notWrapUp": _("Wrap-up starts when the conversation has ended."),
        "noConversation": _("No conversation open."),
    }
