"""The rules behind R-3.2.2 (casework/trade.py): item and quote lines as staff type them, the supplier choice,
and the acceptance check strictly against the contract."""
from __future__ import annotations

import pytest

from casework.trade import check_item, choose_supplier, conclude_acceptance, parse_items, parse_quotes
from engine.errors import InvalidInput

LAPTOP = {"line": 1, "name": "Laptop", "specification": "14-inch", "quantity": 10}


def test_item_lines_become_numbered_items_and_blank_lines_are_ignored() -> None:
    items = parse_items("Laptop | 14-inch | 10\n\n  Mouse|wireless|10  \n", "purchase_items")
    assert items == [LAPTOP, {"line": 2, "name": "Mouse", "specification": "wireless", "quantity": 10}]


@pytest.mark.parametrize("text, problem", [
    ("", "at least one line"),
    ("Laptop | 14-inch", "line 1"),
    ("Laptop | 14-inch | ten", "whole number"),
    ("Laptop | 14-inch | 0", "whole number"),
    ("Laptop | 14-inch | 2.5", "whole number"),
    ("Laptop | 14-inch | 1\nlaptop | 15-inch | 1", "listed twice"),
])
def test_an_item_line_that_cannot_be_read_is_refused_naming_the_line(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_items(text, "purchase_items")


def test_quotes_accept_thousands_separators_and_an_optional_note() -> None:
    assert parse_quotes("Acme | 28,500.50 | 10 days\nBeta | 27900", "supplier_quotes") == [
        {"supplier": "Acme", "price": 28500.5, "note": "10 days"}, {"supplier": "Beta", "price": 27900.0, "note": ""}]
    for bad in ("Acme | cheap", "Acme | -5", "Acme | 1\nACME | 2"):
        with pytest.raises(InvalidInput):
            parse_quotes(bad, "supplier_quotes")


def test_the_chosen_supplier_must_have_quoted_within_budget_with_enough_quotes_compared() -> None:
    quotes = parse_quotes("Acme | 100\nBeta | 90", "supplier_quotes")
    chosen = choose_supplier(quotes, " acme ", "faster", min_quotes=2, budget=100)
    assert (chosen["supplier"], chosen["price"], chosen["lowest_price"]) == ("Acme", 100.0, 90.0)
    with pytest.raises(InvalidInput, match="at least 3"):
        choose_supplier(quotes, "Acme", "faster", min_quotes=3, budget=100)
    with pytest.raises(InvalidInput, match="exceeds"):
        choose_supplier(quotes, "Acme", "faster", min_quotes=2, budget=99)
    with pytest.raises(InvalidInput, match="why"):
        choose_supplier(quotes, "Beta", "  ", min_quotes=2, budget=100)


def test_an_item_passes_only_with_the_contracts_exact_quantity_specification_and_quality() -> None:
    assert check_item(LAPTOP, 10, True, True, "")["passed"] is True
    more = check_item(LAPTOP, 11, True, True, "one extra")
    assert (more["passed"], more["problems"]) == (False, ["quantity 11, contract 10"])
    with pytest.raises(InvalidInput, match="describe"):
        check_item(LAPTOP, 10, False, True, "")


def test_the_acceptance_is_concluded_only_when_every_item_was_checked_once_in_order() -> None:
    mouse = {"line": 2, "name": "Mouse", "specification": "wireless", "quantity": 5}
    checks = [check_item(LAPTOP, 10, True, True, ""), check_item(mouse, 5, True, False, "scratched")]
    verdict = conclude_acceptance([LAPTOP, mouse], checks)
    assert (verdict["passed"], verdict["checked"], [m["name"] for m in verdict["mismatches"]]) == (False, 2, ["Mouse"])
    with pytest.raises(InvalidInput, match="exactly once"):
        conclude_acceptance([LAPTOP, mouse], checks[:1])
