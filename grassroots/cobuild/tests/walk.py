"""What the permission walk needs to know about co-construction: the words before its `<pk>`s, and an object of
each kind inside branch A and inside branch C (made once per cast, through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

COLLECTIONS = {
    "units": "cobuild_unit", "unit-reports": "cobuild_report", "resources": "cobuild_resource",
    "agreements": "cobuild_agreement", "agreement-files": "cobuild_agreement_file", "needs": "cobuild_need",
    "projects": "cobuild_project", "project-evidence": "cobuild_evidence", "contributions": "cobuild_contribution",
}

PHONES = {"a": "13722223333", "c": "13744445555"}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.cobuild import services as s

    out: dict[str, dict[str, Any]] = {}
    for key, org in (("a", cast.branch_a), ("c", cast.branch_c)):
        unit = s.unit_create(org=org, name=f"走访单位{key}", kind="agency", contact_phone=PHONES[key],
                             has_party_org=True, party_members=3)
        report = s.report_create(unit=unit, reported_on=dt.date(2020, 3, 1), offers="场地")
        resource = s.resource_create(unit=unit, title=f"会议室{key}", listed_on=dt.date(2020, 3, 1))
        agreement = s.agreement_create(org=org, unit=unit, title=f"走访协议{key}", signed_on=dt.date(2020, 3, 1),
                                       ends_on=dt.date(2022, 2, 28))
        scan = s.agreement_file_add(agreement=agreement, file=SimpleUploadedFile(
            f"scan{key}.pdf", b"%PDF-1.4 walk", content_type="application/pdf"), caption="扫描件")
        need = s.need_create(org=org, title=f"需求{key}", listed_on=dt.date(2020, 3, 2), agreement=agreement)
        project = s.need_claim(need, version=need.version, unit=unit, on=dt.date(2020, 3, 3))
        evidence = s.evidence_add(project=project, file=SimpleUploadedFile(
            f"photo{key}.jpg", b"\xff\xd8\xff walk", content_type="image/jpeg"), caption="签到表")
        contribution = s.contribution_create(unit=unit, kind="money", given_on=dt.date(2020, 4, 1), amount="1000",
                                             agreement=agreement)
        out[key] = {"cobuild_unit": unit, "cobuild_report": report, "cobuild_resource": resource,
                    "cobuild_agreement": agreement, "cobuild_agreement_file": scan, "cobuild_need": need,
                    "cobuild_project": project, "cobuild_evidence": evidence, "cobuild_contribution": contribution}
    return out


def forbidden(cast: Any) -> list[str]:
    """No GET shows a unit contact's full phone (a reveal is a POST)."""
    return list(PHONES.values())
