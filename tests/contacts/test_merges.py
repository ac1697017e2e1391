"""Identity resolution, merge suggestions, merge and undo (property-tested: undo restores exactly)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from symfonie.contacts.actions.cases import do_add_note, do_create_task, do_open_case
from symfonie.contacts.actions.customers import (
    do_add_identity,
    do_create_customer,
    resolve_identity,
)
from symfonie.contacts.actions.interactions import do_add_message, do_create_contact
from symfonie.contacts.actions.merges import (
    check_merge_customers,
    check_undo_merge,
    do_merge_customers,
    do_undo_merge,
)
from symfonie.contacts.models import Customer, CustomerMerge, MergeSuggestion, TimelineEntry
from symfonie.contacts.snapshot import state_of
from symfonie.problems import Conflict, Forbidden
from symfonie.tenants.models import AuditRecord
from symfonie.tenants.scoping import Tenancy
from tests.conftest import make_tenant, make_user


def test_exact_identifier_links_to_the_same_customer(tenant):
    first, created = resolve_identity(tenant, "phone", "06 1234 5678", name="Jan")
    again, created_again = resolve_identity(tenant, "phone", "+31612345678")
    assert created and not created_again and again.pk == first.pk


def test_weak_evidence_makes_a_suggestion_never_a_merge(tenant):
    a = do_create_customer(tenant, name="Jan de Vries", identities=[("postal", "1234AB, 1")])
    b = do_create_customer(tenant, name="jan de  vries", identities=[("postal", "1234 ab, 7")])
    suggestion = MergeSuggestion.objects.get()
    assert {suggestion.customer_a_id, suggestion.customer_b_id} == {a.pk, b.pk}
    assert suggestion.reason == "name_postcode"
    assert Customer.objects.filter(is_active=True).count() == 2


def test_email_and_phone_variants_are_suggested(tenant):
    a = do_create_customer(tenant, name="A", identities=[("email", "jan.jansen@gmail.com")])
    b = do_create_customer(tenant, name="B", identities=[("email", "janjansen+huur@gmail.com")])
    c = do_create_customer(tenant, name="C", identities=[("phone", "0612345678")])
    d = do_create_customer(tenant, name="D")
    do_add_identity(d, "whatsapp", "31612345678")
    reasons = {(s.customer_a_id, s.customer_b_id): s.reason for s in MergeSuggestion.objects.all()}
    assert reasons[(a.pk, b.pk)] == "email_variant"
    assert reasons[(c.pk, d.pk)] == "phone_variant"


def test_identity_of_another_customer_is_a_conflict(tenant):
    do_create_customer(tenant, name="A", identities=[("phone", "0612345678")])
    with pytest.raises(Conflict):
        do_create_customer(tenant, name="B", identities=[("phone", "+31 6 12345678")])
    # nothing half-written: B does not exist
    assert list(Customer.objects.values_list("name", flat=True)) == ["A"]


def _populate(tenant, name, seed):
    customer = do_create_customer(
        tenant, name=name, identities=[("email", f"{seed}@voorbeeld.nl")], suggest=False
    )
    contact = do_create_contact(customer, channel=["voice", "email", "whatsapp"][seed % 3])
    do_add_message(contact, author="customer", body=f"vraag {seed}")
    case = do_open_case(customer, subject=f"dossier {seed}")
    do_create_task(case, team="Backoffice", title="controleren")
    do_add_note(customer, f"notitie {seed}", case=case)
    return customer


def test_merge_moves_everything_and_undo_restores_exactly(tenant, supervisor_bram):
    tenancy = Tenancy(tenant=tenant, user=supervisor_bram, role="supervisor")
    source = _populate(tenant, "Jan", 1)
    target = _populate(tenant, "Jan J.", 2)
    before = state_of(tenant)
    timeline_before = sorted(TimelineEntry.objects.values_list("pk", "customer_id"))
    s, t, _ = check_merge_customers(tenancy, source.pk, target.pk, "zelfde persoon, gebeld")
    merge = do_merge_customers(tenancy, s, t, "zelfde persoon, gebeld")
    assert not Customer.objects.get(pk=source.pk).is_active
    assert TimelineEntry.objects.filter(customer=source).count() == 0
    assert set(merge.moved) == {"identities", "contacts", "cases", "notes", "timeline"}
    do_undo_merge(
        tenancy, check_undo_merge(tenancy, merge.pk, "toch twee personen"), "toch twee personen"
    )
    assert state_of(tenant)["customers"] == before["customers"]
    assert state_of(tenant)["identities"] == before["identities"]
    assert state_of(tenant)["contacts"] == before["contacts"]
    assert sorted(TimelineEntry.objects.values_list("pk", "customer_id")) == timeline_before
    actions = list(AuditRecord.objects.order_by("id").values_list("action", "actor_id", "reason"))
    assert actions == [
        ("customer.merge", supervisor_bram.pk, "zelfde persoon, gebeld"),
        ("customer.unmerge", supervisor_bram.pk, "toch twee personen"),
    ]
    with pytest.raises(Conflict):
        check_undo_merge(tenancy, merge.pk, "nog eens")


def test_agents_may_not_merge(tenant, agent_anna):
    tenancy = Tenancy(tenant=tenant, user=agent_anna, role="agent")
    a, b = _populate(tenant, "A", 1), _populate(tenant, "B", 2)
    with pytest.raises(Forbidden):
        check_merge_customers(tenancy, a.pk, b.pk, "reden")


def test_undo_of_a_merge_whose_target_was_merged_again_is_refused(tenant, supervisor_bram):
    tenancy = Tenancy(tenant=tenant, user=supervisor_bram, role="supervisor")
    a, b, c = (_populate(tenant, n, i) for i, n in enumerate("ABC"))
    first = do_merge_customers(tenancy, a, b, "r")
    do_merge_customers(tenancy, b, c, "r")
    with pytest.raises(Conflict, match="undo that merge first"):
        check_undo_merge(tenancy, first.pk, "r")


class MergeUndoProperty(TestCase):
    """For any two customers with any mix of rows, merge then undo restores the state exactly."""

    @settings(max_examples=15, deadline=None)
    @given(
        source_rows=st.lists(st.sampled_from(["contact", "case", "note", "identity"]), max_size=6),
        target_rows=st.lists(st.sampled_from(["contact", "case", "note", "identity"]), max_size=6),
    )
    def test_merge_then_undo_is_identity(self, source_rows, target_rows):
        tenant = make_tenant("t", "T")
        user = make_user("sup@example.nl", tenant, "supervisor")
        tenancy = Tenancy(tenant=tenant, user=user, role="supervisor")
        counter = iter(range(10_000))
        customers = []
        for rows in (source_rows, target_rows):
            customer = do_create_customer(tenant, name="P", suggest=False)
            for row in rows:
                n = next(counter)
                if row == "contact":
                    do_create_contact(customer, channel="webchat")
                elif row == "case":
                    do_open_case(customer, subject=f"c{n}")
                elif row == "note":
                    do_add_note(customer, f"n{n}")
                else:
                    do_add_identity(customer, "email", f"p{n}@voorbeeld.nl")
            customers.append(customer)
        before = state_of(tenant)
        timeline_before = sorted(TimelineEntry.objects.values_list("pk", "customer_id"))
        merge = do_merge_customers(tenancy, customers[0], customers[1], "test")
        do_undo_merge(tenancy, CustomerMerge.objects.get(pk=merge.pk), "test")
        assert state_of(tenant) == before
        assert sorted(TimelineEntry.objects.values_list("pk", "customer_id")) == timeline_before
