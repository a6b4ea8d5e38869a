# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class DunningRunBatch(models.Model):
    """What one batch of a run did, written by the batch's own transaction.

    A run is worked by several transactions at once (the cron, "Process
    now", a second cron worker): each batch inserts its row here instead of
    updating counters on the run, so two batches of one run never write the
    same row and never fail on each other's update.  The run's figures are
    the sums of its batches; a batch rolled back leaves no row.
    """

    _name = "dunning.run.batch"
    _description = "Follow-up run batch"
    _order = "id"

    run_id = fields.Many2one(
        "dunning.run", required=True, index=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    worker = fields.Char(readonly=True, help="Host and process of the batch.")
    last_partner_id = fields.Integer(
        readonly=True, help="Highest customer id the batch looked at."
    )
    partner_count = fields.Integer(string="Customers", readonly=True)
    action_count = fields.Integer(string="Actions", readonly=True)
    email_count = fields.Integer(string="E-mails", readonly=True)
    letter_count = fields.Integer(string="Letters", readonly=True)
    activity_count = fields.Integer(string="Activities", readonly=True)
    review_count = fields.Integer(string="To review", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    busy_count = fields.Integer(
        string="Busy",
        readonly=True,
        help="Customers held by another transaction: left due, retried later.",
    )
    note = fields.Text(readonly=True)
