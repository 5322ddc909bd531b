"""Debian's LibreOffice, headless, as an office opens and prints our workbooks: one soffice
call converts many files (a call costs seconds), with its own profile directory so that
parallel runs and a desktop session never share one."""
import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def convert(sources, target, outdir, profile):
    """Convert every path of ``sources`` to ``target`` ("pdf", "xls", "ods", …) into
    ``outdir``; returns the converted paths in the order of ``sources``."""
    outdir, profile = Path(outdir), Path(profile)
    outdir.mkdir(parents=True, exist_ok=True)
    command = [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(outdir), *map(str, sources)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    extension = target.split(":")[0]
    converted = [outdir / (Path(source).stem + "." + extension) for source in sources]
    missing = [str(path) for path in converted if not path.exists()]
    assert not missing, f"soffice did not write {missing}: {result.stdout}\n{result.stderr}"
    return converted
