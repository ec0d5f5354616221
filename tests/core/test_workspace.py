"""Opening a workspace: a ledger that is gone from a workspace that was used is never silently started anew."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kokemus_docs.cli import cli
from kokemus_docs.core.errors import WorkspaceError
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace, init_workspace

MONTH = Month("2026-10")


def _issue_forms(ws: Workspace) -> None:
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "forms", "issue", "--month", MONTH])
    assert (ws.root / "outputs" / "forms" / MONTH).is_dir(), result.output


def _remove_ledger(ws: Workspace) -> None:
    for suffix in ("", "-wal", "-shm"):
        ws.ledger_path.with_name(ws.ledger_path.name + suffix).unlink(missing_ok=True)


def test_a_deleted_ledger_of_a_used_workspace_stops_every_command(workspace):
    _issue_forms(workspace)
    _remove_ledger(workspace)

    for command in (["check"], ["links", "--month", MONTH], ["payroll", "--month", MONTH]):
        result = CliRunner().invoke(cli, ["-w", str(workspace.root), *command])
        assert result.exit_code == 2, (command, result.output)
        message = " ".join(result.output.split())
        assert "The ledger .kokemus/ledger.sqlite is missing, but this workspace has been used" in message
        assert "outputs/forms/ (hour forms issued with the experts' upload links)" in message
        assert "Restore .kokemus/ledger.sqlite from your backup" in message
        assert "touch .kokemus/ledger.sqlite" in message
        assert "Traceback" not in result.output
        assert not workspace.ledger_path.exists(), command


@pytest.mark.parametrize("folder", [".kokemus/closed", "forms/processed", "forms/rejected", "feedback/processed",
                                    "feedback/rejected", "outputs/forms"])
def test_each_sign_of_use_is_named(workspace, folder):
    _remove_ledger(workspace)
    (workspace.root / folder).mkdir(parents=True, exist_ok=True)
    (workspace.root / folder / "a file.pdf").write_bytes(b"%PDF-1.7")
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(workspace.root)
    assert caught.value.code == "ledger-missing"
    assert f"{folder}/ (" in caught.value.message


def test_the_web_app_refuses_to_start_without_the_ledger(workspace):
    from kokemus_docs.web import create_app

    _issue_forms(workspace)
    _remove_ledger(workspace)
    with pytest.raises(WorkspaceError, match="The ledger .kokemus/ledger.sqlite is missing"):
        create_app(workspace.root)
    assert not workspace.ledger_path.exists()


def test_an_empty_file_in_its_place_starts_an_empty_ledger_on_purpose(workspace):
    _issue_forms(workspace)
    _remove_ledger(workspace)
    workspace.ledger_path.touch()

    ws = Workspace.open(workspace.root)
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.forms_for_pay_month(MONTH) == []
    assert ws.ledger_path.stat().st_mode & 0o777 == 0o600


def test_a_workspace_without_signs_of_use_opens_and_gets_its_ledger_when_first_needed(workspace):
    _remove_ledger(workspace)  # as made before init wrote the ledger
    (workspace.root / "outputs" / "forms").mkdir()  # an empty folder shows no use
    assert Workspace.open(workspace.root).root == workspace.root
    _issue_forms(workspace)
    assert workspace.ledger_path.is_file()


def test_init_writes_an_empty_ledger_even_beside_old_outputs(tmp_path):
    """A folder holding hour forms from elsewhere (but none of init's files) becomes a workspace whole."""
    root = tmp_path / "ws"
    (root / "outputs" / "forms" / MONTH).mkdir(parents=True)
    (root / "outputs" / "forms" / MONTH / "old.pdf").write_bytes(b"%PDF-1.7")
    ws, written = init_workspace(root)
    assert ws.ledger_path in written and ws.ledger_path.stat().st_mode & 0o777 == 0o600
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.forms_for_pay_month(MONTH) == []
    assert (root / "register.xlsx").is_file()
