"""slurmlab.py — what the Slurm runner's tests share: is a Slurm cluster there to
submit to, and running scripts/pcapcase-slurm.

The tests need a running cluster (`./setup.sh slurm-up` starts a single-node one as
root).  Without one they skip and say why; with PCAPCASE_REQUIRE_SLURM=1 (set by
.ci/run, which starts the cluster) a missing cluster is a failure instead, so CI
cannot pass by skipping them."""
import os
import shutil
import subprocess
import sys

import zeekcmp as z

RUNNER = os.path.join(z.SOURCE_DIR, "scripts", "pcapcase-slurm")


def cluster_missing():
    """None when sbatch can submit to an up node here; else the reason it cannot."""
    for tool in ("sbatch", "squeue", "sinfo"):
        if not shutil.which(tool):
            return f"no '{tool}' on PATH: Slurm is not installed (./setup.sh slurm-up installs and starts it)"
    r = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return f"sinfo failed, no Slurm controller answers ({r.stderr.strip()[:200]}): ./setup.sh slurm-up"
    states = r.stdout.split()
    if not any(s.rstrip("*~#") in ("idle", "mix", "alloc", "comp") for s in states):
        return f"no Slurm node is up (states: {' '.join(states) or 'none'}): ./setup.sh slurm-up"
    return None


def require_cluster(name):
    """Exit as skipped (or failed, under PCAPCASE_REQUIRE_SLURM=1) without a cluster."""
    why = cluster_missing()
    if why is None:
        return
    if os.environ.get("PCAPCASE_REQUIRE_SLURM") == "1":
        print(f"FAIL {name}: PCAPCASE_REQUIRE_SLURM=1 but {why}")
        sys.exit(1)
    print(f"SKIP {name}: {why}")
    sys.exit(z.SKIP)


def run_runner(args, env=None, timeout=1200):
    """scripts/pcapcase-slurm ARGS with a 1-second queue poll; the CompletedProcess."""
    e = dict(os.environ if env is None else env)
    e.setdefault("PCAPCASE_SLURM_POLL", "1")
    return subprocess.run([RUNNER] + list(args), capture_output=True, text=True, env=e,
                          timeout=timeout)
