"""Every table of the hotline database, imported so `Base.metadata` knows them all.

Each area keeps its tables in its own module (tickets, dossiers, users…) and is listed here.
"""

from hotline import (  # noqa: F401,E402  (tickets area)
    analytics,
    canned,
    dossiers,  # noqa: F401,E402  (dossiers area)
    lookup_limits,
    notify,
    tickets,
    users,
    zalo_oa,
)
from hotline.db import Base  # noqa: F401
