"""Import a station's register of opinions (an outlet's book or the phone line's sheet) from .xlsx or .csv.

Columns (Chinese or English headers): 收到日期 received_on (required), 反映内容 text (required), 类别 category
(required: the code or the name of one of the station's categories), 地点 place (a territory in the station's
area, by code or name), 详细地址 address, 渠道 channel (服务点 outlet, 电话 phone, 走访 visit; blank: import),
服务点 outlet (code or name of one of the station's outlets), 反映人 submitter_name, 联系电话 phone, 电子邮箱 email.

History carried over (a station that starts mid-year): 办理状态 state (已办结/已解决 solved, 已解释说明/已答复/
不予受理 explained, 暂不能解决 cannot be solved for now, 正在办理/处理中 in progress, in either language; blank or
已受理/已交办: as taken in), 答复内容 reply, 答复日期 replied_on, 办理人 handler, 办理人电话 handler_contact,
满意度评分 rating (1-5 or 满意/不满意 ...), 评价日期 rated_on. Rules: the reply date is on or after the day received,
the rating date on or after the reply date, neither in the future, the score within the `opinions.rating` scale,
a rating only of a closing reply. They are applied through `services.submit_past_opinion` (routing published as of
the day received) and `services.carry_over` (`record_past_outcome`, `record_rating`): the opinion's history shows
the dates in the file. An opinion already taken in gets only the steps it lacks ("update"); a row whose steps are
all there is "unchanged".

Every row is checked first (`plan_import`, which never writes): the dry run shows where each opinion would go
(`services.route_for`, as of the day received) and its reply deadline (`services.deadline_for`). `apply_import` checks the rows again and
creates each through `services.submit_opinion(channel=..., received_on=...)` in one transaction, all or nothing,
so routing, numbering, deadlines and the audit log are the service's. A row whose opinion the station already
has (same day, text, name and phone) is "unchanged": importing the same register twice writes nothing twice.
The file reading, `RowError` and the plan shapes are the roster importer's (`grassroots.members.importer`).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError
from grassroots.core.idnumber import mask_email, mask_phone
from grassroots.core.sheets import (
    Column,
    ImportPlan,
    PlannedRow,
    Progress,
    Row,
    RowError,
    Sheet,
    apply_rows,
    check_rows,
    cli_report,
    has_control,
    norm,
    read_rows,
    read_sheet,
)
from grassroots.orgs.models import Organization, Territory
from grassroots.rules.registry import in_force

from . import services
from .models import COMPLETED, Category, Channel, Opinion, OpinionChange, OpinionRating, Outlet, State

COLUMNS: tuple[Column, ...] = (
    Column("received_on", "收到日期", "received_on",
           ("受理日期", "反映日期", "登记日期", "收件日期", "日期", "received", "date", "received_date"), required=True),
    Column("text", "反映内容", "text", ("意见内容", "意见建议", "反映问题", "问题", "内容", "opinion", "content"),
           required=True),
    Column("category", "类别", "category", ("问题类别", "分类", "类型", "category_code"), required=True),
    Column("place", "地点", "place", ("所在地", "村社区", "村", "社区", "村组", "territory")),
    Column("address", "详细地址", "address", ("地址",)),
    Column("channel", "渠道", "channel", ("反映渠道", "受理方式", "来源")),
    Column("outlet", "服务点", "outlet", ("民情快递站", "快递站", "服务网点", "网点", "受理点")),
    Column("submitter_name", "反映人", "submitter_name", ("反映人姓名", "姓名", "群众姓名", "name", "submitter")),
    Column("submitter_phone", "联系电话", "phone", ("电话", "手机", "手机号码", "联系方式", "submitter_phone", "mobile")),
    Column("submitter_email", "电子邮箱", "email", ("邮箱", "submitter_email")),
    # History carried over: the outcome (state, reply, its date) and the submitter's rating (score, its date).
    Column("state", "办理状态", "state", ("状态", "处理状态", "办结状态", "办结情况", "outcome", "status")),
    Column("reply", "答复内容", "reply", ("答复", "答复意见", "回复", "回复内容", "处理结果", "办理结果", "reply_text")),
    Column("replied_on", "答复日期", "replied_on", ("回复日期", "办结日期", "办理日期", "reply_date", "replied")),
    Column("handler_name", "办理人", "handler", ("经办人", "承办人", "handler_name")),
    Column("handler_contact", "办理人电话", "handler_contact", ("经办人电话", "承办人电话", "承办人联系方式")),
    Column("score", "满意度评分", "rating", ("评分", "满意度", "评价", "满意度评价", "score")),
    Column("rated_on", "评价日期", "rated_on", ("评分日期", "rating_date", "rated")),
)
BY_FIELD = {c.field: c for c in COLUMNS}
# The service's argument names where they differ from the columns'.
_SERVICE_FIELD_TO_COLUMN = {"territory": "place", "on": "replied_on", "to_state": "state", "reply_text": "reply"}
# The channels a register holds (the public ones, web and Open311, are never imported): first label as written.
CHANNEL_LABELS: dict[str, tuple[str, ...]] = {
    Channel.OUTLET: ("服务点", "民情快递站", "快递站", "网点", "现场", "outlet"),
    Channel.PHONE: ("电话", "热线", "来电", "phone"),
    Channel.VISIT: ("走访", "来访", "座谈", "上门", "visit"),
    Channel.IMPORT: ("导入", "台账", "登记", "import"),
}
_CHANNEL_INDEX = {norm(label): code for code, labels in CHANNEL_LABELS.items() for label in labels}
# The outcomes a register writes (first label as the template lists it); "" is no outcome yet (as taken in).
STATE_LABELS: dict[str, tuple[str, ...]] = {
    State.SOLVED: ("已办结", "办结", "已解决", "解决", "已完成", "完成", "已处理", "solved", "completed", "done",
                   "closed"),
    State.EXPLAINED: ("已解释说明", "已解释", "解释说明", "已说明", "已答复", "不予受理", "不属于受理范围", "explained",
                      "rejected", "answered"),
    State.CANNOT_SOLVE: ("暂不能解决", "暂无法解决", "无法解决", "暂缓解决", "cannot_solve", "cannot be solved",
                         "cannot be solved for now"),
    State.IN_PROGRESS: ("正在办理", "处理中", "办理中", "正在处理", "在办", "in_progress", "in progress",
                        "being solved"),
    "": ("已受理", "受理", "待办", "待处理", "未办理", "已交办", "交办", "received", "assigned", "open"),
}
_STATE_INDEX = {norm(label): code for code, labels in STATE_LABELS.items() for label in labels}
# Ratings written as words in a register, on the 1-5 scale.
SCORE_WORDS: dict[str, int] = {"非常满意": 5, "满意": 4, "基本满意": 3, "一般": 3, "不满意": 2, "非常不满意": 1}
_SCORE_INDEX = {norm(k): v for k, v in SCORE_WORDS.items()}
_PHONE = re.compile(r"\+?\d{5,15}")
_TEXT_CONTROLS_ALLOWED = {"\n", "\r", "\t"}  # a cell may break lines (Alt+Enter)
MAX_ADDRESS = 200
MAX_NAME = 50
MAX_EMAIL = 100
TEMPLATE_SHEET = "民情登记"


@dataclass
class OpinionRow(PlannedRow):
    """A row of the dry run: `values` are `submit_opinion`'s arguments; the rest is what the dry run shows."""

    received_on: dt.date | None = None
    category: str = ""
    place: str = ""
    channel: str = ""
    outlet: str = ""
    goes_to: str = ""  # the department or organization its category routes it to, or "to be sorted"
    deadline: dt.date | None = None
    text: str = ""
    outcome: str = ""  # the state the register's reply gives it, as a label ("" when none)
    replied_on: dt.date | None = None
    score: int | None = None
    rated_on: dt.date | None = None
    number: str = ""  # the opinion already taken in (an update or unchanged row)
    opinion_id: int | None = None
    history: dict[str, Any] = field(default_factory=dict, repr=False)  # `services.carry_over`'s arguments


