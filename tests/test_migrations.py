"""The migrations and the models describe the same schema, on one line of history."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.extensions import MIGRATIONS_DIR
from models import db


def test_there_is_exactly_one_migration_head():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


# Alembic cannot compare a generated column's expression (task.list_rank); older releases (1.13, the
# lowest allowed) say so with a warning even when it is unchanged. The column itself is compared.
@pytest.mark.filterwarnings("ignore:Computed default on task.list_rank cannot be modified")
def test_the_migrated_database_matches_the_models():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_database_is_at_the_head_revision():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
