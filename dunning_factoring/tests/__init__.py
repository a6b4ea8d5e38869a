# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_answers_write_off
from . import test_batch
from . import test_performance
from . import test_security
from . import test_tools_writers
from . import test_tours
from . import test_access_matrix
