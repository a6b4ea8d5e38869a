# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    account_move,
    account_move_line,
    account_partial_reconcile,
    dunning_action,
    dunning_action_line,
    dunning_level,
    dunning_partner_state,
    dunning_policy,
    dunning_promise,
    dunning_run,
    res_company,
    res_partner,
)
