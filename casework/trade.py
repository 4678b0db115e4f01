"""Sales contracts (R-3.2.1) and purchases (R-3.2.2): their numbers, the lists staff type one line per entry,
the acceptance check of goods strictly against the contract, and the archive each is filed in (R-6.2).

Everything here runs inside the calling step's transaction and raises InvalidInput for what a person
must correct; nothing is kept outside the process data but the number counters and the archive."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from sqlalchemy import Connection, insert

from casework.archive_register import ARCHIVES, add_items, archive_class, archive_number
from casework.numbering import next_number
from engine.errors import InvalidInput, N_

# Contract and purchase numbers: 合同 (HT) for sales contracts, 採購 (CG) for purchases, by year.
NUMBER_PREFIXES = {"sales_contract": "HT", "purchase": "CG"}
TITLE_LENGTH = 400
MAX_LINES = 200


def trade_number(conn: Connection, kind: str, now: datetime) -> str:
    """`HT-2026-0001`: gap-free per kind and year (the counter is taken in the step's transaction)."""
    prefix = NUMBER_PREFIXES[kind]
    return f"{prefix}-{now.year:04d}-{next_number(conn, f'trade:{prefix}', f'{now.year:04d}'):04d}"


def parse_date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(N_("%(field)s must be a date (YYYY-MM-DD), not '%(value)s'"), {field: ["not a date"]},
                           field=field, value=value) from None


def _amount(text: str, field: str, line: int) -> float:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput(N_("%(field)s, line %(line)s: '%(text)s' is not an amount"), {field: [f"line {line}"]},
                           field=field, line=line, text=text.strip()) from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput(N_("%(field)s, line %(line)s: the amount must be more than 0"), {field: [f"line {line}"]},
                           field=field, line=line)
    return float(value)


def _lines(text: Any, field: str) -> list[tuple[int, list[str]]]:
    if not isinstance(text, str):
        raise InvalidInput(N_("%(field)s must be text, one entry per line"), {field: ["not text"]}, field=field)
    rows = [(number, [part.strip() for part in line.split("|")])
            for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not rows:
        raise InvalidInput(N_("%(field)s: enter at least one line"), {field: ["empty"]}, field=field)
    if len(rows) > MAX_LINES:
        raise InvalidInput(N_("%(field)s: at most %(count)s lines"), {field: ["too many lines"]}, field=field,
                           count=MAX_LINES)
    return rows


def parse_items(text: Any, field: str) -> list[dict[str, Any]]:
    """`name | specification | quantity` per line → numbered items; names are unique, quantities whole and > 0."""
    items: list[dict[str, Any]] = []
    for line, parts in _lines(text, field):
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise InvalidInput(N_("%(field)s, line %(line)s: write “name | specification | quantity”"),
                               {field: [f"line {line}"]}, field=field, line=line)
        name, specification, quantity = parts
        if not quantity.isdigit() or int(quantity) <= 0:
            raise InvalidInput(N_("%(field)s, line %(line)s: the quantity must be a whole number above 0"),
                               {field: [f"line {line}"]}, field=field, line=line)
        if any(item["name"].casefold() == name.casefold() for item in items):
            raise InvalidInput(N_("%(field)s, line %(line)s: '%(name)s' is listed twice"), {field: [f"line {line}"]},
                               field=field, line=line, name=name)
        items.append({"line": len(items) + 1, "name": name, "specification": specification,
                      "quantity": int(quantity)})
    return items


def parse_quotes(text: Any, field: str) -> list[dict[str, Any]]:
    """`supplier | total price | note` per line (the note may be left out); one quote per supplier."""
    quotes: list[dict[str, Any]] = []
    for line, parts in _lines(text, field):
        if len(parts) not in (2, 3) or not parts[0]:
            raise InvalidInput(N_("%(field)s, line %(line)s: write “supplier | total price | note”"),
                               {field: [f"line {line}"]}, field=field, line=line)
        if any(q["supplier"].casefold() == parts[0].casefold() for q in quotes):
            raise InvalidInput(N_("%(field)s, line %(line)s: '%(supplier)s' quoted twice; keep one quote per supplier"),
                               {field: [f"line {line}"]}, field=field, line=line, supplier=parts[0])
        quotes.append({"supplier": parts[0], "price": _amount(parts[1], field, line),
                       "note": parts[2] if len(parts) == 3 else ""})
    return quotes


def choose_supplier(quotes: list[dict[str, Any]], chosen: str, reason: str, min_quotes: int,
                    budget: float) -> dict[str, Any]:
    """R-3.2.2 supplier selection: enough quotes compared, the chosen one among them, a reason, within budget."""
    if len(quotes) < min_quotes:
        raise InvalidInput(N_("%(count)s quote(s) recorded; this purchase needs at least %(needed)s"),
                           {"supplier_quotes": [f"at least {min_quotes}"]}, count=len(quotes), needed=min_quotes)
    found = [q for q in quotes if q["supplier"].casefold() == str(chosen).strip().casefold()]
    if not found:
        raise InvalidInput(N_("'%(chosen)s' gave no quote; choose one of %(suppliers)s"),
                           {"chosen_supplier": ["not among the quotes"]}, chosen=chosen,
                           suppliers=[q["supplier"] for q in quotes])
    if not str(reason).strip():
        raise InvalidInput(N_("say why this supplier was chosen"), {"selection_reason": ["required"]})
    if found[0]["price"] > budget:
        raise InvalidInput(N_("the chosen quote (%(price)s) exceeds the approved budget (%(budget)s)"),
                           {"chosen_supplier": ["over budget"]}, price=f"{found[0]['price']:g}", budget=f"{budget:g}")
    return {"supplier": found[0]["supplier"], "price": found[0]["price"], "reason": str(reason).strip(),
            "quotes": quotes, "lowest_price": min(q["price"] for q in quotes)}


def check_item(item: Mapping[str, Any], quantity_received: int, specification_matches: bool,
               quality_matches: bool, remark: str) -> dict[str, Any]:
    """One contract item as inspected: it passes only when the quantity is the contract's exactly and
    its specification and quality match (R-3.2.2: acceptance strictly against the contract)."""
    problems = []
    if quantity_received != item["quantity"]:
        problems.append(f"quantity {quantity_received}, contract {item['quantity']}")
    if not specification_matches:
        problems.append("specification does not match the contract")
    if not quality_matches:
        problems.append("quality does not meet the contract")
    if problems and not str(remark).strip():
        raise InvalidInput(N_("%(item)s: describe what does not match the contract"),
                           {"inspection_remark": ["required when the item does not match"]}, item=item["name"])
    return {"line": item["line"], "name": item["name"], "quantity_received": quantity_received,
            "specification_matches": specification_matches, "quality_matches": quality_matches,
            "remark": str(remark).strip(), "passed": not problems, "problems": problems}


def conclude_acceptance(items: list[Mapping[str, Any]], checks: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The round's verdict: every contract item checked exactly once, in order; passed when all passed."""
    if [c["line"] for c in checks] != [i["line"] for i in items]:
        raise InvalidInput(N_("every contract item is inspected exactly once before the acceptance is concluded"))
    mismatches = [c for c in checks if not c["passed"]]
    return {"passed": not mismatches, "checked": len(checks),
            "mismatches": [{"name": c["name"], "problems": c["problems"], "remark": c["remark"]} for c in mismatches]}


def file_trade_records(conn: Connection, now: datetime, business_type: str, title: str,
                       records: Mapping[str, Any], instance_id: str | None) -> tuple[str, int]:
    """R-6.1/R-6.2: a finished contract or purchase as a complete archive in its class's number series."""
    klass = archive_class(business_type)
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput(N_("title must be a non-empty text"))
    if not isinstance(records, Mapping) or not records:
        raise InvalidInput(N_("records must be a non-empty object: one entry per record"))
    number = archive_number(klass, now.year, next_number(conn, f"archive-{klass.prefix}", f"{now.year:04d}"))
    archive_id = conn.execute(insert(ARCHIVES).values(
        number=number, archive_class=klass.name, case_number=None, title=title.strip()[:TITLE_LENGTH],
        status="complete", opened_at=now, opened_by_instance=instance_id, completed_at=now,
    ).returning(ARCHIVES.c.id)).scalar_one()
    add_items(conn, archive_id, now, instance_id,
              [("case_record", str(name), value) for name, value in sorted(records.items())])
    return number, len(records)
