"""The whole schema: every package's tables on the one shared metadata.

Each package declares its own tables on `core.models.Base`; this is where they are all
put together, for Alembic (`migrations/env.py`) and for anything that needs every table.
"""

from __future__ import annotations

import county.models
import messaging.models
import nlu.models
from core.models import Base

TABLE_MODULES = (county.models, messaging.models, nlu.models)
metadata = Base.metadata
