"""Is a font with Chinese characters installed?  Asked before printing a PDF sheet.

Without one, WeasyPrint prints every Chinese character (the customers' names and
addresses, and the labels of a Chinese sheet) as an empty box, silently: a
server set up without the README's setup (``scripts/install.sh`` installs
``fonts-noto-cjk``) would send the field staff unreadable sheets.  The question
goes to fontconfig (the library WeasyPrint uses, so it sees the same fonts and
honours ``FONTCONFIG_FILE``) through its own ``fc-list``, asked once per process.
Why a child process and not fontconfig's library in this one: the web server
renders sheets with pango in other threads, and calling fontconfig from a second
thread at the same time corrupted the server's heap.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from planner.errors import UserError

CJK_FONT_PACKAGE = "fonts-noto-cjk"
MISSING_CJK_FONT = (f"no font with Chinese characters is installed, so the route sheets would print every Chinese "
                    f"character as an empty box: install the Debian package {CJK_FONT_PACKAGE} "
                    f"(apt-get install {CJK_FONT_PACKAGE}, as scripts/install.sh does) and try again. "
                    f"未安装中文字体，路线单中的汉字将无法显示：请安装 Debian 软件包 {CJK_FONT_PACKAGE}。")


@lru_cache(maxsize=1)
def cjk_font_count() -> int | None:
    """How many installed fonts cover Chinese (``fc-list :lang=zh``); None if fontconfig cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return sum(1 for line in done.stdout.splitlines() if line.strip())


def require_cjk_font() -> None:
    """Refuse to print PDF sheets without a Chinese font (a UserError naming the package)."""
    if cjk_font_count() == 0:
        raise UserError(MISSING_CJK_FONT)
