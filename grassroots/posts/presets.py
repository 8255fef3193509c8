"""The preset kinds of post an organizer loads in one action (`services.kinds_load_presets`): data, not code.

- "seed004": seed 004's eight posts under "choose one post, contribute one skill, give one day".
- "wulan": Wulan Street's ten posts for unemployed members (seed 000). The seed names four of them (poverty
  relief, civil disputes, public-opinion survey, comprehensive prevention, "..."); the other six are this
  platform's plausible choices, marked `chosen` below, and an organizer may rename or deactivate any of them.

Names are unique within an organization, so the two presets share no name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PresetKind:
    name: str  # Chinese, as the seeds write it
    name_en: str
    description: str
    chosen: bool = False  # not named by the seed: this platform's choice


SEED004 = (
    PresetKind("治安巡逻岗", "Public security patrol", "协助开展治安巡逻，发现隐患及时报告"),
    PresetKind("政策宣传岗", "Policy propaganda", "宣传党的路线方针政策和惠民政策"),
    PresetKind("义务教育岗", "Compulsory education", "关心青少年教育，开展课后辅导和帮教"),
    PresetKind("爱心奉献岗", "Loving dedication", "结对帮扶困难群众，开展爱心捐助"),
    PresetKind("便民服务岗", "Convenience service", "为群众代办代缴，提供便民服务"),
    PresetKind("矛盾调解岗", "Dispute mediation", "参与邻里矛盾纠纷调解"),
    PresetKind("环境卫士岗", "Environmental guardian", "维护环境卫生，劝导不文明行为"),
    PresetKind("居民监督岗", "Residents' supervision", "监督社区事务公开和服务承诺落实"),
)

WULAN = (
    PresetKind("扶贫帮困岗", "Poverty relief", "走访困难家庭，帮助解决实际困难"),
    PresetKind("民事调解岗", "Civil dispute mediation", "调解家庭、邻里等民事纠纷"),
    PresetKind("民意调查岗", "Public-opinion survey", "收集居民意见建议，及时反映社情民意"),
    PresetKind("综合防范岗", "Comprehensive prevention", "参与群防群治，做好综合防范"),
    PresetKind("宣传教育岗", "Publicity and education", "宣传政策法规，组织学习教育", chosen=True),
    PresetKind("环境监督岗", "Environment supervision", "监督环境卫生和绿化维护", chosen=True),
    PresetKind("文明劝导岗", "Civility persuasion", "劝导不文明行为，倡导文明新风", chosen=True),
    PresetKind("关爱老人岗", "Caring for the elderly", "看望空巢、高龄老人，提供关爱服务", chosen=True),
    PresetKind("青少年帮教岗", "Youth guidance", "关心关爱青少年，参与帮扶教育", chosen=True),
    PresetKind("就业信息岗", "Employment information", "收集发布就业信息，帮助困难群众就业", chosen=True),
)

PRESETS: dict[str, tuple[PresetKind, ...]] = {"seed004": SEED004, "wulan": WULAN}
PRESET_LABELS = {"seed004": _("Eight posts of seed 004 (choose one post, contribute one skill, give one day)"),
                 "wulan": _("Ten posts for unemployed members (Wulan Street)")}
