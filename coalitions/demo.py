"""Demo coalitions and people. Idempotent: looks everything up by slug or email first."""

from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Coalition, Invitation, JoinRequest, Membership, Profile

DEMO_PASSWORD = "demo-pass-2026"
DEMO_DOMAIN = "demo.smartregions.org"
# The demo people have been members for a year, so their first digest has a year of news to draw on
# (a digest never reaches back before the member joined).
DEMO_MEMBER_SINCE = timedelta(days=365)

COALITIONS = [
    {
        "slug": "colorado",
        "name": "Colorado Smart Cities Alliance",
        "short_name": "CSCA",
        "region": "Colorado",
        "time_zone": "America/Denver",
        "website": "https://coloradosmartcities.org",
        "description": "A public-private partnership of Colorado's cities, counties and universities working "
        "together on smart-city pilots, shared procurement and workforce.",
        "people": [
            ("Maya Ortiz", "Chief Innovation Officer, City of Boulder"),
            ("Sam Whitfield", "IT Director, Adams County"),
            ("Priya Nair", "Sustainability Manager, City of Fort Collins"),
        ],
    },
    {
        "slug": "north-texas",
        "name": "North Texas Innovation Alliance",
        "short_name": "NTXIA",
        "region": "Texas",
        "time_zone": "America/Chicago",
        "website": "https://ntxia.org",
        "description": "A consortium of North Texas cities, transit agencies and research partners building "
        "a connected, resilient region around Dallas–Fort Worth.",
        "people": [
            ("Jordan Reyes", "Director of Innovation, City of Dallas"),
            ("Alicia Brooks", "Smart Mobility Lead, City of Arlington"),
            ("Kevin Tran", "Chief Information Security Officer, City of Plano"),
        ],
    },
    {
        "slug": "kc-digital-drive",
        "name": "KC Digital Drive",
        "short_name": "KCDD",
        "region": "Kansas City metro (Missouri and Kansas)",
        "time_zone": "America/Chicago",
        "website": "https://kcdigitaldrive.org",
        "description": "Kansas City's civic-tech nonprofit, connecting the metro's cities on digital "
        "inclusion, smart infrastructure and open data.",
        "people": [
            ("Naomi Fischer", "Program Director, KC Digital Drive"),
            ("Marcus Bell", "Broadband Manager, Kansas City, Missouri"),
            ("Grace Liu", "Data Officer, Unified Government of Wyandotte County"),
        ],
    },
    {
        "slug": "arizona",
        "name": "Arizona Smart Communities Collaborative",
        "short_name": "ASCC",
        "region": "Arizona",
        "time_zone": "America/Phoenix",
        "website": "https://azsmartcommunities.org",
        "description": "Arizona municipalities and tribal nations sharing water, heat-resilience and "
        "mobility technology across the Sun Corridor.",
        "people": [
            ("Elena Vasquez", "Smart City Program Manager, City of Phoenix"),
            ("Tom Harrington", "CIO, City of Chandler"),
            ("Lena Begay", "GIS Lead, City of Flagstaff"),
        ],
    },
    {
        "slug": "florida",
        "name": "Florida Smart Regions Network",
        "short_name": "FSRN",
        "region": "Florida",
        "time_zone": "America/New_York",
        "website": "https://floridasmartregions.org",
        "description": "Florida cities and counties collaborating on resilience, sea-level-rise sensing "
        "and connected transportation.",
        "people": [
            ("Carlos Mendez", "Chief Resilience Officer, Miami-Dade County"),
            ("Hannah Price", "Innovation Analyst, City of Orlando"),
            ("Derek Owens", "Traffic Engineer, City of Tampa"),
        ],
    },
    {
        "slug": "illinois",
        "name": "Illinois Smart Communities Coalition",
        "short_name": "ISCC",
        "region": "Illinois",
        "time_zone": "America/Chicago",
        "website": "https://illinoissmartcommunities.org",
        "description": "Illinois municipalities, from Chicago's suburbs to downstate, pooling research on "
        "emerging technology, cybersecurity and procurement.",
        "people": [
            ("Rachel Kim", "Deputy CIO, City of Evanston"),
            ("Omar Haddad", "Innovation Fellow, City of Peoria"),
            ("Beth Novak", "Purchasing Manager, Village of Schaumburg"),
        ],
    },
]


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


def _user(email, full_name, job_title, *, is_staff=False):
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            username=email.split("@")[0],
            email=email,
            password=DEMO_PASSWORD,
            date_joined=timezone.now() - DEMO_MEMBER_SINCE,
        )
    if is_staff and not user.is_staff:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    # Every user already has a (possibly empty) profile; fill in the demo name without overwriting edits.
    Profile.objects.filter(user=user, full_name="").update(full_name=full_name, job_title=job_title)
    return user


def seed(*, stdout) -> DemoPeople:
    people = DemoPeople()
    people.partnership_admin = _user(
        f"admin@{DEMO_DOMAIN}",
        "Pat Morgan",
        "Partnership Director, National Smart Coalitions Partnership",
        is_staff=True,
    )
    for data in COALITIONS:
        data = dict(data)
        names = data.pop("people")
        coalition, _ = Coalition.objects.get_or_create(slug=data["slug"], defaults=data)
        people.coalitions[coalition.slug] = coalition
        for index, (full_name, job_title) in enumerate(names):
            role = Membership.Role.ADMIN if index == 0 else Membership.Role.MEMBER
            local = "admin" if index == 0 else f"member{index}"
            user = _user(f"{coalition.slug}-{local}@{DEMO_DOMAIN}", full_name, job_title)
            Membership.objects.get_or_create(
                user=user, coalition=coalition, defaults={"role": role, "joined": timezone.now() - DEMO_MEMBER_SINCE}
            )
            if role == Membership.Role.ADMIN:
                people.admins[coalition.slug] = user
            else:
                people.members.setdefault(coalition.slug, []).append(user)
    _seed_pending_business(people)
    stdout.write(f"Coalitions: {len(people.coalitions)}; people: {len(people.everyone)}.")
    return people


def _seed_pending_business(people: DemoPeople) -> None:
    """Something on Colorado's manage page: one person asking to join, one open invitation."""
    colorado = people.coalitions["colorado"]
    applicant = _user(f"applicant@{DEMO_DOMAIN}", "Jamie Cole", "Traffic Operations Engineer, City of Aurora")
    if not Membership.objects.filter(user=applicant, coalition=colorado).exists():
        JoinRequest.objects.get_or_create(
            user=applicant,
            coalition=colorado,
            status=JoinRequest.Status.PENDING,
            defaults={"message": "Aurora is piloting adaptive signals on Colfax and would like to compare notes."},
        )
    invitee = f"invitee@{DEMO_DOMAIN}"
    if not Invitation.objects.open().filter(coalition=colorado, email=invitee).exists():
        Invitation.objects.create(coalition=colorado, email=invitee, invited_by=people.admins["colorado"])


def print_accounts(people: DemoPeople, *, stdout, style) -> None:
    stdout.write(style.SUCCESS(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):"))
    stdout.write(f"  partnership admin  {people.partnership_admin.email}")
    stdout.write(f"  not yet a member   applicant@{DEMO_DOMAIN} (asked to join Colorado)")
    for slug, coalition in people.coalitions.items():
        stdout.write(f"  {coalition.short_name:<6} admin     {people.admins[slug].email}")
        for member in people.members[slug]:
            stdout.write(f"  {coalition.short_name:<6} member    {member.email}")
