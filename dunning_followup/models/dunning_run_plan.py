# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import models

from ..tools.levels import days_late, following_level, next_level


class DunningRun(models.Model):
    """The planning of a batch: the level each open line reaches on the
    run's date, and the customers held back."""

    _inherit = "dunning.run"

    def _get_partner_policies(self, partner_ids):
        """Policy of each customer (its own, else the company default)."""
        partners = (
            self.env["res.partner"].with_company(self.company_id).browse(partner_ids)
        )
        default = self.env["dunning.policy"]._get_company_default(self.company_id)
        return {p.id: (p.sudo().dunning_policy_id or default) for p in partners}

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
                    levels,
                    levels._as_ladder(),
                    {lvl.id: lvl for lvl in levels},
                )
            levels, ladder, by_id = ladders[policy.id]
            plan = self._plan_partner(
                policy,
                ladder,
                by_id,
                by_partner.get(partner_id, []),
                memo=memos.setdefault(policy.id, {}),
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

    def _plan_partner(self, policy, ladder, by_id, lines, memo=None):
        """Levels reached today by the lines of one customer.

        :param memo: a dict kept for the customers of the same policy, in
            which the ladder's answers are remembered

        :return: ``(items, next_date, held)``
        """
        date = self.date
        forced = self.forced_level_id
        mode = policy.level_mode
        # the ladder's answers depend on (days late, level reached) only:
        # remembered per policy for the batch, as thousands of lines share them
        memo = {} if memo is None else memo
        items = []
        next_date = None
        for line in lines:
            if line["excluded"]:
                continue
            if line["pending"] and not forced:
                # its notice has not gone out (to review, or failed): the
                # next level waits until it is sent or cancelled
                continue
            late = days_late(line["date_maturity"], date)
            current = (
                line["dunning_level_id"] if line["dunning_level_id"] in by_id else None
            )
            key = (late, current)
            if key not in memo:
                found = None if forced else next_level(ladder, late, current, mode)
                reached = found.id if found else current
                following = following_level(ladder, late, reached)
                memo[key] = (
                    found.id if found else None,
                    following.days if following else None,
                )
            found_id, following_days = memo[key]
            if forced:
                level = forced if forced.id in by_id else None
                if level and current and by_id[current].days >= level.days:
                    level = None
                if level:
                    following = following_level(ladder, late, level.id)
                    following_days = following.days if following else None
            else:
                level = by_id[found_id] if found_id else None
            if level:
                items.append((line, level))
            # when does this line reach its next level?
            if following_days is not None:
                due = line["date_maturity"] + timedelta(days=following_days)
                next_date = min(next_date, due) if next_date else due
        last_notice = lines[0]["last_notice_date"] if lines else None
        if items and last_notice and not forced:
            earliest = last_notice + timedelta(days=policy.min_interval_days)
            if date < earliest:
                return [], max(next_date or earliest, earliest), True
        if items:
            amount = sum(line["amount_residual"] for line, _lvl in items)
            top = max((lvl for _line, lvl in items), key=lambda lvl: (lvl.days, lvl.id))
            if not self.forced_level_id and (
                amount < policy.tolerance or amount < top.min_amount
            ):
                return [], next_date, True
        return items, next_date, False
