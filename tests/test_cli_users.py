"""`grassroots user`: add, list, passwd, revoke, from an empty database and on the cast."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from grassroots.access.models import Role
from grassroots.cli import main
from grassroots.core.models import AuditEntry

User = get_user_model()


def _stdin(monkeypatch: Any, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


@pytest.mark.django_db
def test_the_first_superuser_on_an_empty_database_gets_a_generated_password(monkeypatch: Any, capsys: Any) -> None:
    _stdin(monkeypatch, "")  # not a terminal, nothing given: a password is generated and printed once
    assert main(["user", "add", "root", "--superuser"]) == 0
    out = capsys.readouterr().out
    assert "created user root (superuser)" in out
    password = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("password: "))
    user = User.objects.get(username="root")
    assert user.is_superuser and user.is_staff and user.check_password(password) and len(password) >= 20
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.channel == "cli" and entry.object_id == str(user.pk) and password not in str(entry.changes)


def test_add_with_a_role_and_a_password_on_stdin(cast: Any, monkeypatch: Any, capsys: Any) -> None:
    _stdin(monkeypatch, "Tall-Pine-Road-42\n")
    assert main(["user", "add", "wang", "--role", "secretary", "--org", "B", "--full-name", "王芳",
                 "--password-stdin"]) == 0
    out = capsys.readouterr().out
    assert "created user wang" in out and "password:" not in out
    user = User.objects.get(username="wang")
    assert user.check_password("Tall-Pine-Road-42") and user.first_name == "王芳"
    assert list(user.roles.values_list("kind", "org__code")) == [("secretary", "B")]
    assert AuditEntry.objects.filter(action="role.grant", channel="cli").exists()


def test_add_asks_twice_at_a_terminal(cast: Any, monkeypatch: Any, capsys: Any) -> None:
    answers = iter(["Tall-Pine-Road-42", "Tall-Pine-Road-43"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(SystemExit, match="the two passwords differ"):
        main(["user", "add", "li", "--role", "auditor", "--org", "S"])
    assert not User.objects.filter(username="li").exists()


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["user", "add", "x", "--role", "secretary", "--org", "NOPE"], "", "no organization with code 'NOPE'"),
    (["user", "add", "SECRETARY", "--role", "secretary", "--org", "A"], "", "the user name SECRETARY is already used"),
    (["user", "add", "x", "--role", "secretary", "--org", "A", "--password-stdin"], "12345678\n",
     "This password is too common."),
    (["user", "add", "x", "--role", "secretary", "--org", "A", "--password-stdin"], "k2\n", "too short"),
    (["user", "add", "x", "--role", "secretary"], "", "--role secretary needs --org CODE"),
    (["user", "add", "x", "--role", "member"], "", "--role member needs --member"),
    (["user", "add", "x", "--role", "member", "--member", "999999"], "", "no member '999999'"),
    (["user", "passwd", "nobody"], "", "no user 'nobody'"),
])
def test_bad_input_is_a_clear_message_and_writes_nothing(cast: Any, monkeypatch: Any, argv: list[str], stdin: str,
                                                          message: str) -> None:
    _stdin(monkeypatch, stdin)
    before = (User.objects.count(), AuditEntry.objects.count())
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert message in str(exc.value)
    assert (User.objects.count(), AuditEntry.objects.count()) == before


def test_a_member_role_by_id_number(cast: Any, monkeypatch: Any, capsys: Any) -> None:
    _stdin(monkeypatch, "")
    assert main(["user", "add", "wangqiang", "--role", "member", "--member", cast.member_a2.id_number]) == 0
    assert Role.objects.get(user__username="wangqiang").member == cast.member_a2
    # Each member record has one account.
    with pytest.raises(SystemExit, match="already linked to the account wangqiang"):
        main(["user", "add", "wq2", "--role", "member", "--member", str(cast.member_a2.pk)])


def test_list_shows_roles_and_filters_by_org(cast: Any, capsys: Any) -> None:
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "organizer@S" in out and "organizer@X" in out
    assert main(["user", "list", "--org", "G"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = {line.split()[0] for line in lines[1:]}
    assert names == {"secretary", "member"}
    assert "secretary@A" in "".join(lines) and "member:" in "".join(lines)


def test_passwd_and_revoke(cast: Any, monkeypatch: Any, capsys: Any) -> None:
    _stdin(monkeypatch, "")
    assert main(["user", "passwd", "secretary"]) == 0
    out = capsys.readouterr().out
    password = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("password: "))
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(password)
    assert AuditEntry.objects.filter(action="user.password", object_id=str(cast.secretary.pk)).exists()

    assert main(["user", "revoke", "auditor", "--role", "auditor", "--org", "S"]) == 0
    assert not Role.objects.filter(user=cast.auditor).exists()
    with pytest.raises(SystemExit, match="holds no such role"):
        main(["user", "revoke", "auditor", "--role", "auditor", "--org", "S"])

    assert main(["user", "revoke", "secretary"]) == 0
    cast.secretary.refresh_from_db()
    assert not cast.secretary.is_active and not Role.objects.filter(user=cast.secretary).exists()
    assert User.objects.filter(username="secretary").exists()  # never deleted
    assert AuditEntry.objects.filter(action="user.deactivate").count() == 1


def test_as_an_organizer_the_command_keeps_to_their_subtree(cast: Any, monkeypatch: Any, capsys: Any) -> None:
    _stdin(monkeypatch, "")
    assert main(["user", "add", "zhao", "--role", "secretary", "--org", "B", "--as", "street_admin"]) == 0
    with pytest.raises(SystemExit, match="only the site administrator"):
        main(["user", "add", "boss", "--superuser", "--as", "street_admin"])
    with pytest.raises(SystemExit, match="only an organizer of"):
        main(["user", "add", "zhou", "--role", "secretary", "--org", "A", "--as", "secretary"])
    with pytest.raises(SystemExit, match="you may not manage the account outsider"):
        main(["user", "passwd", "outsider", "--as", "street_admin"])
    assert main(["user", "list", "--as", "street_admin"]) == 0
    out = capsys.readouterr().out
    assert "zhao" in out and "outsider" not in out and "admin " not in out.replace("street_admin", "")