@dataclass
class OpinionImportPlan(ImportPlan):
    """The roster importer's plan, for one station's register."""

    station: Organization | None = field(default=None, repr=False)


class _Planner:
    def __init__(self, sheet: Sheet, station: Organization) -> None:
        self.sheet = sheet
        self.station = station
        self.today = services._today()  # the service's "today", so a dry run and the import agree
        self.categories: dict[str, Category] = {}
        categories = list(Category.objects.filter(org=station).order_by("-active", "code"))  # active names win
        for cat in categories:
            for key in (cat.name, cat.name_en):
                if key:
                    self.categories.setdefault(norm(key), cat)
        for cat in categories:  # a code wins over a name spelled the same
            self.categories[norm(cat.code)] = cat
        self.outlets: dict[str, Outlet] = {}
        outlets = list(Outlet.objects.filter(org=station).select_related("territory").order_by("code"))
        for outlet in outlets:
            self.outlets.setdefault(norm(outlet.name), outlet)
        for outlet in outlets:
            self.outlets[norm(outlet.code)] = outlet
        self._places: dict[str, tuple[Territory | None, str]] = {}
        self._known: dict[dt.date, dict[tuple[str, str, str], Opinion]] = {}
        self.seen: dict[tuple[dt.date, str, str, str], int] = {}

    def run(self, progress: Progress | None = None) -> tuple[list[PlannedRow], list[RowError]]:
        return check_rows(self.sheet, self.check, progress)

    # --- lookups ---------------------------------------------------------------------------------------
    def category(self, row: Row) -> Category | None:
        value = row.text("category")
        if not value:
            row.error("category", _("this cell is required: the category says who handles the opinion and by "
                                    "when"))
            return None
        cat = self.categories.get(norm(value))
        if cat is None:
            accepted = "、".join(sorted({c.name for c in self.categories.values() if c.active}))
            row.error("category", _("unknown category %(value)s (use one of %(accepted)s)")
                      % {"value": value[:40], "accepted": accepted})
            return None
        if not cat.active:
            row.error("category", _("the category %(name)s is no longer in use") % {"name": cat.name})
            return None
        return cat

    def place(self, row: Row) -> Territory | None:
        value = row.text("place")
        if not value:
            return None
        if value not in self._places:
            self._places[value] = self._resolve_place(value)
        place, problem = self._places[value]
        if problem:
            row.error("place", problem)
        return place

    def _resolve_place(self, value: str) -> tuple[Territory | None, str]:
        area = self.station.territory
        within = Territory.objects.filter(path__startswith=area.path) if area is not None else Territory.objects.all()
        found = Territory.objects.filter(code=value).first()
        if found is not None:
            if area is not None and not found.path.startswith(area.path):
                return None, _("%(place)s is outside the area of %(station)s") % {"place": found.name,
                                                                                    "station": self.station.name}
            return found, ""
        named = list(within.filter(name=value).order_by("path")[:2])
        if len(named) > 1:
            return None, _("several places are named %(name)s: use the code") % {"name": value}
        if not named:
            return None, _("unknown place %(value)s (give its code or exact name)") % {"value": value[:40]}
        return named[0], ""

    def outlet(self, row: Row) -> Outlet | None:
        value = row.text("outlet")
        if not value:
            return None
        outlet = self.outlets.get(norm(value))
        if outlet is None:
            accepted = "、".join(sorted({o.name for o in self.outlets.values()})) or _("(none)")
            row.error("outlet", _("unknown outlet %(value)s (use one of %(accepted)s)")
                      % {"value": value[:40], "accepted": accepted})
        return outlet

    def channel(self, row: Row) -> str:
        value = row.text("channel")
        if not value:
            return Channel.IMPORT
        code = _CHANNEL_INDEX.get(norm(value))
        if code is None:
            accepted = "、".join(labels[0] for labels in CHANNEL_LABELS.values())
            row.error("channel", _("unknown channel %(value)s (use one of %(accepted)s)")
                      % {"value": value[:40], "accepted": accepted})
            return Channel.IMPORT
        return code

    def known(self, day: dt.date) -> dict[tuple[str, str, str], Opinion]:
        """The station's opinions received on `day`, by (text, name, phone) (the first taken in)."""
        if day not in self._known:
            found: dict[tuple[str, str, str], Opinion] = {}
            for op in Opinion.objects.filter(station=self.station, received_on=day).order_by("-id"):
                found[(op.text, op.submitter_name, op.submitter_phone)] = op
            self._known[day] = found
        return self._known[day]

    # --- cells -----------------------------------------------------------------------------------------
    def text(self, row: Row) -> str | None:
        value = row.text("text")
        if not value:
            row.error("text", _("this cell is required"))
            return None
        if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c not in _TEXT_CONTROLS_ALLOWED
               for c in value):
            row.error("text", _("contains invisible control characters"))
            return None
        if len(value) > services.MAX_TEXT:
            row.error("text", _("longer than %(n)d characters") % {"n": services.MAX_TEXT})
            return None
        return value

    def received_on(self, row: Row) -> dt.date | None:
        day = row.date("received_on", required=True)
        if day is None:
            return None
        if day > self.today:
            row.error("received_on", _("the date %(date)s is in the future") % {"date": day})
            return None
        if day < self.station.founded_on:
            row.error("received_on", _("%(station)s did not exist yet on %(date)s")
                      % {"station": self.station.name, "date": day})
            return None
        return day

    def phone(self, row: Row) -> str:
        value = row.plain("submitter_phone", max_length=30) or ""
        phone = re.sub(r"[\s-]", "", value.lstrip("'"))
        if phone and not _PHONE.fullmatch(phone):
            # masked like the pages (a phone mistyped by a digit is still the person's)
            row.error("submitter_phone", _("%(value)s is not a phone number") % {"value": mask_phone(value)})
            return ""
        return phone

    def email(self, row: Row) -> str:
        value = row.plain("submitter_email", max_length=MAX_EMAIL) or ""
        if value:
            try:
                validate_email(value)
            except ValidationError:
                row.error("submitter_email", _("%(value)s is not an email address")
                          % {"value": mask_email(value)[:40]})
                return ""
        return value

    # --- history carried over ---------------------------------------------------------------------------
    def outcome(self, row: Row, received_on: dt.date | None) -> tuple[str | None, dt.date | None, str]:
        """The register's outcome: (state or None, reply date, reply text)."""
        value = row.text("state")
        reply = row.text("reply")
        if reply and has_control(reply.replace("\n", "").replace("\r", "").replace("\t", "")):
            row.error("reply", _("contains invisible control characters"))
            reply = ""
        elif len(reply) > services.MAX_TEXT:
            row.error("reply", _("longer than %(n)d characters") % {"n": services.MAX_TEXT})
            reply = ""
        replied_on = row.date("replied_on")
        state: str | None = None
        if value:
            code = _STATE_INDEX.get(norm(value))
            if code is None:
                accepted = "、".join(labels[0] for labels in STATE_LABELS.values())
                row.error("state", _("unknown state %(value)s (use one of %(accepted)s)")
                          % {"value": value[:40], "accepted": accepted})
                return None, None, ""
            state = code or None
        if state is None:
            if (reply or replied_on) and not row.errors:
                row.error("state", _("a reply needs its outcome (e.g. %(example)s)")
                          % {"example": STATE_LABELS[State.SOLVED][0]})
            return None, None, ""
        if state in COMPLETED and not reply:
            row.error("reply", _("the reply's text is required when the opinion is %(state)s")
                      % {"state": State(state).label})
        if replied_on is None:
            if not any(e.column == row.column("replied_on") for e in row.errors):
                row.error("replied_on", _("the date of the reply is required with its outcome"))
            return None, None, ""
        if received_on is not None and replied_on < received_on:
            row.error("replied_on", _("the reply date %(day)s is before the day received (%(received)s)")
                      % {"day": replied_on, "received": received_on})
        elif replied_on > self.today:
            row.error("replied_on", _("the date %(date)s is in the future") % {"date": replied_on})
        return state, replied_on, reply

    def rating(self, row: Row, state: str | None, replied_on: dt.date | None) -> tuple[int | None, dt.date | None]:
        """The submitter's rating: (score, date), checked against the rule's scale and the reply."""
        value = row.text("score")
        rated_on = row.date("rated_on")
        if not value:
            if rated_on is not None:
                row.error("score", _("the rating date is given but not the score"))
            return None, None
        rule = in_force("opinions.rating", rated_on or self.today)
        low, high = (int(x) for x in rule["scale"])
        text = value.removesuffix("分").strip()
        score: int | None = _SCORE_INDEX.get(norm(text))
        if score is None:
            try:
                number = float(text)
            except ValueError:
                number = float("nan")
            score = int(number) if number == number and number.is_integer() else None
        if score is None or not low <= score <= high:
            row.error("score", _("%(value)s is not a score from %(low)d to %(high)d")
                      % {"value": value[:20], "low": low, "high": high})
            return None, None
        if rated_on is None:
            if not any(e.column == row.column("rated_on") for e in row.errors):
                row.error("rated_on", _("the date of the rating is required with its score"))
            return None, None
        if state not in COMPLETED:
            row.error("score", _("only a reply that solved, explained or could not yet solve it can be rated: give "
                                 "that outcome"))
            return None, None
        if replied_on is not None and rated_on < replied_on:
            row.error("rated_on", _("the rating date %(day)s is before the reply (%(reply)s)")
                      % {"day": rated_on, "reply": replied_on})
        elif rated_on > self.today:
            row.error("rated_on", _("the date %(date)s is in the future") % {"date": rated_on})
        return score, rated_on

    def steps(self, row: Row, opinion: Opinion, state: str | None, replied_on: dt.date | None,
              score: int | None, rated_on: dt.date | None) -> tuple[bool, bool]:
        """Which of the outcome and the rating an opinion already taken in still needs; an error when the
        opinion has moved on in a way the register's outcome cannot follow."""
        outcome = rating = False
        if state is not None and replied_on is not None:
            changes = OpinionChange.objects.filter(opinion=opinion, published_at__isnull=False)
            if not changes.filter(to_state=state, on=replied_on).exists():
                last = changes.order_by("-on", "-id").first()
                movable = opinion.state in (State.RECEIVED, State.REOPENED) or state in services.MOVES[opinion.state]
                if not movable or (last is not None and replied_on < last.on):
                    row.error("state", _("%(number)s is already %(state)s since %(day)s: this outcome cannot be "
                                         "added") % {"number": opinion.number, "state": State(opinion.state).label,
                                                     "day": last.on if last else opinion.received_on})
                    return False, False
                outcome = True
        if score is not None and rated_on is not None:
            if not OpinionRating.objects.filter(opinion=opinion, score=score, on=rated_on).exists():
                if not outcome and opinion.state != state:
                    row.error("score", _("%(number)s is %(state)s now: it can no longer be rated")
                              % {"number": opinion.number, "state": State(opinion.state).label})
                    return False, False
                rating = True
        return outcome, rating

    # --- a row -----------------------------------------------------------------------------------------
    def check(self, row: Row) -> OpinionRow | None:
        received_on = self.received_on(row)
        text = self.text(row)
        category = self.category(row)
        place = self.place(row)
        address = row.plain("address", max_length=MAX_ADDRESS) or ""
        channel = self.channel(row)
        outlet = self.outlet(row)
        name = row.plain("submitter_name", max_length=MAX_NAME) or ""
        phone = self.phone(row)
        email = self.email(row)
        state, replied_on, reply = self.outcome(row, received_on)
        score, rated_on = self.rating(row, state, replied_on)
        handler_name = row.plain("handler_name", max_length=50) or ""
        handler_contact = row.plain("handler_contact", max_length=50) or ""
        if row.errors or received_on is None or text is None or category is None:
            return None
        key = (received_on, text, name, phone)
        if key in self.seen:
            row.error("text", _("the same opinion (date, text, name and phone) is also on row %(row)d")
                      % {"row": self.seen[key]})
            return None
        self.seen[key] = row.number
        territory = place or (outlet.territory if outlet is not None else None)
        handler, department = services.route_for(category, self.station, territory, received_on)
        if department is not None:
            goes_to = department.name
        elif handler is not None:
            goes_to = handler.name
        else:
            goes_to = _("to be sorted by the station")
        existing = self.known(received_on).get((text, name, phone))
        action = "create"
        if existing is not None:
            outcome_step, rating_step = self.steps(row, existing, state, replied_on, score, rated_on)
            if row.errors:
                return None
            action = "update" if outcome_step or rating_step else "unchanged"
        history: dict[str, Any] = {}
        if state is not None:
            history.update(to_state=state, replied_on=replied_on, reply_text=reply, handler_name=handler_name,
                           handler_contact=handler_contact)
        if score is not None:
            history.update(score=score, rated_on=rated_on)
        values: dict[str, Any] = {
            "text": text, "category": category, "channel": channel, "received_on": received_on,
            "territory": place, "address": address, "outlet": outlet, "submitter_name": name,
            "submitter_phone": phone, "submitter_email": email,
        }
        return OpinionRow(
            row.number, action, name, mask_phone(phone) if phone else "", self.station.code, values=values,
            received_on=received_on, category=category.name, place=territory.name if territory else "",
            channel=str(Channel(channel).label), outlet=outlet.name if outlet else "", goes_to=goes_to,
            deadline=services.deadline_for(category, received_on), text=text,
            outcome=str(State(state).label) if state else "", replied_on=replied_on, score=score, rated_on=rated_on,
            number=existing.number if existing is not None else "", history=history,
            opinion_id=existing.pk if existing is not None else None,
        )


