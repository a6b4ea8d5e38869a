# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import dunning_aging_report
from . import dunning_dso_report
from . import dunning_effectiveness_report
