"""The demo town's people's feelings express station (民情快递站) in 2019, through the opinions services:
`build_opinions()` (called by `build_demo`, after the organizational life).

The town committee runs the station. Six of its offices handle what their categories send them; three
categories (sanitation, water, village affairs) go to the branch of the place they are about. Each of the three
communities has an outlet with its recipients. About three hundred opinions came in during 2019, at the outlets,
by the phone line, on visits and from the paper register imported in the spring, and were handled as a town
handles them: most routed on the day (the phone calls that named no place sorted by the service centre a day
or two later), most replied within the category's deadline with the structured reply filled in, some late,
a few escalated to the level above, some explained, some "cannot be solved for now" with the reason and what
is done meanwhile, a few duplicates, long jobs still being solved at the end of the year, and the latest ones
not yet answered on 31 December. Most residents rated the reply 4 or 5; a few rated it low, which reopened the
opinion, and it was solved again. The station published a share of the solved ones for the public.

`plan()` decides everything from the seed without the database; `build_opinions()` writes it through the
services in date order, acting as the system. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.utils.translation import gettext as _

from grassroots.core.context import acting
from grassroots.core.workdays import add_workdays, is_workday

from . import data

SEED = 20190601
YEAR = 2019
AS_OF = data.AS_OF
YEAR_START = dt.date(YEAR, 1, 1)

# (key, name, English name, office phone)
DEPARTMENTS = [
    ("office", "党政办", "Party and Government Office", "0875-5150101"),
    ("civil", "民政办", "Civil Affairs Office", "0875-5150112"),
    ("planning", "规划建设办", "Planning and Construction Office", "0875-5150123"),
    ("farming", "农业服务中心", "Agricultural Service Centre", "0875-5150135"),
    ("order", "综治办", "Comprehensive Governance Office", "0875-5150146"),
    ("social", "社会保障所", "Social Security Office", "0875-5150158"),
]


@dataclass(frozen=True)
class Issue:
    """One kind of thing residents raise, with the replies a handler writes to it. {place} and {spot} are
    filled in; an outcome the issue has no text for is never chosen for it."""

    text: str
    background: str
    solution: str  # how it was solved
    explained: str = ""  # the explanation, when that is the answer
    cannot: tuple[str, str] | None = None  # (the reason, what is done meanwhile)
    progress: str = ""  # the measures under way while it is being solved


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    name_en: str
    department: str | None  # a key of DEPARTMENTS; None: to the branch of the place
    deadline_workdays: int
    weight: int
    issues: tuple[Issue, ...]


CATEGORIES = (
    CategorySpec("roads", "道路交通", "Roads and traffic", "planning", 10, 14, (
        Issue("{place}通往{spot}的巷道石板松动，雨天积水，老人走路容易滑倒，希望尽快修补。",
              "经现场查看，{place}该段巷道约30米石板松动、排水沟堵塞，雨后积水严重。",
              "镇规划建设办会同古镇保护管理局按古镇风貌要求重新铺设石板，并清通排水沟，已完工。",
              cannot=("该巷道位于核心保护区，维修方案须报县文物部门审批，审批完成前不能施工。",
                      "先行设置警示标志、清理积水，审批通过后立即安排维修。"),
              progress="已列入古镇巷道维修计划，施工队已进场备料，预计两周内完工。"),
        Issue("{place}村口到公路的机耕路坑洼不平，拖拉机和电动车都不好走。",
              "经核实，该机耕路长约1.2公里，为土石路面，雨季冲刷后坑洼较多。",
              "调用镇里的道路养护资金，组织村民投工投劳，用碎石填平坑洼并压实了路面。",
              cannot=("机耕路硬化须纳入县交通运输局的农村公路建设计划，今年的计划已经下达，暂无资金。",
                      "已申报列入明年的硬化计划，在此之前每季度组织一次平整养护。"),
              progress="养护资金已申请，农闲时组织填补平整。"),
        Issue("{spot}附近游客车辆乱停，经常堵住村民出行的路。",
              "旅游旺季{spot}周边停车位不足，外来车辆占道停放，影响村民出行。",
              "镇综治办联合交警中队在路口设置禁停标志，节假日安排协管员疏导，引导游客车辆停到游客中心停车场。",
              explained="该路段属景区交通管理范围，旅游公司已在游客中心增设停车位，节假日由交警和景区协管员联合疏导；"
                        "遇到堵路可拨打景区值班电话0875-5150666。"),
        Issue("{place}路口没有路灯，晚上出行很不安全。",
              "{place}路口是村民夜间出行的必经之路，现有照明不足。",
              "已在路口新装太阳能路灯两盏，经检查照明正常。",
              progress="已列入今年村庄亮化项目，灯具已采购，等待安装。"),
    )),
    CategorySpec("housing", "建房与规划", "Housing and planning", "planning", 15, 7, (
        Issue("我家在{place}的老房子漏雨要翻修，不知道在古镇里翻修要办什么手续。",
              "反映人的房屋位于古镇保护范围内，翻修须符合古镇风貌管控要求。",
              "规划建设办工作人员上门指导，帮助准备申请材料，翻修许可已办结。",
              explained="古镇保护范围内的房屋修缮须向镇规划建设办申请，经古镇保护管理局审核风貌方案后即可施工，一般"
                        "10个工作日内办结，办事指南已送到反映人手中。"),
        Issue("{place}有人违规加盖房屋，挡住了我家的采光。",
              "经现场核查，邻户在原有房屋上加盖一层，未办理审批手续。",
              "规划建设办依法下达责令停止建设通知书，当事人已自行拆除加盖部分。",
              cannot=("该房屋加建时间较早，涉及产权争议，双方已诉至法院，须等待判决。",
                      "镇里已协助双方固定证据，判决后依法处理；期间由村调委会做好调解。")),
        Issue("申请建房的宅基地审批很久没有消息，想问问进展。",
              "反映人今年上半年提出农村宅基地申请，材料已报县自然资源局。",
              "经镇里协调，县自然资源局已完成审核，批准文件已送达反映人。",
              explained="宅基地审批须经村、镇、县三级审核，目前材料在县自然资源局审核，预计一个月内有结果，"
                        "规划建设办会及时告知。",
              progress="已与县自然资源局对接，正在补充测绘材料。"),
    )),
    CategorySpec("farming", "农业生产", "Farming", "farming", 7, 9, (
        Issue("{place}的烤烟叶子发黄，不知道是什么病，希望派技术员来看看。",
              "农业服务中心技术员到{place}田间查看，确认为烤烟赤星病初发。",
              "技术员现场指导农户喷施防治药剂，发放防治技术资料，病情已得到控制。"),
        Issue("耕地地力保护补贴今年还没领到，想问问什么时候发。",
              "经查询，今年的耕地地力保护补贴已由县财政统一拨付。",
              "经核对，反映人因银行卡信息有误未到账，已更正信息并补发到位。",
              explained="补贴通过“一卡通”直接发放到农户账户，本批次已于上月发放，可持一卡通到农商行查询；"
                        "未到账的多为银行卡号变更，可到农业服务中心更正。"),
        Issue("{place}的灌溉沟渠被泥沙堵了，秧田放不进水。",
              "{place}灌溉沟渠约200米淤积严重，影响近百亩水田灌溉。",
              "农业服务中心组织村民清淤，修补了两处破损渠段，现已正常放水。",
              cannot=("沟渠改造属于高标准农田建设项目，须县里统一立项，今年的项目已经确定。",
                      "先组织人工清淤保证灌溉，并上报列入下一批高标准农田建设项目。"),
              progress="已安排清淤，挖机本周进场。"),
        Issue("想养肉牛，希望镇里提供技术培训和贷款政策。",
              "反映人有意发展肉牛养殖，需要技术和资金支持。",
              "已推荐其参加县畜牧站的养殖技术培训，并协助向农商行申请了创业贴息贷款。",
              explained="镇农业服务中心每季度组织养殖技术培训，创业贴息贷款可向县人社局申请，申请条件和材料清单"
                        "已告知反映人。"),
    )),
    CategorySpec("relief", "困难救助", "Hardship relief", "civil", 5, 8, (
        Issue("家里老人生病住院，花了很多钱，能不能申请临时救助？",
              "民政办工作人员入户核实，反映人家庭因病支出较大，生活暂时困难。",
              "已按程序为其申请临时救助金2000元，已发放到位。",
              explained="经核算，其家庭收入超过临时救助标准，暂不符合条件；可申请大病医疗救助，已指导办理。"),
        Issue("我家是低保户，今年低保金少了，想问问原因。",
              "经查，反映人家庭今年年审时家庭成员的务工收入有所增加。",
              "经复核，年审时误计了已分户子女的收入，已更正并补发差额。",
              explained="低保金按家庭人均收入与保障标准的差额发放，今年核定的家庭收入增加，补差金额相应减少，"
                        "计算过程已当面向反映人说明。"),
        Issue("{place}有位独居老人生活不能自理，希望政府帮帮他。",
              "民政办会同村委会上门了解，老人年逾八十，无子女，行动不便。",
              "已将老人纳入特困人员供养，经本人同意安排到镇敬老院集中供养。",
              cannot=("老人不愿离家到敬老院居住，分散供养的护理服务目前没有专门人员。",
                      "由村委会落实邻里结对照护，网格员每天探视，县里居家养老服务项目落地后优先安排。"),
              progress="已启动特困人员认定程序，期间安排网格员每天上门看望。"),
    )),
    CategorySpec("insurance", "社保医保", "Social and medical insurance", "social", 5, 9, (
        Issue("在外地住院的费用，回来报销不了，怎么办？",
              "反映人在外省住院，未办理异地就医备案。",
              "社会保障所协助其补办异地就医备案，材料已报县医保局，费用已按规定报销。",
              explained="按医保规定，异地就医须先备案，未备案的可回参保地按比例手工报销，所需材料清单已告知反映人。"),
        Issue("想给家里老人交城乡居民养老保险，但是过了缴费时间。",
              "城乡居民养老保险按年度集中缴费，今年的集中缴费期已过。",
              "经协调县社保局，已为其办理补缴手续。",
              explained="城乡居民养老保险每年1月至6月集中缴费，错过的可在年底补缴期办理，社会保障所会提前通知。"),
        Issue("社保卡丢了，去哪里补办？",
              "反映人的社保卡遗失，需要挂失补办。",
              "社会保障所已为其办理挂失，新卡制好后送到村委会转交本人。",
              explained="社保卡可在镇社会保障所或县农商行网点挂失补办，带身份证即可。"),
    )),
    CategorySpec("disputes", "矛盾纠纷", "Disputes", "order", 3, 8, (
        Issue("{place}两户人家因为宅基地边界吵了很久，希望有人来调解。",
              "综治办会同村调委会查看现场，双方对宅基地界址的认定不一致。",
              "经调解，双方依据原登记资料重新确认界址，签订了调解协议，纠纷已平息。",
              cannot=("双方都不接受调解方案，其中一方已申请土地权属确认，须由县里依法裁决。",
                      "调解记录已报县自然资源局，期间由村调委会做好稳控，防止矛盾激化。"),
              progress="已组织第一次调解，约定请土地所现场测量后再调解。"),
        Issue("邻居家的狗经常追咬路人，说了也不管。",
              "经了解，邻户饲养的犬只未拴养，已发生一次伤人事件。",
              "村调委会上门调解，犬主同意拴养并承担了伤者的疫苗费用。"),
        Issue("承包{place}果园的老板拖欠务工工资，已经三个月了。",
              "经核实，果园承包人拖欠12名务工人员工资约3万元。",
              "综治办会同县劳动保障监察大队约谈承包人，拖欠工资已全部结清。",
              progress="已约谈承包人，对方承诺分两次支付，镇里跟踪督促。"),
    )),
    CategorySpec("sanitation", "环境卫生", "Sanitation", None, 5, 14, (
        Issue("{place}的垃圾池很久没人清运，气味很大。",
              "经查，{place}垃圾池因清运车辆故障两周未清运。",
              "已协调保洁公司增派车辆清运，恢复每日清运一次。"),
        Issue("{spot}旁边的水沟里有人乱倒生活污水，很臭。",
              "经查看，附近几户农家乐将污水直接排入水沟。",
              "约谈相关经营户，已全部接入污水管网，水沟已清理干净。",
              cannot=("该片区污水管网尚未覆盖，接管须等镇污水管网二期工程。",
                      "先要求经营户建隔油池、定期清掏，二期工程已列入明年计划。"),
              progress="已通知经营户限期整改，正在铺设接户管道。"),
        Issue("{place}的公厕没人打扫，又脏又乱。",
              "{place}公厕的保洁员请假，临时无人打扫。",
              "已安排新的保洁员，每天打扫两次，由网格员监督。"),
        Issue("{place}路边杂草枯枝很多，容易引发火灾。",
              "经查看，{place}路边杂草、枯枝堆积较多。",
              "组织党员志愿者和保洁员开展清理，共清运杂物三车。"),
    )),
    CategorySpec("water", "饮水与水利", "Drinking water and irrigation", None, 7, 10, (
        Issue("{place}自来水经常停水，水压也很小。",
              "经检查，{place}供水主管老化漏水，用水高峰时水压不足。",
              "更换了漏水管段，加装了增压泵，供水已恢复正常。",
              cannot=("彻底解决须新建蓄水池，投资较大，超出了村级的能力。",
                      "先修复漏点保障基本供水，新建蓄水池已申报县水务局农村饮水安全项目。"),
              progress="已查明漏点，正在采购管材，期间错峰供水。"),
        Issue("{place}的自来水有时候很浑浊，不敢直接喝。",
              "经取样送检，雨季水源浑浊度偏高。",
              "清洗了蓄水池，更换了过滤材料，复检水质合格。",
              explained="经县疾控中心检测，水质各项指标合格，浑浊是雨季泥沙所致；已增加清洗蓄水池的次数，"
                        "建议雨季烧开后饮用。"),
        Issue("{place}小坝塘下游的堤坎有裂缝，担心汛期出问题。",
              "经镇水利站与村里共同查看，堤坎有两处裂缝。",
              "已对裂缝灌浆加固，并落实了汛期巡查责任人。",
              progress="已设置警示标志，安排专人巡查，加固工程正在施工。"),
    )),
    CategorySpec("village", "村务与邻里", "Village affairs", None, 5, 12, (
        Issue("{place}的集体收入怎么花的，希望公开账目。",
              "反映人对村集体资金的使用情况不了解。",
              "已在村务公开栏公布本年度集体收支明细，并在村民代表会议上作了说明。",
              explained="村集体收支每季度在村务公开栏公布，本季度明细已张贴，可到村委会查阅原始凭证。"),
        Issue("{place}活动室晚上不开门，老人们没地方活动。",
              "活动室原来只在白天开放，晚上没有管理员。",
              "调整了开放时间，每晚开放到九点，由党员志愿者轮流值守。"),
        Issue("希望{place}多组织一些文化活动，丰富大家的生活。",
              "村民希望多开展群众文化活动。",
              "组建了洞经古乐队和广场舞队，每周在活动室活动，节日举办文艺演出。",
              explained="镇文化站每月送文化下乡，已将{place}列入下月安排，村里也在组建文艺队。"),
        Issue("{place}的低保评议不公开，有人说评得不公平。",
              "村民对低保评议的程序不了解。",
              "重新召开民主评议会，邀请反映人旁听，评议结果已重新公示。",
              explained="低保评议须经村民代表民主评议并公示7天，今年的结果已在村务公开栏公示，公示期间无异议；"
                        "如有异议可向镇民政办反映。"),
    )),
    CategorySpec("other", "其他", "Other", "office", 10, 6, (
        Issue("希望镇便民服务中心中午也能办事。",
              "便民服务中心原来中午休息两小时，外出务工的村民办事不便。",
              "经镇党政办研究，便民服务中心实行中午轮班，工作日中午照常办理业务。"),
        Issue("{spot}附近手机信号很差，打电话经常断线。",
              "经联系运营商测试，该区域信号覆盖较弱。",
              "镇党政办协调电信公司新建一座基站，信号已明显改善。",
              cannot=("新建基站的选址涉及古镇风貌保护要求，须报县里审批。",
                      "已协调运营商先对现有基站扩容，基站选址正在报批。")),
        Issue("古镇游客太多，村民出行和生活都受影响，希望统筹考虑。",
              "旅游旺季游客集中，村民的生活出行受到影响。",
              "镇里与旅游公司商定节假日开设村民专用通道，村民凭居民证通行。",
              explained="镇里已与旅游公司协商，节假日实行错峰游览和村民专用通道，具体安排已在各村公示。",
              progress="镇里正在与旅游公司研究村民出行保障方案。"),
    )),
)
CATEGORY = {c.code: c for c in CATEGORIES}

# Heshun's places people name; the outlets' communities and their weights.
SPOTS = ["洗衣亭", "双虹桥", "文昌宫", "元龙阁", "和顺图书馆", "艾思奇纪念馆", "陷河湿地", "野鸭湖", "大月台", "中天寺"]
COMMUNITY_WEIGHTS = {"TC-HS-SZL": 40, "TC-HS-DZ": 35, "TC-HS-SY": 25}
COMMUNITY_ORG = {"TC-HS-SZL": "HS-SZL", "TC-HS-DZ": "HS-DZ", "TC-HS-SY": "HS-SY"}  # the general branch
CHANNEL_WEIGHTS = {"outlet": 45, "phone": 25, "visit": 18, "import": 12}
MONTH_COUNTS = [20, 18, 25, 27, 24, 23, 28, 26, 24, 27, 26, 24]  # received per month, duplicates included
DUPLICATES = 8
IMPORT_MONTHS = (1, 2, 3)  # the paper register of the first quarter, imported in April

# Outcomes at the end of the year and how likely each is for an opinion answered in time.
FATES = {"solved": 60, "explained": 13, "cannot": 6, "progress_solved": 8, "progress_open": 14, "reopen_solved": 3}
LATE_SHARE = 0.05
ESCALATE_SHARE = 0.04
RATED_SHARE = 0.8
PUBLISHED_SHARE = 0.35
SCORES = {"solved": ([5, 4, 3], [64, 32, 4]), "explained": ([5, 4, 3], [38, 48, 14]),
          "cannot": ([5, 4, 3, 2], [14, 46, 32, 8])}
PRAISE = ["办得很快，满意", "谢谢镇里", "问题解决了", "态度很好", "跑了好几趟现场，辛苦了", ""]
COMPLAINTS = ["修了没几天又坏了", "答复太敷衍，问题没有真正解决", "没人来现场看过"]
AFTERCARE = ["纳入日常巡查，发现问题及时处理。", "网格员每月回访一次，防止问题反弹。", "已建立台账，由村（社区）跟踪落实。",
             "同类问题将在全镇排查，一并整改。"]
ESCALATION_NOTES = ["涉及几个村组，需镇里统筹协调", "所需资金超出村级能力，报镇里研究", "需县级部门支持，报上级协调"]


@dataclass
class Step:
    on: dt.date
    kind: str  # sort, escalate, reply, draft, rate, publish
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Planned:
    key: int
    received_on: dt.date
    category: str
    issue: int
    community: str  # territory code of the community the resident lives in
    place: str | None  # territory code given (a villager group or the community), or None
    channel: str
    outlet: str | None  # outlet code
    address: str
    name: str
    phone: str
    email: str
    text: str
    fate: str
    where: str = ""  # the place the text names
    steps: list[Step] = field(default_factory=list)
    duplicate_of: int | None = None

    @property
    def routed_at_intake(self) -> bool:
        return CATEGORY[self.category].department is not None or self.place is not None or self.outlet is not None


def deadline(category: str, received_on: dt.date) -> dt.date:
    """As `services.deadline_for`: the category's working days counted from the working day after receipt."""
    return add_workdays(received_on + dt.timedelta(days=1), CATEGORY[category].deadline_workdays)


