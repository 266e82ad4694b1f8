"""scripts/pcapcase-slurm's own logic, with a stand-in pcapcase on a real Slurm cluster:
the shards go out as one job array (task K runs `analyze --shard K/N` into its own
partial), the merge runs once after every shard and gets the N partials in order, a
shard that exits 1 (damaged input) still lets the merge run and the runner exits 1, a
failed shard keeps the merge from running and is named with the command that re-runs
it alone, that command and --resume complete the case re-running nothing else, and bad
command lines get one clear line.

The stand-in (written below) records each call with its Slurm job ids and times and
writes small files; it fails for shard K while the file fail-shard-K exists in its
folder.  The comparison with a real pcapcase is test_slurm.py."""
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import slurmlab  # noqa: E402
import zeekcmp as z  # noqa: E402

NAME = "slurm_runner"
CAPTURES = [os.path.join(z.SOURCE_DIR, "sample_pcaps", n)
            for n in ("incident-1.pcap", "incident-2.pcapng")]

STAND_IN = r'''#!/usr/bin/env python3
# A stand-in pcapcase for the Slurm runner's test: analyze --shard K/N -o DIR and
# merge -o CASE PARTIAL... with the exit statuses of the real ones.
import hashlib, json, os, sys, time
D = %(dir)r
start = time.time()
argv = sys.argv[1:]
def record(extra):
    env = {k: os.environ.get(k) for k in ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID",
                                          "SLURM_ARRAY_TASK_ID", "SLURM_CPUS_PER_TASK")}
    with open(os.path.join(D, "calls.ndjson"), "a") as f:
        f.write(json.dumps(dict(argv=argv, env=env, start=start, end=time.time(), **extra)) + "\n")
def opt(name):
    return argv[argv.index(name) + 1]
if argv[0] == "analyze":
    k, n = map(int, opt("--shard").split("/"))
    out, skip, caps = opt("-o"), {"--shard", "-o", "--jobs"}, []
    i = 1
    while i < len(argv):
        if argv[i] in skip: i += 2; continue
        if not argv[i].startswith("-"): caps.append(argv[i])
        i += 1
    time.sleep(1)
    if os.path.exists(os.path.join(D, "fail-shard-%%d" %% k)):
        record({"rc": 3})
        print("pcapcase: injected failure of shard %%d" %% k, file=sys.stderr)
        sys.exit(3)
    damaged = os.path.exists(os.path.join(D, "damaged-shard-%%d" %% k))
    os.makedirs(out)
    sums = [hashlib.sha256(open(c, "rb").read()).hexdigest() for c in caps]
    json.dump({"shard": k, "of": n, "inputs": sums, "damaged": damaged},
              open(os.path.join(out, "partial.json"), "w"))
    record({"rc": int(damaged)})
    sys.exit(int(damaged))
if argv[0] == "merge":
    out, parts = opt("-o"), argv[3:]
    got = []
    for p in parts:
        try:
            got.append(json.load(open(os.path.join(p, "partial.json"))))
        except OSError:
            record({"rc": 3})
            print("pcapcase: %%s: not a partial case" %% p, file=sys.stderr)
            sys.exit(3)
    n = got[0]["of"]
    missing = sorted(set(range(n)) - {g["shard"] for g in got})
    if missing:
        record({"rc": 3})
        print("pcapcase: shard %%d of %%d is missing" %% (missing[0], n), file=sys.stderr)
        sys.exit(3)
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    with open(os.path.join(out, "logs", "shards.ndjson"), "w") as f:
        for g in got: f.write(json.dumps(g) + "\n")
    rc = int(any(g["damaged"] for g in got))
    record({"rc": rc, "parts": parts})
    sys.exit(rc)
sys.exit(2)
'''


def calls(d):
    path = os.path.join(d, "calls.ndjson")
    return z.read_ndjson(path) if os.path.exists(path) else []


