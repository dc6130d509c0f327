"""Print every text-message template, for the office to file with its SMS gateway
(Alibaba Cloud or Tencent Cloud), with an example and the ``SMS_TEMPLATES`` setting
that maps each kind to the code the gateway gives it (liaison/sms.py)."""

import json
import re

from django.core.management.base import BaseCommand

from liaison import messages


class Command(BaseCommand):
    help = "Print every SMS template with its parameters and an example."

    def handle(self, *args, **options):
        setting = {}
        for message_kind in messages.all_kinds():
            if message_kind.sms is None:
                continue
            sms = message_kind.sms
            example = messages.preview(message_kind).sms
            counted = re.sub(r"https?://[!-~]+", "", example) if sms.link else example
            self.stdout.write(f"{message_kind.kind} · {message_kind.description}")
            self.stdout.write(f"  阿里云模板内容：{sms.text}")
            self.stdout.write(f"  腾讯云模板内容：{sms.tencent()}")
            self.stdout.write(f"  参数：{', '.join(sms.params) or '—'}")
            note = "，不含链接" if sms.link else ""
            self.stdout.write(f"  示例（{len(counted)}/{messages.SMS_MAX}字{note}）：{example}")
            self.stdout.write("")
            setting[message_kind.kind] = {"code": "SMS_…", "params": list(sms.params)}
        self.stdout.write("SMS_TEMPLATES=" + json.dumps(setting, ensure_ascii=False))
