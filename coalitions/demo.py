"""Demo coalitions and people from ``demo.toml``. The partnership admin creates the coalitions, the
applicant asks to join and Colorado's admin invites, each through ``coalitions.services``; people fill
in their own profiles. Idempotent: everything is looked up by slug or email first.

Accounts and founding memberships are made directly: people sign up through allauth, and a
coalition's founding members are set up in the Django admin, neither of which is a service to call.
"""

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from . import services
from .models import Coalition, JoinRequest, Membership

DATA = tomllib.loads((Path(__file__).with_name("demo.toml")).read_text(encoding="utf-8"))
DEMO_PASSWORD = DATA["password"]
DEMO_DOMAIN = DATA["domain"]
COALITIONS = DATA["coalition"]
# The demo people have been members for a year, so their first digest has a year of news to draw on
# (a digest never reaches back before the member joined).
DEMO_MEMBER_SINCE = timedelta(days=365)


@dataclass
class DemoPeople:
    partnership_admin: object = None
    coalitions: dict = field(default_factory=dict)  # slug -> Coalition
    admins: dict = field(default_factory=dict)  # slug -> User
    members: dict = field(default_factory=dict)  # slug -> [User, User]

    @property
    def everyone(self):
        users = [self.partnership_admin, *self.admins.values()]
        for members in self.members.values():
            users.extend(members)
        return users


def _user(email: str, full_name: str, job_title: str, *, password: Callable[[], str], is_staff: bool = False):
    """The account for ``email``, made as a verified sign-up a year ago with the hash ``password()``
    gives; the person's profile holds their demo name unless they have written their own."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create(
            username=email.split("@")[0],
            email=email,
            password=password(),
            date_joined=timezone.now() - DEMO_MEMBER_SINCE,
        )
    if is_staff and not user.is_staff:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if not services.ensure_profile(user=user).full_name:
        services.update_profile(by=user, full_name=full_name, job_title=job_title, time_zone="")
    return user


def _coalition(data: dict, *, by):
    coalition = Coalition.objects.filter(slug=data["slug"]).first()
    if coalition is None:
        coalition = services.create_coalition(by=by, data={k: v for k, v in data.items() if k != "people"})
    return coalition


def seed(*, stdout) -> DemoPeople:
    people = DemoPeople()
    # One hash for all the accounts, made when the first is: they share the password printed below,
    # and hashing it once per account was most of the seeding time.
    password = functools.cache(lambda: make_password(DEMO_PASSWORD))
    pat = DATA["partnership_admin"]
    people.partnership_admin = _user(pat["email"], pat["name"], pat["job_title"], password=password, is_staff=True)
    for data in COALITIONS:
        coalition = _coalition(data, by=people.partnership_admin)
        people.coalitions[coalition.slug] = coalition
        for index, person in enumerate(data["people"]):
            role = Membership.Role.ADMIN if index == 0 else Membership.Role.MEMBER
            local = "admin" if index == 0 else f"member{index}"
            user = _user(
                f"{coalition.slug}-{local}@{DEMO_DOMAIN}", person["name"], person["job_title"], password=password
            )
            Membership.objects.get_or_create(
                user=user, coalition=coalition, defaults={"role": role, "joined": timezone.now() - DEMO_MEMBER_SINCE}
            )
            if role == Membership.Role.ADMIN:
                people.admins[coalition.slug] = user
            else:
                people.members.setdefault(coalition.slug, []).append(user)
    _seed_pending_business(people, password=password)
    stdout.write(f"Coalitions: {len(people.coalitions)}; people: {len(people.everyone)}.")
    return people


def _seed_pending_business(people: DemoPeople, *, password: Callable[[], str]) -> None:
    """Something on Colorado's manage page: one person asking to join, one open invitation (its email
    is queued as for any invitation)."""
    asks, invitation = DATA["applicant"], DATA["invitation"]
    coalition = people.coalitions[asks["coalition"]]
    applicant = _user(asks["email"], asks["name"], asks["job_title"], password=password)
    pending = JoinRequest.objects.filter(user=applicant, coalition=coalition, status=JoinRequest.Status.PENDING)
    if not pending.exists() and not Membership.objects.filter(user=applicant, coalition=coalition).exists():
        services.request_to_join(by=applicant, coalition=coalition, message=asks["message"])
    coalition = people.coalitions[invitation["coalition"]]
    try:
        services.check_invitable(coalition=coalition, email=invitation["email"])
    except services.MembershipError:
        return  # invited already, or the invitee has joined
    services.invite_member(by=people.admins[invitation["coalition"]], coalition=coalition, email=invitation["email"])


def demo_accounts() -> list[tuple[str, str]]:
    """(who, email) of every account ``seed`` makes, from the data file: what seed_demo prints and
    the README's table lists (a test holds the three to agree)."""
    asked = next(c["short_name"] for c in COALITIONS if c["slug"] == DATA["applicant"]["coalition"])
    accounts = [
        ("partnership admin (staff)", DATA["partnership_admin"]["email"]),
        (f"not yet a member (asked to join {asked})", DATA["applicant"]["email"]),
    ]
    for data in COALITIONS:
        for index, _person in enumerate(data["people"]):
            local = "admin" if index == 0 else f"member{index}"
            who = f"{data['short_name']} {'admin' if index == 0 else 'member'}"
            accounts.append((who, f"{data['slug']}-{local}@{DEMO_DOMAIN}"))
    return accounts


def print_accounts(*, stdout, style) -> None:
    stdout.write(style.SUCCESS(f"\nDemo accounts (password for all: {DEMO_PASSWORD}; listed in the README too):"))
    for who, email in demo_accounts():
        stdout.write(f"  {who:<40} {email}")
