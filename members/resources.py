"""Roster import and export (django-import-export) with the headers of a real office roster.

Rules the office relies on (issue 2, "Import and export" and "Bad input"):

- Columns carry Chinese headers (姓名, 性别, 界别 …). They are a file format shared with
  other offices and old systems, so they stay Chinese whatever the interface language.
- Lookups (界别, 政治面貌, 届次) are matched by name and choices (性别, 状态, 政协职务) by
  their Chinese label; each lookup table is read once per import, not once per row.
- A row whose 委员编号 is already on the roster updates that member; otherwise it creates
  one in the importing user's office.
- Every bad row is reported with its row number (as Excel shows it: the header is row 1),
  the column and the reason, and nothing at all is written unless every row is valid.
"""

import datetime
import logging
import re
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from liaison.errors import error_reference
from liaison.models import Office
from liaison.scoping import sees_all_offices, visible_offices

from .models import Affiliation, Contribution, Member, Sector, Term
from .services import MOBILE_RE, normalize_mobile
from .strokes import stroke_sort_key

# Model field -> the column header of the office's roster, in the order of the file.
MEMBER_COLUMNS = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "native_place": "籍贯",
    "education": "学历",
    "member_no": "委员编号",
    "term": "届次",
    "sector": "界别",
    "affiliation": "政治面貌",
    "role": "政协职务",
    "employer": "工作单位",
    "position": "职务",
    "professional_title": "职称",
    "mobile": "手机号码",
    "office_phone": "办公电话",
    "email": "电子邮箱",
    "wechat": "微信号",
    "home_address": "家庭住址",
    "work_address": "单位地址",
    "status": "状态",
    # Only where the user sees several offices (district staff of a multi-office install).
    "office": "联络处",
}
OFFICE_COLUMN = MEMBER_COLUMNS["office"]
# Columns a roster must have. 届次 may be left empty or left out: new members join the
# current term, existing ones keep theirs.
REQUIRED_COLUMNS = ("姓名", "性别", "委员编号", "界别", "政治面貌")
# Headers other rosters use for the same column.
HEADER_ALIASES = {
    "手机": "手机号码",
    "手机号": "手机号码",
    "移动电话": "手机号码",
    "联系电话": "手机号码",
    "邮箱": "电子邮箱",
    "电子邮件": "电子邮箱",
    "微信": "微信号",
    "出生年月日": "出生日期",
    "编号": "委员编号",
    "所在界别": "界别",
    "党派": "政治面貌",
    "职务（政协）": "政协职务",
    "单位": "工作单位",
    "工作单位及职务": "工作单位",
    "住址": "家庭住址",
    "届别": "届次",
    "联络处代码": "联络处",
}

_HEADER_SPACE_RE = re.compile(r"\s+")

logger = logging.getLogger(__name__)


class ImportProblem(Exception):
    """A problem with the file as a whole (a missing column, no data); shown as is."""


@dataclass(frozen=True)
class Problem:
    """One reason an import was refused: ``row`` as Excel numbers it (None: whole file)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column is None:
            return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}
        return _("第 %(row)s 行「%(column)s」：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def sheet_row(number: int) -> int:
    """The row Excel shows for the ``number``-th data row (the header is row 1)."""
    return number + 1


def _text(value) -> str:
    """A cell as text: Excel gives numbers for numeric-looking cells (13900000001 or
    13900000001.0), which must read back as the digits staff typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_blank_row(row) -> bool:
    return all(_text(v) == "" for v in row.values()) if row else True


def _zh(label) -> str:
    """A choice label in Chinese, the language of roster files."""
    with translation.override("zh-hans"):
        return str(label)


# --- Widgets -----------------------------------------------------------------------------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class MobileWidget(TextWidget):
    """Mainland mobile numbers; spaces, hyphens and a +86 prefix are dropped."""

    def clean(self, value, row=None, **kwargs):
        raw = _text(value)
        number = normalize_mobile(raw)
        if number and not MOBILE_RE.match(number):
            raise ValueError(
                _("“%(value)s”不是有效的手机号码，应为以 1 开头的 11 位数字") % {"value": raw}
            )
        return number


