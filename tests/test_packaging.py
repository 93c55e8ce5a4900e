"""A wheel installed into a fresh virtual environment finds its ontology, facts, queries and guide."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_builds_and_runs_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("myeloma_kg-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Borrow the already-installed dependencies instead of downloading them again; the project itself
    # comes only from the wheel (the parent environment's editable install is not on this path).
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True)

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([str(python), "-c", "import kg; print(kg.__file__)"], cwd=work,
                           check=True, capture_output=True, text=True).stdout
    assert str(site) in where, f"kg imported from {where}, not from the installed wheel"
    mmkg = venv / "bin" / "mmkg"
    built = subprocess.run([str(mmkg), "build", "--no-sources"], cwd=work, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (work / "build" / "current" / "mmkg.nq").is_file()
    queried = subprocess.run([str(mmkg), "query", "significant-pfs-benefit", "--format", "json"], cwd=work,
                             capture_output=True, text=True)
    assert queried.returncode == 0, queried.stderr
    assert [row["hr"] for row in json.loads(queried.stdout)["rows"]] == [0.39, 0.47]
    # The web app from the wheel finds its templates, static files and the vendored editor.
    served = subprocess.run([str(python), "-c", _SERVE_PAGES], cwd=work, capture_output=True, text=True)
    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == ["200"] * 6
    # The drafter from the wheel finds its vocabulary and the curated facts.
    article = work / "article.txt"
    article.write_text("Median PFS was 26.5 months with ixazomib vs 21.3 months with placebo (HR 0.72; 95% CI, "
                       "0.58-0.89; P = .002).\n", encoding="utf-8")
    drafted = subprocess.run([str(mmkg), "draft", str(article)], cwd=work, capture_output=True, text=True)
    assert drafted.returncode == 0, drafted.stderr
    assert "estimate: 0.72" in drafted.stdout and "id: ixazomib" in drafted.stdout


# Run in a subprocess by the installed wheel's interpreter (no fixtures there): it builds its own app.
_SERVE_PAGES = """
import web
from kg import paths
from kg.query.catalogue import load_catalogue
from kg.query.store import Store
from web import create_app
store = Store.from_release(__import__('pathlib').Path('build/current/mmkg.nq'))
client = create_app(store, load_catalogue(paths.queries_dir())).test_client()
for path in ('/', '/resource/lenalidomide', '/queries/imid-regimens', '/static/vendor/codemirror/lib/codemirror.js',
             '/docs/querying', '/docs/model.svg'):
    print(client.get(path).status_code)
assert 'site-packages' in web.__file__, web.__file__
"""
