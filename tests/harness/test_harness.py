"""Proof that the harness works: PostgreSQL, SQLite URLs, and the tansu broker."""

from __future__ import annotations

import time

import psycopg
import pytest
import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from tests.harness.ports import free_port, port_accepts

# Consumer settings every Kafka test needs: the default session timeout makes group joins take ~20 s.
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 2000}


def test_free_port_is_bindable() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    assert not port_accepts(port)


# -- databases ---------------------------------------------------------------


def test_database_url_runs_select_1(database_url: str, request: pytest.FixtureRequest) -> None:
    assert request.node.callspec.id in {"sqlite", "postgres"}
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_server_creates_databases(postgres_server) -> None:
    url = postgres_server.create_database("harness_check")
    try:
        assert url == f"postgresql+psycopg://jamsos_app@127.0.0.1:{postgres_server.port}/harness_check"
        with psycopg.connect(postgres_server.conninfo("harness_check")) as conn:
            # The services' role owns the database and is held by row security (FORCE).
            assert conn.execute(
                "SELECT r.rolsuper, r.rolbypassrls FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba"
                " WHERE d.datname = 'harness_check' AND r.rolname = 'jamsos_app'").fetchone() == (False, False)
            settings = dict(conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('fsync', 'synchronous_commit', 'full_page_writes', 'max_connections', 'listen_addresses')"
            ).fetchall())
            assert conn.execute("SELECT current_database()").fetchone()[0] == "harness_check"
        assert settings == {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "listen_addresses": "127.0.0.1",
        }
    finally:
        postgres_server.drop_database("harness_check")


@pytest.mark.postgres
def test_postgres_url_is_a_fresh_database(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            assert sa.inspect(conn).get_table_names() == []
            conn.execute(sa.text("CREATE TABLE t (id int primary key)"))
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
    finally:
        engine.dispose()


# -- kafka -------------------------------------------------------------------


def _consume_one(consumer: KafkaConsumer, timeout: float = 15.0):
    """Poll until one record arrives (the first poll also joins the group)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            if records:
                return records[0]
    raise AssertionError(f"no record within {timeout}s")


@pytest.mark.kafka
def test_produce_and_consume_with_group(kafka_broker, unique_name) -> None:
    topic, group = unique_name("harness"), unique_name("harness-group")
    kafka_broker.create_topics([topic])
    kafka_broker.create_topics([topic])  # idempotent

    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all", enable_idempotence=True)
    try:
        producer.send(topic, key=b"k", value=b"hello").get(timeout=10)
    finally:
        producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_broker.bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **FAST_GROUP,
    )
    try:
        record = _consume_one(consumer)
        assert (record.key, record.value) == (b"k", b"hello")
        tp = TopicPartition(record.topic, record.partition)
        consumer.commit({tp: OffsetAndMetadata(record.offset + 1, "", -1)})
        assert consumer.committed(tp) == record.offset + 1
    finally:
        consumer.close()


@pytest.mark.kafka
def test_create_topics_makes_partitions(kafka_broker, unique_name) -> None:
    topic = unique_name("harness-parts")
    kafka_broker.create_topics(topic, partitions=2)
    admin = kafka_broker.admin_client()
    try:
        (described,) = admin.describe_topics([topic])
    finally:
        admin.close()
    assert len(described["partitions"]) == 2


@pytest.mark.kafka
def test_broker_stops_and_restarts_on_same_port(restartable_broker, unique_name) -> None:
    broker = restartable_broker
    port, topic = broker.port, unique_name("harness-restart")
    broker.create_topics([topic])

    broker.stop()
    assert not broker.is_running()
    assert not port_accepts(port)

    broker.start()
    assert broker.is_running() and broker.port == port
    admin = broker.admin_client()
    try:
        assert topic not in admin.list_topics()  # memory storage: the restart forgot everything
    finally:
        admin.close()

    broker.restart()
    broker.create_topics([topic])
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    try:
        assert producer.send(topic, value=b"after restart").get(timeout=10).offset == 0
    finally:
        producer.close()
