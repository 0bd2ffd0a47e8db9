from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from notifications.digests import build_digests, digest_users
from notifications.outbox import collect_keys
from notifications.services import dispatch_digests, ensure_preferences

from ._sending import send_inline, summary


class Command(BaseCommand):
    help = (
        "Send the digests that are due now (Monday or the 1st, 08:00 in each member's zone), in this process. "
        "--user sends that member's digest for the current period now, even before it is due (still once per "
        "period); --dry-run shows who would get what and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; change nothing.")
        parser.add_argument("--user", metavar="EMAIL", help="Only this member, even if not due yet.")

    def handle(self, *args, dry_run=False, user=None, **options):
        now = timezone.now()
        user_ids = None
        if user:
            member = get_user_model().objects.filter(email__iexact=user.strip()).first()
            if member is None:
                raise CommandError(f"No member with the address {user!r}.")
            user_ids = [member.pk]
        if dry_run:
            self._dry_run(now=now, user_ids=user_ids)
            return
        ensure_preferences(now=now)
        with collect_keys() as keys:
            due = dispatch_digests(now=now, user_ids=user_ids, force=user_ids is not None)
        self.stdout.write(f"Digests due: {len(due)}.")
        report = send_inline(keys, stdout=self.stdout, desc="Sending digests")
        self.stdout.write(self.style.SUCCESS(f"Done: {summary(report)} (skipped: nothing new or unreachable)."))

    def _dry_run(self, *, now, user_ids):
        keys = dispatch_digests(now=now, user_ids=user_ids, force=user_ids is not None, dry_run=True)
        ids = [int(key.split(":")[1]) for key in keys]
        with_news = 0
        chunk = 200
        for start in tqdm(range(0, len(ids), chunk), desc="Composing", file=self.stdout, disable=not ids):
            users = list(digest_users(ids[start : start + chunk]))
            for digest in build_digests(users, now=now).values():
                if digest.is_empty:
                    continue
                with_news += 1
                if user_ids is not None or len(ids) <= 20:
                    self.stdout.write(
                        f"  {digest.user.email}: {digest.practices.total} practices, {digest.adoptions.total} "
                        f"adoptions, {digest.comments.total} comments, {len(digest.meetings)} meetings"
                    )
        self.stdout.write(
            self.style.SUCCESS(
                f"Dry run: {len(ids)} digests due, {with_news} would be sent, {len(ids) - with_news} have nothing new."
            )
        )
