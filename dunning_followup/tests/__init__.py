# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_tools_levels
from . import test_tools_pdf
from . import test_dunning_run
from . import test_dunning_promise
from . import test_dunning_config
from . import test_dunning_security
from . import test_dunning_performance
from . import test_reporting
from . import test_open_installments
from . import test_dunning_documents
from . import test_tours
from . import test_dunning_ui
from . import test_translations
