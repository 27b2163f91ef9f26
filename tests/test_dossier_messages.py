"""The dossier text catalogue: both languages for every text, the same placeholders in each."""

from __future__ import annotations

from string import Formatter

import pytest

from hotline.dossiers import DossierStatus, FetchKind
from hotline.dossiers.messages import TEXTS, fetch_text, status_label, status_labels, text


def _fields(template: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_has_both_languages_with_the_same_placeholders(key):
    vi, en = TEXTS[key]
    assert vi and en and vi != en or key.startswith("status.")
    assert _fields(vi) == _fields(en)


def test_every_status_has_a_label_and_the_language_rule_is_one():
    assert set(status_labels("vi")) == {s.value for s in DossierStatus}
    assert status_label("completed", "en") == "Completed — result ready"
    assert status_label("completed", "fr") == status_label("completed", "vi") == "Đã có kết quả"
    assert status_label("mystery") == "mystery"
    assert text("card.title", "en", code="X") == "Dossier X"


def test_the_hotline_number_comes_from_the_settings(monkeypatch):
    monkeypatch.setenv("HOTLINE_PHONE", "0243 999 999")
    assert "0243 999 999" in fetch_text(FetchKind.UNAVAILABLE, "vi")
    assert "1900 1234" in fetch_text(FetchKind.UNAVAILABLE, "en", "1900 1234")


def test_subscriptions_only_on_channels_the_outbox_delivers_to(sqlite_sessions):
    from hotline.db import transaction
    from hotline.dossiers import DossierRecord, subscribe, upsert_dossier
    from hotline.enums import Channel
    from hotline.workcalendar import now_vn

    with transaction(sqlite_sessions) as session:
        dossier = upsert_dossier(session, DossierRecord(code="000.00.31.H29-250715-0012", received_at=now_vn(),
                                                        status="received", status_at=now_vn())).dossier
        session.flush()
        assert subscribe(session, dossier, Channel.ZALO, "u1")
        assert not subscribe(session, dossier, "zalo", "u1")
        with pytest.raises(ValueError):
            subscribe(session, dossier, Channel.PHONE, "0912345678")
