"""The Django admin shows records and writes none: every domain model registered in any admin.py, and Django's own
users and groups, is view-only, for the superuser too, and says where the records are kept (an account's changes go
through `access.services`, audited). Generated over the admin's registry, so a model registered later is checked
without being listed here; a model another package registers must refuse writes too."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from grassroots.core.models import AuditEntry
from grassroots.core.readonly_admin import ReadOnlyAdmin
from grassroots.opinions.tests.fixtures import build_station


def domain_models() -> list[type[Model]]:
    """The platform's models and the accounts: Django's users and groups."""
    return [m for m in admin.site._registry
            if m.__module__.startswith("grassroots.") or m._meta.app_label == "auth"]


DOMAIN = sorted(m._meta.label for m in domain_models())


def test_the_registry_has_domain_models() -> None:
    assert {"opinions.Department", "opinions.Category", "opinions.Outlet", "access.Role", "auth.User",
            "auth.Group"} <= set(DOMAIN)


@pytest.mark.parametrize("label", DOMAIN)
def test_a_domain_model_is_view_only_for_the_superuser(cast: Any, label: str) -> None:
    build_station(cast)  # the station's set-up rows; the cast holds the roles and accounts
    Group.objects.get_or_create(name="organizers")  # a group, for the groups' pages
    model = next(m for m in domain_models() if m._meta.label == label)
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReadOnlyAdmin)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the test cast and station hold no {label}: give the test one"
    request = RequestFactory().get("/")
    request.user = cast.admin
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model_admin.has_view_permission(request, obj)

    client = Client()
    client.force_login(cast.admin)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    changelist = reverse(f"{prefix}_changelist")
    add = reverse(f"{prefix}_add")
    change = reverse(f"{prefix}_change", args=[obj.pk])
    delete = reverse(f"{prefix}_delete", args=[obj.pk])
    page = client.get(changelist)
    assert page.status_code == 200 and 'id="pages-note"' in page.content.decode()
    page = client.get(change)
    assert page.status_code == 200 and 'id="pages-note"' in page.content.decode()
    assert 'name="_save"' not in page.content.decode() and 'class="deletelink"' not in page.content.decode()

    rows, entries = list(model._default_manager.order_by("pk").values()), AuditEntry.objects.count()
    assert client.get(add).status_code == 403
    assert client.post(add, {"name": "admin wrote this", "code": "bad code 空格"}).status_code == 403
    assert client.post(change, {"name": "admin wrote this", "code": "bad code 空格"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert response.status_code in (200, 302, 400, 403)
    assert list(model._default_manager.order_by("pk").values()) == rows
    assert AuditEntry.objects.count() == entries


def test_an_account_is_neither_changed_nor_deleted_in_the_admin(cast: Any) -> None:
    """The superuser cannot rename, promote, re-password or delete an account there: a deleted account would take
    its roles with it, and none of it would reach the audit log. The page never shows the password hash."""
    client = Client()
    client.force_login(cast.admin)
    target = cast.secretary
    before = (get_user_model().objects.filter(pk=target.pk).values().get(),
              list(target.roles.order_by("pk").values()), AuditEntry.objects.count())
    page = client.get(reverse("admin:auth_user_change", args=[target.pk]))
    assert page.status_code == 200 and target.password not in page.content.decode()
    form = {"username": "renamed", "is_active": "on", "is_staff": "on", "is_superuser": "on",
            "date_joined_0": "2020-01-01", "date_joined_1": "00:00:00", "initial-date_joined_0": "2020-01-01",
            "initial-date_joined_1": "00:00:00"}
    assert client.post(reverse("admin:auth_user_change", args=[target.pk]), form).status_code == 403
    password = {"password1": "a-new-pass-987", "password2": "a-new-pass-987", "usable_password": "true"}
    assert client.post(reverse("admin:auth_user_password_change", args=[target.pk]), password).status_code == 403
    assert client.post(reverse("admin:auth_user_delete", args=[target.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:auth_user_add"), {"username": "sneaky", **password}).status_code == 403
    assert (get_user_model().objects.filter(pk=target.pk).values().get(),
            list(target.roles.order_by("pk").values()), AuditEntry.objects.count()) == before
    assert not get_user_model().objects.filter(username="sneaky").exists()


@pytest.mark.django_db
def test_every_other_registered_model_refuses_writes_to_the_superuser() -> None:
    superuser = get_user_model().objects.create_superuser("root", password="x-pass-123")
    request = RequestFactory().get("/")
    request.user = superuser
    others = [m for m in admin.site._registry if m._meta.label not in DOMAIN]
    for model in others:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request), model._meta.label
        assert not model_admin.has_change_permission(request), model._meta.label
        assert not model_admin.has_delete_permission(request), model._meta.label
