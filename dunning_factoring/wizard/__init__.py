# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import dunning_export_import
from . import dunning_write_off