def check_command_lines(c, d):
    """Usage and missing things: one line each, the right status, nothing submitted."""
    fake_bin = os.path.join(d, "bin")
    os.makedirs(fake_bin)
    for tool in ("sbatch", "squeue"):  # stand-ins that record being called
        p = os.path.join(fake_bin, tool)
        with open(p, "w") as f:
            f.write(f"#!/bin/sh\necho called >> {shlex.quote(d)}/submitted\nexit 1\n")
        os.chmod(p, 0o755)
    env = dict(os.environ, PATH=fake_bin + ":" + os.environ["PATH"], PCAPCASE=z.PCAPCASE)
    case = os.path.join(d, "case")
    for args, status, pattern, what in [
        (["-o", case, "--shards", "0", CAPTURES[0]], 2, r"--shards '0': expected a whole number",
         "--shards 0"),
        (["-o", case, "--shards", "four", CAPTURES[0]], 2, r"--shards 'four'", "--shards four"),
        (["-o", case, "--shards", "1001", CAPTURES[0]], 2, r"from 1 to 1000", "--shards 1001"),
        ([CAPTURES[0]], 2, r"-o CASE is required", "no -o"),
        (["-o", case], 2, r"no captures given", "no captures"),
        (["-o", case, "--bogus", CAPTURES[0]], 2, r"unknown option '--bogus'", "unknown option"),
        (["-o", case, CAPTURES[0], os.path.join(d, "nope.pcap")], 3,
         r"nope\.pcap: no such readable capture", "a missing capture"),
        (["--resume", "-o", case], 3, r"holds no earlier run", "--resume without a run"),
    ]:
        r = slurmlab.run_runner(args, env=env)
        lines = r.stderr.strip().splitlines()
        c.eq(r.returncode, status, f"{what}: exit status")
        c.check(len(lines) == 1 and re.search(pattern, lines[0]) is not None,
                f"{what}: one line matching {pattern!r}: {r.stderr.strip()!r}")
    env_no_slurm = dict(env, PATH=os.path.join(d, "empty"))
    r = subprocess.run(["/bin/bash", slurmlab.RUNNER, "-o", case, CAPTURES[0]],
                       capture_output=True, text=True, env=env_no_slurm)
    c.eq(r.returncode, 3, "no sbatch on PATH: exit status")
    c.check(r.stderr.startswith("pcapcase-slurm: no 'sbatch' on PATH") and
            r.stderr.count("\n") == 1, f"no sbatch on PATH: one line ({r.stderr.strip()!r})")
    r = slurmlab.run_runner(["-o", case, CAPTURES[0]],
                            env=dict(env, PCAPCASE=os.path.join(d, "no-pcapcase")))
    c.eq(r.returncode, 3, "no pcapcase: exit status")
    c.check("pcapcase not found" in r.stderr, f"no pcapcase: says so ({r.stderr.strip()!r})")
    c.check(not os.path.exists(os.path.join(d, "submitted")), "no command line above submitted a job")


def check_four_shards(c, d, env):
    """The array, its tasks' arguments, the merge after all of them, the partials in order."""
    case = os.path.join(d, "case4")
    r = slurmlab.run_runner(["--shards", "4", "-o", case] + CAPTURES, env=env)
    c.eq(r.returncode, 0, f"4 shards: exit status ({r.stderr.strip()[-400:]})")
    cs = calls(d)
    shards = sorted((x for x in cs if x["argv"][0] == "analyze"),
                    key=lambda x: int(x["env"]["SLURM_ARRAY_TASK_ID"]))
    merges = [x for x in cs if x["argv"][0] == "merge"]
    c.eq(len(shards), 4, "4 shards: four analyze runs")
    c.eq(len({x["env"]["SLURM_ARRAY_JOB_ID"] for x in shards}), 1, "the shards are one job array")
    work = case + ".parts"
    for k, x in enumerate(shards):
        a = x["argv"]
        c.eq(x["env"]["SLURM_ARRAY_TASK_ID"], str(k), f"array task {k}")
        c.eq(a[a.index("--shard") + 1], f"{k}/4", f"task {k} runs --shard {k}/4")
        c.eq(a[a.index("-o") + 1], os.path.join(work, f"shard-{k}"), f"task {k}'s partial folder")
        c.eq(a[-2:], CAPTURES, f"task {k} reads every capture, by absolute path")
        c.eq(a[a.index("--jobs") + 1], "1", f"task {k} uses the one CPU Slurm gave it")
    c.eq(len(merges), 1, "one merge")
    if merges and len(shards) == 4:
        m = merges[0]
        c.eq(m["argv"][:3], ["merge", "-o", case], "the merge writes the case")
        c.eq(m["parts"], [os.path.join(work, f"shard-{k}") for k in range(4)],
             "the merge gets the partials of shards 0..3 in order")
        c.check(m["env"]["SLURM_JOB_ID"] != shards[0]["env"]["SLURM_ARRAY_JOB_ID"] and
                m["env"]["SLURM_ARRAY_JOB_ID"] is None, "the merge is a job of its own")
        c.check(m["start"] >= max(x["end"] for x in shards),
                "the merge starts after every shard ended (afterok)")
    got = z.read_ndjson(os.path.join(case, "logs", "shards.ndjson"))
    c.eq([g["shard"] for g in got], [0, 1, 2, 3], "the case holds the four partials")
    c.check("case written to " + case in r.stderr, "says where the case is")