def outlet_code(community: str) -> str:
    return "HS-MQ-" + community.rsplit("-", 1)[1]


class _Planner:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.phones: set[str] = set()

    def name(self) -> str:
        chars = data.MALE_CHARS if self.rng.random() < 0.55 else data.FEMALE_CHARS
        given = self.rng.choice(chars) + (self.rng.choice(chars) if self.rng.random() < 0.7 else "")
        return self.rng.choice(data.SURNAMES) + given

    def phone(self) -> str:
        while True:
            number = f"{self.rng.choice(['139', '138', '150', '187'])}{self.rng.randrange(10 ** 8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def workdays_after(self, day: dt.date, low: int, high: int) -> dt.date:
        return add_workdays(day + dt.timedelta(days=1), self.rng.randint(low, high))

    def place(self, community: str) -> str:
        if self.rng.random() < 0.7:
            return f"{community}-{self.rng.randint(1, data.GROUPS_PER_COMMUNITY):02d}"
        return community


def place_name(code: str) -> str:
    """The name `demo.build` gives the territory `code` (a community or one of its villager groups)."""
    for community, name, _kind, _parent in data.COMMUNITIES:
        if code == community:
            return name
        if code.startswith(community + "-"):
            number = int(code.rsplit("-", 1)[1])
            return f"{name.removesuffix('社区')}{data.CN_NUMBERS[number - 1]}组"
    raise KeyError(code)