class ChineseDateWidget(widgets.Widget):
    """Dates as Excel gives them (a date cell) or as people type them: 1970-05-17,
    1970/5/17, 1970.5.17, 1970年5月17日, 19700517."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                parsed = datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if not datetime.date(1900, 1, 1) <= parsed <= timezone.localdate():
                raise ValueError(_("日期“%(value)s”不在合理范围内") % {"value": text})
            return parsed
        raise ValueError(
            _("无法识别的日期“%(value)s”，请写成 1970-05-17 的形式（需精确到日）") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return value.isoformat()


class ChoiceLabelWidget(widgets.Widget):
    """A choice field written by its Chinese label (性别 男/女, 状态 在任/届满/已故)."""

    def __init__(self, choices, *, default=None):
        super().__init__()
        self.by_label = {_zh(label): value for value, label in choices}
        self.labels = {value: label for label, value in self.by_label.items()}
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            if self.default is None:
                raise ValueError(_("不能为空"))
            return self.default
        if text in self.by_label:
            return self.by_label[text]
        if text in self.labels:  # the stored code, e.g. from an older export
            return text
        raise ValueError(
            _("“%(value)s”不是可选的值，应为：%(options)s")
            % {"value": text, "options": "、".join(self.by_label)}
        )

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class LookupWidget(widgets.Widget):
    """A row of an editable lookup (界别, 政治面貌, 届次, 联络处) found by its name.

    The whole table is read once, on the first row that needs it: a roster of 500 rows
    costs one query per lookup, not one per row.
    """

    def __init__(self, what, *, keys=("name",), required=True, list_options=False):
        super().__init__()
        self.what = what
        self.keys = keys
        self.required = required
        self.list_options = list_options
        self.reset()

    def reset(self, queryset=None):
        self.queryset = queryset
        self._index = None
        self.blank_default = None

    def index(self) -> dict:
        if self._index is None:
            self._index = {}
            for obj in self.queryset:
                for key in self.keys:
                    self._index.setdefault(str(getattr(obj, key)), obj)
        return self._index

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            if self.blank_default is not None:
                return self.blank_default
            if self.required:
                raise ValueError(_("不能为空"))
            return None
        obj = self.index().get(text)
        if obj is None:
            message = _("找不到%(what)s“%(value)s”") % {"what": self.what, "value": text}
            if self.list_options:
                names = list(dict.fromkeys(getattr(o, self.keys[0]) for o in self.index().values()))
                message += _("（可填：%(options)s）") % {"options": "、".join(names)}
            raise ValueError(message)
        return obj

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.keys[-1]) if value is not None else ""


# --- Members -----------------------------------------------------------------------------


def _field(name, widget, **kwargs):
    return Field(attribute=name, column_name=MEMBER_COLUMNS[name], widget=widget, **kwargs)


class MemberResource(resources.ModelResource):
    """The roster as a spreadsheet. Built per request with the acting user, so that
    imported members land in that user's office and exports show the office column only
    to someone who sees several offices."""

    name = _field("name", TextWidget())
    sex = _field("sex", ChoiceLabelWidget(Member.Sex.choices))
    ethnicity = _field("ethnicity", TextWidget())
    birth_date = _field("birth_date", ChineseDateWidget())
    native_place = _field("native_place", TextWidget())
    education = _field("education", TextWidget())
    member_no = _field("member_no", TextWidget())
    term = _field("term", LookupWidget(_("届次"), list_options=True))
    sector = _field("sector", LookupWidget(_("界别")))
    affiliation = _field("affiliation", LookupWidget(_("政治面貌")))
    role = _field("role", ChoiceLabelWidget(Member.Role.choices, default=Member.Role.MEMBER))
    employer = _field("employer", TextWidget())
    position = _field("position", TextWidget())
    professional_title = _field("professional_title", TextWidget())
    mobile = _field("mobile", MobileWidget())
    office_phone = _field("office_phone", TextWidget())
    email = _field("email", TextWidget())
    wechat = _field("wechat", TextWidget())
    home_address = _field("home_address", TextWidget())
    work_address = _field("work_address", TextWidget())
    status = _field(
        "status", ChoiceLabelWidget(Member.Status.choices, default=Member.Status.SERVING)
    )
    # An empty 联络处 keeps an existing member's office (saves_null_values=False).
    office = _field(
        "office",
        LookupWidget(_("联络处"), keys=("code", "name"), required=False),
        saves_null_values=False,
    )

    # Validated by the widgets (lookups) or by the checks below (uniqueness), or not
    # part of the file; leaving them out of full_clean() saves one query per row each.
    NOT_CLEANED = ("office", "user", "term", "sector", "affiliation", "photo", "stroke_key")

    class Meta:
        model = Member
        name = "委员名册"
        fields = tuple(MEMBER_COLUMNS)
        import_id_fields = ("member_no",)
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 500
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, user=None, office=None, show_office=False, progress=None, **kwargs):
        """``office`` is where new members go when the file does not say;
        ``show_office`` adds the 联络处 column (users who see several offices);
        ``progress(1)`` is called after each row (a job's ``advance``)."""
        super().__init__(**kwargs)
        self.user = user
        self.default_office = office
        self.show_office = show_office
        self.progress = progress
        # (row as Excel numbers it, import type, 委员编号, 姓名) of each non-blank row.
        self.outcomes = []
        if not show_office:
            del self.fields["office"]

    def get_queryset(self):
        # Not scoped: a member number already used in another office must be reported,
        # not silently created twice.
        return Member.objects.select_related("sector", "affiliation", "term", "office")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("sector", "affiliation", "term", "office")

    # --- import ---------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # Nothing at all is written unless every row is valid (issue 2, "Bad input"):
        # always inside a transaction, rolled back on any invalid row.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        result.problems = self.describe_problems(result)
        return result

    def before_import(self, dataset, **kwargs):
        try:
            self._prepare(dataset)
        except Exception:
            # A file that cannot be read as a roster is refused as a whole, without a
            # confusing error for each of its rows.
            del dataset[0 : len(dataset)]
            raise

    def _prepare(self, dataset):
        dataset.headers = [self._normalize_header(h) for h in (dataset.headers or [])]
        while len(dataset) and _is_blank_row(dict(zip(dataset.headers, dataset[-1], strict=True))):
            dataset.pop()
        self._check_headers(dataset)
        self._prepare_lookups()
        column = dataset.headers.index(MEMBER_COLUMNS["member_no"])
        self._file_member_nos = {_text(r[column]) for r in dataset} - {""}
        self._mobile_owner = dict(
            Member.objects.exclude(mobile="").values_list("mobile", "member_no")
        )
        self._rows_by_member_no = {}
        self._rows_by_mobile = {}

    def _check_headers(self, dataset):
        headers = dataset.headers
        seen = set()
        for header in headers:
            if header and header in seen:
                raise ImportProblem(_("表头“%(column)s”出现了不止一次。") % {"column": header})
            seen.add(header)
        missing = [c for c in REQUIRED_COLUMNS if c not in headers]
        if missing:
            raise ImportProblem(
                _("文件缺少必需的列：%(columns)s。第 1 行应为表头，例如：%(example)s。")
                % {
                    "columns": "、".join(missing),
                    "example": "、".join(f.column_name for f in self.get_import_fields()[:6]),
                }
            )
        if not len(dataset):
            raise ImportProblem(_("文件中没有委员数据。"))

    @staticmethod
    def _normalize_header(header) -> str:
        header = _HEADER_SPACE_RE.sub("", _text(header)).replace("*", "")
        return HEADER_ALIASES.get(header, header)

    def _prepare_lookups(self):
        self.fields["sector"].widget.reset(Sector.objects.all())
        self.fields["affiliation"].widget.reset(Affiliation.objects.all())
        term_widget = self.fields["term"].widget
        term_widget.reset(Term.objects.all())
        # An empty 届次 means the current term.
        term_widget.blank_default = next(
            (t for t in term_widget.index().values() if t.is_current), None
        )
        if "office" in self.fields:
            offices = visible_offices(self.user) if self.user else Office.objects.all()
            self.fields["office"].widget.reset(offices)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Empty lines between rows are common in hand-kept rosters; ignore them.
        if _is_blank_row(row):
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_import_row(self, row, row_result, **kwargs):
        if not _is_blank_row(row):
            self.outcomes.append(
                (
                    sheet_row(kwargs["row_number"]),
                    row_result.import_type,
                    _text(row.get(MEMBER_COLUMNS["member_no"])),
                    _text(row.get(MEMBER_COLUMNS["name"])),
                )
            )
        if self.progress is not None:
            self.progress(1)

    def import_instance(self, instance, row, **kwargs):
        if _is_blank_row(row):
            return
        number = sheet_row(kwargs["row_number"])
        original_office_id = instance.office_id
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        self._check_term(instance, errors)
        self._check_office(instance, original_office_id, errors)
        self._check_unique(instance, number, errors)
        instance.stroke_key = stroke_sort_key(instance.name)
        if errors:
            raise ValidationError(errors)

    def _check_term(self, instance, errors):
        """A roster without the optional 届次 column: new members join the current term
        (existing members keep theirs), as an empty 届次 cell does."""
        if instance.term_id is not None or "term" in errors:
            return
        current = self.fields["term"].widget.blank_default
        if current is None:
            errors["term"] = [ValidationError(_("系统中未设置本届届次，请在文件中填写届次"))]
        else:
            instance.term = current

    def _own_office_ids(self) -> set:
        """The offices whose members this import may update, read once per import."""
        if not hasattr(self, "_office_ids"):
            self._office_ids = set(visible_offices(self.user).values_list("pk", flat=True))
        return self._office_ids

    def _check_office(self, instance, original_office_id, errors):
        is_new = instance.pk is None
        if not is_new and self.user is not None and not sees_all_offices(self.user):
            if original_office_id not in self._own_office_ids():
                errors.setdefault("member_no", []).append(
                    ValidationError(
                        _("委员编号“%(number)s”已是其他联络处的委员，不能在这里导入")
                        % {"number": instance.member_no}
                    )
                )
            return
        if instance.office_id is None and "office" not in errors:
            if self.default_office is None:
                errors.setdefault("office", []).append(
                    ValidationError(_("不能为空，请填写联络处代码或名称"))
                )
            else:
                instance.office = self.default_office

    def _check_unique(self, instance, number, errors):
        """The member number and the mobile number (members sign in with it) each name
        one member: checked against the file itself and, with one query for the whole
        file, against the roster."""
        member_no = instance.member_no
        if member_no:
            first = self._rows_by_member_no.setdefault(member_no, number)
            if first != number:
                errors.setdefault("member_no", []).append(
                    ValidationError(_("与第 %(row)s 行的委员编号重复") % {"row": first})
                )
        mobile = instance.mobile
        if mobile and "mobile" not in errors:
            first = self._rows_by_mobile.setdefault(mobile, number)
            owner = self._mobile_owner.get(mobile)
            if first != number:
                errors["mobile"] = [
                    ValidationError(_("与第 %(row)s 行的手机号码重复") % {"row": first})
                ]
            elif owner and owner != member_no and owner not in self._file_member_nos:
                errors["mobile"] = [
                    ValidationError(
                        _("手机号码已登记在委员编号“%(number)s”名下") % {"number": owner}
                    )
                ]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        exclude = set(errors) | set(self.NOT_CLEANED)
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        # Bulk writes skip save() and auto_now, so set what they would have set.
        instance.stroke_key = stroke_sort_key(instance.name)
        instance.updated_at = timezone.now()

    def get_bulk_update_fields(self):
        fields = [f.attribute for f in self.get_import_fields() if f.attribute != "member_no"]
        return [*fields, "stroke_key", "updated_at"]

    def _history_kwargs(self):
        return {"default_user": self.user, "default_change_reason": _("从名册文件导入")}

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Like the library's, but every new member also gets its first history row.
        if self.create_instances and (using_transactions or not dry_run):
            try:
                with transaction.atomic():
                    bulk_create_with_history(
                        self.create_instances,
                        Member,
                        batch_size=batch_size,
                        **self._history_kwargs(),
                    )
            except Exception as e:
                self.handle_import_error(result, e, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                with transaction.atomic():
                    bulk_update_with_history(
                        self.update_instances,
                        Member,
                        self.get_bulk_update_fields(),
                        batch_size=batch_size,
                        **self._history_kwargs(),
                    )
            except Exception as e:
                self.handle_import_error(result, e, raise_errors)
            finally:
                self.update_instances.clear()

    # --- reporting ------------------------------------------------------------------

    def describe_problems(self, result) -> list[Problem]:
        """Every reason the import was refused, in the order of the file."""
        columns = {f.attribute: f.column_name for f in self.fields.values()}
        order = {name: i for i, name in enumerate(MEMBER_COLUMNS.values())}
        problems = []
        for error in result.base_errors:
            problems.append(Problem(None, None, self._error_text(error.error, None)))
        row_problems = []
        for invalid in result.invalid_rows:
            for field, messages in invalid.error_dict.items():
                column = None if field == NON_FIELD_ERRORS else columns.get(field, field)
                for message in messages:
                    row_problems.append(
                        Problem(sheet_row(invalid.number), column, message.rstrip("。"))
                    )
        for error_row in result.error_rows:
            for error in error_row.errors:
                row = sheet_row(error_row.number)
                row_problems.append(Problem(row, None, self._error_text(error.error, row)))
        row_problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
        return problems + row_problems

    @staticmethod
    def _error_text(error, row) -> str:
        if isinstance(error, ImportProblem):
            return str(error)
        # Anything else (a database error above all) is not for staff to read: they get
        # a reference number, the log gets the error.
        where = "Roster import failed" if row is None else f"Roster import failed at row {row}"
        reference = error_reference(logger, error, where)
        return _("导入时发生系统错误，文件未导入。请把参考编号 %(reference)s 告诉系统管理员。") % {
            "reference": reference
        }


# --- Contributions -----------------------------------------------------------------------


class ContributionResource(resources.ModelResource):
    """Members' contributions for the year-end account of the "three services"."""

    member_no = Field(attribute="member__member_no", column_name="委员编号", readonly=True)
    member = Field(attribute="member__name", column_name="委员", readonly=True)
    office = Field(attribute="member__office__name", column_name="联络处", readonly=True)
    kind = Field(
        attribute="kind", column_name="类别", widget=ChoiceLabelWidget(Contribution.Kind.choices)
    )
    year = Field(attribute="year", column_name="年度", widget=widgets.IntegerWidget())
    title = Field(attribute="title", column_name="事项", widget=TextWidget())
    amount = Field(attribute="amount", column_name="金额（元）", widget=widgets.DecimalWidget())
    description = Field(attribute="description", column_name="说明", widget=TextWidget())

    class Meta:
        model = Contribution
        name = "委员贡献"
        fields = ("member_no", "member", "office", "kind", "year", "title", "amount", "description")

    def __init__(self, *, show_office=False, **kwargs):
        super().__init__(**kwargs)
        if not show_office:
            del self.fields["office"]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("member__office")
