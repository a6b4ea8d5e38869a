# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import dunning_policy
from . import dunning_level
from . import dunning_partner_state
from . import dunning_run
from . import dunning_run_batch
from . import dunning_action
from . import dunning_action_line
from . import dunning_promise
from . import res_company
from . import res_partner
from . import account_move
from . import account_move_line
from . import account_partial_reconcile
from . import ir_actions_report
