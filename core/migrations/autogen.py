"""Developer aid: `python -m core.migrations.autogen "message"` writes a new revision from the models."""

import sys
import tempfile

from alembic import command
from alembic.config import Config

from core.db import MIGRATIONS, migrate


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/autogen.db"
        migrate(url)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", url)
        command.revision(config, message=sys.argv[1], autogenerate=True)


if __name__ == "__main__":
    main()
