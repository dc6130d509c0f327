"""Every message kind (liaison/messages.py), rendered with its example for its audience,
reads the way WORDING.md says: the greeting for its reader, one date when it asks for
something, a link, the office's sign-off, no unfilled variable, no status label dropped
into a sentence, text messages within 70 characters; and in English no Chinese is left
but the example's own data (names, titles)."""

import dataclasses
import os
import re
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from liaison import message_examples as ex
from liaison import messages

KINDS = messages.all_kinds()
MAIL_KINDS = [k for k in KINDS if k.template]
SMS_KINDS = [k for k in KINDS if k.sms is not None]

GREETINGS = {
    "member": "尊敬的李明华委员：",
    "unit": "武昌区住房和城市更新局：",
    "expert": "周规划（市规划设计院）：",
    "leader": "王建国同志：",
    "staff": "陈静：",
}
ASKING = re.compile(
    r"于\d{4}年\d{1,2}月\d{1,2}日（星期[一二三四五六日]）(\d{1,2}:\d{2})?(下班)?(前|按时)"
)
SIGN_OFF = "东湖街道政协委员联络处\n联系电话：027-86781234"
UNFILLED = re.compile(r"⟦|\{\{|\{%|\$\{|None|（）|请于前")
# The staff's workflow labels, which a sentence must never be built from ("应于5月8日前
# 婚庆寿诞", "被区级转有关部门") and which members never read.
STAFF_LABELS = (
    "婚庆寿诞",
    "探望病患",
    "吊唁慰问",
    "委员单位重大活动",
    "区级转有关部门",
    "转有关部门",
    "新收集",
    "已分类",
    "已上报协调",
    "已反馈委员",
    "工作人员录入",
    "准假",
    "无故缺席",
    "已发布",
    "待走访",
)
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")


@pytest.fixture
def strict_templates():
    """An unfilled variable shows as ⟦…⟧ instead of vanishing."""
    engine = engines["django"].engine
    before = engine.string_if_invalid
    engine.string_if_invalid = "⟦%s⟧"
    yield
    engine.string_if_invalid = before


# The functions that queue a message (liaison/services.py, members/notifications.py) and
# the outbox row itself; an app's own helper that passes its ``kind`` on to one of them
# joins the list (``_queueing_helpers``). Points, jobs and the like also take a ``kind``
# and are not messages.
QUEUEING = {
    "notification_queue",
    "notify_user",
    "user_notifications_build",
    "notify_office_staff",
    "notify_unit",
    "member_rows",
    "notify_member",
    "Notification",
}
APPS = (
    "briefings",
    "consultations",
    "liaison",
    "members",
    "plans",
    "proposals",
    "reports",
    "visits",
)


