"""Sign-in with local accounts, the first administrator, session expiry, OIDC role mapping."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
from sqlalchemy import select

from curation import bootstrap
from curation.access import accounts, auth, oidc, sessions
from curation.access.actors import Actor, Role
from curation.errors import PermissionDenied, UnusableInput, WorkflowError
from curation.store import Database
from curation.store.foundation import AuditEntry, User

GOOD = "correct horse battery"


def _add(db: Database, admin: Actor, name: str, role: Role, password: str = GOOD) -> None:
    with db.session() as s:
        accounts.create_user(s, admin, name, role, password=password)


def test_password_is_stored_as_argon2_hash(db, admin):
    """The store keeps an argon2id hash, never the password."""
    _add(db, admin, "ann", Role.CURATOR)
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == "ann"))
        assert user.password_hash.startswith("$argon2id$")
        assert GOOD not in user.password_hash


def test_sign_in_with_the_right_password_gives_the_role(db, admin, now):
    """The right name and password give an actor with the stored role, and stamp the time."""
    _add(db, admin, "ann", Role.CURATOR)
    with db.session() as s:
        actor = auth.authenticate(s, "ann", GOOD, now=now)
    assert actor == Actor("ann", Role.CURATOR)
    with db.session() as s:
        assert s.scalar(select(User.last_sign_in_at).where(User.name == "ann")) == now


def test_wrong_password_unknown_user_and_deactivated_are_refused(db, admin, now):
    """Wrong password, unknown name and a deactivated account all give None."""
    _add(db, admin, "ann", Role.CURATOR)
    _add(db, admin, "bob", Role.VIEWER)
    with db.session() as s:
        accounts.set_active(s, admin, "bob", False)
    with db.session() as s:
        assert auth.authenticate(s, "ann", GOOD + "x", now=now) is None
        assert auth.authenticate(s, "nobody", GOOD, now=now) is None
        assert auth.authenticate(s, "bob", GOOD, now=now) is None
        assert auth.authenticate(s, "", "", now=now) is None


def test_sign_in_attempts_are_audited_without_the_password(db, admin, now):
    """Success and failure are both in the audit log; the password is not."""
    _add(db, admin, "ann", Role.CURATOR)
    with db.session() as s:
        auth.authenticate(s, "ann", GOOD, now=now)
        auth.authenticate(s, "ann", "wrong password!!", now=now)
    with db.session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action.like("auth.%"))).all()
    assert [e.action for e in entries] == ["auth.sign_in", "auth.sign_in_failed"]
    assert entries[1].details["reason"] == "wrong password"
    assert all(
        GOOD not in str(e.details) and "wrong password!!" not in str(e.details) for e in entries
    )


@pytest.mark.parametrize("password", ["short", "ann", "ANN         ", "            "])
def test_password_policy_refuses_weak_passwords(db, admin, password):
    """Fewer than 12 characters, the user name, or blanks are refused."""
    _add(db, admin, "ann", Role.CURATOR)
    with db.session() as s, pytest.raises(UnusableInput):
        auth.set_password(s, admin, "ann", password)


def test_only_admins_set_other_peoples_passwords(db, admin):
    """A user may change their own password, not someone else's."""
    _add(db, admin, "ann", Role.CURATOR)
    _add(db, admin, "bob", Role.VIEWER)
    bob = Actor("bob", Role.VIEWER)
    with db.session() as s:
        auth.set_password(s, bob, "bob", "bob's new password")
        with pytest.raises(PermissionDenied):
            auth.set_password(s, bob, "ann", "taken over password")
    with db.session() as s:
        assert auth.authenticate(s, "bob", "bob's new password") == bob


def test_change_password_needs_the_current_one(db, admin):
    """Changing your own password checks the old one first."""
    _add(db, admin, "ann", Role.CURATOR)
    ann = Actor("ann", Role.CURATOR)
    with db.session() as s:
        with pytest.raises(UnusableInput):
            auth.change_password(s, ann, "not the password", "a brand new password")
        auth.change_password(s, ann, GOOD, "a brand new password")
    with db.session() as s:
        assert auth.authenticate(s, "ann", "a brand new password") == ann


def test_first_start_creates_admin_with_one_time_password(db, tmp_path, capsys):
    """First start: an "admin" with a printed one-time password, also in a 0600 file."""
    bootstrap.prepare(db)
    err = capsys.readouterr().err
    path = auth.first_admin_file()
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = path.read_text().split("password: ")[1].splitlines()[0]
    assert password in err
    with db.session() as s:
        result = auth.sign_in(s, "admin", password)
    assert result is not None
    assert result.actor.role is Role.ADMIN
    assert result.must_change_password


def test_first_start_does_nothing_when_users_exist(db, admin):
    """With any user present, no admin is created and nothing is printed."""
    _add(db, admin, "ann", Role.ADMIN)
    with db.session() as s:
        assert auth.bootstrap_admin(s) is None
    bootstrap.prepare(db)
    assert not auth.first_admin_file().exists()


def test_forced_change_clears_the_flag_and_deletes_the_file(db):
    """After the first-sign-in change the flag is off and the password file is gone."""
    bootstrap.prepare(db)
    password = auth.first_admin_file().read_text().split("password: ")[1].splitlines()[0]
    admin_actor = Actor("admin", Role.ADMIN)
    with db.session() as s, pytest.raises(UnusableInput):
        auth.complete_forced_change(s, admin_actor, password)  # must differ
    with db.session() as s:
        auth.complete_forced_change(s, admin_actor, "my own admin password")
    assert not auth.first_admin_file().exists()
    with db.session() as s:
        result = auth.sign_in(s, "admin", "my own admin password")
        assert result is not None and not result.must_change_password
        assert auth.sign_in(s, "admin", password) is None
        with pytest.raises(WorkflowError):
            auth.complete_forced_change(s, admin_actor, "yet another password")


