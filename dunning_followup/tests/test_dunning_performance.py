# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPerformance(DunningCommon):
    """The planning of a batch costs the same number of queries for 2 or 20
    customers: nothing is read or written per invoice."""

    def _plan_queries(self, count):
        for level in self.policy.level_ids:
            level.write({"auto_execute": False})
        partners = self.env["res.partner"]
        for index in range(count):
            partner = self._make_customer(
                f"Perf {count} {index}", f"p{index}@example.com"
            )
            self._invoice(partner, date(2026, 1, 1), 100.0)
            self._invoice(partner, date(2026, 1, 2), 50.0)
            partners |= partner
        run = self.env["dunning.run"].create(
            {
                "company_id": self.company.id,
                "date": date(2026, 1, 8),
                "partner_ids": partners.ids,
            }
        )
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        run._process_batch(1000)
        self.env.flush_all()
        used = self.cr.sql_log_count - start
        self.assertEqual(run.action_count, count)
        return used

    def test_query_count_flat(self):
        with freeze_time("2026-01-08"):
            small = self._plan_queries(2)
            large = self._plan_queries(20)
        self.assertLessEqual(large, small + 2, f"{small} queries for 2, {large} for 20")

    def test_emails_rendered_once_per_template(self):
        """The notices of a batch render their e-mails in one call per
        template and language, and each one still goes to its customer."""
        partners = self.env["res.partner"]
        invoices = {}
        for index in range(3):
            partner = self._make_customer(f"Batch {index}", f"b{index}@example.com")
            invoices[partner] = self._invoice(
                partner, date(2026, 1, 1), 100.0 * (index + 1)
            )
            partners |= partner
        Template = type(self.env["mail.template"])
        original = Template._generate_template
        calls = []

        def counting(template, res_ids, *args, **kwargs):
            calls.append(list(res_ids))
            return original(template, res_ids, *args, **kwargs)

        with (
            freeze_time("2026-01-08"),
            patch.object(Template, "_generate_template", counting),
        ):
            self._run(date(2026, 1, 8), partners)
        actions = self.env["dunning.action"].search(
            [("partner_id", "in", partners.ids)]
        )
        self.assertEqual(len(actions), 3)
        self.assertEqual(set(actions.mapped("state")), {"done"})
        self.assertEqual(len(calls), 1, calls)
        self.assertEqual(sorted(calls[0]), sorted(actions.ids))
        for action in actions:
            body = action.message_id.body
            self.assertIn(action.partner_id.name, body)
            self.assertEqual(action.recipient_ids, action.partner_id)
            # each notice lists its own customer's open items (read for the
            # whole batch at once), and only those
            for partner, invoice in invoices.items():
                if partner == action.partner_id:
                    self.assertIn(invoice.name, body)
                else:
                    self.assertNotIn(invoice.name, body)

    def _open_items_queries(self, count):
        """Queries to read the open items of ``count`` notices, as the
        letter of a batch reads them (records browsed by id)."""
        for level in self.policy.level_ids:
            level.write({"auto_execute": False})
        partners = self.env["res.partner"]
        for index in range(count):
            partner = self._make_customer(
                f"Items {count} {index}", f"i{count}-{index}@example.com"
            )
            self._invoice(partner, date(2026, 1, 1), 100.0)
            self._invoice(partner, date(2026, 1, 3), 40.0)
            partners |= partner
        self._run(date(2026, 1, 8), partners)
        actions = self.env["dunning.action"].search(
            [("partner_id", "in", partners.ids)]
        )
        self.assertEqual(len(actions), count)
        self.env.invalidate_all()
        actions = self.env["dunning.action"].browse(actions.ids)
        start = self.cr.sql_log_count
        items = {action: action._get_open_items() for action in actions}
        used = self.cr.sql_log_count - start
        for action, lines in items.items():
            self.assertEqual(len(lines), 2)
            self.assertEqual(lines.move_id.commercial_partner_id, action.partner_id)
            self.assertEqual(
                lines.mapped("date_maturity"), sorted(lines.mapped("date_maturity"))
            )
        return used

    def test_open_items_read_once_per_batch(self):
        """The open items of the notices of a batch are one query for all,
        through the ORM's batch compute (no side channel on the cursor)."""
        with freeze_time("2026-01-08"):
            one = self._open_items_queries(1)
            many = self._open_items_queries(6)
        self.assertEqual(one, many, f"{one} queries for 1 notice, {many} for 6")

    def test_open_items_follow_the_first_pass(self):
        """What the first pass adds (an item paid meanwhile, here) is what
        the notice lists: the batch's open items are read after it."""
        for level in self.policy.level_ids:
            level.write({"auto_execute": False})
        partner = self._make_customer("Paid meanwhile", "pm@example.com")
        kept = self._invoice(partner, date(2026, 1, 1), 100.0)
        paid = self._invoice(partner, date(2026, 1, 2), 30.0)
        with freeze_time("2026-01-08"):
            self._run(date(2026, 1, 8), partner)
            action = self.env["dunning.action"].search(
                [("partner_id", "=", partner.id)]
            )
            self.assertEqual(len(action._get_open_items()), 2)
            Action = type(action)
            original = Action._before_channels

            def pay_first(record, facts=None):
                res = original(record, facts)
                self._pay(paid)
                return res

            with patch.object(Action, "_before_channels", pay_first):
                action.action_execute()
        self.assertEqual(action.state, "done")
        self.assertIn(kept.name, action.message_id.body)
        self.assertNotIn(paid.name, action.message_id.body)

    def test_level_reached_search(self):
        """The level of an invoice and of its installment is read from the
        follow-up items, and can be searched on."""
        partner = self._make_customer("Level search", "ls@example.com")
        invoice = self._invoice(partner, date(2026, 1, 1), 100.0)
        other = self._invoice(partner, date(2026, 3, 1), 100.0)
        with freeze_time("2026-01-08"):
            self._run(date(2026, 1, 8), partner)
        self.assertEqual(invoice.dunning_level_id, self.level_first)
        self.assertFalse(other.dunning_level_id)
        Move = self.env["account.move"]
        moves = partner.invoice_ids
        self.assertEqual(
            Move.search(
                [
                    ("id", "in", moves.ids),
                    ("dunning_level_id", "=", self.level_first.id),
                ]
            ),
            invoice,
        )
        self.assertEqual(
            Move.search([("id", "in", moves.ids), ("dunning_level_id", "=", False)]),
            other,
        )
        self.assertEqual(
            Move.search([("id", "in", moves.ids), ("dunning_level_id", "!=", False)]),
            invoice,
        )
        # typed in the search bar, and in a custom filter
        self.assertEqual(
            Move.search(
                [("id", "in", moves.ids), ("dunning_level_id", "ilike", "firs")]
            ),
            invoice,
        )
        self.assertEqual(
            Move.search(
                [("id", "in", moves.ids), ("dunning_level_id", "not ilike", "firs")]
            ),
            other,
        )
        self.assertEqual(
            Move.search(
                [
                    ("id", "in", moves.ids),
                    ("dunning_level_id", "any", [("days", ">=", 5)]),
                ]
            ),
            invoice,
        )
        line = self._lines(invoice)
        self.assertEqual(
            self.env["account.move.line"].search(
                [
                    ("id", "in", (self._lines(invoice) | self._lines(other)).ids),
                    ("dunning_level_id", "in", self.level_first.ids),
                ]
            ),
            line,
        )
