"""Question answering on frozen BLIND batches (tests/data/blind), no servers.

Batch 30 was written by a helper who never saw the lexicon, the phrasing bank, the FAQ variants
or the NLU data; nothing was ever added because of a miss in it, and neither the learned ranking
nor the calibration was fitted on it (they are fitted on batches 1-29, which are spent). It was
round 16's headline, run once at the round's end, so the floors below guard what was measured on
it (bench/RESULTS.md, round 16) minus a little room. The 0.85 per-style target of issue 10 is met
in every style but life situations (0.81); confident precision measured 0.973 (289 of 297), so
the floor is the issue's own 0.95.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import IN_CI

from procedure_kb.evaluation import question_set, score
from procedure_kb.semantic import semantic_index

BLIND = Path(__file__).parent / "data" / "blind"
# Measured on batch 30 (bench/RESULTS.md: .983 .926 .928 .917 .809) minus a little room for platform noise.
TOP1_FLOOR = {"accented": 0.95, "unaccented": 0.90, "teencode": 0.90, "english": 0.89, "situation": 0.78}
BATCHES = ("batch30_",)
PRECISION_FLOOR = 0.95  # answers given without choices: measured 0.973 (issue 10's target)
REFORM_PRECISION_FLOOR = 0.95  # measured 1.000 (66 of 66)


@pytest.fixture(scope="module")
def reports():
    if semantic_index() is None:
        if IN_CI:
            pytest.fail("the semantic cache is missing: `make test` builds it (make embeddings)")
        pytest.skip("semantic cache not built (make embeddings)")
    procedures, reform = [], []
    for batch in BATCHES:
        more_procedures, more_reform = question_set(BLIND, batch)
        procedures += more_procedures
        reform += more_reform
    return score(procedures), score(reform, search=False)


def test_the_right_procedure_comes_first_in_every_style(reports):
    procedures, _ = reports
    for style, floor in TOP1_FLOOR.items():
        tally = procedures.by_style[style]
        assert tally.rate("top1") >= floor, (style, tally)
    assert procedures.total.rate("top3") >= 0.95


def test_answers_given_without_choices_are_right(reports):
    procedures, reform = reports
    assert procedures.total.precision >= PRECISION_FLOOR, procedures.total
    assert reform.total.precision >= REFORM_PRECISION_FLOOR, reform.total


def test_most_questions_are_answered_or_offered_and_few_are_left_unknown(reports):
    procedures, reform = reports
    total = procedures.total
    assert total.rate("answered") + total.rate("offered") >= 0.89, total
    assert total.rate("not_known") <= 0.1, total
    assert reform.total.rate("answered") + reform.total.rate("offered") >= 0.80, reform.total


def test_a_form_counts_only_when_the_right_answer_itself_sends_the_citizen_there() -> None:
    from procedure_kb.evaluation import Question, chat_outcome

    def ask(kind: str, answers: set[str]) -> Question:
        return Question("x", "accented", "?", frozenset(answers), kind)

    # "How do I check my dossier?": the answer says 'type "check my dossier"', so that form helps.
    assert chat_outcome(ask("reform", {"check_dossier_status_how"}), [], "dossier_form") == "guided"
    # The complaint form on the same question is still a misroute, and so is any form on a procedure question.
    assert chat_outcome(ask("reform", {"check_dossier_status_how"}), [], "complaint_form") == "misrouted"
    assert chat_outcome(ask("reform", {"how_many_provinces"}), [], "address_form") == "misrouted"
    assert chat_outcome(ask("procedure", {"1.000894"}), [], "dossier_form") == "misrouted"


def test_a_reform_question_without_a_checked_answer_is_helped_by_saying_so_not_by_buttons() -> None:
    from procedure_kb.evaluation import Question, chat_outcome
    from procedure_kb.faq import load_faq

    unanswerable = Question("x", "accented", "Xe buýt liên huyện có đổi tuyến không?", frozenset(), "reform")
    not_known = [{"text": "Tôi chưa có câu trả lời đã kiểm chứng.", "buttons": [{"payload": "/human_handoff"}]}]
    choices = [{"text": "Ý bạn là?", "buttons": [{"payload": '/choose_faq{"faq_id":"where_to_submit_now"}'}]}]
    answer = load_faq()[0]
    assert chat_outcome(unanswerable, not_known, None) == "answered"
    assert chat_outcome(unanswerable, [], None) == "missed"  # silence is not "not known"
    assert chat_outcome(unanswerable, choices, None) == "missed"
    assert chat_outcome(unanswerable, [{"text": answer.answer_vi}], None) == "wrong"


def test_a_form_started_and_completed_by_one_message_counts_as_that_form():
    from procedure_kb.evaluation import form_of_turn

    completed = {"active_loop": {}, "events": [
        {"event": "user", "text": "P.7 Q.Bình Thạnh cũ giờ là phường gì"},
        {"event": "active_loop", "name": "address_form"}, {"event": "action", "name": "action_answer_new_address"},
        {"event": "active_loop", "name": None}]}
    assert form_of_turn(completed) == "address_form"
    earlier = {"active_loop": {}, "events": [
        {"event": "active_loop", "name": "complaint_form"}, {"event": "active_loop", "name": None},
        {"event": "user", "text": "làm cccd"}, {"event": "action", "name": "action_answer_question"}]}
    assert form_of_turn(earlier) is None  # a form of an earlier message is not this one's
    assert form_of_turn({"active_loop": {"name": "dossier_form"}, "events": []}) == "dossier_form"
