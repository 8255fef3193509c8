"""The practical-project pages: each opens for the branch's secretary and refuses outsiders (404) and readers
(403 on writes), writes through the services (a broken rule on its field), lists print and export, and the
station's public pages show published projects with the responsible person's office phone and no other personal
contact."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.urls import reverse

from grassroots.congress import services as s
from grassroots.congress.models import PracticalProject, ProgressReport, StatusChange
from grassroots.core.context import acting
from grassroots.ui.testing import client_as

D = dt.date


def _history(world: Any) -> Any:
    with acting(None, "system"):
        m = s.milestone_add(project=world.project, title="完成设计", due_on="2024-04-30")
        for p in (world.project, world.road, world.lights):
            p = PracticalProject.objects.get(pk=p.pk)
            s.status_change(project=p, version=p.version, to="under_way", on="2024-03-01")
        s.progress_record(project=world.road, on="2024-05-01", percent=50, note="路基完成")
        sv = s.supervision_record(project=world.project, on="2024-06-10", kind="inspection", seats=[world.seat],
                                  names="居民李某某", findings="进度正常", follow_up="加强安全")
    return m, sv


def test_every_page_opens_for_the_secretary(cast: Any, world: Any) -> None:
    m, sv = _history(world)
    client = client_as(cast, "secretary")
    pk = world.project.pk
    urls = [reverse(n, args=["A"]) for n in ("congress-home", "congress-project-new", "congress-export")]
    urls += [reverse(n, args=[pk]) for n in ("congress-project", "congress-project-edit", "congress-subproject-new",
                                             "congress-status", "congress-milestone-new", "congress-report-new",
                                             "congress-supervision-new")]
    urls += [reverse("congress-progress-new", args=[world.road.pk]), reverse("congress-milestone-done", args=[m.pk]),
             reverse("congress-supervision-done", args=[sv.pk])]
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("congress-project", args=[pk])).content.decode()
    # the parent's progress is the roll-up: (3 × 50 + 1 × 0) / 4 = 37.5 → 38
    assert 'id="project-progress">38%' in page and "道路硬化" in page and "路基完成" in page
    assert "代表甲" in page and "居民李某某" in page  # staff see who took part
    org_page = client.get(reverse("org-detail", args=["A"])).content.decode()
    assert reverse("congress-home", args=["A"]) in org_page
    listing = client.get(reverse("congress-home", args=["A"]) + "?year=2024").content.decode()
    assert "社区道路和照明改造" in listing and "道路硬化" in listing and 'id="print-all"' in listing


def test_outsiders_see_nothing_and_readers_write_nothing(cast: Any, world: Any) -> None:
    outsider = client_as(cast, "outsider")
    assert outsider.get(reverse("congress-project", args=[world.project.pk])).status_code == 404
    assert outsider.get(reverse("congress-home", args=["A"])).status_code == 404
    member = client_as(cast, "member")
    assert member.get(reverse("congress-project", args=[world.project.pk])).status_code in (200, 404)
    response = member.post(reverse("congress-progress-new", args=[world.road.pk]),
                           {"on": "2024-05-01", "percent": "20"})
    assert response.status_code in (403, 404)
    assert not ProgressReport.objects.exists()


def test_the_forms_write_and_put_errors_on_their_field(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("congress-progress-new", args=[world.project.pk])
    r = client.post(url, {"on": "2024-05-01", "percent": "30"})  # a parent: refused on the field
    assert r.status_code == 400 and "sub-projects" in r.content.decode()
    p = PracticalProject.objects.get(pk=world.road.pk)
    r = client.post(reverse("congress-status", args=[p.pk]), {"version": p.version, "to": "under_way",
                                                              "on": "2024年3月2日", "note": "开工"})
    assert r.status_code == 302
    r = client.post(reverse("congress-progress-new", args=[p.pk]), {"on": "2024/5/1", "percent": "30", "note": "x"})
    assert r.status_code == 302 and ProgressReport.objects.get().percent == 30
    stale = client.post(reverse("congress-status", args=[p.pk]), {"version": p.version, "to": "suspended",
                                                                  "on": "2024-06-01", "note": "停工"})
    assert stale.status_code == 400 and StatusChange.objects.filter(project=p).count() == 2
    r = client.post(reverse("congress-project-new", args=["A"]), {
        "title": "新项目", "weight": "1", "year": "2025", "handler_phone": "0871-1", "planned_start": "2025-03-01",
        "due_on": "2025-02-01"})
    assert r.status_code == 400 and "planned start" in r.content.decode()
    r = client.post(reverse("congress-subproject-new", args=[world.project.pk]), {"title": "绿化", "weight": "2"})
    assert r.status_code == 302 and world.project.children.count() == 3


def test_the_export_has_the_progress(cast: Any, world: Any) -> None:
    _history(world)
    client = client_as(cast, "secretary")
    r = client.get(reverse("congress-export", args=["A"]) + "?year=2024")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    by_title = {str(row[header.index("Project")]).strip("　"): row for row in rows[1:]}
    assert by_title["社区道路和照明改造"][header.index("Progress (%)")] == "38"
    assert by_title["道路硬化"][header.index("Progress (%)")] == "50"
    assert "完成设计" in str(list(wb.worksheets[1].iter_rows(values_only=True)))
    listing = client.get(reverse("congress-home", args=["A"]) + "?year=2024&format=xlsx")
    assert listing.status_code == 200 and listing["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_public_pages_show_no_personal_contact(cast: Any, world: Any) -> None:
    _history(world)
    anonymous = client_as(cast, "anonymous")
    listing = anonymous.get(reverse("public-congress-projects", args=["A"])).content.decode()
    assert "社区道路和照明改造" in listing
    page = anonymous.get(reverse("public-congress-project", args=["A", world.project.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "社区道路和照明改造" in html and "38%" in html and "路基完成" in html and "完成设计" in html
    assert "王主任" in html and "0871-12345678" in html  # the published handler's name and office phone
    assert "代表甲" in html  # a representative's name
    member = world.seat_member
    assert member.phone and member.phone not in html
    assert member.id_number not in html and member.id_number[-4:] not in html
    assert "居民李某某" not in html  # other names typed for the activity are not published
    # an unpublished project and a sub-project are not public pages of their own
    with acting(None, "system"):
        s.project_update(project=world.project, version=PracticalProject.objects.get(pk=world.project.pk).version,
                         published=False)
    assert anonymous.get(reverse("public-congress-project", args=["A", world.project.pk])).status_code == 404
    assert anonymous.get(reverse("public-congress-projects", args=["A"])).status_code == 404
    assert anonymous.get(reverse("public-congress-project", args=["A", world.road.pk])).status_code == 404


def test_the_station_links_to_its_projects(cast: Any, world: Any) -> None:
    from grassroots.core.modules import modules

    links = [link for m in modules() for link in m.public_links if link.url_name == "public-congress-projects"]
    assert len(links) == 1 and links[0].shown_for(cast.branch_a) and not links[0].shown_for(cast.branch_c)
