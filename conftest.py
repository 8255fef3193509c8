"""The test cast, the same everywhere (see STYLE.md): a small tree and one user per role.

    S  街道党工委 (working committee)            street admin = organizer at S; auditor = auditor at S
    └─ G  第一党总支 (general branch)
       ├─ A  第一支部 (branch)  ── party group A1   secretary = secretary at A; member = one member of A
       └─ B  第二支部 (branch)
    X  另一街道党工委 (working committee)
    └─ C  外街支部 (branch)                      outsider = organizer at X (powerful, but elsewhere)
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grassroots.core import idnumber
from grassroots.core.context import acting

# The opinions station (`station`, `today`), used by the opinions, web, API and browser tests.
pytest_plugins = ["grassroots.opinions.tests.fixtures"]



def pytest_configure(config: Any) -> None:
    """Background tasks (the web imports' jobs) run at once, inside the request that queues them."""
    from django.conf import settings
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    task_backends.__dict__.pop("settings", None)  # read again from the settings
    _login_with_a_request()
    _no_waiting_for_the_disk()


def _no_waiting_for_the_disk() -> None:
    """On PostgreSQL, the test connections commit without waiting for the WAL to reach the disk
    (`synchronous_commit=off`, this session only: the server's own setting is untouched). A crash could lose the last
    commits of a test database that is thrown away anyway; what a commit makes visible, and when, is unchanged."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    options = db.setdefault("OPTIONS", {})
    if "synchronous_commit" not in options.get("options", ""):
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


def _login_with_a_request() -> None:
    """The test client's `login()` calls `authenticate()` without a request, which the login throttle (django-axes'
    backend, first in AUTHENTICATION_BACKENDS) refuses as an error: give it one, from the test client's address."""
    from django.http import HttpRequest
    from django.test import Client

    plain_login = Client.login
    if getattr(plain_login, "with_request", False):
        return

    def login(self: Client, **credentials: Any) -> bool:
        if "request" not in credentials:
            request = HttpRequest()
            request.META["REMOTE_ADDR"] = "127.0.0.1"
            credentials["request"] = request
        return plain_login(self, **credentials)

    login.with_request = True  # type: ignore[attr-defined]
    Client.login = login  # type: ignore[method-assign,assignment]

    plain_force_login = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        """A test's shortcut, not a login by anyone: kept out of the audit log (`auth.login`), which the tests
        count around their writes. Logins through the login page and `client.login` are recorded."""
        from django.contrib.auth.signals import user_logged_in

        from grassroots.access import logins

        user_logged_in.disconnect(dispatch_uid=logins.LOGGED_IN_UID)
        try:
            plain_force_login(self, user, backend)
        finally:
            user_logged_in.connect(logins.on_logged_in, dispatch_uid=logins.LOGGED_IN_UID)

    Client.force_login = force_login  # type: ignore[method-assign,assignment]


_DEMO_TESTS = Path(__file__).parent / "grassroots" / "demo" / "tests"


@pytest.hookimpl(trylast=True)  # after pytest-django's own reordering (database tests first, then the rest)
def pytest_collection_modifyitems(items: list[Any]) -> None:
    """The demo package's tests first, all together, the rest in the order they had.

    The package builds the demo town once (`built_demo`, package-scoped: the longest fixture of the suite).
    pytest-django's reordering moved the demo tests that use no database (`test_plan_is_deterministic`, the
    `test_a_second_build_adds_nothing` that read `built_demo` alone) after every database test of the session,
    so that in one process (`make test XDIST=`) the package ended, its fixture was torn down, and the town was
    built a second time for those three. Under `--dist loadgroup` this changes nothing: xdist already sends the
    largest group (the demo's) first."""
    demo = [item for item in items if _DEMO_TESTS in Path(item.path).parents]
    if demo:
        rest = [item for item in items if _DEMO_TESTS not in Path(item.path).parents]
        items[:] = demo + rest


FOUNDED = dt.date(2000, 1, 1)
PASSWORD = "cast-pass-123"


@dataclass
class Cast:
    street: Any
    general: Any
    branch_a: Any
    branch_b: Any
    group_a1: Any
    other_street: Any
    branch_c: Any
    admin: Any
    street_admin: Any
    secretary: Any
    auditor: Any
    member_user: Any
    outsider: Any
    member: Any  # the member_user's own record, in A
    member_a2: Any  # another member of A
    member_b: Any  # a member of B
    member_c: Any  # a member of C (outside everyone's scope but the outsider's and the admin's)
    places: Any = None  # `CastPlaces`, made by `cast_places(cast)` for the tests that need the territory tree

    @property
    def users(self) -> dict[str, Any]:
        users = {"admin": self.admin, "street_admin": self.street_admin, "secretary": self.secretary,
                 "auditor": self.auditor, "member": self.member_user, "outsider": self.outsider}
        if self.places is not None:
            users["grid_worker"] = self.places.grid_worker
        return users


