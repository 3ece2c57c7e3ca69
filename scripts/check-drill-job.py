#!/usr/bin/env python3
"""Validates deploy/drill-job.yaml offline, since no cluster is reachable here.

Each document is checked against the Kubernetes JSON schema of its kind (strict: an
unknown field is an error) with kubernetes-validate, and the Job against what the lab
needs of it: Indexed completions, and a `--shard "$JOB_COMPLETION_INDEX/N"` whose N
equals `completions`, so that the shards cover every schedule once. Finally the
container's command is run here, shard by shard, with a small drill and the local
`splitbrain`, and the shards are merged and compared with one machine's report.
"""
import os, re, subprocess, sys, tempfile

import kubernetes_validate
import yaml

K8S = "1.33.0"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = os.path.join(root, "deploy", "drill-job.yaml")
# The tool to run the pods' command with: the argument, or the release build.
binary = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(root, "target", "release", "splitbrain")

def fail(msg):
    print(f"check-drill-job: {msg}", file=sys.stderr)
    sys.exit(1)

docs = [d for d in yaml.safe_load_all(open(path)) if d]
for d in docs:
    try:
        kubernetes_validate.validate(d, K8S, strict=True)
    except kubernetes_validate.ValidationError as e:
        fail(f"{d.get('kind')} {d['metadata']['name']} is not a valid {K8S} resource: {e.message} at {list(e.path)}")
    print(f"valid against Kubernetes {K8S} (strict): {d['kind']} {d['metadata']['name']}")

jobs = [d for d in docs if d["kind"] == "Job"]
if len(jobs) != 1:
    fail("expected exactly one Job")
job = jobs[0]["spec"]
if job.get("completionMode") != "Indexed":
    fail("the Job must be Indexed: its completion index is the shard")
script = " ".join(job["template"]["spec"]["containers"][0]["args"])
m = re.search(r'--shard "\$JOB_COMPLETION_INDEX/(\d+)"', script)
if not m:
    fail('the container must pass --shard "$JOB_COMPLETION_INDEX/N"')
if int(m.group(1)) != job["completions"]:
    fail(f"--shard .../{m.group(1)} but completions is {job['completions']}: some schedules would run twice or never")
claims = {d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolumeClaim"}
for v in job["template"]["spec"]["volumes"]:
    if v["persistentVolumeClaim"]["claimName"] not in claims:
        fail(f"volume {v['name']} names a claim the manifest does not create")
print(f"Indexed Job: {job['completions']} completions, --shard $JOB_COMPLETION_INDEX/{m.group(1)}")

# Run the pods' command here, as the cluster would, on a small drill.
if not os.access(binary, os.X_OK):
    fail(f"{binary} is not built (cargo build -p splitbrain)")
n = job["completions"]
small = script.replace("--schedules 100000", "--schedules 40")
with tempfile.TemporaryDirectory() as results:
    bindir = os.path.join(results, "bin")
    os.mkdir(bindir)
    os.symlink(binary, os.path.join(bindir, "splitbrain"))
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
    local = small.replace("/results/", results + "/")
    for i in range(n):
        subprocess.run(["/bin/sh", "-c", local], env=dict(env, JOB_COMPLETION_INDEX=str(i)), check=True)
    shards = sorted(f for f in os.listdir(results) if f.endswith(".json"))
    if len(shards) != n:
        fail(f"{len(shards)} shard files for {n} completions")
    merged = subprocess.run([binary, "sweep", "merge"] + [os.path.join(results, f) for f in shards],
                            check=True, capture_output=True).stdout
    whole_cmd = re.sub(r'--shard "\$JOB_COMPLETION_INDEX/\d+"', "", local.split(">")[0])
    whole = subprocess.run(["/bin/sh", "-c", whole_cmd], env=env, check=True, capture_output=True).stdout
    if merged != whole:
        fail("the merged shards differ from one machine's report")
print(f"the Job's command, run here as {n} shards of 40 schedules and merged, equals one machine's report byte for byte")
