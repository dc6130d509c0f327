"""Demo data: a realistic roster for one street, or for a whole district, to try the
system with.

The streets are Changsha's Furong District; the first office carries the members named in
the office's own account of its work (DOMAIN.md): 康熙 and the 南京大酒店, 唐朝阳 and his
building-materials headquarters, 黄德军 and the 银华酒店, 曹胜阳 and the donations to 八一路小学.

Everything is drawn from one seeded ``random.Random``, so two runs on the same day give the
same data (birthdays are placed relative to today, so that reminders have work to do).
Rows are written with ``bulk_create``: the district scale (about 5,000 members and their
portal accounts) takes seconds, not minutes. ``Member.save()`` is bypassed by
``bulk_create``, so the stroke-order key is computed here with the same function.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import icu
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from liaison import roles
from liaison.models import City, District, HandlingUnit, Office
from members.models import Affiliation, Contribution, Member, Sector, Term
from members.strokes import stroke_sort_key

# Every demo account shares this password; it is hashed once per run.
DEMO_PASSWORD = "lianluo-2026"
# Demo addresses use reserved example domains (RFC 2606), so a demo installation wired to
# a real mail server never writes to a real person.
DEMO_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
SEED = 20260101
DISTRICT = "芙蓉区"
CHANGE_REASON = "演示数据"

ADMIN_USERNAME = "admin"
DISTRICT_USERNAME = "district"
LEADER_USERNAME = "leader"


# Data tables are written as space-separated strings so that the formatter keeps them
# compact; ``_words`` splits them.
def _words(text: str) -> list[str]:
    return text.split()


def _weighted(text: str) -> list[str]:
    """``"王:9 李:9 梁"`` → a pool where 王 appears nine times, 梁 once."""
    pool = []
    for item in text.split():
        name, _, weight = item.partition(":")
        pool += [name] * int(weight or 1)
    return pool


# (office code, street) in Changsha's Furong District. The first is the small scale's.
STREETS = [
    tuple(pair.split(":"))
    for pair in _words(
        "jcy:韭菜园街道 wyl:文艺路街道 cy:朝阳街道 wlp:五里牌街道 hx:火星街道 mwd:马王堆街道"
        " dtd:东屯渡街道 xh:湘湖街道 dwt:定王台街道 hhy:荷花园街道 dh:东湖街道 mpl:马坡岭街道"
        " da:东岸街道"
    )
]

# The city scale: Changsha's districts (and county-level cities) with their streets and
# towns, 150 offices in all. 芙蓉区 comes first with STREETS; the others' office codes are
# the district's prefix and a number (tx01 …).
CITY = "长沙市"
CITY_DISTRICTS = [
    (prefix, name, _words(streets))
    for prefix, name, streets in (
        (
            "tx",
            "天心区",
            "坡子街 城南路 裕南街 金盆岭 新开铺 青园 桂花坪 赤岭路 文源 先锋"
            " 黑石铺 大托铺 暮云 南托 新路",
        ),
        (
            "yl",
            "岳麓区",
            "橘子洲 岳麓 望月湖 银盆岭 观沙岭 西湖 咸嘉湖 望城坡 梅溪湖 麓谷"
            " 坪塘 含浦 天顶 洋湖 学士 莲花",
        ),
        (
            "kf",
            "开福区",
            "东风路 清水塘 望麓园 湘雅路 伍家岭 新河 通泰街 芙蓉北路 四方坪 洪山"
            " 月湖 秀峰 浏阳河 捞刀河 青竹湖 沙坪",
        ),
        (
            "yh",
            "雨花区",
            "侯家塘 左家塘 圭塘 砂子塘 东塘 雨花亭 高桥 洞井 黎托 井湾子 同升"
            " 东山 跳马 环保科技园 红星",
        ),
        (
            "wc",
            "望城区",
            "高塘岭 喻家坡 白沙洲 大泽湖 月亮岛 金山桥 廖家坪 丁字湾 黄金园"
            " 书堂山 乌山 白箬铺 茶亭 靖港 乔口",
        ),
        (
            "csx",
            "长沙县",
            "星沙 湘龙 泉塘 榔梨 黄兴 江背 安沙 北山 福临 青山铺 路口 开慧 果园 春华 黄花",
        ),
        (
            "ly",
            "浏阳市",
            "淮川 集里 荷花 关口 蕉溪 永安 洞阳 北盛 沙市 官桥 大瑶 金刚 镇头 社港 古港",
        ),
        (
            "nx",
            "宁乡市",
            "玉潭 白马桥 历经铺 城郊 金洲 夏铎铺 双江口 回龙铺 道林 花明楼"
            " 东湖塘 大成桥 流沙河 黄材 煤炭坝",
        ),
        (
            "xj",
            "湘江新区",
            "东方红 雷锋 麓山 岳华 谷山 桐梓坡 金桥 银星 桃花岭 白鹤 梅岭 洋湖湾 含光 枫林 象鼻窝",
        ),
    )
]
CITY_STREETS = [
    (f"{prefix}{number:02d}", f"{street}街道", name)
    for prefix, name, streets in CITY_DISTRICTS
    for number, street in enumerate(streets, start=1)
]
DEMO_OFFICE_CODES = [code for code, _ in STREETS] + [code for code, _, _ in CITY_STREETS]
CITY_USERNAME = "city"


@dataclass(frozen=True)
class Scale:
    offices: int
    members: int
    districts: int = 1  # above one, the offices of CITY_DISTRICTS join DISTRICT's


SCALES = {
    "small": Scale(offices=1, members=60),
    "district": Scale(offices=12, members=5000),
    "city": Scale(offices=150, members=60000, districts=10),
}

# --- Names ----------------------------------------------------------------------------
# Common surnames with rough weights, plus rarer ones that make a stroke-ordered list
# interesting (丁, 卜, 万 … 瞿). 欧阳 is a surname of two characters.
SURNAMES = _weighted(
    "王:9 李:9 张:8 刘:7 陈:7 杨:5 黄:4 赵:4 周:3 吴:3 徐:3 孙:2 胡:2 朱:2 高:2 林:2 何:2"
    " 郭:2 马:2 罗:2 唐:2 曾:2 彭:2 谭:2 梁 宋 郑 谢 韩 冯 邓 曹 许 肖 田 董 袁 潘 蒋 蔡 余"
    " 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊"
    " 秦 邱 江 尹 薛 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 易"
    " 文 欧阳 左 刁 卜 丘 聂 瞿"
)
MALE_GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才"
    "发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思"
    "群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁"
    "栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘湘岳麓"
)
FEMALE_GIVEN = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱"
    "妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露"
    "瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽"
    "希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)

# --- Where members live and work -------------------------------------------------------
ROADS = _words(
    "五一大道 八一路 芙蓉中路 韶山北路 车站北路 人民东路 远大一路 晚报大道 建湘路 朝阳路"
    " 营盘东路 蔡锷北路 解放东路 浏城桥路 燕山街 识字岭路 马王堆路 东二环一段 火星北路"
    " 荷花路 长沙大道"
)
ESTATES = _words(
    "芙蓉花园 韭菜园小区 朝阳新村 五里牌小区 东方新城 湘湖家园 马王堆小区 荷花园小区"
    " 东湖雅苑 定王台小区 远大新村 金色家园 万象新天 嘉盛华庭 紫东阁 湘域中央 浏阳河畔"
)
NATIVE_PLACES = _weighted(
    "湖南长沙:8 湖南湘潭:2 湖南株洲:2 湖南衡阳:2 湖南常德:2 湖南益阳:2 湖南岳阳:2"
    " 湖南邵阳:2 湖南娄底 湖南郴州 湖南永州 湖南怀化 湖南湘西 湖南张家界 江西萍乡"
    " 湖北武汉 广东广州 河南信阳 四川成都 浙江温州"
)
EDUCATION = _weighted("大学本科:6 硕士研究生:3 博士研究生 大专:2 中专")
MINORITIES = _words("土家族 苗族 侗族 瑶族 回族 白族 满族 壮族")
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 158 159 173 177 180"
    " 181 186 187 188 189 191 199"
)
BRANDS = _words(
    "鑫源 华瑞 金诚 宏图 博远 湘融 聚鑫 恒达 永盛 天盛 汇通 嘉禾 星沙 楚天 德润 麓谷 银都"
    " 广厦 瑞丰 和信 润泽 新湘"
)
INDUSTRIES = _words(
    "房地产开发 商贸 建材 餐饮管理 物流 信息科技 文化传媒 医药连锁 酒店管理 建筑工程 投资"
    " 电子商务 服饰 家居 食品"
)
HONOURS = _words("芙蓉区优秀政协委员 长沙市劳动模范 湖南省三八红旗手 芙蓉区优秀企业家")


@dataclass(frozen=True)
class Profile:
    """What a member of a given sector typically does: employers, positions, titles.
    A title of "-" means none."""

    employers: list[str]
    positions: list[str]
    titles: list[str]


PROFILES = {
    "business": Profile(
        employers=[],  # invented per member from BRANDS and INDUSTRIES
        positions=_words("董事长 总经理 总经理 副总经理 执行董事 财务总监"),
        titles=_words("- - 高级经济师 经济师 高级会计师"),
    ),
    "education": Profile(
        employers=_words(
            "长沙市芙蓉区大同小学 长沙市芙蓉区八一路小学 长沙市芙蓉区燕山小学"
            " 长沙市芙蓉区育英小学 长沙市长郡芙蓉实验中学 长沙市第二十一中学 湖南师范大学"
            " 长沙市芙蓉区教育局 长沙市芙蓉区示范幼儿园"
        ),
        positions=_words("校长 副校长 教导主任 教师 教研组长 园长"),
        titles=_words("中学高级教师 小学高级教师 一级教师 教授 副教授"),
    ),
    "medicine": Profile(
        employers=_words(
            "湖南省人民医院 长沙市第一医院 湖南中医药大学第一附属医院 中南大学湘雅医院"
            " 长沙市芙蓉区人民医院 {street}社区卫生服务中心 长沙市芙蓉区妇幼保健院"
        ),
        positions=_words("院长 副院长 科主任 主任医师 护士长 药剂科主任"),
        titles=_words("主任医师 副主任医师 主治医师 主任药师 主管护师"),
    ),
    "science": Profile(
        employers=_words(
            "中南大学 湖南大学 湖南农业大学 长沙理工大学 湖南省农业科学院"
            " 湖南麓谷信息科技有限公司 长沙市芙蓉区科技创业服务中心"
        ),
        positions=_words("教授 研究员 技术总监 总工程师 实验室主任 副所长"),
        titles=_words("教授 研究员 高级工程师 正高级工程师 副研究员"),
    ),
    "law": Profile(
        employers=_words(
            "湖南湘融律师事务所 湖南博远律师事务所 湖南和信会计师事务所 湖南省社会科学院"
            " 长沙市芙蓉区司法局 湖南德润税务师事务所"
        ),
        positions=_words("主任 合伙人律师 律师 注册会计师 研究员 所长"),
        titles=_words("一级律师 二级律师 高级会计师 研究员 -"),
    ),
    "culture": Profile(
        employers=_words(
            "长沙市芙蓉区文化馆 湖南省花鼓戏保护传承中心 长沙市书法家协会 湖南美术出版社"
            " 长沙晚报社 芙蓉区融媒体中心 湖南广播电视台"
        ),
        positions=_words("馆长 一级演员 书法家 编辑 记者 主任 副总编辑"),
        titles=_words("一级美术师 国家一级演员 高级编辑 主任记者 -"),
    ),
    "community": Profile(
        employers=_words(
            "{street}办事处 {street}八一路社区 {street}燕山街社区 长沙市芙蓉区总工会"
            " 长沙市芙蓉区妇联 共青团长沙市芙蓉区委 长沙市芙蓉区民政局 长沙市芙蓉区工商联"
        ),
        positions=_words("党工委委员 社区党委书记 社区主任 副主席 科长 主任"),
        titles=["-"],
    ),
    "sport": Profile(
        employers=_words("长沙市芙蓉区体育中心 湖南省体育职业学院 长沙市业余体校"),
        positions=_words("教练 主任 副校长"),
        titles=_words("国家级教练 高级教练 -"),
    ),
    "religion": Profile(
        employers=_words("长沙市佛教协会 长沙市基督教两会 长沙市伊斯兰教协会"),
        positions=_words("副会长 秘书长 会长"),
        titles=["-"],
    ),
}
# sector → profile name; sectors not listed fall back to "business".
SECTOR_PROFILE = dict(
    pair.split(":")
    for pair in _words(
        "民建:business 工商联:business 经济界:business 致公党:business 特邀:business"
        " 台联:business 侨联:business 无党派人士:business 民进:education 教育界:education"
        " 共青团:education 农工党:medicine 医药卫生界:medicine 九三学社:science 科协:science"
        " 科学技术界:science 农业界:science 民盟:law 民革:law 社会科学界:law 台盟:law"
        " 社会福利和社会保障界:law 文化艺术界:culture 新闻出版界:culture 对外友好界:culture"
        " 中共:community 工会:community 妇联:community 少数民族界:community 体育界:sport"
        " 宗教界:religion"
    )
)
# Sectors weighted as on a real street roster: the economy and the parties dominate.
SECTOR_NAMES = _weighted(
    "经济界:14 工商联:8 中共:10 民建:5 民革:4 民盟:4 民进:4 农工党:3 九三学社:3 致公党:2"
    " 无党派人士:5 教育界:5 医药卫生界:5 科学技术界:3 文化艺术界:3 新闻出版界:2 社会科学界:2"
    " 共青团:2 工会:2 妇联:2 体育界 少数民族界 宗教界 特邀:2"
)
# The democratic parties' sectors take their own affiliation; the rest are mixed.
SECTOR_AFFILIATION = dict(
    pair.split(":")
    for pair in _words(
        "中共:中共党员 民革:民革党员 民盟:民盟盟员 民建:民建会员 民进:民进会员"
        " 农工党:农工党党员 致公党:致公党党员 九三学社:九三学社社员 台盟:台盟盟员"
        " 无党派人士:无党派人士 共青团:共青团员"
    )
)
MIXED_AFFILIATIONS = _weighted("中共党员:5 群众:3 无党派人士:2")

# --- Handling units ---------------------------------------------------------------------
STREET_DEPARTMENTS = _words("城管科 食安办 工商所 社会事务办 经济发展办 平安建设办")
COMMUNITIES = {
    "jcy": _words("八一路社区 燕山街社区 荷花池社区 韭菜园社区"),
    "wyl": _words("文艺路社区 识字岭社区 窑岭社区"),
    "cy": _words("朝阳社区 南元宫社区 八一桥社区"),
    "wlp": _words("五里牌社区 古汉城社区 嘉雨社区"),
    "hx": _words("火星社区 马王街社区 新世纪社区"),
    "mwd": _words("马王堆社区 杉木冲社区 远大社区"),
    "dtd": _words("东屯渡社区 东郡社区 棠坡社区"),
    "xh": _words("湘湖社区 东风路社区 晚报社区"),
    "dwt": _words("定王台社区 解放路社区 浏城桥社区"),
    "hhy": _words("荷花园社区 八一东社区 曙光社区"),
    "dh": _words("东湖社区 合平社区 花桥社区"),
    "mpl": _words("马坡岭社区 张公岭社区 隆平社区"),
    "da": _words("东岸社区 新合社区 浏阳河社区"),
}
DISTRICT_BODIES = [
    (name, HandlingUnit.Kind.DISTRICT_BODY)
    for name in _words(
        "芙蓉区城市管理和综合执法局 芙蓉区住房和城乡建设局 芙蓉区教育局 芙蓉区卫生健康局"
        " 芙蓉区市场监督管理局 芙蓉区民政局 芙蓉区发展和改革局"
    )
] + [("政协长沙市芙蓉区委员会提案委员会", HandlingUnit.Kind.CPPCC)]
# At the city scale each district has its bodies (芙蓉区's above, the others' named
# alike), and the city's are shared by every office.
DISTRICT_BODY_KINDS = _words(
    "城市管理和综合执法局 住房和城乡建设局 教育局 卫生健康局 市场监督管理局 民政局 发展和改革局"
)
CITY_BODIES = [
    (f"{CITY}{name}", HandlingUnit.Kind.DISTRICT_BODY)
    for name in _words("住房和城乡建设局 城市管理和综合执法局 交通运输局")
] + [(f"政协{CITY}委员会提案委员会", HandlingUnit.Kind.CPPCC)]


def district_bodies(district: str) -> list[tuple[str, str]]:
    if district == DISTRICT:
        return DISTRICT_BODIES
    return [
        (f"{district}{name}", HandlingUnit.Kind.DISTRICT_BODY) for name in DISTRICT_BODY_KINDS
    ] + [(f"政协{CITY}{district}委员会提案委员会", HandlingUnit.Kind.CPPCC)]


def _demo_body_names() -> list[str]:
    names = [name for name, _ in DISTRICT_BODIES + CITY_BODIES]
    for _prefix, district, _streets in CITY_DISTRICTS:
        names += [name for name, _ in district_bodies(district)]
    return names


@dataclass
class SignIns:
    """What the command prints at the end: one account of each kind."""

    staff_username: str
    member_mobile: str
    member_name: str
    leader_username: str
    district_username: str = DISTRICT_USERNAME
    admin_username: str = ADMIN_USERNAME
    password: str = DEMO_PASSWORD
    # The city scale: the city's staff, and each other district's (name, username).
    city_username: str | None = None
    other_districts: tuple[tuple[str, str], ...] = ()


@dataclass
class Summary:
    offices: int = 0
    members: int = 0
    accounts: int = 0
    handling_units: int = 0
    contributions: int = 0
    sign_ins: SignIns | None = None


class DemoDataExists(Exception):
    """The database already holds offices or members; nothing was written."""

    def __init__(self, offices: int, members: int, is_demo: bool):
        self.offices, self.members, self.is_demo = offices, members, is_demo
        super().__init__(f"{offices} offices, {members} members")


# --- Small helpers -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _transliterator():
    return icu.Transliterator.createInstance("Han-Latin; Latin-ASCII; Lower")


@lru_cache(maxsize=4096)
def _syllable(char: str) -> str:
    return "".join(ch for ch in _transliterator().transliterate(char) if ch.isalnum())


def _pinyin(name: str) -> str:
    return "".join(_syllable(char) for char in name)


def _date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, month, 28)


class _Generator:
    """Draws everything from one seeded random generator, in a fixed order."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng = rng
        self.today = today
        self.mobiles: set[str] = set()
        self.emails: set[str] = set()

    def name(self, sex: str) -> str:
        rng = self.rng
        surname = rng.choice(SURNAMES)
        pool = MALE_GIVEN if sex == Member.Sex.MALE else FEMALE_GIVEN
        length = 1 if rng.random() < 0.3 else 2
        return surname + "".join(rng.choice(pool) for _ in range(length))

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def email(self, name: str) -> str:
        base = _pinyin(name) or "member"
        while True:
            address = f"{base}{self.rng.randint(1, 999)}@{self.rng.choice(DEMO_EMAIL_DOMAINS)}"
            if address not in self.emails:
                self.emails.add(address)
                return address

    def phone(self) -> str:
        return f"0731-8{self.rng.randint(2000000, 9999999)}"

    def address(self) -> str:
        return f"长沙市芙蓉区{self.rng.choice(ROADS)}{self.rng.randint(1, 599)}号"

    def home(self) -> str:
        rng = self.rng
        return (
            f"长沙市芙蓉区{rng.choice(ESTATES)}{rng.randint(1, 28)}栋"
            f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
        )

    def birth_date(self, soon: bool) -> datetime.date:
        rng = self.rng
        year = self.today.year - rng.randint(32, 68)
        if soon:
            # Within the next week, so the birthday reminders have something to do.
            upcoming = self.today + datetime.timedelta(days=rng.randint(0, 6))
            return _date(year, upcoming.month, upcoming.day)
        return _date(year, rng.randint(1, 12), rng.randint(1, 31))

    def employer(self, profile_name: str, street: str) -> tuple[str, str, str]:
        rng = self.rng
        profile = PROFILES[profile_name]
        if profile_name == "business":
            prefix = rng.choice(["长沙", "湖南", "长沙市"])
            employer = f"{prefix}{rng.choice(BRANDS)}{rng.choice(INDUSTRIES)}有限公司"
        else:
            employer = rng.choice(profile.employers).format(street=street)
        title = rng.choice(profile.titles)
        return employer, rng.choice(profile.positions), "" if title == "-" else title