@dataclass
class CastPlaces:
    """The cast's places: street S holds `street` (社区 `community_a` held by branch A, with its grid `grid_a` and
    a second grid `grid_a2`); street X holds `other` (社区 `community_c` held by branch C, with `grid_c`).
    `grid_worker` works grid `grid_a` (a role given by branch A) and holds no other role."""

    street: Any
    community_a: Any
    grid_a: Any
    grid_a2: Any
    other: Any
    community_c: Any
    grid_c: Any
    grid_worker: Any


def cast_places(cast: Cast) -> CastPlaces:
    """The territory tree and the grid worker for `cast`, made once per cast (the cast alone has no places)."""
    if cast.places is not None:
        return cast.places
    from django.contrib.auth import get_user_model

    from grassroots.access.models import Role
    from grassroots.orgs.models import Organization
    from grassroots.orgs.services import territory_create

    with acting(None, "system"):
        st = territory_create(code="T-S", name="和平街道", kind="street")
        ca = territory_create(code="T-A", name="东风社区", kind="community", parent=st)
        ga = territory_create(code="T-A-G1", name="东风一网格", kind="grid", parent=ca)
        ga2 = territory_create(code="T-A-G2", name="东风二网格", kind="grid", parent=ca)
        x = territory_create(code="T-X", name="外街", kind="street")
        cc = territory_create(code="T-C", name="外街社区", kind="community", parent=x)
        gc = territory_create(code="T-C-G1", name="外街一网格", kind="grid", parent=cc)
        for org, place in ((cast.street, st), (cast.branch_a, ca), (cast.other_street, x), (cast.branch_c, cc)):
            Organization.objects.filter(pk=org.pk).update(territory=place)
            org.territory = place
    worker = get_user_model().objects.create_user(username="grid_worker", password=PASSWORD)
    Role.objects.create(user=worker, kind="grid_worker", org=cast.branch_a, territory=ga)
    cast.places = CastPlaces(st, ca, ga, ga2, x, cc, gc, worker)
    return cast.places


_seq = [0]


def make_member(org: Any, *, name: str, sex: str = "M", birth: dt.date = dt.date(1980, 3, 4), **kw: Any) -> Any:
    from grassroots.members.services import member_create

    _seq[0] += 1
    defaults: dict[str, Any] = dict(education="bachelor", occupation="in_service", joined_on=dt.date(2005, 7, 1),
                    status="full", converted_on=dt.date(2006, 7, 1), ethnicity="汉族", phone="13800138000")
    defaults.update(kw)
    number = idnumber.make("530522", birth, _seq[0] % 1000)
    return member_create(name=name, sex=sex, birth_date=birth, id_number=number, org=org, **defaults)


def run_acting(user: Any, fn: Callable[[], Any], out: dict[str, Any], key: str,
               start: threading.Barrier | None) -> None:
    """A thread's body for race tests: act as `user` (in English: a new thread starts in the default
    language), wait at `start`, put fn's result or its RuleError in out[key], close the thread's connection."""
    from django.db import connection
    from django.utils import translation

    from grassroots.core.errors import RuleError

    try:
        with acting(user, "web"), translation.override("en"):
            if start is not None:
                start.wait()
            out[key] = fn()
    except RuleError as exc:
        out[key] = exc
    finally:
        connection.close()


