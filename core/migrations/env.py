"""Alembic environment: runs against the URL that core.db.migrate passes in."""

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers the tables)
import core.models_eorder  # noqa: F401
import core.models_gallery  # noqa: F401
import core.models_jathil  # noqa: F401
import core.models_agenda  # noqa: F401
import core.models_owners  # noqa: F401
import core.models_survey  # noqa: F401
import core.models_dashboard  # noqa: F401
import core.models_limits  # noqa: F401
import core.ledger  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
