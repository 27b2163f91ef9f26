"""A conversation survives restarting the Rasa server (SQL tracker store under var/)."""

import uuid


def test_slots_survive_a_rasa_restart(stack) -> None:
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    stack.chat(sender, "hello there, good morning")
    before = stack.tracker(sender)
    assert before["slots"]["language"] == "en"

    stack.stop("rasa")
    stack.start("rasa")

    after = stack.tracker(sender)
    assert after["slots"]["language"] == "en"
    assert len(after["events"]) >= len(before["events"])
    user_texts = [e.get("text") for e in after["events"] if e.get("event") == "user"]
    assert "hello there, good morning" in user_texts


def test_production_configuration_keeps_conversations_in_postgres_with_redis_locks(
    trained_model, postgres_database, redis_url, tmp_path
) -> None:
    """The production endpoints (PostgreSQL tracker store, Redis lock store) work for real."""
    from conftest import running_stack

    production = dict(
        RASA_ENDPOINTS="bot/endpoints.production.yml",
        RASA_TRACKER_DB_URL=postgres_database,
        REDIS_URL=redis_url,
        HOTLINE_DATABASE_URL=postgres_database,
    )
    sender = f"prod-{uuid.uuid4().hex[:8]}"
    with running_stack(trained_model, tmp_path / "var", tmp_path, names=("actions", "rasa"), **production) as stack:
        assert "Hello" in stack.texts(sender, "hello there, good morning")
        stack.stop("rasa")
        stack.start("rasa")
        after = stack.tracker(sender)
        assert after["slots"]["language"] == "en"

    import psycopg2

    with psycopg2.connect(postgres_database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events WHERE sender_id = %s", (sender,))
        assert cursor.fetchone()[0] > 0
