# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .dunning_run_queue import CHANNEL_NAME, CHANNEL_PARAM, DEFAULT_CHANNEL, USE_PARAM


class ResConfigSettings(models.TransientModel):
    """How the daily follow-up run is worked: batch size (per company),
    workers and queue jobs (for the whole database, as the crons are)."""

    _inherit = "res.config.settings"

    dunning_batch_size = fields.Integer(
        related="company_id.dunning_batch_size", readonly=False
    )
    dunning_cron_workers = fields.Integer(
        string="Follow-up workers",
        default=1,
        help="Cron jobs that work one follow-up run at once: the daily run and "
        "'Dunning: follow-up run, worker N' for each one more. Each takes a "
        "cron thread of a server while it works.",
    )
    dunning_queue_job_available = fields.Boolean(
        compute="_compute_dunning_queue_job_available"
    )
    dunning_use_queue_job = fields.Boolean(
        string="Follow-up batches as queue jobs",
        config_parameter=USE_PARAM,
        help="The daily run enqueues one job per batch (OCA queue_job) "
        "instead of working them in the crons.",
    )
    dunning_queue_job_channel = fields.Char(
        string="Queue job channel",
        config_parameter=CHANNEL_PARAM,
        default=DEFAULT_CHANNEL,
    )

    def _compute_dunning_queue_job_available(self):
        self.dunning_queue_job_available = "queue.job" in self.env

    @api.model
    def get_values(self):
        res = super().get_values()
        # the setting is the crons themselves: archiving one by hand shows here
        res["dunning_cron_workers"] = len(self.env["dunning.run"]._worker_crons()) + 1
        return res

    def set_values(self):
        for settings in self:
            # checked before anything is saved: an empty one is the default
            channel = (settings.dunning_queue_job_channel or "").strip()
            if channel and not CHANNEL_NAME.fullmatch(channel):
                raise ValidationError(
                    self.env._(
                        "Queue job channel: '%(channel)s' is not a channel of "
                        "queue_job. Give 'root' or a sub-channel of it, names "
                        "of letters, digits, '_' or '-' after dots, e.g. "
                        "%(default)s.",
                        channel=channel,
                        default=DEFAULT_CHANNEL,
                    )
                )
            settings.dunning_queue_job_channel = channel or DEFAULT_CHANNEL
        res = super().set_values()
        Run = self.env["dunning.run"]
        if self.dunning_cron_workers != len(Run._worker_crons()) + 1:
            Run._sync_worker_crons(self.dunning_cron_workers)
        return res