def build_cast() -> Cast:
    from django.contrib.auth import get_user_model

    from grassroots.access.models import Role
    from grassroots.orgs.services import org_create

    User = get_user_model()
    with acting(None, "system"):
        s = org_create(code="S", name="街道党工委", kind="working_committee", founded_on=FOUNDED)
        g = org_create(code="G", name="第一党总支", kind="general_branch", founded_on=FOUNDED, parent=s)
        a = org_create(code="A", name="第一支部", kind="branch", founded_on=FOUNDED, parent=g)
        b = org_create(code="B", name="第二支部", kind="branch", founded_on=FOUNDED, parent=g)
        a1 = org_create(code="A1", name="第一党小组", kind="party_group", founded_on=FOUNDED, parent=a)
        x = org_create(code="X", name="另一街道党工委", kind="working_committee", founded_on=FOUNDED)
        c = org_create(code="C", name="外街支部", kind="branch", founded_on=FOUNDED, parent=x)
        m = make_member(a, name="李明", sex="F")
        m2 = make_member(a, name="王强")
        mb = make_member(b, name="赵刚")
        mc = make_member(c, name="孙丽", sex="F")

    def user(name: str, **kw: Any) -> Any:
        return User.objects.create_user(username=name, password=PASSWORD, **kw)

    admin = user("admin", is_superuser=True, is_staff=True)
    street_admin = user("street_admin")
    secretary = user("secretary")
    auditor = user("auditor")
    member_user = user("member")
    outsider = user("outsider")
    Role.objects.create(user=street_admin, kind="organizer", org=s)
    Role.objects.create(user=secretary, kind="secretary", org=a)
    Role.objects.create(user=auditor, kind="auditor", org=s)
    Role.objects.create(user=member_user, kind="member", member=m)
    Role.objects.create(user=outsider, kind="organizer", org=x)
    return Cast(s, g, a, b, a1, x, c, admin, street_admin, secretary, auditor, member_user, outsider, m, m2, mb, mc)


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """Service and import messages are asserted in English (their msgids); pages choose their own language
    per request (Chinese unless the language cookie says otherwise)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    """Each test its own empty caches (the public rate limits count in the default one; the kept parts of pages,
    `grassroots.ui.kept`, are in "pages")."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{_seq[0]}-{id(settings)}"},
                       "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                 "LOCATION": f"test-pages-{_seq[0]}-{id(settings)}"}}
    from django.core.cache import caches

    caches["default"].clear()
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """The cast has six users; the production hasher would spend seconds per test on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The cast, built once per module rather than once per test (its ~250 queries were most of the suite's time on
# PostgreSQL). A module's first test that asks for `cast` builds it inside a transaction held open around that
# module's tests (the module's "cast transaction"); each test then runs in its own savepoint within it (pytest-django's
# `db`), which is rolled back after the test, so every test starts from the cast as built, exactly as when it was
# built in the test, and gets its own copy of the cast's objects (`copy.deepcopy`, as Django's `setUpTestData`).
# The cast transaction is rolled back before any test of the module that does not share it: one that uses the
# database without the cast (it must find the database empty) and one that needs real commits (`transactional_db`,
# `live_server`, `django_db(transaction=True)`: they build their own cast, committed, as before); the module's next
# test that shares the cast builds it again. See `pytest_runtest_setup` below.
_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences",
                           "django_db_serialized_rollback"}


def _shares_the_cast(item: Any) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if "cast" not in names or names & _TRANSACTIONAL_FIXTURES:
        return False
    marker = item.get_closest_marker("django_db")
    if marker is not None and any(marker.kwargs.get(k) for k in ("transaction", "reset_sequences",
                                                                  "serialized_rollback")):
        return False
    return True


class _ModuleCast:
    """The cast transaction of one module: open (the cast built, `pristine` its objects) or closed."""

    current: _ModuleCast | None = None  # the module now running on this worker, if it has tests with the cast

    def __init__(self, module: Any, blocker: Any) -> None:
        self.module = module
        self.blocker = blocker
        self.atomic: Any = None
        self.pristine: Cast | None = None
        self.audit_key = b""

    def open(self) -> None:
        from django.db import transaction
        from django.test import override_settings
        from django.utils import translation

        if self.atomic is not None:
            return
        self.blocker.unblock()
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]  # like TestCase's own: a durable atomic block inside is allowed
        atomic.__enter__()
        self.atomic = atomic
        fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                 CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                     "LOCATION": f"cast-{id(self)}"}})
        with fast, translation.override("en"):
            self.pristine = build_cast()
        from grassroots.core import audit

        self.audit_key = audit.audit_key()  # what the cast's audit entries are signed with

    def close(self) -> None:
        from django.db import transaction

        if self.atomic is None:
            return
        atomic, self.atomic, self.pristine = self.atomic, None, None
        try:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        finally:
            self.blocker.restore()

    def copy(self) -> Cast:
        import copy

        assert self.pristine is not None, "the module's cast transaction is closed"
        return copy.deepcopy(self.pristine)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: Any) -> None:
    """Before any fixture of `item` (the previous test's own are torn down): roll back the module's cast
    transaction unless `item` shares it; build the cast again for a test that shares it after one that did not."""
    current = _ModuleCast.current
    if current is None or current.module is not getattr(item, "module", None):
        return
    if _shares_the_cast(item):
        current.open()
    else:
        current.close()


@pytest.fixture(scope="module")
def _module_cast(request: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[_ModuleCast]:
    """Set up before any function-scoped fixture (pytest-django's `db` among them), torn down after them."""
    holder = _ModuleCast(request.module, django_db_blocker)
    _ModuleCast.current = holder
    try:
        if _shares_the_cast(request._pyfuncitem):
            holder.open()
        yield holder
    finally:
        holder.close()
        if _ModuleCast.current is holder:
            _ModuleCast.current = None


@pytest.fixture
def cast(_module_cast: _ModuleCast, db: Any) -> Cast:
    if _module_cast.atomic is None:  # a test that needs real commits: its own cast, as the test's own writes
        return build_cast()
    _sign_with_the_casts_key(_module_cast.audit_key)
    return _module_cast.copy()


def _sign_with_the_casts_key(key: bytes) -> None:
    """The cast's audit entries are signed with the audit key of the data folder it was built with. A test that
    moves DATA_DIR (to its tmp_path, by an autouse fixture) would get a new random key there, under which the
    chain no longer verifies: give that folder the cast's key, as if the cast had been built in it."""
    import os

    from grassroots.core import audit

    path = audit.key_path()
    if not os.environ.get(audit.KEY_ENV, "").strip() and path.parent.is_dir() and not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(key.decode("utf-8") + "\n")
    if audit.audit_key() != key:
        raise RuntimeError(f"the audit key in use ({path} or ${audit.KEY_ENV}) is not the one the module's shared "
                           "cast was signed with: set it inside the test, after the cast")
