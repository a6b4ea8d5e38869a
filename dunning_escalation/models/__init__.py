# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_company
from . import res_config_settings
from . import dunning_reference_rate
from . import dunning_fee_tier
from . import dunning_level
from . import dunning_policy
from . import dunning_charge
from . import dunning_action
from . import dunning_run
from . import account_move
from . import dunning_partner_state
from . import dunning_promise
from . import res_partner
from . import sale_order
from . import payment_transaction
