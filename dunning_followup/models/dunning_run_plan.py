# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import models
from odoo.tools import SQL

from ..tools.planning import PlanningRules, plan_partner


class DunningRun(models.Model):
    """The planning of a batch: the level each open line reaches on the
    run's date, and the customers held back."""

    _inherit = "dunning.run"

    def _get_partner_policies(self, partner_ids):
        """Policy of each customer (its own, else the company default).

        The company-dependent value is read in one query through the ORM's
        own SQL of the field (:meth:`~odoo.models.BaseModel._field_to_sql`),
        without a record per customer."""
        Partner = self.env["res.partner"].with_company(self.company_id).sudo()
        rows = Partner.env.execute_query(
            SQL(
                "SELECT p.id, %(policy)s FROM res_partner p WHERE p.id = ANY(%(ids)s)",
                policy=Partner._field_to_sql("p", "dunning_policy_id"),
                ids=list(partner_ids),
            )
        )
        default = self.env["dunning.policy"]._get_company_default(self.company_id)
        own = (
            self.env["dunning.policy"].sudo().browse({pid for _id, pid in rows if pid})
        )
        return {
            partner_id: own.browse(policy_id) if policy_id else default
            for partner_id, policy_id in rows
        }

    def _plan(self, partner_ids, lines):
        """Decide the actions of a batch.

        :return: ``(plans, skipped, next_dates)`` where ``plans`` is a list of
            ``(partner_id, level, [(line, level), ...])``, ``skipped`` the number
            of customers held back by tolerance, minimum amount or interval,
            and ``next_dates`` maps customers to the next date something is due
        """
        policies = self._get_partner_policies(partner_ids)
        memos = {}
        by_partner = defaultdict(list)
        for line in lines:
            by_partner[line["commercial_partner_id"]].append(line)
        ladders = {}
        plans, next_dates, skipped = [], {}, 0
        for partner_id in partner_ids:
            policy = policies.get(partner_id)
            if not policy:
                continue
            if policy.id not in ladders:
                levels = policy.level_ids
                ladders[policy.id] = (
                    levels._as_ladder(),
                    {lvl.id: lvl for lvl in levels},
                    self._planning_rules(policy, levels),
                )
            ladder, by_id, rules = ladders[policy.id]
            plan = self._plan_partner(
                policy,
                ladder,
                by_id,
                by_partner.get(partner_id, []),
                memo=memos.setdefault(policy.id, {}),
                rules=rules,
            )
            if plan is None:
                continue
            items, next_date, held = plan
            next_dates[partner_id] = next_date
            if held:
                skipped += 1
                continue
            if items:
                top = max(
                    (lvl for _line, lvl in items), key=lambda lvl: (lvl.days, lvl.id)
                )
                plans.append((partner_id, top, items))
        return plans, skipped, next_dates

    def _planning_rules(self, policy, levels):
        """The numbers of ``policy`` and its ``levels`` the planning reads."""
        return PlanningRules(
            mode=policy.level_mode,
            tolerance=policy.tolerance,
            min_interval_days=policy.min_interval_days,
            min_amounts={lvl.id: lvl.min_amount for lvl in levels},
        )

    def _plan_partner(self, policy, ladder, by_id, lines, memo=None, rules=None):
        """Levels reached on the run's date by the lines of one customer
        (:func:`..tools.planning.plan_partner`).

        :param by_id: ``{level id: dunning.level}`` of the policy
        :param memo: a dict kept for the customers of the same policy, in
            which the ladder's answers are remembered
        :param rules: the policy's :class:`..tools.planning.PlanningRules`,
            made once per batch by :meth:`_plan` (else from ``policy``)

        :return: ``(items, next_date, held)``, ``items`` as ``[(line row,
            dunning.level)]``
        """
        if rules is None:
            levels = self.env["dunning.level"].browse(list(by_id))
            rules = self._planning_rules(policy, levels)
        items, next_date, held = plan_partner(
            lines,
            ladder,
            rules,
            self.date,
            forced_id=self.forced_level_id.id,
            memo=memo,
        )
        return [(line, by_id[level_id]) for line, level_id in items], next_date, held
