"""The CLI contract: verbs, options, exit codes and the JSON keys scripts rely on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grassroots.cli import main
from grassroots.core.models import AuditEntry


def test_stats_json_keys_and_figures(cast: Any, capsys: Any) -> None:
    assert main(["stats", "--org", "S", "--as-of", "2019-12-31", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("total", "probationary", "female", "minority", "age_35_or_under", "age_36_54", "age_55_or_over",
                "college_or_above", "mobile"):
        assert set(data[key]) == {"count", "pct"}
    # The cast: A has 李明 (F) and 王强, B has 赵刚; C is under another street.
    assert data["total"] == {"count": 3, "pct": 100.0}
    assert data["female"] == {"count": 1, "pct": 33.33}
    assert data["organizations"]["branch"] == 2 and data["organizations"]["general_branch"] == 1


def test_stats_as_of_before_anyone_joined(cast: Any, capsys: Any) -> None:
    assert main(["stats", "--org", "S", "--as-of", "2004.12.31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["count"] == 0


def test_stats_text_is_the_basic_situation(cast: Any, capsys: Any) -> None:
    assert main(["stats", "--org", "A", "--as-of", "2019年12月31日"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("截至2019年12月31日，第一支部") and "共有党员2名" in out


def test_stats_respects_the_scope_of_as(cast: Any, capsys: Any) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", "--org", "C", "--as", "secretary"])
    assert "no organization with code 'C'" in str(exc.value)
    assert main(["stats", "--org", "A", "--as", "secretary", "--json"]) == 0


def test_bad_date_is_a_usage_error(cast: Any, capsys: Any) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", "--org", "S", "--as-of", "2019-02-30"])
    assert exc.value.code == 2
    assert "2019-02-30" in capsys.readouterr().err


def test_verify_audit(cast: Any, capsys: Any) -> None:
    assert AuditEntry.objects.exists()
    assert main(["verify-audit"]) == 0
    assert "intact" in capsys.readouterr().out


def test_export_then_dry_run_import_changes_nothing(cast: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "a.xlsx"
    assert main(["export", "members", "--org", "A", str(path), "--as", "secretary", "--reveal"]) == 0
    capsys.readouterr()
    before = AuditEntry.objects.count()
    assert main(["import", "members", str(path), "--dry-run", "--as", "secretary"]) == 0
    assert AuditEntry.objects.count() == before
    assert "would create 0, update 0, leave 2 unchanged" in capsys.readouterr().out
    # a masked export (the default) is no roster to import: its masked numbers are refused, nothing is written
    masked = tmp_path / "masked.xlsx"
    assert main(["export", "members", "--org", "A", str(masked), "--as", "secretary"]) == 0
    capsys.readouterr()
    assert main(["import", "members", str(masked), "--as", "secretary"]) == 1
    assert "nothing was written" in capsys.readouterr().err


def test_the_import_verbs_are_the_registered_modules_importers(cast, capsys) -> None:
    from grassroots.cli import build_parser
    from grassroots.core.modules import importers

    assert set(importers()) == {"members", "dues", "opinions", "orgs", "posts", "commitments", "volunteers",
                                "volunteer-activities", "wishes", "points", "households", "grids", "assistance",
                                "units", "cobuild-agreements", "inservice-reports", "seats", "proposals",
                                "practical-projects"}
    with pytest.raises(SystemExit):
        build_parser().parse_args(["import", "harvests", "x.xlsx"])
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="import opinions needs --org"):
        main(["import", "opinions", "x.xlsx"])
    with pytest.raises(SystemExit, match="no organization with code 'NOPE'"):
        main(["import", "dues", "x.xlsx", "--org", "NOPE"])


def test_verify_audit_finds_a_cut_tail_and_checks_a_checkpoint(cast: Any, capsys: Any) -> None:
    from grassroots.core.tests.test_audit import TABLE, tampering

    assert main(["audit", "checkpoint"]) == 0
    line = capsys.readouterr().out.strip()
    count = AuditEntry.objects.count()
    assert line.startswith(f"grassroots-audit count={count} hash=") and " at=" in line
    assert main(["verify-audit", "--checkpoint", line]) == 0
    assert "the checkpoint is held" in capsys.readouterr().out
    newest = AuditEntry.objects.order_by("-id")[0]
    with tampering() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [newest.id])
    assert main(["verify-audit"]) == 1
    assert "newest entries are missing" in capsys.readouterr().out
    assert main(["audit", "checkpoint"]) == 1
    assert "no checkpoint" in capsys.readouterr().out
    with tampering() as cur:  # the head set back too: only the checkpoint knows
        cur.execute("UPDATE core_audithead SET last_hash = %s, count = %s WHERE id = 1",
                    [AuditEntry.objects.order_by("-id")[0].hash, count - 1])
    assert main(["verify-audit"]) == 0
    capsys.readouterr()
    assert main(["verify-audit", "--checkpoint", line]) == 1
    assert "entries were removed" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="a checkpoint reads"):
        main(["verify-audit", "--checkpoint", "yesterday's"])
