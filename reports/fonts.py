"""Fonts by role: the document styles name roles (小标宋, 仿宋, 楷体, 黑体, 宋体), not fonts.

Out of the box each role is served by the best free font Debian packages (bin/_common.sh
installs them): Noto Serif CJK SC (fonts-noto-cjk) for 宋体 and — bold — for 小标宋, and
for 仿宋 too (no free 仿宋 covers GB 2312's simplified characters); Noto Sans CJK SC for
黑体; LXGW WenKai (fonts-lxgw-wenkai), then AR PL UKai CN (fonts-arphic-ukai), for 楷体.

An office with licensed fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312 …) drops them into
``settings.DOCUMENT_FONT_DIR``. A file serves the role its file name or its family name
names (``仿宋_GB2312.ttf``, ``fangsong.otf``, a file whose family is "方正小标宋简体" …) and
then comes first in that role's font stack, the free font still behind it for characters
it lacks, so nothing is drawn as a tofu box. A file that is not a font, or a font without
Chinese, is refused (``document_fonts`` says why) and the free fonts serve.

WeasyPrint fetches the office's files through the documents' URL fetcher
(``reports.pdf``), under ``FONT_URL_PREFIX``: only the files accepted here.
"""

import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

FONT_URL_PREFIX = "/document-fonts/"
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2"}


@dataclass(frozen=True)
class Role:
    key: str  # the CSS custom property's name: --font-<key>
    label: str  # as the office knows it
    aliases: tuple[str, ...]  # what a file or family name holding it says
    free: tuple[str, ...]  # fontconfig families, best first
    generic: str


ROLES = (
    Role(
        "xiaobiaosong",
        "小标宋",
        ("小标宋", "xiaobiaosong", "xbs"),
        ("Noto Serif CJK SC",),
        "serif",
    ),
    Role("fangsong", "仿宋", ("仿宋", "fangsong", "fang song"), ("Noto Serif CJK SC",), "serif"),
    Role(
        "kaiti",
        "楷体",
        ("楷体", "楷", "kaiti", "kai"),
        ("LXGW WenKai", "AR PL UKai CN", "Noto Serif CJK SC"),
        "serif",
    ),
    Role("heiti", "黑体", ("黑体", "heiti", "hei"), ("Noto Sans CJK SC",), "sans-serif"),
    Role("songti", "宋体", ("宋体", "songti", "song"), ("Noto Serif CJK SC",), "serif"),
)
ROLE_BY_KEY = {role.key: role for role in ROLES}

# A font serving Chinese text must hold at least these (common characters of documents).
PROBE = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理府研"
)


@dataclass
class FontFile:
    path: Path
    role: Role | None = None
    family: str = ""
    error: str = ""
    codepoints: frozenset = field(default_factory=frozenset, repr=False)
    half_width: bool = False  # has half-width forms (OpenType hwid): reports.columns


def _names(font) -> list[str]:
    if "name" not in font:
        return []
    table = font["name"]
    return [str(record) for record in table.names if record.nameID in (1, 4, 16)]


def _has_feature(font, tag: str) -> bool:
    """Whether ``font`` has the OpenType feature ``tag``. Its GSUB table is read only
    here (the font is opened lazily): a table fontTools cannot read means no feature to
    rely on, not a refused font."""
    try:
        features = font["GSUB"].table.FeatureList.FeatureRecord if "GSUB" in font else []
        return any(record.FeatureTag == tag for record in features or [])
    except Exception:  # any damage in that table: the feature is absent
        return False


def _role_for(path: Path, names: list[str]) -> Role | None:
    stem = path.stem.lower()
    for role in ROLES:  # 小标宋 before 宋体: the longer names are tried first
        if any(alias in stem for alias in role.aliases):
            return role
    for role in ROLES:
        if any(alias in name.lower() for name in names for alias in role.aliases[:2]):
            return role
    return None


def inspect(path: Path) -> FontFile:
    """What ``path`` is: the role it serves, or why it is refused."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    entry = FontFile(path=path)
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(str(path), lazy=True).fonts[0]
        else:
            font = TTFont(str(path), lazy=True, fontNumber=0)
        cmap = font.getBestCmap() or {}
        names = _names(font)
    except (TTLibError, OSError, AssertionError, KeyError, ValueError, IndexError) as error:
        entry.error = _("不是可用的字体文件（%(error)s）。") % {"error": str(error)[:80] or "?"}
        return entry
    entry.family = names[0] if names else path.stem
    entry.codepoints = frozenset(cmap)
    entry.half_width = _has_feature(font, "hwid")
    missing = [ch for ch in PROBE if ord(ch) not in cmap]
    if len(missing) > len(PROBE) // 10:
        entry.error = _("字体缺少常用汉字（如“%(chars)s”），不能用于中文文件。") % {
            "chars": "".join(missing[:5])
        }
        return entry
    entry.role = _role_for(path, names)
    if entry.role is None:
        entry.error = _(
            "看不出这个字体用作哪种字体角色：请把文件名改为角色名，如“仿宋.ttf”“小标宋.otf”。"
        )
    return entry


def _font_dir() -> Path | None:
    value = getattr(settings, "DOCUMENT_FONT_DIR", "")
    return Path(value) if value else None


def scan(directory: Path | None = None) -> list[FontFile]:
    """Every font-like file in the office's font directory, inspected."""
    directory = directory or _font_dir()
    if directory is None or not directory.is_dir():
        return []
    return [
        inspect(path)
        for path in sorted(directory.iterdir())
        if path.is_file() and not path.name.startswith(".")
    ]