def _received_days(p: _Planner) -> list[dt.date]:
    days: list[dt.date] = []
    for month, count in enumerate(MONTH_COUNTS, start=1):
        first = dt.date(YEAR, month, 1)
        last = (dt.date(YEAR, month + 1, 1) if month < 12 else dt.date(YEAR + 1, 1, 1)) - dt.timedelta(days=1)
        if month == 12:
            last = AS_OF - dt.timedelta(days=2)  # the last two days are set below
        span = (last - first).days
        days += [first + dt.timedelta(days=p.rng.randint(0, span)) for _ in range(count)]
    return sorted(days)


def _intake(p: _Planner, key: int, day: dt.date, *, category: str | None = None, channel: str | None = None,
            community: str | None = None, place: str | None | bool = True, issue: int | None = None) -> Planned:
    rng = p.rng
    specs = list(CATEGORIES)
    cat = CATEGORY[category] if category else rng.choices(specs, weights=[c.weight for c in specs])[0]
    if channel is None:
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        if channel == "import" and day.month not in IMPORT_MONTHS:
            channel = "outlet"
    if channel != "phone":  # the outlets and the office are open on working days; the phone line always
        day = _open_day(day)
    if community is None:
        community = rng.choices(list(COMMUNITY_WEIGHTS), weights=list(COMMUNITY_WEIGHTS.values()))[0]
    outlet = outlet_code(community) if channel == "outlet" else None
    if place is True:
        # Phone callers and the paper register sometimes name no place; at an outlet the outlet's place will do.
        missing = {"phone": 0.35, "import": 0.2, "outlet": 0.3}.get(channel, 0.0)
        chosen: str | None = None if rng.random() < missing else p.place(community)
    else:
        chosen = place or None
    fate = ""
    if issue is None:  # the outcome first, then something it can be the outcome of
        fate = rng.choices(list(FATES), weights=list(FATES.values()))[0]
        fitting = [i for i, it in enumerate(cat.issues) if _possible(fate, it)]
        if not fitting:
            fate, fitting = "solved", list(range(len(cat.issues)))
        issue = rng.choice(fitting)
    index = issue
    where = place_name(chosen or community) if (chosen or outlet) else "村里"
    text = cat.issues[index].text.format(place=where, spot=rng.choice(SPOTS))
    address = ""
    if chosen and chosen != community and rng.random() < 0.4:
        address = f"{place_name(chosen)}{rng.randint(1, 80)}号"
    return Planned(key=key, received_on=day, category=cat.code, issue=index, community=community, place=chosen,
                   channel=channel, outlet=outlet, address=address, name=p.name() if rng.random() < 0.9 else "",
                   phone=p.phone() if rng.random() < 0.85 else "",
                   email=f"{rng.randrange(10 ** 8, 10 ** 10)}@qq.com" if rng.random() < 0.05 else "",
                   text=text, fate=fate, where=where)