def _weighted_sectors(sectors: dict[str, Sector]) -> list[Sector]:
    # Staff may have renamed or retired a seeded sector; draw from what is there.
    pool = [sectors[name] for name in SECTOR_NAMES if name in sectors]
    return pool or list(sectors.values())


def _office_sizes(rng: random.Random, offices: int, members: int) -> list[int]:
    """Split the members unevenly (streets differ in size) but exactly."""
    weights = [rng.uniform(0.7, 1.3) for _ in range(offices)]
    total = sum(weights)
    sizes = [int(members * w / total) for w in weights]
    sizes[0] += members - sum(sizes)
    return sizes


# --- The famous four --------------------------------------------------------------------


def _named_members(today: datetime.date) -> list[dict]:
    """The members named in the office's own account (DOMAIN.md, "Three services")."""
    first = today.year - 4  # the hotel's first year; the three years above a million follow
    return [
        {
            "name": "康熙",
            "sex": Member.Sex.MALE,
            "sector": "经济界",
            "affiliation": "无党派人士",
            "role": Member.Role.STANDING,
            "employer": "长沙南京大酒店有限公司",
            "position": "董事长",
            "title": "高级经济师",
            "honours": "芙蓉区人民政府纳税贡献奖（连续四年）",
            "contributions": [
                (
                    Contribution.Kind.TAX,
                    first,
                    "南京大酒店开业首年区级税收",
                    600_000,
                    "开业当年实现区级税收60万元。",
                ),
                (Contribution.Kind.AWARD, first, "芙蓉区人民政府纳税贡献奖", None, ""),
            ]
            + [
                item
                for offset, amount in ((1, 1_120_000), (2, 1_260_000), (3, 1_350_000))
                for item in (
                    (
                        Contribution.Kind.TAX,
                        first + offset,
                        "南京大酒店区级税收",
                        amount,
                        "连续三年区级税收超过百万元，安置就业、维护稳定。",
                    ),
                    (Contribution.Kind.AWARD, first + offset, "芙蓉区人民政府纳税贡献奖", None, ""),
                )
            ],
        },
        {
            "name": "唐朝阳",
            "sex": Member.Sex.MALE,
            "sector": "工商联",
            "affiliation": "中共党员",
            "role": Member.Role.MEMBER,
            "employer": "长沙鑫盛建材有限公司",
            "position": "董事长",
            "title": "",
            "honours": "芙蓉区“创业之星”",
            "soon_birthday": True,
            "contributions": [
                (
                    Contribution.Kind.ENTERPRISE,
                    first + 1,
                    "长沙鑫盛建材有限公司总部落户本街道",
                    None,
                    "响应区委区政府发展楼宇经济的号召，在辖区创办企业总部。",
                ),
                (
                    Contribution.Kind.TAX,
                    first + 3,
                    "长沙鑫盛建材有限公司年度利税",
                    980_000,
                    "企业发展两年，年利税近百万元。",
                ),
                (Contribution.Kind.AWARD, first + 3, "芙蓉区人民政府授予“创业之星”称号", None, ""),
            ],
        },
        {
            "name": "黄德军",
            "sex": Member.Sex.MALE,
            "sector": "经济界",
            "affiliation": "民建会员",
            "role": Member.Role.GROUP_LEADER,
            "employer": "长沙银华酒店有限公司",
            "position": "总经理",
            "title": "高级经济师",
            "honours": "",
            "contributions": [
                (
                    Contribution.Kind.OTHER,
                    first + 2,
                    "银华酒店成为芙蓉区明星楼宇",
                    None,
                    "楼宇经济在长沙市处于领先地位。",
                ),
                (
                    Contribution.Kind.DONATION,
                    first + 3,
                    "为八一路小学捐资购置教学设备",
                    50_000,
                    "改善农民工子女集中就读学校的学习条件。",
                ),
            ],
        },
        {
            "name": "曹胜阳",
            "sex": Member.Sex.MALE,
            "sector": "工商联",
            "affiliation": "中共党员",
            "role": Member.Role.SECTOR_CONVENER,
            "employer": "湖南千汇商贸连锁有限公司",
            "position": "总经理",
            "title": "经济师",
            "honours": "",
            "contributions": [
                (
                    Contribution.Kind.OTHER,
                    first + 3,
                    "牵头非公有制企业党组织建设专题调研",
                    None,
                    "调研报告的意见建议被芙蓉区非公有制经济组织党工委采纳。",
                ),
                (
                    Contribution.Kind.DONATION,
                    first + 3,
                    "为八一路小学捐赠教学物资",
                    30_000,
                    "与黄德军委员共同发起，支持农民工子女学校添置教学设备。",
                ),
            ],
        },
    ]


