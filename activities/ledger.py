"""Ledger postings as an activity: its key makes a retry post nothing twice (core.ledger.post)."""

from anyio import to_thread
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.ledger import POST_LEDGER, LedgerRefused, Posting, post


class LedgerActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=POST_LEDGER)
    async def post_ledger(self, posting: Posting) -> bool:
        """True when posted now, False when this key was posted before."""
        try:
            return await to_thread.run_sync(post, self.engine, posting)
        except LedgerRefused as refused:  # a rule broken: retrying cannot fix it
            raise ApplicationError(str(refused), type="LedgerRefused", non_retryable=True) from None
