# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_tools_levels
from . import test_dunning_run
from . import test_dunning_promise
from . import test_dunning_config
from . import test_dunning_security
from . import test_dunning_performance
from . import test_run_concurrency
from . import test_run_faults
from . import test_bad_input
