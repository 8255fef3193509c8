"""The demo town's fixed facts: places, organizations, names. Heshun Town (和顺镇), Tengchong, from seed 000.

Figures the seed states for the end of 2019 (the build reproduces them exactly):
391 members: 12 probationary, 148 women, 15 of ethnic minorities, 128 aged 35 or under,
139 with a college education or above, 7 mobile; 3 community general branches and 13 branches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

REGION = "530522"  # Tengchong's region code in ID numbers
AS_OF = dt.date(2019, 12, 31)
TOWN_CODE = "HS"
PASSWORD = "demo12345"
HOST = "127.0.0.1"  # where `grassroots serve` listens unless told otherwise (`grassroots demo --host/--port` too)
PORT = 8000
ADDRESS = f"http://{HOST}:{PORT}/"


def address(host: str = HOST, port: int = PORT) -> str:
    """The address the site is served at by `grassroots serve --host HOST --port PORT`."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve_command(host: str = HOST, port: int = PORT) -> str:
    """The command that serves the site at `address(host, port)`."""
    return "grassroots serve" + (f" --host {host}" if host != HOST else "") + (f" --port {port}" if port != PORT else "")

TARGETS = {
    "total": 391, "probationary": 12, "female": 148, "minority": 15, "age_35_or_under": 128,
    "college_or_above": 139, "mobile": 7,
}
DIED = 17  # members who died before the end of 2019 (3 of them during 2019)
DIED_IN_2019 = 3
TRANSFERRED_OUT = 8  # members whose relation went to another town before the end of 2019 (1 during 2019)
TRANSFERRED_OUT_IN_2019 = 1
EDUCATION_UPDATES = 3

# Territory: (code, name, kind, parent code)
COUNTY = ("TC", "腾冲县", "county", None)
TOWN = ("TC-HS", "和顺镇", "town", "TC")
COMMUNITIES = [
    ("TC-HS-SZL", "十字路社区", "community", "TC-HS"),
    ("TC-HS-DZ", "大庄社区", "community", "TC-HS"),
    ("TC-HS-SY", "水碓社区", "community", "TC-HS"),
]
GROUPS_PER_COMMUNITY = 7  # 21 villager groups in all
CN_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    territory: str | None
    founded_on: dt.date
    sector: str = ""  # village, agency, school, health, enterprise, coop (who its members are)
    weight: int = 0  # relative size, for spreading members


