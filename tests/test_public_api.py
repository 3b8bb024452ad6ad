"""The public API: what refkit exports, and that every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import refkit
from refkit.cli import COMMANDS, build_parser

README = Path(__file__).resolve().parent.parent / "README.md"


def test_all_is_sorted_and_importable():
    assert refkit.__all__ == sorted(refkit.__all__)
    for name in refkit.__all__:
        assert hasattr(refkit, name), name


def test_every_command_has_help_and_example_and_readme_section():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    readme = README.read_text(encoding="utf-8")
    for name in COMMANDS:
        command = sub.choices[name]
        assert command.description, name
        assert "Example:" in (command.epilog or ""), name
        assert re.search(rf"refkit {name}\b", readme), f"README does not show `refkit {name}`"


def test_exit_codes_documented_in_readme():
    readme = README.read_text(encoding="utf-8")
    for code in range(6):
        assert re.search(rf"^\| {code} \|", readme, re.MULTILINE), f"exit code {code} missing from README"
