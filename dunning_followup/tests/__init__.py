# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_dunning_config,
    test_dunning_performance,
    test_dunning_promise,
    test_dunning_run,
    test_dunning_security,
    test_tools_levels,
)