def check_refused(c, d, env):
    """A job sbatch refuses (a partition that does not exist): one line, status 4."""
    r = slurmlab.run_runner(["--partition", "no-such-partition", "-o", os.path.join(d, "x")] +
                            CAPTURES, env=env)
    lines = r.stderr.strip().splitlines()
    c.eq(r.returncode, 4, "a partition Slurm does not have: exit status 4")
    c.check(len(lines) == 1 and lines[0].startswith("pcapcase-slurm: sbatch refused the job: ")
            and "partition" in lines[0], f"says sbatch refused it and why: {r.stderr.strip()!r}")


def check_damaged_shard(c, d, env):
    """A shard's status 1 (done, damaged input) lets the merge run; the runner exits 1."""
    open(os.path.join(d, "damaged-shard-1"), "w").close()
    case = os.path.join(d, "case-damaged")
    r = slurmlab.run_runner(["--shards", "3", "-o", case] + CAPTURES, env=env)
    os.unlink(os.path.join(d, "damaged-shard-1"))
    c.eq(r.returncode, 1, f"a damaged shard: the merge's status 1 ({r.stderr.strip()[-300:]})")
    c.check(os.path.exists(os.path.join(case, "logs", "shards.ndjson")),
            "a damaged shard: the merge ran")
    c.check("some input was damaged" in r.stderr, "a damaged shard: says some input was damaged")


def check_failed_shard(c, d, env):
    """Shard 2 of 4 fails: no merge; named with its re-run command; re-run + merge complete it."""
    fail = os.path.join(d, "fail-shard-2")
    open(fail, "w").close()
    case = os.path.join(d, "case-fail")
    work = case + ".parts"
    before = len(calls(d))
    r = slurmlab.run_runner(["--shards", "4", "-o", case] + CAPTURES, env=env)
    c.eq(r.returncode, 4, "a failed shard: exit status 4")
    c.check(re.search(r"shard 2 of 4 failed: pcapcase exited with status 3: "
                      r"pcapcase: injected failure of shard 2", r.stderr) is not None,
            f"names shard 2, its status and its last line ({r.stderr.strip()!r})")
    c.check("shard 0" not in r.stderr and "shard 1 " not in r.stderr,
            "names no shard that succeeded")
    c.check(not any(x["argv"][0] == "merge" for x in calls(d)[before:]),
            "the merge did not run (afterok)")
    c.check(not os.path.exists(case), "no case folder")
    for k in (0, 1, 3):
        c.check(os.path.exists(os.path.join(work, f"shard-{k}", "partial.json")),
                f"shard {k}'s partial is kept")
    m = re.search(r"re-run shard 2 alone: (.*)", r.stderr)
    c.check(m is not None, "prints the command that re-runs shard 2 alone")
    if m is None:
        return
    # The stand-in's merge refuses the three partials there are, naming the missing one.
    r2 = subprocess.run([os.path.join(d, "pcapcase"), "merge", "-o", case] +
                        [os.path.join(work, f"shard-{k}") for k in (0, 1, 3)],
                        capture_output=True, text=True)
    c.check(r2.returncode != 0 and "shard 2 of 4 is missing" in r2.stderr,
            "the stand-in merge refuses a missing shard (the runner did not call it)")
    os.unlink(fail)
    mark = len(calls(d))
    r3 = subprocess.run(m.group(1), shell=True, capture_output=True, text=True,
                        env=dict(env, SBATCH_WAIT="1"), timeout=600)
    c.eq(r3.returncode, 0, f"the printed re-run command succeeds ({r3.stderr.strip()!r})")
    rerun = calls(d)[mark:]
    c.eq([x["argv"][x["argv"].index("--shard") + 1] for x in rerun], ["2/4"],
         "it re-ran shard 2 and nothing else")
    mark = len(calls(d))
    r4 = slurmlab.run_runner(["--resume", "-o", case], env=env)
    c.eq(r4.returncode, 0, f"--resume after the re-run: exit status ({r4.stderr.strip()[-300:]})")
    after = calls(d)[mark:]
    c.eq([x["argv"][0] for x in after], ["merge"], "--resume ran only the merge")
    got = z.read_ndjson(os.path.join(case, "logs", "shards.ndjson"))
    c.eq([g["shard"] for g in got], [0, 1, 2, 3], "the completed case holds the four partials")


