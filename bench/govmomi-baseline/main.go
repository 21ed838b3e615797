// govmomi-baseline: the benchmark's baseline. It does what a govmomi-based tool (govc, most Go
// and PowerCLI-style scripts) does to list an estate's VMs: one container view, one property
// collector retrieval of the same property paths vcaudit requests, decoded into govmomi's typed
// structs, and a CSV row per VM and per disk. vcaudit's figures are compared with these.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

var vmPaths = []string{
	"name", "parent", "runtime.host", "runtime.powerState", "config.uuid", "config.instanceUuid",
	"config.template", "config.guestId", "config.guestFullName", "config.firmware",
	"config.hardware.numCPU", "config.hardware.memoryMB", "config.hardware.device",
	"guest.guestId", "guest.guestFullName", "guest.toolsStatus", "guest.toolsRunningStatus",
	"guest.toolsVersion", "guest.toolsVersionStatus2", "guest.disk", "datastore",
}

func main() {
	server := flag.String("server", "", "host:port")
	user := flag.String("user", "", "user")
	out := flag.String("out", "baseline.csv", "CSV output")
	flag.Parse()
	u, err := url.Parse("https://" + *server + "/sdk")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	u.User = url.UserPassword(*user, os.Getenv("VCAUDIT_PASSWORD"))
	ctx := context.Background()
	c, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer c.Logout(ctx)
	m := view.NewManager(c.Client)
	v, err := m.CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer v.Destroy(ctx)
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, vmPaths, &vms); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"vm", "moref", "guest_id", "disk", "capacity_bytes"})
	disks := 0
	for _, vm := range vms {
		guest := ""
		if vm.Config != nil {
			guest = vm.Config.GuestId
			for _, d := range vm.Config.Hardware.Device {
				if disk, ok := d.(*types.VirtualDisk); ok {
					disks++
					w.Write([]string{vm.Name, vm.Self.Value, guest, d.GetVirtualDevice().DeviceInfo.GetDescription().Label,
						strconv.FormatInt(disk.CapacityInBytes, 10)})
				}
			}
		}
	}
	w.Flush()
	f.Close()
	fmt.Printf("%d VMs, %d disks\n", len(vms), disks)
}