ORGS = [
    OrgSpec("HS", "和顺镇党委", "Heshun Town Party Committee", "committee", None, "TC-HS", dt.date(1950, 10, 1)),
    OrgSpec("HS-SZL", "十字路社区党总支", "Cross Road Community General Party Branch", "general_branch", "HS",
            "TC-HS-SZL", dt.date(1956, 3, 1)),
    OrgSpec("HS-DZ", "大庄社区党总支", "Dazhuang Community General Party Branch", "general_branch", "HS",
            "TC-HS-DZ", dt.date(1956, 3, 1)),
    OrgSpec("HS-SY", "水碓社区党总支", "Shuiyu Community General Party Branch", "general_branch", "HS",
            "TC-HS-SY", dt.date(1956, 3, 1)),
    # Village branches under the community general branches.
    OrgSpec("HS-SZL-1", "十字路社区第一党支部", "Cross Road Community First Party Branch", "branch", "HS-SZL",
            "TC-HS-SZL", dt.date(1958, 5, 1), "village", 34),
    OrgSpec("HS-SZL-2", "十字路社区第二党支部", "Cross Road Community Second Party Branch", "branch", "HS-SZL",
            "TC-HS-SZL", dt.date(1958, 5, 1), "village", 30),
    OrgSpec("HS-SZL-3", "十字路社区老年党支部", "Cross Road Community Senior Members' Party Branch", "branch",
            "HS-SZL", "TC-HS-SZL", dt.date(1958, 5, 1), "village", 22),
    OrgSpec("HS-DZ-1", "大庄社区第一党支部", "Dazhuang Community First Party Branch", "branch", "HS-DZ",
            "TC-HS-DZ", dt.date(1958, 5, 1), "village", 34),
    OrgSpec("HS-DZ-2", "大庄社区第二党支部", "Dazhuang Community Second Party Branch", "branch", "HS-DZ",
            "TC-HS-DZ", dt.date(1958, 5, 1), "village", 30),
    OrgSpec("HS-DZ-3", "大庄社区第三党支部", "Dazhuang Community Third Party Branch", "branch", "HS-DZ",
            "TC-HS-DZ", dt.date(1958, 5, 1), "village", 24),
    OrgSpec("HS-SY-1", "水碓社区第一党支部", "Shuiyu Community First Party Branch", "branch", "HS-SY",
            "TC-HS-SY", dt.date(1958, 5, 1), "village", 32),
    OrgSpec("HS-SY-2", "水碓社区第二党支部", "Shuiyu Community Second Party Branch", "branch", "HS-SY",
            "TC-HS-SY", dt.date(1958, 5, 1), "village", 28),
    # Branches directly under the town committee.
    OrgSpec("HS-JG", "和顺镇机关党支部", "Town Government Offices Party Branch", "branch", "HS", "TC-HS",
            dt.date(1952, 7, 1), "agency", 40),
    OrgSpec("HS-XX", "和顺镇中心学校党支部", "Town Central School Party Branch", "branch", "HS", "TC-HS",
            dt.date(1978, 9, 1), "school", 30),
    OrgSpec("HS-WSY", "和顺镇卫生院党支部", "Town Health Center Party Branch", "branch", "HS", "TC-HS",
            dt.date(1975, 7, 1), "health", 22),
    OrgSpec("HS-GZ", "和顺古镇保护管理局党支部", "Ancient Town Protection Administration Party Branch", "branch",
            "HS", "TC-HS", dt.date(2006, 4, 1), "agency", 25),
    OrgSpec("HS-QY", "和顺旅游开发公司党支部", "Heshun Tourism and Culture Company Party Branch", "branch", "HS",
            "TC-HS", dt.date(2003, 7, 1), "enterprise", 22),
    OrgSpec("HS-GXS", "和顺供销社党支部", "Supply and Marketing Cooperative Party Branch", "branch", "HS", "TC-HS",
            dt.date(1962, 4, 1), "coop", 14),
    # Party groups.
    OrgSpec("HS-SZL-1-G1", "十字路一支部第一党小组", "Cross Road First Branch, Group 1", "party_group", "HS-SZL-1",
            "TC-HS-SZL", dt.date(2005, 3, 1)),
    OrgSpec("HS-SZL-1-G2", "十字路一支部第二党小组", "Cross Road First Branch, Group 2", "party_group", "HS-SZL-1",
            "TC-HS-SZL", dt.date(2005, 3, 1)),
    OrgSpec("HS-DZ-1-G1", "大庄一支部第一党小组", "Dazhuang First Branch, Group 1", "party_group", "HS-DZ-1",
            "TC-HS-DZ", dt.date(2005, 3, 1)),
    OrgSpec("HS-DZ-1-G2", "大庄一支部第二党小组", "Dazhuang First Branch, Group 2", "party_group", "HS-DZ-1",
            "TC-HS-DZ", dt.date(2005, 3, 1)),
    OrgSpec("HS-SY-1-G1", "水碓一支部第一党小组", "Shuiyu First Branch, Group 1", "party_group", "HS-SY-1",
            "TC-HS-SY", dt.date(2005, 3, 1)),
]

# Tree history (in date order).
RENAME = ("HS-QY", "和顺古镇旅游文化公司党支部", dt.date(2015, 3, 1),
          "the company was restructured and renamed")
REVOKE = ("HS-GXS", "HS-JG", dt.date(2019, 5, 20),
          "the organization department agreed to withdraw the supply and marketing cooperative's branch; "
          "its members were transferred")
COOP_LAST_JOIN = dt.date(2017, 6, 30)  # nobody joined the cooperative's branch in its last years

SECRETARY_BRANCH = "HS-SZL-1"

# Heshun's old clans first (寸, 刘, 李, 尹, 贾, 张, 钏, 杨), then common surnames, repeated by frequency.
SURNAMES = ["寸"] * 6 + ["刘"] * 5 + ["李"] * 6 + ["尹"] * 5 + ["贾"] * 4 + ["张"] * 5 + ["钏"] * 3 + ["杨"] * 5 + [
    "王", "赵", "段", "许", "董", "杜", "黄", "周", "陈", "孙", "何", "马", "龚", "郑", "罗", "朱", "蒋", "苏",
]
MALE_CHARS = "国建明华志伟军强平福海兴忠德文永昌家成学荣俊云祥宏涛斌磊鹏刚林波庆顺"
FEMALE_CHARS = "秀英芳兰玉红梅丽琼艳春燕霞敏静娟凤桂珍琴丹雪慧婷莉萍蓉洁"
MINORITIES = ["傣族", "彝族", "白族", "傈僳族", "回族", "佤族", "阿昌族"]
TRANSFER_DESTINATIONS = ["腾越镇党委", "清水乡党委", "保山市隆阳区永昌街道党工委", "昆明市五华区华山街道党工委"]