def check_resume(c, d, env):
    """--resume re-submits only the failed shard, then the merge, and waits."""
    fail = os.path.join(d, "fail-shard-0")
    open(fail, "w").close()
    case = os.path.join(d, "case-resume")
    work = os.path.join(d, "work folder")  # --work, with a space in it
    r = slurmlab.run_runner(["--shards", "3", "--work", work, "-o", case] + CAPTURES, env=env)
    c.eq(r.returncode, 4, "--work run with shard 0 failing: exit status 4")
    c.check("--work" in r.stderr and "--resume" in r.stderr,
            "the --resume command it prints names the --work folder")
    os.unlink(fail)
    r = slurmlab.run_runner(["-o", case, "--work", work] + CAPTURES, env=env)
    c.eq(r.returncode, 3, "a fresh run into a work folder in use is refused")
    c.check("finish it with --resume" in r.stderr, "and points at --resume")
    mark = len(calls(d))
    r = slurmlab.run_runner(["--resume", "--work", work, "-o", case], env=env)
    c.eq(r.returncode, 0, f"--resume: exit status ({r.stderr.strip()[-300:]})")
    after = calls(d)[mark:]
    c.eq([(x["argv"][0], x["env"]["SLURM_ARRAY_TASK_ID"]) for x in after],
         [("analyze", "0"), ("merge", None)], "--resume ran shard 0, then the merge")
    got = z.read_ndjson(os.path.join(case, "logs", "shards.ndjson"))
    c.eq([g["shard"] for g in got], [0, 1, 2], "the resumed case holds the three partials")
    r = slurmlab.run_runner(["--resume", "--shards", "4", "--work", work, "-o", case], env=env)
    c.eq(r.returncode, 2, "--resume with another --shards is refused")


def main():
    c = z.Checker(NAME)
    with tempfile.TemporaryDirectory() as d:
        check_command_lines(c, os.path.join(d, "cli"))
    why = slurmlab.cluster_missing()
    if why is not None:
        if os.environ.get("PCAPCASE_REQUIRE_SLURM") == "1":
            c.check(False, f"PCAPCASE_REQUIRE_SLURM=1 but {why}")
        else:
            c.skip("the runner on a Slurm cluster", why)
        c.done()
    # Jobs run on the cluster's nodes: here one, so a folder under /tmp is shared.
    with tempfile.TemporaryDirectory(prefix="pcapcase-slurm-test-") as d:
        os.chmod(d, 0o755)
        fake = os.path.join(d, "pcapcase")
        with open(fake, "w") as f:
            f.write(STAND_IN % {"dir": d})
        os.chmod(fake, os.stat(fake).st_mode | stat.S_IEXEC)
        env = dict(os.environ, PCAPCASE=fake)
        check_four_shards(c, d, env)
        check_refused(c, d, env)
        check_damaged_shard(c, d, env)
        check_failed_shard(c, d, env)
        check_resume(c, d, env)
    c.done()


if __name__ == "__main__":
    main()
