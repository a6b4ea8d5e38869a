# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_tools_interest
from . import test_tools_fees
from . import test_tools_presets
from . import test_credit_hold
from . import test_late_fees
from . import test_bad_input