# --- Entry points ---------------------------------------------------------------------


def demo_present() -> bool:
    """Whether this database holds the demo (the first demo office and its staff user)."""
    user_model = get_user_model()
    return (
        Office.objects.filter(code=STREETS[0][0]).exists()
        and user_model.objects.filter(username=f"staff_{STREETS[0][0]}").exists()
    )


def existing_sign_ins() -> SignIns | None:
    """The demo's sign-ins when the demo is already in the database."""
    if not demo_present():
        return None
    member = (
        Member.objects.filter(office__code=STREETS[0][0], name="唐朝阳", user__isnull=False)
        .exclude(mobile="")
        .first()
    )
    if member is None:
        return None
    return SignIns(
        staff_username=f"staff_{STREETS[0][0]}",
        member_mobile=member.mobile,
        member_name=member.name,
        leader_username=LEADER_USERNAME,
        **_city_sign_ins(),
    )


def _city_sign_ins() -> dict:
    """The city scale's extra accounts, if this demo is one."""
    user_model = get_user_model()
    if not user_model.objects.filter(
        username=CITY_USERNAME, email__endswith=DEMO_EMAIL_DOMAINS[0]
    ).exists():
        return {}
    others = user_model.objects.filter(
        username__in=[_district_username(prefix) for prefix, _, _ in CITY_DISTRICTS]
    ).values_list("district__name", "username")
    order = [name for _, name, _ in CITY_DISTRICTS]
    return {
        "city_username": CITY_USERNAME,
        "other_districts": tuple(sorted(others, key=lambda pair: order.index(pair[0]))),
    }


