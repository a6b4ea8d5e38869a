# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .bad_input import BadInputMixin
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestBadInput(BadInputMixin, DunningCommon):
    """Bad values of the follow-up configuration, as a table: each refused
    with a message naming the field, nothing partly written."""

    def test_bad_configuration_is_refused(self):
        Policy = self.env["dunning.policy"]
        Level = self.env["dunning.level"]
        policy, level = self.policy, self.level_first
        wrong_template = self.env.ref("account.email_template_edi_invoice")
        template = self.env.ref("dunning_followup.mail_template_dunning_first")

        def policies():
            return Policy.search_count([("company_id", "=", self.company.id)])

        def levels():
            return Level.search_count([("policy_id", "=", policy.id)])

        def policy_values():
            return policy.read(["name", "tolerance", "min_interval_days"])

        def level_values():
            return level.read(
                ["name", "days", "min_amount", "mail_template_id", "activity_user"]
            )

        def new_policy(**vals):
            return lambda: Policy.create(
                {"name": "Bad", "company_id": self.company.id, **vals}
            )

        def new_level(**vals):
            base = {
                "name": "Bad",
                "policy_id": policy.id,
                "days": 99,
                "mail_template_id": template.id,
            }
            return lambda: Level.create({**base, **vals})

        cases = [
            ("policy without name", new_policy(name=False), "Name", policies),
            (
                "policy negative tolerance",
                new_policy(tolerance=-1),
                "Tolerance",
                policies,
            ),
            (
                "policy tolerance written negative",
                lambda: policy.write({"name": "Changed", "tolerance": -0.01}),
                "Tolerance",
                policy_values,
            ),
            (
                "policy negative interval",
                new_policy(min_interval_days=-1),
                "Minimum days between notices",
                policies,
            ),
            (
                "policy interval written negative",
                lambda: policy.write({"name": "Changed", "min_interval_days": -7}),
                "Minimum days between notices",
                policy_values,
            ),
            (
                "policy unknown climbing mode",
                new_policy(level_mode="sideways"),
                "level_mode",
                policies,
            ),
            ("level without name", new_level(name=False), "Name", levels),
            ("level without policy", new_level(policy_id=False), "Policy", levels),
            ("level on the days of another", new_level(days=5), "Days", levels),
            (
                "level days written onto another's",
                lambda: level.write({"name": "Changed", "days": 10}),
                "Days",
                level_values,
            ),
            (
                "level negative minimum amount",
                new_level(min_amount=-1),
                "Minimum amount",
                levels,
            ),
            (
                "level minimum amount written negative",
                lambda: level.write({"name": "Changed", "min_amount": -5}),
                "Minimum amount",
                level_values,
            ),
            (
                "level e-mail without template",
                new_level(send_email=True, mail_template_id=False),
                "E-mail template",
                levels,
            ),
            (
                "level template removed",
                lambda: level.write({"name": "Changed", "mail_template_id": False}),
                "E-mail template",
                level_values,
            ),
            (
                "level template of another model",
                lambda: level.write(
                    {"name": "Changed", "mail_template_id": wrong_template.id}
                ),
                "E-mail template",
                level_values,
            ),
            (
                "level created with a template of another model",
                new_level(mail_template_id=wrong_template.id),
                "E-mail template",
                levels,
            ),
            (
                "level unknown activity user",
                lambda: level.write({"name": "Changed", "activity_user": "boss"}),
                "activity_user",
                level_values,
            ),
        ]
        cases += self._bad_run_settings()
        self.assertGreaterEqual(self.assertRefused(cases), 21)

    def _bad_run_settings(self):
        """The run's settings: batch size (per company), workers and the
        queue_job channel (Settings)."""
        Settings = self.env["res.config.settings"]
        Params = self.env["ir.config_parameter"].sudo()

        def run_settings():
            return (
                self.company.dunning_batch_size,
                Params.get_param("dunning_followup.queue_job_channel"),
                sorted(self.env["dunning.run"]._worker_crons()),
            )

        def save(**vals):
            return lambda: Settings.create(vals).execute()

        return [
            (
                "batch size zero",
                lambda: self.company.write({"dunning_batch_size": 0}),
                "Follow-up batch size",
                run_settings,
            ),
            (
                "batch size negative in the settings",
                save(dunning_batch_size=-5),
                "Follow-up batch size",
                run_settings,
            ),
            (
                "batch size over the maximum",
                save(dunning_batch_size=1000000),
                "Follow-up batch size",
                run_settings,
            ),
            (
                "no worker",
                save(dunning_cron_workers=0),
                "Follow-up workers",
                run_settings,
            ),
            (
                "too many workers",
                save(dunning_cron_workers=1000),
                "Follow-up workers",
                run_settings,
            ),
            (
                "queue job channel outside root",
                save(dunning_queue_job_channel="dunning", dunning_cron_workers=2),
                "Queue job channel",
                run_settings,
            ),
        ]


@tagged("post_install", "-at_install")
class TestEscaping(DunningCommon):
    """What the customer sent us (its name, its reference on an invoice)
    is text in every notice: escaped in e-mails, letters and statements."""

    NAME = "<script>alert(1)</script> & Co"
    REF = "<img src=x onerror=alert(2)>"

    def _assert_escaped(self, html, what):
        html = str(html)
        self.assertNotIn("<script>", html, what)
        self.assertNotIn("<img src=x", html, what)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", html, what)

    def test_customer_values_are_escaped(self):
        from datetime import date

        from freezegun import freeze_time

        customer = self._make_customer(self.NAME, "xss@example.com")
        invoice = self._invoice(customer, date(2026, 1, 1), 200.0)
        invoice.ref = self.REF
        self.level_formal.attach_statement = True
        with freeze_time("2026-01-25"), self.mock_mail_gateway():
            run = self.env["dunning.run"].create(
                {
                    "company_id": self.company.id,
                    "date": date(2026, 1, 25),
                    "partner_ids": customer.ids,
                    "forced_level_id": self.level_formal.id,
                    "execute_all": True,
                }
            )
            run.action_process()
            action = self.env["dunning.action"].search(
                [("partner_id", "=", customer.id)]
            )
            self.assertEqual(action.state, "done", action.failure_reason)
            self._assert_escaped(action.message_id.body, "posted e-mail")
            for mail in self._new_mails:
                self._assert_escaped(mail.body_html, "e-mail sent")
            Report = self.env["ir.actions.report"]
            for report, ids in (
                ("dunning_followup.action_report_dunning_letter", action.ids),
                ("dunning_followup.action_report_dunning_statement", customer.ids),
            ):
                html = Report._render_qweb_html(report, ids)[0]
                self._assert_escaped(html.decode(), report)
            for template in self.policy.level_ids.mail_template_id:
                body = template._generate_template(action.ids, ["body_html"])
                self._assert_escaped(body[action.id]["body_html"], template.name)
