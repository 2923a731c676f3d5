"""Is a font with Chinese characters installed?  Asked before printing a PDF sheet.

Without one, WeasyPrint prints every Chinese character (the customers' names and
addresses, and the labels of a Chinese sheet) as an empty box, silently: a
server set up without the README's setup (``scripts/install.sh`` installs
``fonts-noto-cjk``) would send the field staff unreadable sheets.  The question
goes to fontconfig itself (the library WeasyPrint uses, so it sees the same
fonts and honours ``FONTCONFIG_FILE``), asked once per process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

from planner.errors import UserError

CJK_FONT_PACKAGE = "fonts-noto-cjk"
MISSING_CJK_FONT = (f"no font with Chinese characters is installed, so the route sheets would print every Chinese "
                    f"character as an empty box: install the Debian package {CJK_FONT_PACKAGE} "
                    f"(apt-get install {CJK_FONT_PACKAGE}, as scripts/install.sh does) and try again. "
                    f"未安装中文字体，路线单中的汉字将无法显示：请安装 Debian 软件包 {CJK_FONT_PACKAGE}。")


class _FcFontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.c_void_p)]


def _fontconfig() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcObjectSetCreate.restype = ctypes.c_void_p
    lib.FcObjectSetAdd.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.FcFontList.restype = ctypes.POINTER(_FcFontSet)
    lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    for fn in ("FcFontSetDestroy", "FcObjectSetDestroy", "FcPatternDestroy", "FcConfigDestroy"):
        getattr(lib, fn).argtypes = [ctypes.c_void_p]
    return lib


@lru_cache(maxsize=1)
def cjk_font_count() -> int | None:
    """How many installed fonts cover Chinese (``fc-list :lang=zh``); None if fontconfig cannot be asked."""
    lib = _fontconfig()
    if lib is None:
        return None
    config = lib.FcInitLoadConfigAndFonts()
    if not config:
        return None
    pattern = lib.FcNameParse(b":lang=zh")
    objects = lib.FcObjectSetCreate()
    lib.FcObjectSetAdd(objects, b"family")
    found = lib.FcFontList(config, pattern, objects)
    try:
        return found.contents.nfont if found else 0
    finally:
        if found:
            lib.FcFontSetDestroy(found)
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
        lib.FcConfigDestroy(config)


def require_cjk_font() -> None:
    """Refuse to print PDF sheets without a Chinese font (a UserError naming the package)."""
    if cjk_font_count() == 0:
        raise UserError(MISSING_CJK_FONT)
