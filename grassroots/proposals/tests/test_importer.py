"""The proposals import: a dry run that writes nothing, proposers matched to seats and members by name where
unambiguous, errors naming the row and the column, all or nothing, the same sheet twice writes nothing twice."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from grassroots.proposals import importer
from grassroots.proposals.models import Proposal, ProposalState

HEADER = ["案由", "提案内容", "类别", "提出日期", "提案人", "立案日期", "承办单位"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [["2024年代表提案登记表"], HEADER,
        ["关于修缮村道的提案", "雨季积水", "城建", "2024年3月5日", "王代表、李明、陈大爷", "2024-03-08", "城建办"],
        ["关于增设健身器材的提案", "", "民生", "2024/3/5", "张居民", "", ""]]


def test_dry_run_writes_nothing_then_all_written_once(cast: Any, world: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(_xlsx(GOOD))
    before = Proposal.objects.count()
    assert importer.cli_proposals(path, org=cast.branch_a, dry_run=True, actor=None) == 0
    out = capsys.readouterr().out
    assert "王代表*、李明*、陈大爷" in out and "nothing was written" in out
    assert Proposal.objects.count() == before
    assert importer.cli_proposals(path, org=cast.branch_a, dry_run=False, actor=None) == 0
    p = Proposal.objects.get(title="关于修缮村道的提案")
    assert (p.category, p.state, p.lead_unit) == ("construction", ProposalState.ACCEPTED, "城建办")
    people = [(x.name, x.seat_id == world.seat_wang.pk, x.member_id == cast.member.pk, x.role)
              for x in p.proposers.order_by("order")]
    assert people == [("王代表", True, False, "representative"), ("李明", False, True, "member"),
                      ("陈大爷", False, False, "residents_rep")]
    assert Proposal.objects.get(title="关于增设健身器材的提案").state == ProposalState.RECEIVED
    count = Proposal.objects.count()
    assert importer.cli_proposals(path, org=cast.branch_a, dry_run=False, actor=None) == 0
    assert Proposal.objects.count() == count


def test_errors_name_row_and_column_and_nothing_is_written(cast: Any, world: Any, tmp_path: Any,
                                                           capsys: Any) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(_xlsx([HEADER, GOOD[2], ["关于x的提案", "", "天文", "2024-03-05", "甲", "", ""],
                            ["", "", "", "2099-01-01", "", "2024-03-01", ""]]))
    before = Proposal.objects.count()
    assert importer.cli_proposals(path, org=cast.branch_a, dry_run=False, actor=None) == 1
    err = capsys.readouterr().err
    assert "row 3, 类别" in err and "row 4, 案由" in err and "row 4, 提出日期" in err and "row 4, 提案人" in err
    assert "row 4, 承办单位" in err
    assert Proposal.objects.count() == before
