"""Writing a file or a folder so that a failure leaves the old one (or none), never half of a new one.

Temporary files and folders from :mod:`tempfile` are private (0600, 0700); what is written here is published, so it
gets the modes an ordinary ``open``/``mkdir`` would give under the process umask (0644 and 0755 under umask 022),
readable by a web server's user.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["current_umask", "staging_folder", "write_atomically"]


def current_umask() -> int:
    """The process umask, read without changing it where the system tells (Linux), else by setting it back at once."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        status = ""
    found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
    if found:
        return int(found.group(1), 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(output: Path, write: Callable[[str], object]) -> None:
    """Call ``write(tmp_path)`` and move the result to ``output``: a failure leaves no half-written file.

    The file gets the mode a plain ``open(output, "w")`` would (0666 less the umask).
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def staging_folder(parent: Path, prefix: str) -> Path:
    """A new, uniquely named folder in ``parent`` to fill and then rename into place, with the mode a plain
    ``mkdir`` would give (0777 less the umask)."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o777 & ~current_umask())
    return folder
