"""Setting up a station on its pages: departments, categories and outlets created, edited, deactivated and deleted
through the services (validated, permission-checked, audited, an edit from an older page refused), and the pages
and the endpoint as the station's staff, the secretary of another organization, the auditor, the outsider and
nobody."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.opinions import services
from grassroots.opinions.models import Category, Department, Opinion, Outlet
from grassroots.opinions.tests.fixtures import Station
from grassroots.orgs.services import territory_create
from grassroots.ui.testing import (
    assert_web_audit,
    assert_writes_need_login,
    assert_writes_refused,
    client_as,
    field_errors,
    last_audit,
    reload,
)


def as_user(cast: Cast, role: str) -> Any:
    return acting(cast.users[role], "web")


def refused(call: Any, field: str) -> RuleError:
    with pytest.raises(RuleError) as caught:
        call()
    assert not isinstance(caught.value, PermissionDeniedError)
    assert caught.value.field == field, caught.value.message
    return caught.value


# --- the services -------------------------------------------------------------------------------------------

def test_the_admins_bad_category_is_refused_naming_each_field(cast: Cast, station: Station) -> None:
    before = Category.objects.count()
    with as_user(cast, "street_admin"):
        error = refused(lambda: services.category_create(cast.street, code="bad code 空格", name="坏代码"), "code")
        assert "bad code 空格" in error.message and "letters, digits, - or _" in error.message
        refused(lambda: services.category_create(cast.street, code="a.b", name="点"), "code")
        error = refused(lambda: services.category_create(cast.street, code="zero", name="零天", deadline_workdays=0),
                        "deadline_workdays")
        assert "1 to 60 working days" in error.message
        refused(lambda: services.category_create(cast.street, code="long", name="太长", deadline_workdays=61),
                "deadline_workdays")
        refused(lambda: services.category_create(cast.street, code="nan", name="乱填", deadline_workdays="五"),
                "deadline_workdays")
        assert "name is required" in refused(lambda: services.category_create(cast.street, code="blank", name="　 "),
                                             "name").message
        refused(lambda: services.category_create(cast.street, code="ROADS", name="道路二"), "code")  # roads exists
        refused(lambda: services.category_create(cast.street, code="x", name="外站", department=_other_department(
            cast)), "department")
    assert Category.objects.count() == before


def _other_department(cast: Cast) -> Department:
    with acting(None, "system"):
        return services.department_create(cast.other_street, name="别处的办公室")


def test_full_width_input_is_made_plain_and_the_creation_audited(cast: Cast, station: Station) -> None:
    with as_user(cast, "street_admin"):
        cat = services.category_create(cast.street, code="ｗａｔｅｒ－２", name="  饮水　 问题 ", name_en="Ｗater",
                                       department=station.department, deadline_workdays=7)
    assert (cat.code, cat.name, cat.name_en, cat.deadline_workdays, cat.version) == ("water-2", "饮水 问题", "Water", 7, 1)
    entry = last_audit()
    assert (entry.action, entry.actor_id, entry.org_id) == ("opinions.category_create", cast.street_admin.pk,
                                                            cast.street.pk)
    assert entry.changes["after"]["code"] == "water-2" and entry.changes["after"]["deadline_workdays"] == 7


@pytest.mark.parametrize("role", ["secretary", "auditor", "outsider", "member"])
def test_only_who_writes_the_station_sets_it_up(cast: Cast, station: Station, role: str) -> None:
    entries = AuditEntry.objects.count()
    with as_user(cast, role):
        for call in (lambda: services.department_create(cast.street, name="新办公室"),
                     lambda: services.category_create(cast.street, code="new", name="新类别"),
                     lambda: services.outlet_create(cast.street, code="OUT-N", name="新站点"),
                     lambda: services.category_update(station.roads, code="roads", name="改名"),
                     lambda: services.outlet_set_active(station.outlet_a, active=False),
                     lambda: services.department_delete(station.department)):
            with pytest.raises(PermissionDeniedError):
                call()
    assert AuditEntry.objects.count() == entries
    assert reload(station.roads).name == "道路" and reload(station.outlet_a).active


def test_the_secretary_sets_up_a_station_of_their_own_branch(cast: Cast, station: Station) -> None:
    with as_user(cast, "secretary"):
        cat = services.category_create(cast.branch_a, code="roads", name="道路")  # the same code, another station
    assert cat.org == cast.branch_a and cat.deadline_workdays == 5  # the rule's default


def test_an_edit_from_an_older_page_is_refused(cast: Cast, station: Station) -> None:
    with as_user(cast, "street_admin"):
        opened = station.roads.version
        services.category_update(station.roads, version=opened, code="roads", name="道路交通", name_en="Roads",
                                 department=station.department, deadline_workdays=6)
        entry = last_audit()
        assert entry.action == "opinions.category_update"
        assert entry.changes["before"] == {"name": "道路", "deadline_workdays": 5}
        assert entry.changes["after"] == {"name": "道路交通", "deadline_workdays": 6}
        error = refused(lambda: services.category_update(station.roads, version=opened, code="roads", name="道路！",
                                                         deadline_workdays=9), "version")
        assert "changed by street_admin" in error.message and "name" in error.message, error.message
        refused(lambda: services.category_set_active(station.roads, active=False, version=opened), "version")
    roads = reload(station.roads)
    assert (roads.name, roads.deadline_workdays, roads.version, roads.active) == ("道路交通", 6, opened + 1, True)


def test_a_code_typed_before_the_rule_is_kept_until_changed(cast: Cast, station: Station, today: dt.date) -> None:
    Category.objects.filter(pk=station.other.pk).update(code="bad code 空格")  # as the admin once accepted it
    with acting(None, "system"):
        services.submit_opinion(station.org, text="其他事项", category=reload(station.other), channel="phone",
                                received_on=dt.date(2024, 12, 2))
    with as_user(cast, "street_admin"):
        other = services.category_update(station.other, code="bad code 空格", name="其他事项", deadline_workdays=10)
        assert (other.code, other.name) == ("bad code 空格", "其他事项")
        refused(lambda: services.category_update(station.other, code="bad code 2", name="其他", deadline_workdays=10),
                "code")


def test_saving_without_a_change_writes_nothing(cast: Cast, station: Station) -> None:
    entries = AuditEntry.objects.count()
    with as_user(cast, "street_admin"):
        services.department_update(station.department, version=1, name="城管办",
                                   name_en="Urban management office")
    assert AuditEntry.objects.count() == entries and reload(station.department).version == 1


def test_a_department_is_deactivated_once_no_active_category_goes_to_it(cast: Cast, station: Station) -> None:
    with as_user(cast, "street_admin"):
        error = refused(lambda: services.department_set_active(station.department, active=False), "active")
        assert "roads" in error.message
        services.category_update(station.roads, code="roads", name="道路", department=None, deadline_workdays=5)
        dept = services.department_set_active(station.department, active=False)
        assert last_audit().action == "opinions.department_deactivate" and not dept.active
        refused(lambda: services.category_create(cast.street, code="lamps", name="路灯", department=dept),
                "department")
        services.category_set_active(station.neighbours, active=False)
        assert not reload(station.neighbours).active
        services.department_set_active(dept, active=True)
        assert last_audit().action == "opinions.department_activate"


def test_an_inactive_department_takes_no_new_opinion(cast: Cast, station: Station, today: dt.date) -> None:
    with acting(None, "system"):
        opinion = services.submit_opinion(station.org, text="路灯不亮", category=station.other, channel="phone",
                                          received_on=dt.date(2024, 12, 2))
        services.category_update(station.roads, code="roads", name="道路", department=None, deadline_workdays=5)
        services.department_set_active(station.department, active=False)
        refused(lambda: services.assign(opinion, to_org=station.org, department=reload(station.department),
                                        on=dt.date(2024, 12, 3)), "department")


def test_what_is_named_is_deactivated_not_deleted(cast: Cast, station: Station, today: dt.date) -> None:
    with acting(None, "system"):
        services.submit_opinion(station.org, text="路灯不亮", category=station.roads, channel="outlet",
                                outlet=station.outlet_a, received_on=dt.date(2024, 12, 2))
    with as_user(cast, "street_admin"):
        for call in (lambda: services.category_delete(station.roads), lambda: services.outlet_delete(station.outlet_a),
                     lambda: services.department_delete(station.department)):
            with pytest.raises(RuleError, match="deactivate it instead"):
                call()
        refused(lambda: services.category_update(station.roads, code="road", name="道路", deadline_workdays=5,
                                                 department=station.department), "code")
        services.category_update(station.other, code="misc", name="其他", deadline_workdays=10)  # no opinion yet
        spare = services.outlet_create(cast.street, code="OUT-X", name="打错的站点")
        services.outlet_delete(spare)
    entry = last_audit()
    assert (entry.action, entry.object_id, entry.changes["before"]["code"]) == ("opinions.outlet_delete",
                                                                                 str(spare.pk), "OUT-X")
    assert not Outlet.objects.filter(pk=spare.pk).exists()
    assert Category.objects.filter(pk=station.roads.pk).exists()


def test_an_outlet_stays_within_the_stations_area(cast: Cast, station: Station) -> None:
    with acting(None, "system"):
        elsewhere = territory_create(code="T-Y", name="别的街道", kind="street")
    with as_user(cast, "street_admin"):
        refused(lambda: services.outlet_create(cast.street, code="OUT-Y", name="外面的站点", territory=elsewhere),
                "territory")
        refused(lambda: services.outlet_create(cast.street, code="out-a", name="重复"), "code")
        point = services.outlet_create(cast.street, code="ＯＵＴ－Ｓ", name="街道站点", territory=station.territory_s)
    assert point.code == "OUT-S"


def test_a_closed_outlet_takes_nothing_new_but_its_register_still_imports(cast: Cast, station: Station,
                                                                          today: dt.date) -> None:
    with as_user(cast, "street_admin"):
        services.outlet_set_active(station.outlet_a, active=False)
    with acting(None, "system"):
        refused(lambda: services.submit_opinion(station.org, text="路灯不亮", category=station.roads,
                                                channel="outlet", outlet=reload(station.outlet_a)), "outlet")
        imported = services.submit_opinion(station.org, text="路灯不亮", category=station.roads, channel="import",
                                           outlet=reload(station.outlet_a), received_on=dt.date(2024, 11, 4))
    assert imported.outlet_id == station.outlet_a.pk
    assert client_as(cast, "anonymous").get(reverse("public-poster", args=["S", "OUT-A"])).status_code == 404


# --- the pages ----------------------------------------------------------------------------------------------

def setup_url(code: str = "S") -> str:
    return reverse("opinion-setup", args=[code])


def test_the_staff_set_up_a_station_on_the_pages(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    page = client.get(setup_url())
    html = page.content.decode()
    assert page.status_code == 200
    for marker in ('data-category="roads"', 'data-outlet="OUT-A"', f'data-department="{station.department.pk}"',
                   'id="category-new"', reverse("public-poster", args=["S", "OUT-A"])):
        assert marker in html
    response = client.post(reverse("opinion-category-new", args=["S"]), {
        "code": "ｌａｍｐｓ", "name": "路灯", "department": str(station.department.pk), "deadline_workdays": "３"})
    lamps = Category.objects.get(org=cast.street, code="lamps")
    assert response.status_code == 302 and response["Location"].endswith(f"#category-{lamps.pk}")
    assert (lamps.deadline_workdays, lamps.department) == (3, station.department)
    assert_web_audit("opinions.category_create", cast.street_admin, lamps)

    response = client.post(reverse("opinion-outlet-new", args=["S"]), {
        "code": "OUT-S", "name": "街道民情快递站", "territory": str(station.territory_s.pk), "address": "街道一楼"})
    assert response.status_code == 302
    outlet = Outlet.objects.get(org=cast.street, code="OUT-S")
    assert_web_audit("opinions.outlet_create", cast.street_admin, outlet)
    response = client.post(reverse("opinion-department-new", args=["S"]), {"name": "民政办", "contact": "张 123"})
    assert response.status_code == 302
    assert_web_audit("opinions.department_create", cast.street_admin, Department.objects.get(name="民政办"))


def test_the_page_shows_the_services_refusal_on_its_field(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    before = Category.objects.count()
    response = client.post(reverse("opinion-category-new", args=["S"]), {
        "code": "bad code 空格", "name": "坏", "deadline_workdays": "0"})
    assert response.status_code == 400 and Category.objects.count() == before
    assert "letters, digits, - or _" in field_errors(response, "code")[0]
    response = client.post(reverse("opinion-category-new", args=["S"]), {
        "code": "good", "name": "好", "deadline_workdays": "0"})
    assert response.status_code == 400
    assert field_errors(response, "deadline_workdays") == ["the deadline must be 1 to 60 working days"]


def test_an_edit_page_opened_before_another_change_is_refused(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("opinion-category-edit", args=[station.roads.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="version" value="1"' in page.content.decode()
    form = {"version": "1", "code": "roads", "name": "道路交通", "department": str(station.department.pk),
            "deadline_workdays": "5"}
    assert client.post(url, form).status_code == 302
    assert_web_audit("opinions.category_update", cast.street_admin, station.roads)
    response = client.post(url, {**form, "name": "旧页面上的改动"})
    [message] = field_errors(response, None)
    assert response.status_code == 400 and "changed by street_admin" in message and "(name, " in message, message
    assert reload(station.roads).name == "道路交通"


def test_deactivating_and_deleting_from_the_edit_page(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("opinion-department-active", args=[station.department.pk])
    response = client.post(url, {"active": "0", "version": "1"})
    assert response.status_code == 400 and "roads" in response.context["state_error"]
    assert reload(station.department).active
    response = client.post(reverse("opinion-outlet-active", args=[station.outlet_a.pk]), {"active": "0",
                                                                                           "version": "1"})
    assert response.status_code == 302 and not reload(station.outlet_a).active
    assert_web_audit("opinions.outlet_deactivate", cast.street_admin, station.outlet_a)
    page = client.get(reverse("opinion-outlet-edit", args=[station.outlet_a.pk])).content.decode()
    assert 'id="delete-form"' in page and 'id="poster-link"' not in page  # nothing names it; closed: no poster
    response = client.post(reverse("opinion-outlet-delete", args=[station.outlet_a.pk]), {"version": "2"})
    assert response.status_code == 302 and not Outlet.objects.filter(pk=station.outlet_a.pk).exists()


def test_the_auditor_reads_the_set_up_and_writes_nothing(cast: Cast, station: Station) -> None:
    client = client_as(cast, "auditor")
    html = client.get(setup_url()).content.decode()
    assert 'data-category="roads"' in html and 'id="read-only-note"' in html
    assert 'id="category-new"' not in html and reverse("opinion-category-edit", args=[station.roads.pk]) not in html
    assert_writes_refused(client, writes(station), "auditor")
    assert_posts_refused(client, posts(station), "auditor")


@pytest.mark.parametrize("role", ["secretary", "outsider", "member"])
def test_others_neither_read_nor_write_the_set_up(cast: Cast, station: Station, role: str) -> None:
    client = client_as(cast, role)
    assert client.get(setup_url()).status_code == 404
    assert client.get(reverse("api-org-opinion-station", args=["S"])).status_code == 404
    assert_writes_refused(client, writes(station), role)
    assert_posts_refused(client, posts(station), role)


def test_nobody_gets_the_login_page(cast: Cast, station: Station) -> None:
    assert_writes_need_login(client_as(cast, "anonymous"), writes(station) + posts(station))


def writes(station: Station) -> list[tuple[str, dict[str, Any]]]:
    edit = {"version": "1", "code": "hacked", "name": "改了", "deadline_workdays": "5"}
    return [(reverse("opinion-department-new", args=["S"]), {"name": "新办公室"}),
            (reverse("opinion-category-new", args=["S"]), {"code": "new", "name": "新", "deadline_workdays": "5"}),
            (reverse("opinion-outlet-new", args=["S"]), {"code": "OUT-N", "name": "新站点"}),
            (reverse("opinion-department-edit", args=[station.department.pk]), {"version": "1", "name": "改了"}),
            (reverse("opinion-category-edit", args=[station.roads.pk]), edit),
            (reverse("opinion-outlet-edit", args=[station.outlet_a.pk]), edit)]


def posts(station: Station) -> list[tuple[str, dict[str, Any]]]:
    """The buttons (POST only)."""
    return [(reverse("opinion-category-active", args=[station.roads.pk]), {"active": "0", "version": "1"}),
            (reverse("opinion-department-active", args=[station.department.pk]), {"active": "0", "version": "1"}),
            (reverse("opinion-outlet-delete", args=[station.outlet_a.pk]), {"version": "1"}),
            (reverse("opinion-category-delete", args=[station.other.pk]), {"version": "1"})]


def assert_posts_refused(client: Any, buttons: list[tuple[str, dict[str, Any]]], who: str) -> None:
    for url, data in buttons:
        before = (AuditEntry.objects.count(), list(Category.objects.values()), list(Outlet.objects.values()),
                  list(Department.objects.values()))
        assert client.post(url, data).status_code in (403, 404), (who, url)
        after = (AuditEntry.objects.count(), list(Category.objects.values()), list(Outlet.objects.values()),
                 list(Department.objects.values()))
        assert after == before, (who, url)


def test_the_set_up_page_reads_in_a_fixed_number_of_queries(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    client.get(setup_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(setup_url()).status_code == 200
    with acting(None, "system"):
        for i in range(5):
            services.department_create(cast.street, name=f"办公室{i}")
            services.category_create(cast.street, code=f"c{i}", name=f"类别{i}",
                                     department=Department.objects.get(name=f"办公室{i}"))
            services.outlet_create(cast.street, code=f"OUT-{i}", name=f"站点{i}", territory=station.territory_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get(setup_url()).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_pages_link_to_the_set_up(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    assert 'id="setup-link"' in client.get(reverse("opinion-list", args=["S"])).content.decode()
    assert setup_url() in client.get(reverse("org-detail", args=["S"])).content.decode()
    assert setup_url("A") not in client.get(reverse("org-detail", args=["A"])).content.decode()  # a branch
    page = client_as(cast, "street_admin").get(setup_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200


def test_the_endpoint_lists_the_set_up(cast: Cast, station: Station) -> None:
    with acting(None, "system"):
        services.outlet_set_active(station.outlet_a, active=False)
    data = client_as(cast, "auditor").get(reverse("api-org-opinion-station", args=["S"])).json()
    assert data["station"] == "S"
    assert [c["code"] for c in data["categories"]] == ["neighbours", "other", "roads"]
    assert data["outlets"] == [{"id": station.outlet_a.pk, "code": "OUT-A", "name": "东风社区民情快递站",
                                "territory": "T-A", "address": "", "recipients": "", "active": False, "version": 2}]
    assert data["departments"][0]["name"] == "城管办"
    assert Opinion.objects.count() == 0