def _app_modules():
    """Every module of the apps (notifications.py, reminders.py, tasks.py, services.py
    and the services/ packages …), parsed; not migrations nor the registry itself."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or path.name == "message_kinds.py":
                continue
            yield path, ast.parse(path.read_text())


def _callee(call) -> str:
    import ast

    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _kind_keyword(call):
    return next((k.value for k in call.keywords if k.arg == "kind"), None)


def _queueing_helpers(modules) -> set[str]:
    """QUEUEING and every function that hands its own ``kind`` parameter to one of
    them (briefings' notify_members, consultations' _queue …), to a fixed point."""
    import ast

    names = set(QUEUEING)
    functions = [
        node
        for _path, tree in modules
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and "kind" in {a.arg for a in node.args.args + node.args.kwonlyargs}
    ]
    grown = True
    while grown:
        grown = False
        for function in functions:
            if function.name in names:
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call) or _callee(call) not in names:
                    continue
                value = _kind_keyword(call)
                if isinstance(value, ast.Name) and value.id == "kind":
                    names.add(function.name)
                    grown = True
                    break
    return names


def _strings(node, name: str, target) -> list[str]:
    """The strings ``target`` (a name, or a tuple naming it) takes from ``node``."""
    import ast

    if isinstance(target, ast.Name):
        if target.id != name:
            return []
        return [node.value] if isinstance(node, ast.Constant) else []
    if isinstance(target, ast.Tuple) and isinstance(node, ast.Tuple | ast.List):
        found = []
        for sub_target, sub_node in zip(target.elts, node.elts, strict=False):
            found += _strings(sub_node, name, sub_target)
        return found
    return []


def _values_of(name: str, scopes) -> list[str]:
    """The strings a variable is given: ``KIND = "…"`` in the module, ``kind, key =
    "…", "…"`` in the function, ``for …, kind in ((…, "…"), …)``."""
    import ast

    found = []
    for scope in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    found += _strings(node.value, name, target)
            elif isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple | ast.List):
                for item in node.iter.elts:
                    found += _strings(item, name, node.target)
    return found


def queued_kinds() -> set[str]:
    import ast

    modules = list(_app_modules())
    helpers = _queueing_helpers(modules)
    queued = set()
    for _path, tree in modules:
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _callee(call) not in helpers:
                continue
            value = _kind_keyword(call)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                queued.add(value.value)
            elif isinstance(value, ast.Name):
                function = call
                while function is not None and not isinstance(function, ast.FunctionDef):
                    function = parents.get(function)
                params = set()
                if function is not None:
                    params = {a.arg for a in function.args.args + function.args.kwonlyargs}
                if value.id in params:
                    continue  # a helper's parameter: its callers are read instead
                scopes = [function] if function is not None else []
                given = _values_of(value.id, scopes) or _values_of(value.id, [tree])
                assert given, f"{_path}:{call.lineno}: kind={value.id} not found"
                queued |= set(given)
    return queued


# Kinds written by something else than the message templates, on purpose.
NOT_REGISTERED = {
    # Django's reset e-mail (templates/registration/), made when it is sent so the link
    # is never stored (liaison/password_reset.py).
    "password-reset",
}


def test_every_kind_in_the_code_is_registered():
    """A kind queued anywhere has an entry, and so a wording the test reads."""
    queued = queued_kinds()
    registered = {k.kind for k in KINDS}
    assert queued - registered - NOT_REGISTERED == set()
    assert queued >= NOT_REGISTERED, "an exception no longer needed"


def test_the_scan_finds_messages_and_only_messages():
    """The scan reads every app that queues messages (consultations' reminders through
    its own helper, constants such as members' greeting kind) and not a point rule's
    kind (kind="proposal_lead" in proposals/services/drafting.py is points)."""
    queued = queued_kinds()
    assert {
        "consultation_request",
        "consultation_reminder",
        "consultation_last_call",
        "consultation_outcome",
        "consultation_expert_invitation",
        "proposal_cosign_joined",
        "activity_reply_reminder",
        "birthday_greeting",
        "sms_digest",
    } <= queued
    assert not {"proposal_lead", "proposal_cosigner", "proposal_key"} & queued


@pytest.mark.parametrize("kind", MAIL_KINDS, ids=lambda k: k.template)
def test_a_message_reads_as_its_reader_expects(kind, strict_templates):
    shown = messages.preview(kind)
    text = f"{shown.subject}\n{shown.body}"
    assert shown.subject
    assert shown.body.startswith(GREETINGS[kind.audience] + "\n")
    assert shown.body.endswith(SIGN_OFF) or SIGN_OFF + "\n" in shown.body
    assert "http" in shown.body, "a link to the page where it is done"
    if kind.acts:
        assert ASKING.search(shown.body), "one request with its date"
    assert not UNFILLED.search(text)
    for label in STAFF_LABELS:
        assert label not in text
    assert "尽快" not in text
    assert " 号" not in text and "第 " not in text, "no spaces between Chinese and numbers"


@pytest.mark.parametrize(
    "kind", [k for k in MAIL_KINDS if k.audience in ("unit", "expert")], ids=lambda k: k.template
)
def test_a_unit_is_told_who_sent_the_link_and_how_to_check_it(kind):
    """Units and invited experts, who have no accounts, get a signed link by e-mail."""
    body = messages.preview(kind).body
    assert "无需账号" not in body
    assert "本邮件由东湖街道政协委员联络处发出" in body
    assert "天内有效" in body and "请致电027-86781234核实" in body


def test_the_lead_unit_answers_the_proposer_and_a_co_handling_unit_the_lead_unit():
    kind = messages.by_template("proposals/assigned")
    lead = messages.preview(kind).body
    assert "贵单位主办" in lead and "加盖公章的答复函答复提案人" in lead
    co = kind.example()
    co["assignment"].role = "co"
    co_kind = dataclasses.replace(kind, example=lambda: co)
    body = messages.preview(co_kind).body
    assert "贵单位会办" in body and "将会办意见送主办单位" in body
    assert "无需直接答复提案人" in body


def test_an_accepted_return_tells_the_unit_to_stop():
    kind = messages.by_template("proposals/return_decided")
    context = kind.example()
    context["assignment"].return_state = "accepted"
    accepted = dataclasses.replace(kind, example=lambda: context)
    body = messages.preview(accepted).body
    assert "无需再办理本提案" in body
    assert "请于" not in body


def test_a_visit_is_asked_for_in_the_words_of_the_visit():
    kind = messages.by_template("visits/visit_due")
    for visit_kind, words in (
        ("hospital", "前到医院探望"),
        ("bereavement", "前前往吊唁"),
        ("celebration", "前登门祝贺"),
        ("unit_event", "前出席祝贺"),
    ):
        context = kind.example()
        context["visit"].kind = visit_kind
        asked = dataclasses.replace(kind, example=lambda c=context: c)
        assert words in messages.preview(asked).body


@pytest.mark.parametrize("kind", SMS_KINDS, ids=lambda k: k.kind)
def test_a_text_message_fits_one_message(kind, strict_templates):
    text = messages.preview(kind).sms
    if kind.sms.link:  # the activation link, in a template registered with it
        assert "${url}" in kind.sms.text and "http" in text
        text = re.sub(r"https?://[!-~]+", "", text)
    assert len(text) <= messages.SMS_MAX, text
    assert text.startswith("【") and text.count("【") == 1 and text.count("】") == 1
    assert "http" not in text, "a phone number rather than a link"
    assert not UNFILLED.search(text)
    # Parameter names the gateways accept (letters, digits, underscores).
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{0,19}", name) for name in kind.sms.params)
    if kind.audience == "member" and "name" in kind.sms.params:
        assert "尊敬的李明华委员，" in text


def _data_strings(value, found):
    """Every string in the example's data: what may stay Chinese in English."""
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _data_strings(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _data_strings(item, found)
    elif isinstance(value, SimpleNamespace):
        _data_strings(vars(value), found)
    return found


def _without_data(text: str, kind) -> str:
    data = _data_strings(kind.example(), set(ex.NAMES.values()))
    data |= {ex.office().name, messages.sms_title(ex.office().name)}
    for value in list(data):
        data.add(messages.sms_title(value))
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    return text


@pytest.fixture
def english(settings):
    """English as the lead compiles it into locale/en; WORDING_LOCALE_PATHS points at a
    catalogue compiled elsewhere (a branch's translations before the merge). Changing
    the setting resets Django's translation caches."""
    if os.environ.get("WORDING_LOCALE_PATHS"):
        settings.LOCALE_PATHS = [os.environ["WORDING_LOCALE_PATHS"]]


# Text messages are the gateway's registered Chinese templates, the same whatever the
# language of the page; the e-mail and portal text follows the language.
@pytest.mark.parametrize("kind", MAIL_KINDS, ids=lambda k: k.template)
def test_in_english_no_chinese_is_left_but_the_data(kind, english):
    shown = messages.preview(kind, language="en")
    with translation.override("en"):
        text = _without_data(f"{shown.subject}\n{shown.body}", kind)
    assert not CJK.search(text), CJK.findall(text)
