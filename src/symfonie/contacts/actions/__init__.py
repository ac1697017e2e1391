"""Every function that changes customers, contacts, cases, tasks or notes.

Each ``do_*`` runs in one transaction: the change, its event row(s) and its timeline row(s)
commit together or not at all. ``check_*`` validates and authorises before calling ``do_*``.
"""