def _district_username(prefix: str) -> str:
    return f"{DISTRICT_USERNAME}_{prefix}"


@transaction.atomic
def demo_reset() -> None:
    """Delete what the demo created: its offices with their members, accounts and units,
    the district bodies it added, and its named accounts, with their history. Other data
    is left alone."""
    user_model = get_user_model()
    office_ids = list(
        Office.objects.filter(code__in=DEMO_OFFICE_CODES).values_list("pk", flat=True)
    )
    member_ids = list(Member.objects.filter(office__in=office_ids).values_list("pk", flat=True))
    member_users = list(
        Member.objects.filter(pk__in=member_ids, user__isnull=False).values_list("user", flat=True)
    )
    units = HandlingUnit.objects.filter(office__in=office_ids) | HandlingUnit.objects.filter(
        office=None, name__in=_demo_body_names()
    )
    unit_ids = list(units.values_list("pk", flat=True))
    # Without this, every deleted row writes a "deleted" history row, one INSERT each:
    # most of the time of a district reset, for history nobody needs.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        Contribution.objects.filter(member__in=member_ids).delete()
        Member.objects.filter(pk__in=member_ids).delete()
        user_model.objects.filter(
            Q(pk__in=member_users)
            | Q(office__in=office_ids)
            | Q(
                username__in=[
                    ADMIN_USERNAME,
                    DISTRICT_USERNAME,
                    LEADER_USERNAME,
                    CITY_USERNAME,
                    *(_district_username(prefix) for prefix, _, _ in CITY_DISTRICTS),
                ],
                email__endswith=DEMO_EMAIL_DOMAINS[0],
            )
        ).delete()
        HandlingUnit.objects.filter(pk__in=unit_ids).delete()
        Office.objects.filter(pk__in=office_ids).delete()
    Contribution.history.filter(member_id__in=member_ids).delete()
    Member.history.filter(id__in=member_ids).delete()
    HandlingUnit.history.filter(id__in=unit_ids).delete()
    Office.history.filter(id__in=office_ids).delete()


