# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import dunning_followup
from . import base_partner_merge
