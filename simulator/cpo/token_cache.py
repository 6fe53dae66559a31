"""The token cache (§12.1.1): the Tokens partners pushed, for the charging backend to look up.

A Token is identified by its uid and type (§12.3.2, DIGEST 8.10); only Tokens of partners that
are still registered count. Whether a Token may charge (`valid`, `whitelist`, real-time
authorization, §12.4.5) is the backend's decision, not the cache's.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from simulator.cpo.receivers import DEFAULT_TOKEN_TYPE, TOKEN
from simulator.platform.database import Database
from simulator.platform.tables import Document, Partner


class TokenCache:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def find_token(
        self,
        uid: str,
        type: str = DEFAULT_TOKEN_TYPE,  # the OCPI name of the query parameter (§12.2.1)
    ) -> dict[str, Any] | None:
        """The cached Token with this uid (case-insensitive CiString) and type, or None.

        Should two eMSPs have pushed the same (uid, type), the most recently updated wins.
        """
        query = (
            select(Document.body)
            .join(Partner, Partner.id == Document.origin)
            .where(
                Document.kind == TOKEN,
                Document.object_key == uid.upper(),
                Document.variant == type.upper(),
                Partner.status == "registered",
            )
            .order_by(Document.last_updated.desc(), Document.seq.desc())
            .limit(1)
        )
        async with self._db.transaction() as session:
            body = await session.scalar(query)
        if body is None:
            return None
        token: dict[str, Any] = json.loads(body)
        return token
