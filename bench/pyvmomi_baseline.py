#!/usr/bin/env python3
"""pyVmomi baseline: what an admin's script does to list an estate's VMs with VMware's Python SDK.

    pyvmomi_baseline.py HOST:PORT USER CA_FILE OUT.csv      (password in VCAUDIT_PASSWORD)

One container view of every VirtualMachine, the property collector asked for the same property
paths vcaudit reads (RetrievePropertiesEx, then ContinueRetrievePropertiesEx while a token comes
back), decoded by pyVmomi into its typed objects, and a CSV row per VM disk, as
bench/govmomi-baseline does.
"""
import csv
import os
import ssl
import sys

from pyVim.connect import Connect, Disconnect
from pyVmomi import VmomiSupport, vim, vmodl

PATHS = [
    "name", "parent", "runtime.host", "runtime.powerState", "config.uuid", "config.instanceUuid",
    "config.template", "config.guestId", "config.guestFullName", "config.firmware",
    "config.hardware.numCPU", "config.hardware.memoryMB", "config.hardware.device",
    "guest.guestId", "guest.guestFullName", "guest.toolsStatus", "guest.toolsRunningStatus",
    "guest.toolsVersion", "guest.toolsVersionStatus2", "guest.disk", "datastore",
]


def main():
    server, user, ca, out = sys.argv[1:5]
    host, port = server.rsplit(":", 1)
    # pyVmomi's Connect speaks vSphere 5.5 unless told otherwise, and refuses the 6.0+ types
    # (guest disk mappings, NIC resource allocation) of a newer vCenter's answers.
    ctx = ssl.create_default_context(cafile=ca)
    si = Connect(host=host, port=int(port), user=user, pwd=os.environ["VCAUDIT_PASSWORD"],
                 sslContext=ctx, version=VmomiSupport.newestVersions.GetName("vim"))
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder,
                                                       [vim.VirtualMachine], True)
        spec = vmodl.query.PropertyCollector.FilterSpec(
            objectSet=[vmodl.query.PropertyCollector.ObjectSpec(
                obj=view, skip=True,
                selectSet=[vmodl.query.PropertyCollector.TraversalSpec(
                    name="traverseView", type=vim.view.ContainerView, path="view", skip=False)])],
            propSet=[vmodl.query.PropertyCollector.PropertySpec(
                type=vim.VirtualMachine, pathSet=PATHS)])
        pc = content.propertyCollector
        vms = disks = 0
        with open(out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["vm", "moref", "guest_id", "disk", "capacity_bytes"])
            result = pc.RetrievePropertiesEx(
                [spec], vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=1000))
            while result:
                for obj in result.objects:
                    vms += 1
                    props = {p.name: p.val for p in obj.propSet}
                    for d in props.get("config.hardware.device", []):
                        if isinstance(d, vim.vm.device.VirtualDisk):
                            disks += 1
                            w.writerow([props.get("name"), obj.obj._moId,
                                        props.get("config.guestId", ""), d.deviceInfo.label,
                                        d.capacityInBytes])
                if not result.token:
                    break
                result = pc.ContinueRetrievePropertiesEx(result.token)
        view.Destroy()
    finally:
        Disconnect(si)
    print(f"{vms} VMs, {disks} disks")


if __name__ == "__main__":
    main()
