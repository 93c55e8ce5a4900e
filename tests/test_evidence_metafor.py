"""Checked by the real client: R's metafor pools the exported PFS hazard ratios of one comparison, and its
estimate equals the project's own inverse-variance computation from the same rows.

Skips where R or metafor is not installed, unless ``MMKG_REQUIRE_R=1`` (set by .ci/run, which installs
Debian's r-base-core and r-cran-metafor): then it fails.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.evidence.pooling import pool

pytestmark = pytest.mark.slow

_R = """
suppressMessages(library(metafor))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1], stringsAsFactors = FALSE)
pfs <- subset(d, endpoint == "progression-free survival" & measure == "HR" & comparator == "no maintenance or placebo")
out <- list()
for (m in c("FE", "DL")) {
  r <- rma(yi = TE, sei = seTE, data = pfs, method = m, slab = studlab)
  out[[m]] <- c(estimate = as.numeric(r$b), se = r$se, tau2 = r$tau2, k = r$k)
}
print(rma(yi = TE, sei = seTE, data = pfs, method = "DL", slab = studlab))
cat("JSON", sprintf('{"FE": [%.10f, %.10f, %.10f, %d], "DL": [%.10f, %.10f, %.10f, %d]}',
    out$FE[1], out$FE[2], out$FE[3], as.integer(out$FE[4]),
    out$DL[1], out$DL[2], out$DL[3], as.integer(out$DL[4])), "\\n")
"""


def _rscript() -> str:
    found = shutil.which("Rscript")
    ok = found is not None and subprocess.run([found, "-e", "library(metafor)"], capture_output=True,
                                              timeout=120).returncode == 0
    if not ok:
        if os.environ.get("MMKG_REQUIRE_R") == "1":
            pytest.fail("R with metafor is required (MMKG_REQUIRE_R=1); .ci/run installs r-base-core, r-cran-metafor")
        pytest.skip("Rscript with metafor is not installed (Debian: apt-get install r-base-core r-cran-metafor)")
    assert found is not None
    return found


def test_metafor_pools_the_exported_pfs_hazard_ratios_as_we_do(client: FlaskClient, tmp_path: Path) -> None:
    """Active maintenance vs no maintenance or placebo, PFS HRs: a check of the computation, not a pooled
    answer (these rows share trials; their ``overlaps`` column says so)."""
    rscript = _rscript()
    text = client.get("/evidence.csv").data.decode()
    path = tmp_path / "evidence.csv"
    path.write_text(text, encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["endpoint"] == "progression-free survival"
            and r["measure"] == "HR" and r["comparator"] == "no maintenance or placebo"]
    assert len(rows) >= 2
    script = tmp_path / "pool.R"
    script.write_text(_R, encoding="utf-8")
    done = subprocess.run([rscript, str(script), str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    print(done.stdout)  # the R output, for the closing note (pytest -s)
    r_out = json.loads(done.stdout.split("JSON", 1)[1])
    te, se = [float(r["TE"]) for r in rows], [float(r["seTE"]) for r in rows]
    for method in ("FE", "DL"):
        ours = pool(te, se, method)  # type: ignore[arg-type]
        estimate, r_se, tau2, k = r_out[method]
        assert k == len(rows)
        assert estimate == pytest.approx(ours.estimate, abs=1e-8)
        assert r_se == pytest.approx(ours.se, abs=1e-8)
        assert tau2 == pytest.approx(ours.tau2, abs=1e-8)