@transaction.atomic
def demo_seed(*, scale: str, today: datetime.date | None = None) -> Summary:
    """Create the demo. Refuses (raises DemoDataExists) when offices or members exist."""
    spec = SCALES[scale]
    offices_count, members_count = Office.objects.count(), Member.objects.count()
    if offices_count or members_count:
        raise DemoDataExists(offices_count, members_count, is_demo=demo_present())

    today = today or timezone.localdate()
    rng = random.Random(SEED)
    gen = _Generator(rng, today)
    user_model = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by every account
    groups = {name: Group.objects.get(name=name) for name in roles.ROLES}
    summary = Summary()

    admin = user_model.objects.create(
        username=ADMIN_USERNAME,
        full_name="系统管理员",
        email=f"admin@{DEMO_EMAIL_DOMAINS[0]}",
        password=password_hash,
        is_staff=True,
        is_superuser=True,
    )

    # Offices, one staff account each, and their handling units.
    offices = []
    staff_users = []
    units = []
    district = District.objects.get_or_create(name=DISTRICT)[0]
    districts = {DISTRICT: district}
    places = [(code, street, DISTRICT) for code, street in STREETS]
    if spec.districts > 1:
        city = City.objects.get_or_create(name=CITY)[0]
        for _prefix, name, _streets in CITY_DISTRICTS[: spec.districts - 1]:
            districts[name] = District.objects.get_or_create(name=name)[0]
        District.objects.filter(pk__in=[d.pk for d in districts.values()]).update(city=city)
        places += [place for place in CITY_STREETS if place[2] in districts]
    for code, street, district_name in places[: spec.offices]:
        office = Office.objects.create(
            code=code,
            name=f"{street}政协联络处",
            street=street,
            district=districts[district_name],
            address=f"{gen.address()}（{street}办事处）",
            phone=gen.phone(),
            email=f"{code}@{DEMO_EMAIL_DOMAINS[0]}",
        )
        offices.append(office)
        staff_users.append(
            user_model(
                username=f"staff_{code}",
                full_name=gen.name(rng.choice(Member.Sex.values)),
                email=f"staff_{code}@{DEMO_EMAIL_DOMAINS[0]}",
                phone=gen.mobile(),
                password=password_hash,
                is_staff=True,
                office=office,
            )
        )
        for name in STREET_DEPARTMENTS:
            units.append(_unit(gen, office, name, HandlingUnit.Kind.STREET_DEPARTMENT))
        communities = COMMUNITIES.get(code) or [f"{street[:-2]}{n}社区" for n in "东西南"]
        for name in communities:
            units.append(_unit(gen, office, name, HandlingUnit.Kind.COMMUNITY))
    if len(districts) == 1:  # one district: its bodies are the installation's
        for name, kind in DISTRICT_BODIES:
            units.append(_unit(gen, None, name, kind))
    else:
        for name, kind in CITY_BODIES:
            units.append(_unit(gen, None, name, kind))
        for name, bound in districts.items():
            for body, kind in district_bodies(name):
                units.append(_unit(gen, None, body, kind, district=bound))
    HandlingUnit.objects.bulk_create(units)
    HandlingUnit.history.bulk_history_create(
        units, default_user=admin, default_change_reason=CHANGE_REASON
    )

    # One district: its staff see every office (bound to none). A city: 芙蓉区's staff
    # keep the name "district", each other district has its own, and the city's staff
    # (bound to none) see every district.
    many = len(districts) > 1
    district_staff = user_model(
        username=DISTRICT_USERNAME,
        full_name=f"{DISTRICT}政协办公室" if many else "区政协办公室",
        email=f"district@{DEMO_EMAIL_DOMAINS[0]}",
        password=password_hash,
        is_staff=True,
        district=district if many else None,
    )
    upper_staff = []
    if many:
        upper_staff.append(
            user_model(
                username=CITY_USERNAME,
                full_name=f"{CITY}政协办公室",
                email=f"city@{DEMO_EMAIL_DOMAINS[0]}",
                password=password_hash,
                is_staff=True,
            )
        )
        for prefix, name, _streets in CITY_DISTRICTS:
            if name in districts:
                username = _district_username(prefix)
                upper_staff.append(
                    user_model(
                        username=username,
                        full_name=f"{name}政协办公室",
                        email=f"{username}@{DEMO_EMAIL_DOMAINS[0]}",
                        password=password_hash,
                        is_staff=True,
                        district=districts[name],
                    )
                )
    leader = user_model(
        username=LEADER_USERNAME,
        full_name=gen.name(Member.Sex.MALE),
        email=f"leader@{DEMO_EMAIL_DOMAINS[0]}",
        password=password_hash,
        office=offices[0],
    )
    user_model.objects.bulk_create([*staff_users, district_staff, *upper_staff, leader])
    memberships = [(u, roles.OFFICE_STAFF) for u in staff_users]
    memberships += [(district_staff, roles.DISTRICT_STAFF), (leader, roles.COMMITTEE_LEADER)]
    memberships += [(u, roles.DISTRICT_STAFF) for u in upper_staff]

    # Members and their portal accounts.
    sectors = {s.name: s for s in Sector.objects.filter(is_active=True)}
    affiliations = {a.name: a for a in Affiliation.objects.filter(is_active=True)}
    current_term = Term.objects.get(is_current=True)
    previous_term = (
        Term.objects.filter(start_year__lt=current_term.start_year).first() or current_term
    )
    sector_pool = _weighted_sectors(sectors)
    sizes = _office_sizes(rng, spec.offices, spec.members)

    members: list[Member] = []
    contributions: list[tuple[int, tuple]] = []  # (index into members, contribution data)
    sequence = 0
    for office, size in zip(offices, sizes, strict=True):
        specials = _named_members(today) if office is offices[0] else []
        for position in range(size):
            sequence += 1
            special = specials[position] if position < len(specials) else None
            member = _member(
                gen,
                office,
                sequence,
                special,
                sectors,
                affiliations,
                sector_pool,
                current_term,
                previous_term,
            )
            members.append(member)
            if special:
                contributions += [(len(members) - 1, c) for c in special["contributions"]]
            else:
                contributions += [(len(members) - 1, c) for c in _random_contributions(gen, member)]

    accounts = []
    for member in members:
        if member.status == Member.Status.DECEASED:
            continue
        accounts.append(
            user_model(
                username=member.member_no,
                full_name=member.name,
                email=member.email,
                phone=member.mobile,
                password=password_hash,
                is_active=member.status == Member.Status.SERVING,
            )
        )
        member.user = accounts[-1]
    user_model.objects.bulk_create(accounts, batch_size=1000)
    _ensure_pks(user_model, [*accounts, *staff_users, district_staff, *upper_staff, leader])
    memberships += [(u, roles.MEMBER) for u in accounts]
    through = user_model.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=groups[role].pk) for u, role in memberships],
        batch_size=2000,
    )

    Member.objects.bulk_create(members, batch_size=1000)
    _ensure_pks(Member, members, key="member_no")
    Member.history.bulk_history_create(
        members, batch_size=1000, default_user=admin, default_change_reason=CHANGE_REASON
    )

    rows = [
        Contribution(
            member_id=members[index].pk,
            kind=kind,
            year=year,
            title=title,
            amount=Decimal(amount) if amount is not None else None,
            description=description,
        )
        for index, (kind, year, title, amount, description) in contributions
    ]
    Contribution.objects.bulk_create(rows, batch_size=1000)
    if rows and rows[0].pk is not None:
        Contribution.history.bulk_history_create(
            rows, batch_size=1000, default_user=admin, default_change_reason=CHANGE_REASON
        )

    signing_member = next(m for m in members if m.name == "唐朝阳")
    summary.offices = len(offices)
    summary.members = len(members)
    summary.accounts = len(accounts) + len(staff_users) + len(upper_staff) + 3
    summary.handling_units = len(units)
    summary.contributions = len(rows)
    summary.sign_ins = SignIns(
        staff_username=staff_users[0].username,
        member_mobile=signing_member.mobile,
        member_name=signing_member.name,
        leader_username=leader.username,
        city_username=CITY_USERNAME if many else None,
        other_districts=tuple(
            (u.district.name, u.username) for u in upper_staff if u.district_id is not None
        ),
    )
    return summary