@cache
def _office_fonts(directory: str, stamp: tuple) -> dict[str, FontFile]:
    accepted: dict[str, FontFile] = {}
    for entry in scan(Path(directory)):
        if entry.role and not entry.error and entry.role.key not in accepted:
            accepted[entry.role.key] = entry
    return accepted


def office_fonts() -> dict[str, FontFile]:
    """The office's accepted fonts by role key (cached until the directory changes)."""
    directory = _font_dir()
    if directory is None or not directory.is_dir():
        return {}
    stamp = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.iterdir())
    )
    return _office_fonts(str(directory), stamp)


def served_file(name: str) -> Path | None:
    """The office font file the fetcher may hand WeasyPrint for ``name``, or None."""
    for entry in office_fonts().values():
        if entry.path.name == name:
            return entry.path
    return None


def _quote(family: str) -> str:
    return '"' + family.replace("\\", "").replace('"', "") + '"'


def _office_family(role: Role) -> str:
    return f"Office {role.key}"


def stack(role: Role, *, with_office: bool = True) -> list[str]:
    """The role's font families, best first (quoted for CSS, generic last)."""
    families = []
    if with_office and role.key in office_fonts():
        families.append(_quote(_office_family(role)))
    families += [_quote(name) for name in role.free]
    families.append(role.generic)
    return families


def without_half_width(*role_keys: str) -> list[Role]:
    """Of these roles, those whose office font has no half-width forms (reports.columns
    lines text up with them; the free fonts have them)."""
    fonts = office_fonts()
    return [ROLE_BY_KEY[key] for key in role_keys if key in fonts and not fonts[key].half_width]


def stylesheet() -> str:
    """CSS for a document: the office's fonts declared, and each role's stack as a custom
    property (``--font-fangsong`` …) that print.css and gongwen.css use."""
    from urllib.parse import quote

    from .pdf import BASE_URL

    rules = []
    fonts = office_fonts()
    for entry in fonts.values():
        url = BASE_URL.rstrip("/") + FONT_URL_PREFIX + quote(entry.path.name)
        for weight in ("normal", "bold"):
            rules.append(
                f"@font-face {{ font-family: {_quote(_office_family(entry.role))}; "
                f'src: url("{url}"); font-weight: {weight} }}'
            )
    variables = "; ".join(f"--font-{role.key}: {', '.join(stack(role))}" for role in ROLES)
    rules.append(f":root {{ {variables} }}")
    return "\n".join(rules)


def word_font(role_key: str) -> str:
    """The font name a Word copy asks for in a role: the office's font when it has one
    (the family name Word and WPS know it by), else the free one."""
    entry = office_fonts().get(role_key)
    if entry is not None:
        return entry.family
    return ROLE_BY_KEY[role_key].free[0]


@cache
def free_font_file(family: str) -> Path | None:
    """The file fontconfig serves ``family`` from, if it is installed."""
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}", family],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.splitlines()
    if len(lines) < 2 or family.lower() not in lines[0].lower():
        return None
    return Path(lines[1])


@cache
def _codepoints(path: Path) -> frozenset:
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        font = TTCollection(str(path), lazy=True).fonts[0]
    else:
        font = TTFont(str(path), lazy=True, fontNumber=0)
    return frozenset(font.getBestCmap() or {})


@dataclass
class RoleReport:
    role: Role
    path: Path | None  # the file serving the role first
    family: str
    missing: list[str]  # characters of current data it lacks


def role_reports(text: str) -> list[RoleReport]:
    """Each role, the file serving it, and which characters of ``text`` that file lacks
    (the fallback fonts behind it draw those)."""
    wanted = sorted({ch for ch in text if not ch.isspace() and ord(ch) > 0x7F})
    fonts = office_fonts()
    reports = []
    for role in ROLES:
        entry = fonts.get(role.key)
        if entry is not None:
            path, family, codepoints = entry.path, entry.family, entry.codepoints
        else:
            family, path = role.free[0], None
            for name in role.free:
                path = free_font_file(name)
                if path is not None:
                    family = name
                    break
            codepoints = _codepoints(path) if path else frozenset()
        reports.append(
            RoleReport(role, path, family, [ch for ch in wanted if ord(ch) not in codepoints])
        )
    return reports
