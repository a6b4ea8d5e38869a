# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import account_move
from . import dunning_agency
from . import dunning_export_batch
from . import dunning_export_line
from . import res_company
from . import res_config_settings