def _ensure_pks(model, objs, key="username") -> None:
    """bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; look them up
    otherwise."""
    missing = [obj for obj in objs if obj.pk is None]
    if not missing:
        return
    ids = dict(
        model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in missing]}).values_list(
            key, "pk"
        )
    )
    for obj in missing:
        obj.pk = ids[getattr(obj, key)]


def _unit(gen: _Generator, office, name: str, kind: str, district=None) -> HandlingUnit:
    surname = gen.rng.choice(SURNAMES)
    is_department = kind == HandlingUnit.Kind.STREET_DEPARTMENT
    return HandlingUnit(
        office=office,
        district=district,
        name=name,
        kind=kind,
        contact_person=f"{surname}{'科长' if is_department else '主任'}",
        email=f"unit{gen.rng.randrange(10**6):06d}@{DEMO_EMAIL_DOMAINS[1]}",
        phone=gen.phone(),
    )


def _member(
    gen: _Generator,
    office: Office,
    sequence: int,
    special: dict | None,
    sectors: dict,
    affiliations: dict,
    sector_pool: list,
    current_term: Term,
    previous_term: Term,
) -> Member:
    rng = gen.rng
    roll = rng.random()
    if special or roll < 0.94:
        status = Member.Status.SERVING
    elif roll < 0.99:
        status = Member.Status.TERM_ENDED
    else:
        status = Member.Status.DECEASED
    term = current_term if status == Member.Status.SERVING else previous_term

    if special:
        name, sex = special["name"], special["sex"]
        sector = sectors.get(special["sector"]) or rng.choice(sector_pool)
        affiliation_name = special["affiliation"]
        role = special["role"]
        employer, position, title = special["employer"], special["position"], special["title"]
        honours = special["honours"]
        soon = special.get("soon_birthday", False)
    else:
        sex = Member.Sex.MALE if rng.random() < 0.68 else Member.Sex.FEMALE
        name = gen.name(sex)
        sector = rng.choice(sector_pool)
        affiliation_name = SECTOR_AFFILIATION.get(sector.name) or rng.choice(MIXED_AFFILIATIONS)
        role = rng.choices(
            [
                Member.Role.STANDING,
                Member.Role.SECTOR_CONVENER,
                Member.Role.GROUP_LEADER,
                Member.Role.MEMBER,
            ],
            weights=[7, 3, 3, 87],
        )[0]
        employer, position, title = gen.employer(
            SECTOR_PROFILE.get(sector.name, "business"), office.street
        )
        honours = (
            rng.choice(HONOURS) + f"（{gen.today.year - rng.randint(1, 6)}年）"
            if rng.random() < 0.08
            else ""
        )
        soon = rng.random() < 0.04
    affiliation = affiliations.get(affiliation_name) or rng.choice(list(affiliations.values()))
    email = gen.email(name)
    pinyin = email.split("@")[0]
    return Member(
        office=office,
        name=name,
        stroke_key=stroke_sort_key(name),  # bulk_create skips Member.save()
        sex=sex,
        ethnicity="汉族" if rng.random() < 0.92 else rng.choice(MINORITIES),
        birth_date=gen.birth_date(soon),
        native_place=rng.choice(NATIVE_PLACES),
        education=rng.choice(EDUCATION),
        member_no=f"FR{term.start_year % 100:02d}{sequence:04d}",
        term=term,
        terms_served=(
            f"{previous_term.name}、{current_term.name}"
            if role == Member.Role.STANDING and previous_term != current_term
            else term.name
        ),
        sector=sector,
        affiliation=affiliation,
        role=role,
        employer=employer,
        position=position,
        professional_title=title,
        honours=honours,
        status=status,
        mobile=gen.mobile(),
        office_phone=gen.phone() if rng.random() < 0.7 else "",
        email=email,
        wechat=f"{pinyin}_{rng.randint(10, 99)}" if rng.random() < 0.6 else "",
        home_address=gen.home(),
        work_address=gen.address(),
    )


