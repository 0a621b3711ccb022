"""Sales, support and finance templates: lead qualification, ticket routing, expense approval
and invoice processing, each started by its webhook with the body its sender would post."""

from __future__ import annotations

from tests.integration.templates.helpers import (
    API_KEY,
    Run,
    from_template,
    http_api,
    scenario,
    slack,
    statuses,
)


@scenario("lead_qualification")
async def lead_qualification(run: Run) -> None:
    saved = from_template(
        run.member,
        "lead_qualification",
        {"crm": http_api(run.member, run.remote, "CRM", "/crm"), "min_employees": 100,
         "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    hot = {"name": "Grace Hopper", "email": "grace@navy.example", "company": "US Navy",
           "employees": 5000, "budget": 25000}  # fmt: skip
    cold = {"name": "Sam", "email": "sam@gmail.com", "employees": 3, "budget": 500}
    hot_run = await run.finished(await run.webhook(saved, hot))
    cold_run = await run.finished(await run.webhook(saved, cold))

    assert statuses(hot_run)["nurture"] == "skipped"
    assert statuses(cold_run)["create_deal"] == "skipped"
    assert statuses(cold_run)["tell_sales"] == "skipped"
    deal, nurture = run.remote.to("POST", "/crm/leads")
    assert deal["headers"]["x-api-key"] == API_KEY
    assert deal["json"] == {"name": "Grace Hopper", "email": "grace@navy.example",
                            "company": "US Navy", "stage": "qualified", "score": 100}  # fmt: skip
    assert nurture["json"] == {"name": "Sam", "email": "sam@gmail.com", "company": "",
                               "stage": "nurture", "score": 0}  # fmt: skip
    assert run.slack_texts() == [
        "🔥 Hot lead (100/100): Grace Hopper at US Navy, 5000 employees, budget 25000. "
        "grace@navy.example"
    ]


@scenario("support_ticket_routing")
async def support_ticket_routing(run: Run) -> None:
    saved = from_template(
        run.member,
        "support_ticket_routing",
        {"helpdesk": http_api(run.member, run.remote, "Help desk", "/desk"),
         "technical_group": "tier-2", "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    urgent_bug = {"id": 501, "subject": "Export crashes", "category": "Bug", "priority": "urgent",
                  "customer": "Initech"}  # fmt: skip
    question = {"id": 502, "subject": "Where is my invoice?", "category": "billing",
                "priority": "normal"}  # fmt: skip
    other = {"id": 503, "subject": "Hello", "category": "feedback", "priority": "low"}
    runs = [await run.finished(await run.webhook(saved, t)) for t in (urgent_bug, question, other)]

    taken = [sorted(s for s, status in statuses(r).items() if status == "succeeded") for r in runs]
    assert taken == [["page_urgent", "route", "to_technical"], ["route", "to_billing"],
                     ["route", "to_general"]]  # fmt: skip
    assigned = {r["path"]: r["json"] for r in run.remote.to("PATCH", "/desk/tickets/", under=True)}
    assert assigned == {"/desk/tickets/501": {"group": "tier-2"},
                        "/desk/tickets/502": {"group": "billing"},
                        "/desk/tickets/503": {"group": "support"}}  # fmt: skip
    assert run.slack_texts() == ["[WARNING] 🆘 URGENT ticket #501 from Initech: Export crashes"]


@scenario("expense_approval")
async def expense_approval(run: Run) -> None:
    saved = from_template(
        run.member,
        "expense_approval",
        {"approvers": [run.member.email], "auto_approve_below": 50,
         "accounting": http_api(run.member, run.remote, "Accounting", "/books"),
         "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    taxi = {"employee": "Ada", "email": "ada@example.com", "amount": 23.5, "currency": "EUR",
            "description": "Taxi to the client"}  # fmt: skip
    laptop = {"employee": "Alan", "email": "alan@example.com", "amount": "1499.00",
              "currency": "EUR", "description": "Laptop"}  # fmt: skip
    small = await run.finished(await run.webhook(saved, taxi))
    assert statuses(small)["finance_review"] == "skipped"
    assert statuses(small)["announce_approved"] == "succeeded"

    large_id = await run.webhook(saved, laptop)
    await run.waiting(large_id)
    assert len(run.remote.to("POST", "/books/expenses")) == 1  # nothing booked before the decision
    await run.approve(large_id, comment="ok, within budget")
    large = await run.finished(large_id)

    assert statuses(large) == {
        "is_small": "succeeded", "finance_review": "succeeded", "record_auto": "skipped",
        "record_approved": "succeeded", "announce_approved": "succeeded",
        "announce_rejected": "skipped",
    }  # fmt: skip
    auto, approved = run.remote.to("POST", "/books/expenses")
    assert auto["json"]["approved_by"] == "automatic (below 50)"
    assert approved["json"]["amount"] == "1499.00"
    assert approved["json"]["approved_by"].startswith(run.member.email)
    assert run.slack_texts() == [
        "✅ Expense approved: 23.5 EUR for Ada (Taxi to the client); it will be reimbursed.",
        "✅ Expense approved: 1499.00 EUR for Alan (Laptop); it will be reimbursed.",
    ]


@scenario("invoice_processing")
async def invoice_processing(run: Run) -> None:
    run.remote.answer(
        "GET /acct/purchase-orders/PO-77", (200, {"id": "PO-77", "amount": "1200.00"})
    )
    saved = from_template(
        run.member,
        "invoice_processing",
        {"accounting": http_api(run.member, run.remote, "Accounting", "/acct"),
         "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    invoice = {"invoice_number": "INV-9", "vendor": "Paper Co", "currency": "EUR",
               "due_date": "2026-12-31", "po_number": "PO-77"}  # fmt: skip
    matching = await run.finished(await run.webhook(saved, {**invoice, "amount": 1200.2}))
    differing = await run.finished(await run.webhook(saved, {**invoice, "amount": 1350}))

    assert statuses(matching)["book_bill"] == "succeeded"
    assert statuses(matching)["tell_finance"] == "skipped"
    assert statuses(differing)["book_bill"] == "skipped"
    booked, held = run.remote.to("POST", "/acct/bills")
    assert booked["json"]["status"] == "approved" and booked["json"]["purchase_order"] == "PO-77"
    assert held["json"]["status"] == "on_hold"
    assert held["json"]["note"] == "differs from the purchase order (1200.00)"
    assert run.slack_texts() == [
        "[WARNING] 🧾 Invoice INV-9 from Paper Co is on hold: 1350 EUR but purchase order "
        "PO-77 says 1200.00."
    ]
