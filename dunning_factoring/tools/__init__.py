# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure pieces of the hand-over to agencies: no ORM, no database.

``writers`` turns a batch (a header and a list of records) into the file the
factor or the agency reads; ``answers`` reads the file they send back;
``dossier`` packs the collection dossier.  The models call them.
"""

from . import answers, dossier, writers
