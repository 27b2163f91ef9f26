"""Plain helpers of the ticket actions (no servers)."""

from actions.tickets import parse_reference, resolve_place


def test_reference_answers():
    assert parse_reference("không")["complaint_ref"] == "none"
    assert parse_reference("ko")["complaint_ref"] == "none"
    both = parse_reference("thủ tục 1.000894, hồ sơ H29.22-250801-0007")
    assert both["complaint_procedure_code"] == "1.000894"
    assert both["complaint_dossier_code"] == "H29.22-250801-0007"
    assert parse_reference("'; DROP TABLE tickets; --")["complaint_dossier_code"] is None


def test_place_from_a_new_ward_name_or_an_old_address():
    new = resolve_place("phường Sài Gòn")
    assert (new["complaint_commune_name"], new["complaint_province_code"]) == ("Phường Sài Gòn", "79")
    old = resolve_place("phường Bến Nghé, quận 1, TP HCM")
    assert old["complaint_commune_name"] == "Phường Sài Gòn"
    unknown = resolve_place("😀 chỗ nào đó")
    assert unknown["complaint_commune_code"] is None and unknown["complaint_commune_name"] == "😀 chỗ nào đó"
