"""An estate of N VMs for the report benchmarks (bench/html.sh, bench/xlsx.sh): the sample
snapshot's VMs copied with new names, morefs and UUIDs until there are N of them, so readiness,
findings, disks, NICs and details have the sample's mix.

    python3 bench/grow_snapshot.py N OUT.json
"""
import json
import subprocess
import sys
import uuid

n, out = int(sys.argv[1]), sys.argv[2]
snap = json.loads(subprocess.run(["zstd", "-dc", "samples/demo-estate.json.zst"], check=True, capture_output=True).stdout)
base = [(vc, list(vc["vms"])) for vc in snap["vcenters"]]
have = sum(len(v) for _, v in base)
i = 0
while have < n:
    for vc, vms in base:
        for vm in vms:
            if have >= n:
                break
            c = dict(vm)
            i += 1
            c["name"] = f'{vm["name"]}-c{i}'
            c["moref"] = f'{vm["moref"]}-c{i}'
            for k in ("bios_uuid", "instance_uuid"):
                if c.get(k):
                    c[k] = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{c[k]}-{i}"))
            vc["vms"].append(c)
            have += 1
json.dump(snap, open(out, "w"))
