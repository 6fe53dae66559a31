"""TAR-006: a tariff_alt_text explains; it does not repeat the elements' prices."""

from __future__ import annotations

from typing import Any

from conformance.suites.cpo.test_senders import quoted_prices


def _tariff(*texts: str) -> dict[str, Any]:
    components = [{"type": "ENERGY", "price": 0.39, "vat": 21.0},
                  {"type": "PARKING_TIME", "price": 6.0, "vat": 21.0}]  # fmt: skip
    return {"currency": "EUR", "elements": [{"price_components": components}],
            "tariff_alt_text": [{"language": "en", "text": t} for t in texts]}  # fmt: skip


def test_an_explanation_with_other_numbers_quotes_no_price() -> None:
    assert quoted_prices(_tariff("Parking is charged from the 6th hour on (6 hours free).",
                                 "VAT 6 applies; 1.5 hours minimum")) == []  # fmt: skip


def test_prices_excl_and_incl_vat_in_any_form_are_found() -> None:
    found = quoted_prices(_tariff("0.39 EUR/kWh", "parking €6 per hour", "0,47/kWh incl. VAT"))
    assert [f.split(" in ")[0] for f in found] == ["'0.39 EUR'", "'€6'", "'0,47'"]
