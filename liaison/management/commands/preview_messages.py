"""Print every message kind for every audience, rendered with example data
(liaison/messages.py): what a reader of the system's messages gets."""

from django.core.management.base import BaseCommand

from liaison import messages


class Command(BaseCommand):
    help = "Print every message kind rendered with example data."

    def add_arguments(self, parser):
        parser.add_argument("--language", default=None, help="e.g. en (default: zh-hans)")
        parser.add_argument("--audience", choices=messages.AUDIENCES, default=None)
        parser.add_argument("kinds", nargs="*", help="only these kinds")

    def handle(self, *args, language=None, audience=None, kinds=(), **options):
        for message_kind in messages.all_kinds():
            if audience and message_kind.audience != audience:
                continue
            if kinds and message_kind.kind not in kinds:
                continue
            shown = messages.preview(message_kind, language=language)
            title = f"{message_kind.kind} · {message_kind.audience} · {message_kind.description}"
            self.stdout.write("=" * 78)
            self.stdout.write(title)
            self.stdout.write("=" * 78)
            if shown.subject:
                self.stdout.write(f"[{message_kind.template}.txt]")
                self.stdout.write(shown.subject)
                self.stdout.write("-" * 78)
                self.stdout.write(shown.body)
            if shown.sms:
                self.stdout.write(f"[SMS, {len(shown.sms)}/{messages.SMS_MAX}] {shown.sms}")
            self.stdout.write("")
