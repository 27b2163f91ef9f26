"""The README stays true: its commands and every setting it documents exist."""

from pathlib import Path

from hotline.settings import ENVIRONMENT

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_setting_with_its_default() -> None:
    for name, (default, _meaning) in ENVIRONMENT.items():
        assert f"`{name}`" in README, name
        if default:
            assert f"`{default}`" in README, (name, default)


def test_readme_shows_the_two_commands_and_ci_calls_make_test() -> None:
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()
