"""`manage.py render_report`: any document, synchronously, for scripts; a year without
data gives an honest empty document, bad input a clear error."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from reports.models import Document
from tests.factories import activity_held

from .helpers import pdf_text, squash

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("plan", "2030年度工作计划尚未制定"),
        ("plan-progress", "尚未制定2030年度工作计划"),
        ("work-report", "本期暂无提案"),
        ("compendium", "2030年度暂无立案提案"),
        ("concerns", "暂无委员反映的问题"),
        ("roster", "暂无在任委员"),
        ("ranking", "暂无在任委员"),
    ],
)
def test_every_kind_renders_an_honest_empty_document(kind, expected, office, tmp_path, capsys):
    out = tmp_path / f"{kind}.pdf"
    call_command(
        "render_report", kind, "--office", office.code, "--year", "2030", "--out", str(out)
    )
    text = pdf_text(out.read_bytes())
    assert expected in squash(text)
    if kind in ("plan", "work-report"):  # 公文: "— 1 —" page numbers, marked a draft
        assert "— 1 —" in text and "草稿" in text
    else:
        assert "第 1 页 共" in text
    assert "页" in capsys.readouterr().out


def test_member_and_activity_documents(office, staff, member, tmp_path):
    activity = activity_held(office=office, staff=staff, attended=[member])
    record = tmp_path / "record.pdf"
    minutes = tmp_path / "minutes.pdf"
    with time_machine.travel(datetime.date(2026, 11, 26)):
        call_command(
            "render_report",
            "duty-record",
            "--office",
            office.code,
            "--year",
            "2026",
            "--member",
            str(member.pk),
            "--out",
            str(record),
        )
        call_command(
            "render_report",
            "minutes",
            "--office",
            office.code,
            "--activity",
            str(activity.pk),
            "--out",
            str(minutes),
        )
    assert "唐朝阳委员2026年度履职档案" in squash(pdf_text(record.read_bytes()))
    assert "2026年上半年政情通报会纪要" in squash(pdf_text(minutes.read_bytes()))
    # Minutes carry the meeting's day (20 March), not the day they were rendered.
    assert "2026年3月20日" in squash(pdf_text(minutes.read_bytes()))
    assert "2026年11月26日" not in squash(pdf_text(minutes.read_bytes()))
    assert not Document.objects.exists()  # a script's render is not stored


def test_half_year_report(office, tmp_path):
    out = tmp_path / "h1.pdf"
    call_command(
        "render_report",
        "work-report",
        "--office",
        office.code,
        "--year",
        "2026",
        "--half",
        "1",
        "--date",
        "2026-07-05",
        "--out",
        str(out),
    )
    text = squash(pdf_text(out.read_bytes()))
    assert "2026年上半年工作报告" in text and "2026年7月5日" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["roster", "--office", "nowhere"], "没有代码为 nowhere 的联络处"),
        (["compendium", "--office", "jcy"], "缺少参数：year"),
        (["duty-record", "--office", "jcy", "--year", "2026"], "缺少参数：member"),
        (["minutes", "--office", "jcy", "--activity", "999"], "该活动不属于本联络处"),
        (["roster", "--office", "jcy", "--date", "26/11/2026"], "日期格式应为"),
    ],
)
def test_bad_input_is_explained(args, message, office, tmp_path):
    with pytest.raises(CommandError, match=message):
        call_command("render_report", *args, "--out", str(tmp_path / "x.pdf"))


def test_another_offices_member_is_refused(office, other_office, tmp_path):
    from tests.factories import MemberFactory

    stranger = MemberFactory(office=other_office, mobile="")
    with pytest.raises(CommandError, match="该委员不属于本联络处"):
        call_command(
            "render_report",
            "duty-record",
            "--office",
            office.code,
            "--year",
            "2026",
            "--member",
            str(stranger.pk),
            "--out",
            str(tmp_path / "x.pdf"),
        )


def test_a_draft_reply_to_the_committee_renders_marked_as_a_draft(office, staff, tmp_path):
    from reports import services

    reply = services.committee_reply_create(
        office=office,
        actor=staff,
        title="关于社区议事协商工作的复函",
        incoming_title="关于报送社区议事协商工作情况的通知",
        body="一、基本情况\n今年共开展议事协商12次。",
    )
    out = tmp_path / "reply.pdf"
    call_command(
        "render_report",
        "reply",
        "--office",
        office.code,
        "--reply",
        str(reply.pk),
        "--out",
        str(out),
    )
    text = squash(pdf_text(out.read_bytes()))
    assert "关于社区议事协商工作的复函" in text and "今年共开展议事协商12次。" in text
    assert "草稿（未定稿：复函尚未发出）" in text  # not sent: it must not pass for the letter
