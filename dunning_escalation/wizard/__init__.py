# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import dunning_credit_hold
from . import sale_order_hold_override
from . import dunning_followup