def test_new_users_without_password_get_a_one_time_one(db, admin):
    """`create_user` without a password returns a one-time password that must be changed."""
    with db.session() as s:
        one_time = accounts.create_user(s, admin, "cat", "viewer")
    assert one_time and len(one_time) >= auth.MIN_PASSWORD_LENGTH
    with db.session() as s:
        result = auth.sign_in(s, "cat", one_time)
    assert result is not None and result.must_change_password


def test_last_admin_cannot_be_deactivated(db, admin):
    """Deactivating the only active admin, or yourself, is refused."""
    _add(db, admin, "root", Role.ADMIN)
    with db.session() as s, pytest.raises(WorkflowError):
        accounts.set_active(s, admin, "root", False)
    with db.session() as s, pytest.raises(WorkflowError):
        accounts.set_active(s, Actor("root", Role.ADMIN), "root", False)


def test_session_expires_after_inactivity(now):
    """A session idle longer than the timeout has expired; a fresh one has not."""
    timeout = timedelta(minutes=30)
    assert not auth.session_expired(now - timedelta(minutes=29), now, timeout)
    assert not auth.session_expired(now - timedelta(minutes=30), now, timeout)
    assert auth.session_expired(now - timedelta(minutes=31), now, timeout)
    assert not auth.session_expired(None, now, timeout)


def test_session_timeout_is_configurable(monkeypatch):
    """CURATION_SESSION_TIMEOUT_MINUTES sets the timeout; nonsense falls back to 30."""
    monkeypatch.setenv("CURATION_SESSION_TIMEOUT_MINUTES", "5")
    assert sessions.session_timeout() == timedelta(minutes=5)
    monkeypatch.setenv("CURATION_SESSION_TIMEOUT_MINUTES", "soon")
    assert sessions.session_timeout() == timedelta(minutes=30)
    monkeypatch.delenv("CURATION_SESSION_TIMEOUT_MINUTES")
    assert sessions.session_timeout() == timedelta(minutes=30)


MAPPING = {
    "admins": ["ada@example.org"],
    "approvers": ["group:managers"],
    "curators": ["comms-team", "Cara@Example.org"],
    "viewers": ["@example.org"],
    "roles_by_email": {"bob@elsewhere.net": "approver"},
    "roles_by_group": {"auditors": "admin", "typo-group": "superuser"},
}


@pytest.mark.parametrize(
    ("email", "groups", "role"),
    [
        ("ada@example.org", [], Role.ADMIN),
        ("cara@example.org", [], Role.CURATOR),  # case-insensitive
        ("zed@example.org", [], Role.VIEWER),  # domain rule
        ("zed@example.org", ["managers"], Role.APPROVER),  # highest wins
        ("x@other.org", ["comms-team"], Role.CURATOR),
        ("bob@elsewhere.net", [], Role.APPROVER),
        ("x@other.org", ["auditors"], Role.ADMIN),
        ("x@other.org", ["typo-group"], None),  # unknown role name grants nothing
        ("mallory@example.org.evil.com", [], None),  # domain rule is a suffix match on "@..."
        ("x@other.org", [], None),
        (None, [], None),
    ],
)
def test_oidc_role_mapping(email, groups, role):
    """Roles come from emails, domains or groups; unknown identities get none."""
    assert oidc.role_for_identity(email, groups, MAPPING) == role


def test_oidc_unverified_email_counts_as_none():
    """An email the provider says is unverified is not used for role mapping."""
    assert oidc.identity_from_claims({"email": "ada@example.org", "email_verified": False}) == (
        None,
        [],
    )
    assert oidc.identity_from_claims({"email": "a@b.c", "groups": "g"}) == ("a@b.c", ["g"])


def test_oidc_sign_in_refuses_unknown_and_deactivated(db, admin, now):
    """Unmapped identities and deactivated local users are refused and audited."""
    with db.session() as s:
        accounts.create_user(s, admin, "zed", Role.VIEWER, email="zed@example.org", password=GOOD)
        accounts.set_active(s, admin, "zed", False)
    with db.session() as s:
        assert oidc.oidc_sign_in(s, "ada@example.org", [], MAPPING, now=now) == Actor(
            "ada@example.org", Role.ADMIN
        )
        assert oidc.oidc_sign_in(s, "x@other.org", [], MAPPING, now=now) is None
        assert oidc.oidc_sign_in(s, "zed@example.org", [], MAPPING, now=now) is None
    with db.session() as s:
        reasons = [
            e.details.get("reason")
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.sign_in_failed"))
        ]
    assert reasons == ["no role mapped", "deactivated"]


def test_repeated_failures_lock_the_account_for_a_while(db, admin, now):
    """After 10 failures in 15 minutes even the right password waits; later it works again."""
    _add(db, admin, "ann", Role.CURATOR)
    with db.session() as s:
        for i in range(auth.MAX_FAILURES):
            assert auth.authenticate(s, "ann", f"guess number {i}", now=now) is None
    with db.session() as s:
        assert auth.authenticate(s, "ann", GOOD, now=now + timedelta(minutes=1)) is None
    with db.session() as s:
        later = now + auth.LOCKOUT_WINDOW + timedelta(minutes=2)
        assert auth.authenticate(s, "ann", GOOD, now=later) == Actor("ann", Role.CURATOR)
