import pytest

from symfonie.contacts.identities import email_match_key, name_key, normalise
from symfonie.problems import InvalidInput


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("06 12345678", "NL", "+31612345678"),
        ("+31 (0)6-1234 5678", "NL", "+31612345678"),
        ("0031612345678", "NL", "+31612345678"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("+32 2 500 12 34", "NL", "+3225001234"),
    ],
)
def test_phone_numbers_become_e164(raw, region, expected):
    assert normalise("phone", raw, region).value == expected


@pytest.mark.parametrize("raw", ["12", "hallo", "06-123", "+999 1234"])
def test_invalid_phone_numbers_name_the_field(raw):
    with pytest.raises(InvalidInput) as caught:
        normalise("phone", raw, field="identities[0].value")
    assert caught.value.field == "identities[0].value"


def test_email_is_lowercased_with_idna_domain():
    assert normalise("email", "  Jan.Jansen@Voorbeeld.NL ").value == "jan.jansen@voorbeeld.nl"
    assert normalise("email", "piet@bücher.de").value == "piet@xn--bcher-kva.de"


@pytest.mark.parametrize("raw", ["jan@", "@voorbeeld.nl", "jan jansen@voorbeeld.nl", "geen-adres"])
def test_invalid_email(raw):
    with pytest.raises(InvalidInput):
        normalise("email", raw)


def test_email_match_key_drops_tags_and_gmail_dots():
    assert email_match_key("jan.jansen+huur@gmail.com") == "janjansen@gmail.com"
    assert email_match_key("jan+x@voorbeeld.nl") == "jan@voorbeeld.nl"


def test_postal_address_normalises_postcode_and_house_number():
    identity = normalise("postal", "1234 ab, 12-a")
    assert (identity.value, identity.match_key) == ("1234AB 12A", "1234AB")
    assert normalise("postal", "1000; 7").value == "1000 7"  # Belgian postcode
    with pytest.raises(InvalidInput):
        normalise("postal", "0123 AB, 1")


def test_other_kinds():
    assert normalise("whatsapp", "+31612345678").value == "31612345678"
    assert normalise("telegram", " 123456 ").value == "123456"
    assert normalise("social", "X:@JanJansen").value == "x:janjansen"
    assert normalise("customer_number", "wo 0001").value == "WO0001"
    with pytest.raises(InvalidInput):
        normalise("messenger", "abc")
    with pytest.raises(InvalidInput, match="unknown identity kind"):
        normalise("fax", "123")


def test_name_key_folds_case_accents_and_spaces():
    assert name_key("  José   de VRIES ") == "jose de vries"
