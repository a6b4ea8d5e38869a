# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

# customers previewed one under the other in the wizard
PREVIEW_LIMIT = 5


class DunningFollowup(models.TransientModel):
    """Follow up a selection of customers by hand: preview the notice,
    change the level, then send, print or log a call, for all at once.

    It goes through the same run as the cron (same keys, same locks), so a
    collector and the cron can never send the same notice twice.
    """

    _name = "dunning.followup"
    _description = "Follow up customers"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", check_company=True
    )
    action_ids = fields.Many2many(
        "dunning.action",
        string="Actions to review",
        check_company=True,
        domain=[("state", "in", ("to_review", "failed"))],
    )
    level_id = fields.Many2one(
        "dunning.level",
        check_company=True,
        help="Leave empty to apply the level each customer's days late call for.",
    )
    channel = fields.Selection(
        [
            ("level", "As the level says"),
            ("email", "E-mail"),
            ("letter", "Letter"),
            ("call", "Log a call"),
        ],
        default="level",
        required=True,
    )
    preview = fields.Html(compute="_compute_preview", sanitize=False)
    partner_count = fields.Integer(
        string="Number of customers", compute="_compute_partner_count"
    )

    @api.model
    def _open_action(self, active_model, active_ids):
        """The window action opening the wizard on these records (customers,
        follow-up states or notices), titled: a dialog without a title says
        "Odoo"."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow up customers"),
            "res_model": "dunning.followup",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": active_model, "active_ids": list(active_ids)},
        }

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        if ctx.get("active_model") == "dunning.action" and ctx.get("active_ids"):
            actions = self.env["dunning.action"].browse(ctx["active_ids"])
            values["action_ids"] = [(6, 0, actions.ids)]
            values["partner_ids"] = [(6, 0, actions.partner_id.ids)]
        elif ctx.get("active_model") == "res.partner" and ctx.get("active_ids"):
            partners = self.env["res.partner"].browse(ctx["active_ids"])
            values["partner_ids"] = [(6, 0, partners.commercial_partner_id.ids)]
        elif ctx.get("active_model") == "dunning.partner.state" and ctx.get(
            "active_ids"
        ):
            states = self.env["dunning.partner.state"].browse(ctx["active_ids"])
            values["partner_ids"] = [(6, 0, states.partner_id.ids)]
        return values

    @api.depends("partner_ids", "action_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(
                wizard.partner_ids | wizard.action_ids.partner_id
            )

    @api.depends("partner_ids", "level_id", "action_ids")
    def _compute_preview(self):
        for wizard in self:
            wizard.preview = wizard._render_previews()

    def _render_previews(self):
        """The notice of each customer (the first few), under its name; for
        a customer with nothing to show, why."""
        actions = self.action_ids._origin
        partners = actions.partner_id | self.partner_ids._origin.commercial_partner_id
        if not partners:
            return False
        company = self.company_id._origin or self.env.company
        blocks = []
        for partner in partners[:PREVIEW_LIMIT]:
            single = self.new(
                {
                    "company_id": company.id,
                    "partner_ids": [(6, 0, partner.ids)],
                    "action_ids": [
                        (
                            6,
                            0,
                            actions.filtered(
                                lambda a, p=partner: a.partner_id == p
                            ).ids,
                        )
                    ],
                    "level_id": self.level_id._origin.id,
                }
            )
            body = (
                single._render_preview()
                or Markup('<p class="text-muted fst-italic">%s</p>')
                % self._preview_missing_reason()
            )
            blocks.append(Markup("<h4>%s</h4>%s") % (partner.name, body))
        if len(partners) > PREVIEW_LIMIT:
            blocks.append(
                Markup("<p>%s</p>")
                % self.env._(
                    "And %(count)s more customers.",
                    count=len(partners) - PREVIEW_LIMIT,
                )
            )
        return Markup("<hr/>").join(blocks)

    def _preview_missing_reason(self):
        level = self.level_id._origin
        if level and not level.mail_template_id and level.activity_type_id:
            return self.env._(
                "Level %(level)s schedules an activity (%(activity)s) for the "
                "collector and sends no e-mail: there is no message to preview.",
                level=level.name,
                activity=level.activity_type_id.name,
            )
        if level and not level.mail_template_id:
            return self.env._(
                "Level %(level)s sends no e-mail: there is no message to preview.",
                level=level.name,
            )
        return self.env._(
            "Nothing to preview: the level due sends no e-mail (a phone call, "
            "an activity), or no level is due yet."
        )

    def _render_preview(self):
        """The notice of the first customer, rendered on a throw-away action.

        The wizard is often still a new record (onchange): work on the
        records' origins, never on their new-record proxies.
        """
        action = self.action_ids[:1]._origin
        partner = (
            action.partner_id or self.partner_ids[:1]._origin.commercial_partner_id
        )
        company = self.company_id._origin or self.env.company
        level = self.level_id._origin or action.level_id
        if not level and partner:
            level = self._default_level(partner, company)
        if not partner or not level or not level.mail_template_id:
            return False
        # An in-memory notice, never a row rolled back by a savepoint: rolling
        # back clears the whole cache, with it the values of the wizard being
        # edited (its level came back empty and Send found nothing to send).
        notice = action or self.env["dunning.action"].sudo().new(
            {"partner_id": partner.id, "company_id": company.id, "level_id": level.id}
        )
        # ``_ids``: ``ids`` leaves out new records
        return level.mail_template_id._render_field(
            "body_html", list(notice._ids), compute_lang=True
        )[notice.id]

    @api.model
    def _default_level(self, partner, company):
        """The level shown and sent when the collector picks none and no new
        level is due: the one the customer reached, else the policy's first."""
        state = self.env["dunning.partner.state"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            limit=1,
        )
        policy = partner.with_company(company)._dunning_get_policy()
        return state.level_id or policy.level_ids.sorted("days")[:1]

    def _create_resends(self, partners):
        """Notices of customers for whom the run found no new level: the
        chosen level (or the one reached) sent again, on the open items.

        They carry no follow-up item: the (installment, level) keys stay
        those of the first notice, so nothing is charged twice."""
        Action = self.env["dunning.action"].sudo()
        company = self.company_id
        vals_list = []
        for partner in partners:
            items = partner._dunning_open_items(company)
            level = self.level_id or self._default_level(partner, company)
            if not items or not level:
                continue
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "level_id": level.id,
                    "amount_due": sum(items.mapped("amount_residual")),
                    "send_email": level.send_email,
                    "send_letter": level.send_letter,
                    "attach_statement": level.attach_statement,
                    "activity_type_id": level.activity_type_id.id,
                    "note": self.env._(
                        "Sent again by %(user)s: the open items had reached "
                        "this level already.",
                        user=self.env.user.name,
                    ),
                }
            )
        return Action.create(vals_list).sudo(False)

    def _check_rights(self):
        if not self.env.user.has_group("dunning_followup.group_dunning_user"):
            raise UserError(self.env._("Only Dunning users can follow up customers."))

    def _apply_channel(self, actions):
        if self.channel == "email":
            actions.write(
                {"send_email": True, "send_letter": False, "activity_type_id": False}
            )
        elif self.channel == "letter":
            actions.write(
                {"send_email": False, "send_letter": True, "activity_type_id": False}
            )
        elif self.channel == "call":
            call = self.env.ref("mail.mail_activity_data_call")
            actions.write(
                {"send_email": False, "send_letter": False, "activity_type_id": call.id}
            )

    def action_send(self):
        """Create the actions due (or of the chosen level) and execute them."""
        self.ensure_one()
        self._check_rights()
        pending = self.action_ids.filtered(lambda a: a.state in ("to_review", "failed"))
        partners = self.partner_ids.commercial_partner_id
        if not self.level_id:
            # what is due for them is their pending notice; a level chosen
            # goes through the run, whose new notice takes the pending over
            partners -= pending.partner_id
        new_actions = self.env["dunning.action"]
        if partners:
            run = self.env["dunning.run"].create(
                {
                    "company_id": self.company_id.id,
                    "trigger": "manual",
                    "partner_ids": [(6, 0, partners.ids)],
                    "forced_level_id": self.level_id.id,
                }
            )
            # Plan only: execution follows below with the chosen channel.
            run.with_context(dunning_plan_only=True).action_process()
            new_actions = run.action_ids
        # Customers with notices waiting for review get those executed too.
        pending |= self.env["dunning.action"].search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "to_review"),
            ]
        )
        todo = (pending | new_actions).filtered(
            lambda a: a.state in ("to_review", "failed")
        )
        if self.level_id or self.channel in ("letter", "call"):
            # a level chosen, a letter to print, a call to log: what the
            # collector asked for, even when no new level is due
            todo |= self._create_resends(partners - todo.partner_id)
        if not todo:
            raise UserError(
                self.env._(
                    "Nothing to send: no open item of these customers reaches a new level."
                )
            )
        todo._lock_nowait()
        # one notice per customer, before the collector's channel applies
        todo = todo._merge_pending()
        self._apply_channel(todo)
        done = todo._execute()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up actions"),
            "res_model": "dunning.action",
            "view_mode": "list,form",
            "domain": [("id", "in", todo.ids)],
            "context": {"dunning_done_count": len(done)},
        }

    def action_promise(self):
        """Record a promise to pay for the customer of the wizard."""
        self.ensure_one()
        partners = (self.partner_ids | self.action_ids.partner_id).commercial_partner_id
        if len(partners) != 1:
            raise UserError(
                self.env._("A promise to pay is recorded for one customer at a time.")
            )
        return partners.with_company(self.company_id).action_dunning_promise()

    def action_print(self):
        """Print the letters: the browser gets the PDF of every letter done,
        their stored copies merged in one document."""
        self.channel = "letter"
        result = self.action_send()
        printed = (
            self.env["dunning.action"]
            .search(result["domain"])
            .filtered(lambda a: a.state == "done" and a.letter_attachment_id)
        )
        if not printed:
            return result
        report = self.env.ref("dunning_followup.action_report_dunning_letter")
        return dict(report.report_action(printed), close_on_report_download=True)

    def action_log_call(self):
        self.channel = "call"
        return self.action_send()
