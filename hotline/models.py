"""Every table of the hotline database, imported so `Base.metadata` knows them all.

Each area keeps its tables in its own module (tickets, dossiers, users…) and is listed here.
"""

from hotline.db import Base  # noqa: F401
from hotline import notify, tickets, users  # noqa: F401,E402  (tickets area)
from hotline import dossiers  # noqa: F401,E402  (dossiers area)