def _evaluate(plan: OpinionImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.station is not None
    plan.rows, plan.errors = _Planner(plan.sheet, plan.station).run(progress)


def _require_entry(station: Organization) -> None:
    if not services.can_enter_for(station):
        raise PermissionDeniedError(_("you may not enter opinions for %(org)s") % {"org": station})


# --- the API -----------------------------------------------------------------------------------------------

def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *,
                station: Organization, progress: Progress | None = None) -> OpinionImportPlan:
    """Read and check every row against the station's categories, outlets and area. Never writes.
    `progress(done, total)` hears how many rows were checked.
    Raises PermissionDeniedError when the acting user may not enter opinions for the station."""
    _require_entry(station)
    plan = OpinionImportPlan(filename=filename, station=station)
    rows, problem = read_rows(fileobj_or_path, filename)
    if rows is None:
        plan.errors.append(RowError(0, "", problem))
        return plan
    if not station.is_active:
        plan.errors.append(RowError(0, "", _("%(org)s has been revoked") % {"org": station}))
        return plan
    if not Category.objects.filter(org=station, active=True).exists():
        plan.errors.append(RowError(0, "", _("%(station)s has no opinion categories yet: set up the station "
                                             "first") % {"station": station.name}))
        return plan
    sheet, errors = read_sheet(rows, COLUMNS, [c for c in COLUMNS if c.required])
    if errors or sheet is None:
        plan.errors = errors
        return plan
    plan.sheet = sheet
    _evaluate(plan, progress)
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    name = _SERVICE_FIELD_TO_COLUMN.get(service_field, service_field)
    return plan.sheet.column_name(name) if name in BY_FIELD else ""