def _random_contributions(gen: _Generator, member: Member) -> list[tuple]:
    """A few members per street bring in enterprises, pay notable tax or donate."""
    rng = gen.rng
    year = gen.today.year
    found = []
    business = SECTOR_PROFILE.get(member.sector.name) == "business"
    if business and rng.random() < 0.25:
        amount = rng.randrange(50_000, 2_000_000, 10_000)
        found.append((Contribution.Kind.TAX, year - 1, f"{member.employer}区级税收", amount, ""))
        if amount >= 1_000_000:
            found.append((Contribution.Kind.AWARD, year - 1, "芙蓉区人民政府纳税贡献奖", None, ""))
    if business and rng.random() < 0.05:
        found.append(
            (
                Contribution.Kind.ENTERPRISE,
                year - rng.randint(0, 3),
                f"引进{rng.choice(BRANDS)}{rng.choice(INDUSTRIES)}企业入驻辖区楼宇",
                None,
                "",
            )
        )
    if rng.random() < 0.04:
        school = rng.choice(["八一路小学", "燕山小学", "大同小学", "社区老年活动中心"])
        found.append(
            (
                Contribution.Kind.DONATION,
                year - rng.randint(0, 2),
                f"向{school}捐资捐物",
                rng.randrange(2_000, 100_000, 1_000),
                "",
            )
        )
    return found
