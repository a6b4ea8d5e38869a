# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_tools_interest
from . import test_tools_fees
from . import test_tools_presets
from . import test_credit_hold
from . import test_late_fees
from . import test_reporting_hold
from . import test_tools_installments
from . import test_installment_plan
from . import test_escalation_texts
from . import test_rate_freshness
from . import test_notice_charges
from . import test_bad_input
from . import test_translations
from . import test_tours
from . import test_access_matrix
