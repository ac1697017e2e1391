"""Contacts that change mark their interval's stored KPI tally dirty (see ``aggregates.py``).

A receiver rather than a call in each action: routing, connectors, imports and the admin all
save contacts, and a tally that misses one of them would be silently wrong. ``bulk_create`` and
``QuerySet.update`` send no signals; the code that uses them on contacts calls
``aggregates.refresh`` or ``aggregates.mark_dirty`` itself (the imports do).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from symfonie.contacts.models import Contact
from symfonie.reporting.aggregates import mark_dirty


@receiver(pre_save, sender=Contact)
def _remember_arrival(sender, instance: Contact, **kwargs) -> None:
    # a contact whose arrival moves leaves its old interval too
    if instance.pk is not None and not hasattr(instance, "_kpi_old_arrival"):
        old = Contact.objects.filter(pk=instance.pk).values_list("arrived_at", flat=True).first()
        instance._kpi_old_arrival = old


@receiver(post_save, sender=Contact)
def _contact_saved(sender, instance: Contact, **kwargs) -> None:
    instants = [instance.arrived_at]
    old = getattr(instance, "_kpi_old_arrival", None)
    if old is not None and old != instance.arrived_at:
        instants.append(old)
    instance.__dict__.pop("_kpi_old_arrival", None)
    mark_dirty(instance.tenant_id, instants)


@receiver(post_delete, sender=Contact)
def _contact_deleted(sender, instance: Contact, **kwargs) -> None:
    mark_dirty(instance.tenant_id, [instance.arrived_at])
