"""The production topology, natively: a real PostgreSQL and Redis on loopback, and stacks on top.

* `pg` and `redis_server` (session): one throwaway PostgreSQL cluster and one Redis for the run.
* `backend` (parametrised): an empty record database on SQLite and on PostgreSQL, for the store tests.
* `topo` (session): the production topology, started once: PostgreSQL record and PostgreSQL tracker
  store in separate databases, the Redis lock store, and two Rasa servers. The fault tests break it and
  each checks that it comes back; `healthy` (autouse in the stack tests) waits for that before a test.
"""

from __future__ import annotations

import itertools
import os
import secrets

import pytest

from tests.integration.helpers import wait_health
from tests.support.services import Postgres, Redis
from tests.support.stack import Stack

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg():
    server = Postgres().start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_server():
    server = Redis().start()
    yield server
    server.close()


def fresh_pg_database(pg: Postgres, prefix: str) -> str:
    return pg.create_database(f"{prefix}_{os.getpid()}_{next(_names)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """(name, URL) of an empty database for the record."""
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'record.db'}"
    else:
        yield "postgresql", fresh_pg_database(request.getfixturevalue("pg"), "store")


@pytest.fixture(scope="session")
def topo(pg, redis_server, tmp_path_factory):
    """PostgreSQL record + PostgreSQL tracker store (separate databases) + Redis locks + two Rasa servers."""
    record = fresh_pg_database(pg, "record")
    tracker = fresh_pg_database(pg, "tracker")
    from cryptography.fernet import Fernet

    keys = {"PSEUDONYM_KEY": secrets.token_hex(32), "CONTACT_KEY": Fernet.generate_key().decode()}
    stack = Stack(
        tmp_path_factory.mktemp("topology"),
        rasa_servers=2,
        env={"DATABASE_URL": record, "TRACKER_DATABASE_URL": tracker, "REDIS_URL": redis_server.url, **keys},
    )
    stack.record_url, stack.tracker_url, stack.keys = record, tracker, keys
    stack.start(timeout=420)
    yield stack
    stack.stop()


@pytest.fixture()
def healthy(topo):
    """The topology is whole again before a test starts (a fault test before it may have broken it)."""
    wait_health(topo, 200, timeout=300)
    return topo
