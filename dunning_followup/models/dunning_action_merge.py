# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class DunningAction(models.Model):
    """Merging a customer's pending notices into one: the notice kept takes
    over the items of the others, which are cancelled as superseded."""

    _inherit = "dunning.action"

    def _merge_pending(self):
        """Merge the pending notices (to review, failed) of the customers of
        these notices: one notice per customer and company, at the highest
        level, with the follow-up items of all; the others are cancelled
        with a note naming the notice that superseded them.

        The notice kept is the newest of ``self`` (a run's new notice, the
        one the collector sends); its channels are those of the notices of
        ``self`` it absorbs, and of the highest level when it climbs.

        :return: the notices of ``self`` still to send
        """
        mine = self.filtered(lambda a: a.state in ("to_review", "failed"))
        if not mine:
            return self
        # only the customers with two notices pending or more: one query
        groups = self.sudo()._read_group(
            [
                ("partner_id", "in", mine.partner_id.ids),
                ("company_id", "in", mine.company_id.ids),
                ("state", "in", ("to_review", "failed")),
            ],
            ["partner_id", "company_id"],
            ["id:array_agg"],
            having=[("__count", ">", 1)],
        )
        merged = self.browse()
        for _partner, _company, ids in groups:
            group = self.browse(ids)
            own = group & mine
            if not own:
                continue
            keeper = own.sorted("id")[-1]
            keeper._absorb(group - keeper, own)
            merged |= group - keeper
        return self - merged

    def _absorb(self, others, channels_from):
        """Take over the follow-up items of ``others`` and cancel them."""
        self.ensure_one()
        top = max((self | others).level_id, key=lambda lvl: (lvl.days, lvl.id))
        vals = {
            "send_email": any(channels_from.mapped("send_email")),
            "send_letter": any(channels_from.mapped("send_letter")),
            "attach_statement": any(channels_from.mapped("attach_statement")),
            "activity_type_id": (self | channels_from).activity_type_id[:1].id,
        }
        if top != self.level_id:
            vals.update(
                level_id=top.id,
                send_email=vals["send_email"] or top.send_email,
                send_letter=vals["send_letter"] or top.send_letter,
                attach_statement=vals["attach_statement"] or top.attach_statement,
                activity_type_id=vals["activity_type_id"] or top.activity_type_id.id,
            )
        others.line_ids.sudo().write({"action_id": self.id})
        self.invalidate_recordset(["line_ids"])
        # an installment may have an item per level: count it once
        vals["amount_due"] = sum(
            {item.move_line_id: item.amount_residual for item in self.line_ids}.values()
        )
        self.sudo().write(vals)
        for other in others:
            other.sudo().write(
                {
                    "state": "cancelled",
                    "note": "\n".join(
                        filter(
                            None,
                            [
                                other.note,
                                self.env._(
                                    "Superseded by notice %(notice)s (#%(id)s), "
                                    "which took over its items.",
                                    notice=self.name,
                                    id=self.id,
                                ),
                            ],
                        )
                    ),
                }
            )