def apply_import(plan: OpinionImportPlan, progress: Progress | None = None) -> OpinionImportPlan:
    """Re-check the plan's rows and submit their opinions in one transaction: all of them, or nothing.
    `progress(done, total)` hears the rows checked again, then (from 0 again) the rows written."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.station is None:
        return plan
    station = plan.station
    _require_entry(station)
    fresh = OpinionImportPlan(filename=plan.filename, sheet=plan.sheet, station=station)

    def write(row: PlannedRow) -> None:
        assert isinstance(row, OpinionRow)
        if row.action == "create":
            values = dict(row.values)
            received_on = values.pop("received_on")
            if received_on < services._today():
                opinion = services.submit_past_opinion(station, received_on=received_on, **values)
            else:
                opinion = services.submit_opinion(station, received_on=received_on, **values)
            if row.history:
                services.carry_over(opinion, **row.history)
        elif row.action == "update" and row.opinion_id is not None:
            services.carry_over(Opinion.objects.get(pk=row.opinion_id), **row.history)

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress),  # the station may have changed
                      write=write, column_for=lambda field: _column_for(fresh, field), progress=progress)


def template_xlsx(station: Organization) -> bytes:
    """An empty register with the Chinese headers, and a second sheet with what each column accepts,
    naming the station's categories, outlets and places."""
    from openpyxl.styles import Font

    from grassroots.ui import xlsx

    widths = {"received_on": 12, "text": 50, "category": 14, "place": 14, "address": 24, "channel": 10,
              "outlet": 20, "submitter_name": 10, "submitter_phone": 15, "submitter_email": 22, "state": 12,
              "reply": 50, "replied_on": 12, "handler_name": 10, "handler_contact": 15, "score": 10, "rated_on": 12}
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    xlsx.append(ws, [c.zh for c in COLUMNS])
    for idx, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=idx)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = widths.get(col.field, 12)
        for number in range(2, 202):
            ws.cell(row=number, column=idx).number_format = (
                "yyyy-mm-dd" if col.field in ("received_on", "replied_on", "rated_on") else "@")  # phones stay text when edited
    ws.freeze_panes = "A2"
    categories = Category.objects.filter(org=station, active=True).order_by("code")
    rating_rule = in_force("opinions.rating", services._today())
    outlets = Outlet.objects.filter(org=station).order_by("code")
    area = station.territory
    places = (Territory.objects.filter(path__startswith=area.path, depth__lte=area.depth + 1).order_by("path")
              if area is not None else Territory.objects.none())
    accepted = {
        "received_on": "2019-12-31, 2019/12/31, 2019.12.31, 2019年12月31日; " + _("not in the future"),
        "text": _("what the resident asked or reported"),
        "category": "、".join(f"{c.code} {c.name}" for c in categories),
        "place": _("a place's code or exact name, e.g. %(examples)s") % {
            "examples": "、".join(t.name for t in places[:12]) or "—"},
        "channel": "、".join(labels[0] for labels in CHANNEL_LABELS.values()) + "; " + _("blank: import"),
        "outlet": "、".join(o.name for o in outlets) or "—",
        "submitter_phone": _("digits, may start with +"),
        "state": "、".join(labels[0] for labels in STATE_LABELS.values()) + "; "
                 + _("blank: as taken in (routed by its category). 不予受理 counts as explained."),
        "reply": _("the reply's text; required when the opinion is solved, explained or cannot be solved for now"),
        "replied_on": _("required with an outcome: on or after the day received, not in the future"),
        "handler_name": _("who handled it (optional)"),
        "score": _("%(low)d to %(high)d, or %(words)s; only with a solved, explained or cannot-be-solved outcome; "
                   "%(reopen)d or less reopens the opinion") % {
            "low": rating_rule["scale"][0], "high": rating_rule["scale"][1],
            "words": "、".join(f"{k} {v}" for k, v in SCORE_WORDS.items()),
            "reopen": rating_rule["reopen_at_or_below"]},
        "rated_on": _("required with a score: on or after the reply date, not in the future"),
    }
    notes = wb.create_sheet(_("Notes"))
    xlsx.append(notes, [_("Column"), _("Required"), _("Accepted values")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for col in COLUMNS:  # category, outlet and place names are the station's own words: written as text
        xlsx.append(notes, [col.zh, _("yes") if col.required else "", accepted.get(col.field, "")])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["C"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the command line --------------------------------------------------------------------------------------

def _print_rows(plan: OpinionImportPlan) -> None:
    labels = {"create": _("create"), "update": _("update"), "unchanged": _("unchanged")}
    for r in plan.rows:
        assert isinstance(r, OpinionRow)
        short = r.text.replace("\n", " ")
        short = short if len(short) <= 30 else short[:29] + "…"
        outcome = f"{r.outcome} {r.replied_on}" if r.outcome else "-"
        rating = f"{r.score} {r.rated_on}" if r.score is not None else "-"
        print(f"{_('row')} {r.row}\t{labels.get(r.action, r.action)}\t{r.received_on}\t{r.category}\t"
              f"{r.place or '-'}\t{r.channel}\t{r.goes_to}\t{_('due')} {r.deadline}\t{outcome}\t{rating}\t{short}")


def cli_import(path: str | os.PathLike[str], *, station: Organization, dry_run: bool, actor: Any) -> int:
    """The `grassroots import opinions` verb: 0 when written (or a clean dry run), 1 on errors."""
    with acting(actor, "cli"):
        try:
            plan = plan_import(path, os.path.basename(os.fspath(path)), station=station)
            if plan.ok and not dry_run:
                plan = apply_import(plan)
        except PermissionDeniedError as exc:
            print(exc.message, file=sys.stderr)
            return 1

    def summary(counts: dict[str, int]) -> str:
        if dry_run:
            return _("dry run: would take in %(create)d opinions, add outcomes or ratings to %(update)d, leave "
                     "%(unchanged)d already taken in; nothing was written") % counts
        return _("took in %(create)d opinions, added outcomes or ratings to %(update)d, %(unchanged)d were already "
                 "taken in") % counts

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import opinions` as the registry calls it: --org (required) is the station."""
    assert org is not None  # the registry marks --org required for this verb
    return cli_import(path, station=org, dry_run=dry_run, actor=actor)
