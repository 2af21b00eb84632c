"""Find a font with Chinese glyphs for the plots of a Chinese report.

Matplotlib's bundled DejaVu Sans has no CJK glyphs, so Chinese text renders as empty
boxes. The mplfonts package, a dependency of ddd-bench, ships Noto Sans CJK SC (SIL
Open Font License), so a fresh install has a font without any system package. A
CJK font installed on the system (for example Debian's fonts-noto-cjk) is used first.
"""

from __future__ import annotations

import functools
import logging
from importlib import resources

from matplotlib import font_manager

logger = logging.getLogger(__name__)

# System families with Simplified Chinese glyphs, in order of preference.
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
BUNDLED_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")


def _bundled_family() -> str | None:
    package, relative = BUNDLED_FONT
    try:
        path = resources.files(package).joinpath(relative)
    except ModuleNotFoundError:
        return None
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    name: str = font_manager.FontProperties(fname=str(path)).get_name()
    logger.info("registered the CJK font %s from %s", name, path)
    return name


@functools.cache
def cjk_family() -> str | None:
    """Return a font family that shows Chinese, or None after logging one warning."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in SYSTEM_FAMILIES:
        if family in installed:
            return family
    bundled = _bundled_family()
    if bundled is not None:
        return bundled
    logger.warning(
        "no font with Chinese glyphs found, so the plots keep English labels; "
        "install the mplfonts package (pip install mplfonts) or a system CJK font "
        "such as Debian's fonts-noto-cjk"
    )
    return None
