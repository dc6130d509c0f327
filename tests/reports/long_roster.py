"""Render a made-up roster of N members the way the worker does, in this process, and
print its pages, CPU seconds, size and peak memory as JSON:
``python -m tests.reports.long_roster N [MiB [CHUNK_ROWS [OUT.pdf]]]``
(tests/reports/test_long_documents.py runs it in a subprocess; MiB, unless 0, caps the
process's address space so that a regression fails instead of eating the machine)."""

import datetime
import json
import os
import resource
import sys
import time
from types import SimpleNamespace

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
EMPLOYERS = [
    "韭菜园街道社区卫生服务中心",
    "长沙市某某科技有限公司",
    "芙蓉区第一中学",
    "某律师事务所",
]


def member(i: int) -> SimpleNamespace:
    return SimpleNamespace(
        name=SURNAMES[i % 20] + "晓明丽华"[i % 4] + "军芳"[i % 2],
        get_sex_display=lambda: "女" if i % 3 == 0 else "男",
        ethnicity="汉族",
        birth_date=datetime.date(1955 + i % 40, i % 12 + 1, 1),
        affiliation=SimpleNamespace(name="中国共产党" if i % 3 else "无党派人士"),
        sector=SimpleNamespace(name="经济界" if i % 2 else "教育界"),
        get_role_display=lambda: "常委" if i % 7 == 0 else "委员",
        employer=EMPLOYERS[i % 4],
        position="副主任" if i % 5 else "",
        mobile=f"138{i:08d}",
    )


def main(rows: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.test")
    import django

    django.setup()
    from reports import pdf
    from reports.documents import ROSTER_CELLS, Built, render_built, roster_rows

    if len(sys.argv) > 3 and int(sys.argv[3]):
        pdf.CHUNK_ROWS = int(sys.argv[3])

    built = Built(
        "reports/roster.html",
        {
            "office": SimpleNamespace(name="韭菜园街道政协联络处"),
            "kind": "roster",
            "title": "委员名册",
            "date_text": "2026年11月26日",
            "document_date": datetime.date(2026, 11, 26),
            "first_row": 0,
            **roster_rows([member(i) for i in range(rows)]),
            "total": rows,
            "women": 0,
            "sector_chart": "",
        },
        table="members",
        cells_per_row=ROSTER_CELLS,
    )
    started = time.process_time()  # the machine is shared: CPU time, not wall time
    rendered = render_built(built)
    seconds = time.process_time() - started
    if len(sys.argv) > 4:
        with open(sys.argv[4], "wb") as out:
            out.write(rendered.content)
    return {
        "pages": rendered.pages,
        "seconds": seconds,
        "size": rendered.size,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    if len(sys.argv) > 2 and int(sys.argv[2]):
        cap = int(sys.argv[2]) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    print(json.dumps(main(int(sys.argv[1]))))