def _open_day(day: dt.date) -> dt.date:
    """The working day on or after `day` in its month, else the one before."""
    later = day
    while not is_workday(later):
        later += dt.timedelta(days=1)
    if later.month == day.month:
        return later
    earlier = day
    while not is_workday(earlier):
        earlier -= dt.timedelta(days=1)
    return earlier


def _possible(fate: str, issue: Issue) -> bool:
    if fate == "explained":
        return bool(issue.explained)
    if fate == "cannot":
        return issue.cannot is not None
    if fate.startswith("progress"):
        return bool(issue.progress)
    return True


def _rating(p: _Planner, reply_on: dt.date, fate: str, steps: list[Step], as_of: dt.date = AS_OF) -> None:
    if p.rng.random() >= RATED_SHARE:
        return
    on = reply_on + dt.timedelta(days=p.rng.randint(1, 8))
    if on > as_of:
        return
    scores, weights = SCORES[fate]
    score = p.rng.choices(scores, weights=weights)[0]
    comment = p.rng.choice(PRAISE) if score >= 4 else ""
    steps.append(Step(on, "rate", {"score": score, "comment": comment}))


def _lifecycle(p: _Planner, op: Planned, as_of: dt.date = AS_OF) -> None:
    """The opinion's routing, replies and ratings up to `as_of` (the end of 2019 unless told)."""
    rng = p.rng
    cat = CATEGORY[op.category]
    issue = cat.issues[op.issue]
    steps = op.steps
    routed_on = op.received_on
    if not op.routed_at_intake:  # the service centre calls back and sorts it to the community
        routed_on = p.workdays_after(op.received_on, 1, 2)
        if routed_on > as_of:
            op.fate = "received"
            return
        steps.append(Step(routed_on, "sort", {"community": op.community}))
    due = deadline(op.category, op.received_on)
    if op.duplicate_of is not None:
        steps.append(Step(min(as_of, routed_on + dt.timedelta(days=rng.randint(0, 2))), "duplicate"))
        op.fate = "duplicate"
        return
    fate = op.fate if _possible(op.fate, issue) else "solved"
    op.fate = fate
    if rng.random() < ESCALATE_SHARE:
        routed_on = routed_on + dt.timedelta(days=rng.randint(1, 2))
        if routed_on <= as_of:
            steps.append(Step(routed_on, "escalate", {"note": rng.choice(ESCALATION_NOTES)}))
    late = rng.random() < LATE_SHARE
    if late:
        first = add_workdays(due + dt.timedelta(days=1), rng.randint(1, 6))
    else:
        # Most take a few days, within the deadline counted from receipt.
        first = p.workdays_after(routed_on, max(1, cat.deadline_workdays // 3), cat.deadline_workdays)
        first = max(routed_on, min(first, due))
    if first > as_of:  # not answered yet on 31 December (a draft may be waiting)
        op.fate = "assigned"
        if rng.random() < 0.4:
            steps.append(Step(max(routed_on, as_of - dt.timedelta(days=1)), "draft"))
        return
    if fate.startswith("progress"):
        steps.append(Step(first, "reply", {"to": "in_progress"}))
        done = add_workdays(first + dt.timedelta(days=1), rng.randint(3, 20))
        if fate == "progress_open" or done > as_of:
            op.fate = "progress_open"
            return
        steps.append(Step(done, "reply", {"to": "solved"}))
        _rating(p, done, "solved", steps, as_of)
        fate = "solved"
    elif fate == "reopen_solved" or fate == "reopen_open":
        steps.append(Step(first, "reply", {"to": "solved"}))
        low_on = first + dt.timedelta(days=rng.randint(1, 5))
        if low_on > as_of:
            op.fate = "solved"
            return
        steps.append(Step(low_on, "rate", {"score": rng.choice([1, 2]), "comment": rng.choice(COMPLAINTS)}))
        again = p.workdays_after(low_on, 1, 4)
        if fate == "reopen_open" or again > as_of:
            op.fate = "reopen_open"
            return
        steps.append(Step(again, "reply", {"to": "solved", "again": True}))
        rated = again + dt.timedelta(days=rng.randint(1, 5))
        if rated <= as_of:
            steps.append(Step(rated, "rate", {"score": rng.choice([4, 5, 5]), "comment": "重新处理后满意"}))
        fate = "solved"
    else:
        steps.append(Step(first, "reply", {"to": "cannot_solve" if fate == "cannot" else fate}))
        _rating(p, first, fate, steps, as_of)
    if fate in ("solved", "explained") and rng.random() < PUBLISHED_SHARE:
        steps.append(Step(steps[-1].on, "publish"))


def plan(seed: int = SEED) -> list[Planned]:
    """Every opinion of 2019 with what happens to it until 31 December, in the order they were received."""
    p = _Planner(seed)
    rng = p.rng
    ops = [_intake(p, key, day) for key, day in enumerate(_received_days(p))]
    # The last two days of the year: phone calls about the village that named no place, not sorted yet.
    ops.append(_intake(p, len(ops), AS_OF - dt.timedelta(days=1), category="sanitation", channel="phone",
                       place=None))
    ops.append(_intake(p, len(ops), AS_OF, category="village", channel="phone", place=None))
    # One reply rated low in December: reopened, not yet handled again on 31 December.
    december = [op for op in ops if dt.date(YEAR, 12, 1) <= op.received_on <= dt.date(YEAR, 12, 6)
                and CATEGORY[op.category].department is not None]
    december[0].fate = "reopen_open"
    # Duplicates: the same thing about the same place, told again by someone else a few days later.
    originals = rng.sample([op for op in ops if op.received_on < dt.date(YEAR, 12, 15)], DUPLICATES)
    for original in originals:
        day = original.received_on + dt.timedelta(days=rng.randint(1, 10))
        dup = _intake(p, len(ops), day, category=original.category, community=original.community,
                      place=original.place, issue=original.issue)
        dup.text, dup.where = original.text, original.where
        dup.received_on = max(dup.received_on, original.received_on)  # never before what it duplicates
        dup.duplicate_of = original.key
        ops.append(dup)
    ops.sort(key=lambda op: (op.received_on, op.key))
    for op in ops:
        _lifecycle(p, op)
    return ops


# --- writing ------------------------------------------------------------------------------------------------

class _Station:
    """The station's set-up as written: organizations, departments, categories, outlets, handlers."""

    def __init__(self, rng: random.Random) -> None:
        from grassroots.opinions import services
        from grassroots.orgs.models import Organization, Territory

        self.town = Organization.objects.get(code=data.TOWN_CODE)
        self.orgs = {o.code: o for o in Organization.objects.filter(path__startswith=self.town.path)}
        self.places = {t.code: t for t in Territory.objects.filter(code__startswith=data.TOWN[0])}
        p = _Planner(rng.randrange(10 ** 9))
        self.departments = {}
        self.handlers: dict[str, tuple[str, str]] = {}
        for key, name, name_en, phone in DEPARTMENTS:
            person = p.name()
            dept = services.department_create(self.town, name=name, name_en=name_en, contact=f"{person} {phone}")
            self.departments[key] = dept
            self.handlers[f"dept:{dept.pk}"] = (person, phone)
        for code in sorted(self.orgs):
            self.handlers[code] = (p.name(), p.phone())
        self.categories = {}
        for spec in CATEGORIES:
            self.categories[spec.code] = services.category_create(
                self.town, code=spec.code, name=spec.name, name_en=spec.name_en,
                department=self.departments[spec.department] if spec.department else None,
                deadline_workdays=spec.deadline_workdays, description=_description(spec))
        self.outlets = {}
        for community, name, _kind, _parent in data.COMMUNITIES:
            recipients = f"社区党总支书记 {self.handlers[COMMUNITY_ORG[community]][0]}；网格员 {p.name()}、{p.name()}"
            self.outlets[outlet_code(community)] = services.outlet_create(
                self.town, code=outlet_code(community), name=f"{name}民情快递站", territory=self.places[community],
                address=f"{name}居委会一楼便民服务室", recipients=recipients)

    @classmethod
    def load(cls) -> _Station:
        """The station as `__init__` wrote it, read back (its handlers drawn again from the same seed)."""
        from grassroots.opinions.models import Category, Department, Outlet
        from grassroots.orgs.models import Organization, Territory

        station = cls.__new__(cls)
        station.town = Organization.objects.get(code=data.TOWN_CODE)
        station.orgs = {o.code: o for o in Organization.objects.filter(path__startswith=station.town.path)}
        station.places = {t.code: t for t in Territory.objects.filter(code__startswith=data.TOWN[0])}
        p = _Planner(random.Random(SEED).randrange(10 ** 9))
        by_name = {d.name: d for d in Department.objects.filter(org=station.town)}
        station.departments, station.handlers = {}, {}
        for key, name, _name_en, phone in DEPARTMENTS:
            dept = by_name[name]
            station.departments[key] = dept
            station.handlers[f"dept:{dept.pk}"] = (p.name(), phone)
        for code in sorted(station.orgs):
            station.handlers[code] = (p.name(), p.phone())
        station.categories = {c.code: c for c in Category.objects.filter(org=station.town)}
        station.outlets = {o.code: o for o in Outlet.objects.filter(org=station.town)}
        return station

    def handler(self, opinion: Any) -> tuple[str, str]:
        """Who signs the reply: the head of the department, else of the organization handling it."""
        if opinion.department_id is not None:
            return self.handlers[f"dept:{opinion.department_id}"]
        return self.handlers[opinion.handler_org.code]


def _description(spec: CategorySpec) -> str:
    """As the station writes it (in Chinese, like every record of the demo town)."""
    who = next(name for key, name, _en, _phone in DEPARTMENTS if key == spec.department) if spec.department \
        else "所在村（社区）党组织"
    return f"由{who}办理，{spec.deadline_workdays}个工作日内书面答复"


def _reply_text(issue: Issue, op: Planned, to: str, again: bool) -> dict[str, str]:
    spot = next((s for s in SPOTS if s in op.text), SPOTS[0])

    def fill(text: str) -> str:
        return text.format(place=op.where, spot=spot)

    parts = {"background": fill(issue.background)}
    if to == "in_progress":
        parts["measures"] = fill(issue.progress)
    elif to == "solved":
        parts["solution"] = fill(issue.solution)
        if again:
            parts["background"] = "反映人对上次答复不满意，重新办理。" + parts["background"]
            parts["solution"] = "经办人再次到现场核实，" + parts["solution"] + "已当面向反映人说明。"
        parts["measures"] = AFTERCARE[op.key % len(AFTERCARE)]
    elif to == "explained":
        parts["solution"] = fill(issue.explained)
    elif to == "cannot_solve":
        assert issue.cannot is not None
        parts["reason"], parts["measures"] = (fill(issue.cannot[0]), fill(issue.cannot[1]))
        parts["remaining"] = "待条件具备后继续办理，并告知反映人。"
    return parts


def _write(station: _Station, ops: list[Planned]) -> None:
    from grassroots.opinions import services

    written: dict[int, Any] = {}
    for op in ops:
        place = station.places[op.place] if op.place else None
        opinion = services.submit_opinion(
            station.town, text=op.text, category=station.categories[op.category], channel=op.channel,
            received_on=op.received_on, territory=place, address=op.address,
            outlet=station.outlets[op.outlet] if op.outlet else None, submitter_name=op.name,
            submitter_phone=op.phone, submitter_email=op.email)
        written[op.key] = opinion
        issue = CATEGORY[op.category].issues[op.issue]
        for step in op.steps:
            if step.kind == "sort":
                to = station.orgs[COMMUNITY_ORG[step.args["community"]]]
                services.assign(opinion, to_org=to, on=step.on,
                                note=f"电话回访核实后，转{to.name}办理")
            elif step.kind == "escalate":
                services.escalate(opinion, on=step.on, note=step.args["note"])
            elif step.kind == "duplicate":
                assert op.duplicate_of is not None
                original = written[op.duplicate_of]
                services.reply(opinion, to_state="duplicate", on=step.on, duplicate_of=original,
                               background=f"与{original.number}反映的是同一问题，合并办理。")
            elif step.kind in ("reply", "draft"):
                opinion.refresh_from_db()
                name, contact = station.handler(opinion)
                to_state = step.args.get("to", "solved")
                text = _reply_text(issue, op, to_state, bool(step.args.get("again")))
                write = services.draft_reply if step.kind == "draft" else services.reply
                write(opinion, to_state=to_state, on=step.on, handler_name=name, handler_contact=contact, **text)
            elif step.kind == "rate":
                services.rate(opinion.tracking_code, step.args["score"], comment=step.args["comment"], on=step.on)
            elif step.kind == "publish":
                services.set_published(opinion, True)


def build_opinions(out: TextIO) -> None:
    """Write the town's express station and its 2019 opinions if they are not there yet, then say how it did."""
    from grassroots.opinions.models import Department, Opinion
    from grassroots.opinions.selectors import year_statistics
    from grassroots.orgs.models import Organization

    town = Organization.objects.get(code=data.TOWN_CODE)
    with acting(None, "system"):
        if not Department.objects.filter(org=town).exists():
            station = _Station(random.Random(SEED))
            if not Opinion.objects.filter(station=town).exists():
                _write(station, plan())
        figures = year_statistics(town, YEAR).total
    out.write(_("Opinions at the express station in %(year)s: %(received)s received, %(completed)s completed "
                "(%(rate)s%%), %(on_time)s%% on time, satisfaction %(satisfaction)s%%. View the statistics as of "
                "%(day)s.") % {"year": YEAR, "received": figures.received, "completed": figures.completed,
                               "rate": figures.completion_rate, "on_time": figures.on_time_rate,
                               "satisfaction": figures.satisfaction_rate, "day": AS_OF.isoformat()} + "\n")
