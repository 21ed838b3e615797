package main

// Scenario "audit": a small estate where every rule violation is planted on purpose and listed
// in "planted"; every other object is clean for every rule.

import (
	"fmt"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	esxi60     = "6.0.0"
	esxi60U2   = "3620759"
	esxi60U1   = "3029758"
	esxi65     = "6.5.0"
	esxi65GA   = "5969303"
	vc60Build  = "3634788"
	vc60API    = "6.0"
	vc60       = "6.0.0"
	statusFail = "fail"
	statusUnk  = "unknown"
)

func auditAbout(o *options) types.AboutInfo {
	return vcenterAbout(vc60, vc60Build, vc60API, instanceUUID(o.scenario, o.instance))
}

// auditNames holds names computed once (the long ones).
var (
	name63 = longName("lnx-long-name-", 63)
	name64 = longName("lnx-too-long-name-", 64)
)

// longName pads prefix with letters and ends it with "01" to exactly n characters.
func longName(prefix string, n int) string {
	return prefix + strings.Repeat("x", n-len(prefix)-2) + "01"
}

// vmFactory makes clean VM specs for one estate.
type vmFactory struct {
	b      *Builder
	domain string
	ipBase string
	n      int
}

// clean is a VM that passes every rule: Tools current and running, a supported OS with its
// exact release, plenty of guest free space, BIOS, small disks.
func (f *vmFactory) clean(name string, os OS, host *object.HostSystem, ds, folder string, disks ...DiskSpec) *VMSpec {
	f.n++
	if len(disks) == 0 {
		size := int64(60) * gib
		if !os.Windows {
			size = 40 * gib
		}
		disks = []DiskSpec{{Size: size, Thin: f.n%2 == 0}}
	}
	sys := disks[0].Size
	var gd []types.GuestDiskInfo
	if os.Windows {
		gd = winDisks(sys-500*mib, sys/2, dataDisk(disks))
	} else {
		gd = linuxDisks(sys-2*gib, sys/3, dataDisk(disks))
	}
	mem := int64(4096)
	if f.n%3 == 0 {
		mem = 8192
	}
	return &VMSpec{
		Name:      name,
		Folder:    folder,
		Host:      host,
		Datastore: ds,
		GuestID:   os.GuestID,
		CPUs:      int32(2 + 2*(f.n%2)),
		MemoryMB:  mem,
		Disks:     disks,
		Guest:     toolsOK(os, strings.ToLower(name)+"."+f.domain, fmt.Sprintf("%s.%d", f.ipBase, 10+f.n), gd),
	}
}

// dataDisk is the size of the second disk (0 when there is none).
func dataDisk(disks []DiskSpec) int64 {
	if len(disks) > 1 {
		return disks[1].Size - 100*mib
	}
	return 0
}

// nDisks is a system disk plus n-1 10 GiB data disks, split over two controllers after 8.
func nDisks(n int) []DiskSpec {
	disks := []DiskSpec{{Size: 40 * gib}}
	for i := 1; i < n; i++ {
		d := DiskSpec{Size: 10 * gib, Thin: i%2 == 0}
		if i >= 8 {
			d.Controller = 1
		}
		disks = append(disks, d)
	}
	return disks
}

func plantAudit(b *Builder) error {
	// Datacenter 1: a DRS cluster with a stale-build host, and a standalone host.
	dc1, err := b.Datacenter("Lab-DC1")
	if err != nil {
		return err
	}
	prod, err := b.Cluster(dc1, "Prod-Cluster", true, types.DrsBehaviorFullyAutomated)
	if err != nil {
		return err
	}
	plantHA(prod)
	esx01, err := b.ClusterHost(prod, "esx01.lab.local", esxi60, esxi60U2)
	if err != nil {
		return err
	}
	esx02, err := b.ClusterHost(prod, "esx02.lab.local", esxi60, esxi60U2)
	if err != nil {
		return err
	}
	esx03, err := b.ClusterHost(prod, "esx03.lab.local", esxi60, esxi60U1)
	if err != nil {
		return err
	}
	b.Plant("host", "esx03.lab.local", "esxi-build", statusFail)
	esx10, err := b.StandaloneHost(dc1, "esx10.lab.local", esxi60, esxi60U2)
	if err != nil {
		return err
	}

	// Datacenter 2: a cluster without DRS, one host on an unsupported ESXi release.
	dc2, err := b.Datacenter("Lab-DC2")
	if err != nil {
		return err
	}
	dr, err := b.Cluster(dc2, "DR-Cluster", false, types.DrsBehaviorManual)
	if err != nil {
		return err
	}
	esx21, err := b.ClusterHost(dr, "esx21.lab.local", esxi60, esxi60U2)
	if err != nil {
		return err
	}
	esx22, err := b.ClusterHost(dr, "esx22.lab.local", esxi65, esxi65GA)
	if err != nil {
		return err
	}
	b.Plant("host", "esx22.lab.local", "esxi-version", statusFail)

	// Datastores; ds-sdrs-01 is in a datastore cluster with Storage DRS on, ds-dr-02 in one
	// with Storage DRS off.
	type dsDef struct {
		dc    *DC
		name  string
		hosts []*object.HostSystem
		kind  string
		cap   int64
		free  int64
	}
	defs := []dsDef{
		{dc1, "ds-prod-01", []*object.HostSystem{esx01, esx02, esx03, esx10}, "VMFS", 8 * tib, 3*tib + 512*gib},
		{dc1, "ds-prod-02", []*object.HostSystem{esx01, esx02, esx03}, "VMFS", 4 * tib, 1*tib + 200*gib},
		{dc1, "ds-sdrs-01", []*object.HostSystem{esx01, esx02, esx03}, "VMFS", 2 * tib, 1*tib + 800*gib},
		{dc1, "ds-local-esx10", []*object.HostSystem{esx10}, "VMFS", 558 * gib, 301 * gib},
		{dc2, "ds-dr-01", []*object.HostSystem{esx21, esx22}, "NFS", 4 * tib, 2*tib + 100*gib},
		{dc2, "ds-dr-02", []*object.HostSystem{esx21, esx22}, "VMFS", 2 * tib, 1900 * gib},
	}
	dsRefs := map[string]types.ManagedObjectReference{}
	for _, d := range defs {
		ref, err := b.Datastore(d.dc, d.name, d.hosts...)
		if err != nil {
			return err
		}
		dsRefs[d.name] = ref
	}
	if _, err := b.StoragePod(dc1, "POD-Gold", true, dsRefs["ds-sdrs-01"]); err != nil {
		return err
	}
	if _, err := b.StoragePod(dc2, "POD-DR", false, dsRefs["ds-dr-02"]); err != nil {
		return err
	}

	f := &vmFactory{b: b, domain: "lab.local", ipBase: "10.20.1"}
	type entry struct {
		dc   *DC
		spec *VMSpec
		post func(vm *VM)
	}
	var vms []entry
	put := func(dc *DC, s *VMSpec, post func(vm *VM)) { vms = append(vms, entry{dc, s, post}) }

	// ---- Clean VMs ----
	put(dc1, f.clean("web-01", osWin2012R2, esx01, "ds-prod-01", "Prod/Web",
		DiskSpec{Size: 60 * gib}, DiskSpec{Size: 100 * gib, Thin: true, Datastore: "ds-prod-02"}), nil)
	put(dc1, f.clean("web-02", osWin2012R2, esx02, "ds-prod-01", "Prod/Web"), nil)
	put(dc1, f.clean("app-01", osRHEL72, esx02, "ds-prod-02", "Prod",
		DiskSpec{Size: 40 * gib, Thin: true}, DiskSpec{Size: 200 * gib, Thin: true}), plantRVToolsDetails)
	// A disk of exactly 1023 GiB passes disk-size.
	put(dc1, f.clean("db-01", osWin2012R2, esx01, "ds-prod-01", "Prod",
		DiskSpec{Size: 80 * gib}, DiskSpec{Size: 1023 * gib}), nil)
	put(dc1, f.clean("centos-01", osCentOS67, esx10, "ds-local-esx10", ""), nil)
	put(dc1, f.clean("win2012-01", osWin2012, esx10, "ds-prod-01", ""), nil)
	// /usr/local on its own filesystem with room; / nearly full: passes install-space.
	s := f.clean("lnx-usrlocal-01", osRHEL72, esx02, "ds-prod-02", "Prod",
		DiskSpec{Size: 20 * gib}, DiskSpec{Size: 50 * gib, Thin: true})
	s.Guest.Disks = []types.GuestDiskInfo{
		gdisk("/", 18*gib, 100*mib), gdisk("/boot", 1014*mib, 780*mib), gdisk("/usr/local", 50*gib-100*mib, 40*gib),
	}
	put(dc1, s, nil)
	// Exactly 2 GiB free on C:\ passes install-space.
	s = f.clean("win-free-2g-01", osWin2012R2, esx03, "ds-prod-01", "")
	s.Guest.Disks = winDisks(60*gib-500*mib, 2*gib, 0)
	put(dc1, s, nil)
	// Exactly 16 disks pass disk-count.
	s = f.clean("disks-16-01", osRHEL72, esx03, "ds-prod-02", "", nDisks(16)...)
	put(dc1, s, nil)
	// A physical-mode RDM is not a violation; appended directly, never reconfigured after.
	put(dc1, f.clean("rdm-01", osWin2012R2, esx01, "ds-prod-01", "Prod"), func(vm *VM) {
		b.AddRDM(vm, "Hard disk 2", 500*gib, types.VirtualDiskCompatibilityModePhysicalMode, "60000970000297800123533030314141")
	})
	// A 63-character name passes vm-name; created under another name, then renamed.
	s = f.clean(name63, osCentOS67, esx02, "ds-prod-02", "")
	s.CreateAs = "lnx-long-a"
	put(dc1, s, nil)
	s = f.clean("dr-web-01", osWin2012R2, esx21, "ds-dr-01", "DR")
	put(dc2, s, nil)
	// On a datastore in a pod with Storage DRS off: passes storage-drs.
	put(dc2, f.clean("dr-app-01", osRHEL72, esx22, "ds-dr-02", "DR"), nil)
	put(dc2, f.clean("dr-db-01", osWin2012R2, esx21, "ds-dr-01", "DR"), nil)

	// A template: powered off with Tools installed, so vmware-tools is unknown.
	s = f.clean("tmpl-win2012r2", osWin2012R2, esx01, "ds-prod-01", "Templates")
	s.Template = true
	s.Guest = toolsNotRunning(osWin2012R2, "", s.Guest.Disks)
	put(dc1, s, nil)
	b.Plant("vm", "tmpl-win2012r2", "vmware-tools", statusUnk)

	// ---- Planted VMs: one violation each (Tools-not-installed also has no filesystems) ----
	plant := func(name, rule, status string) { b.Plant("vm", name, rule, status) }

	// vm-name
	put(dc1, f.clean("bad_name", osWin2012R2, esx01, "ds-prod-01", "Lab"), nil)
	plant("bad_name", "vm-name", statusFail)
	put(dc1, f.clean("-leading-hyphen", osRHEL72, esx02, "ds-prod-02", "Lab"), nil)
	plant("-leading-hyphen", "vm-name", statusFail)
	put(dc1, f.clean("trailing-hyphen-", osRHEL72, esx03, "ds-prod-02", "Lab"), nil)
	plant("trailing-hyphen-", "vm-name", statusFail)
	s = f.clean(name64, osCentOS67, esx10, "ds-prod-01", "Lab")
	s.CreateAs = "lnx-long-b"
	put(dc1, s, nil)
	plant(name64, "vm-name", statusFail)

	// vmware-tools
	s = f.clean("tools-missing-01", osWin2012R2, esx01, "ds-prod-01", "Lab")
	s.Guest = toolsNotInstalled(osWin2012R2)
	put(dc1, s, nil)
	plant("tools-missing-01", "vmware-tools", statusFail)
	plant("tools-missing-01", "install-space", statusUnk)
	s = f.clean("tools-stopped-01", osRHEL72, esx02, "ds-prod-02", "Lab")
	s.Guest = toolsNotRunning(osRHEL72, "tools-stopped-01.lab.local", s.Guest.Disks)
	put(dc1, s, nil)
	plant("tools-stopped-01", "vmware-tools", statusFail)
	s = f.clean("tools-off-01", osWin2012R2, esx03, "ds-prod-01", "Lab")
	s.PowerOff = true
	s.Guest = toolsNotRunning(osWin2012R2, "tools-off-01.lab.local", s.Guest.Disks)
	put(dc1, s, nil)
	plant("tools-off-01", "vmware-tools", statusUnk)

	// disk-size and disk-count
	put(dc1, f.clean("bigdisk-2t-01", osWin2012R2, esx01, "ds-prod-01", "Lab",
		DiskSpec{Size: 60 * gib}, DiskSpec{Size: 2 * tib, Thin: true}), nil)
	b.PlantDisk("bigdisk-2t-01", "Hard disk 2")
	put(dc1, f.clean("bigdisk-1024g-01", osRHEL72, esx02, "ds-prod-02", "Lab",
		DiskSpec{Size: 40 * gib}, DiskSpec{Size: 1024 * gib}), nil)
	b.PlantDisk("bigdisk-1024g-01", "Hard disk 2")
	put(dc1, f.clean("disks-17-01", osRHEL72, esx03, "ds-prod-02", "Lab", nDisks(17)...), nil)
	plant("disks-17-01", "disk-count", statusFail)

	// guest-os
	put(dc1, f.clean("win7-32-01", osWin7x86, esx10, "ds-prod-01", "Lab"), nil)
	plant("win7-32-01", "guest-os", statusFail)
	put(dc1, f.clean("ubuntu-01", osUbuntu, esx10, "ds-local-esx10", "Lab"), nil)
	plant("ubuntu-01", "guest-os", statusFail)
	put(dc1, f.clean("other-linux-01", osOtherLnx, esx01, "ds-prod-02", "Lab"), nil)
	plant("other-linux-01", "guest-os", statusUnk)
	put(dc1, f.clean("rhel7-nominor-01", osRHEL7, esx02, "ds-prod-02", "Lab"), nil)
	plant("rhel7-nominor-01", "guest-os", statusUnk)
	put(dc1, f.clean("rhel7-noname-01", osRHEL7Anon, esx03, "ds-prod-02", "Lab"), nil)
	plant("rhel7-noname-01", "guest-os", statusUnk)
	// Configured as Windows Server 2012, Tools report 2016.
	mismatch := osWin2012R2
	mismatch.ToolsID, mismatch.ToolsName = osWin2016.ToolsID, osWin2016.ToolsName
	put(dc1, f.clean("win-mismatch-01", mismatch, esx01, "ds-prod-01", "Lab"), nil)
	plant("win-mismatch-01", "guest-os", statusFail)

	// install-space
	s = f.clean("win-cfull-01", osWin2012R2, esx02, "ds-prod-01", "Lab")
	s.Guest.Disks = winDisks(60*gib-500*mib, 1*gib, 0)
	put(dc1, s, nil)
	plant("win-cfull-01", "install-space", statusFail)
	s = f.clean("lnx-rootfull-01", osRHEL72, esx03, "ds-prod-02", "Lab")
	s.Guest.Disks = []types.GuestDiskInfo{
		gdisk("/", 38*gib, 1536*mib), gdisk("/boot", 1014*mib, 780*mib), gdisk("/home", 100*gib, 80*gib),
	}
	put(dc1, s, nil)
	plant("lnx-rootfull-01", "install-space", statusFail)
	s = f.clean("nodisks-01", osWin2012R2, esx10, "ds-prod-01", "Lab")
	s.Guest.Disks = nil
	put(dc1, s, nil)
	plant("nodisks-01", "install-space", statusUnk)

	// boot-firmware
	s = f.clean("efi-01", osWin2012R2, esx01, "ds-prod-01", "Lab")
	s.Firmware = types.GuestOsDescriptorFirmwareTypeEfi
	put(dc1, s, nil)
	plant("efi-01", "boot-firmware", statusFail)

	// storage-drs: on a datastore in a pod with Storage DRS enabled.
	put(dc1, f.clean("sdrs-01", osRHEL72, esx02, "ds-sdrs-01", "Lab"), nil)
	plant("sdrs-01", "storage-drs", statusFail)

	// cross-vcenter-vmotion. A VM with the same BIOS and instance UUIDs in every instance: clean
	// alone, each copy fails when two instances are audited together (see "shared_vms").
	put(dc1, b.Shared(f.clean("xvc-shared-01", osRHEL72, esx01, "ds-prod-02", "Prod")), nil)
	// Two VMs with cross-vCenter migration events, posted in instance 1 only: one moved here,
	// one whose move failed. Elsewhere they are clean.
	var moved, failed *VM
	put(dc1, f.clean("xvc-moved-01", osWin2012R2, esx02, "ds-prod-01", "Prod"), func(vm *VM) { moved = vm })
	put(dc1, f.clean("xvc-failed-01", osRHEL72, esx03, "ds-prod-02", "Prod"), func(vm *VM) { failed = vm })

	for _, e := range vms {
		vm, err := b.CreateVM(e.dc, e.spec)
		if err != nil {
			return err
		}
		if e.post != nil {
			e.post(vm)
		}
	}

	if b.opts.instance == 1 {
		if err := b.PostMigrationEvent(moved, "com.vmware.vc.vm.DstVmMigratedEvent",
			"Migration of virtual machine xvc-moved-01 from vc-old.lab.local completed"); err != nil {
			return err
		}
		plant("xvc-moved-01", "cross-vcenter-vmotion", statusFail)
		if err := b.PostMigrationEvent(failed, "com.vmware.vc.vm.SrcVmMigrateFailedEvent",
			"Migration of virtual machine xvc-failed-01 to vc-new.lab.local failed"); err != nil {
			return err
		}
		plant("xvc-failed-01", "cross-vcenter-vmotion", statusUnk)
	}

	for _, d := range defs {
		b.SetDatastoreSummary(dsRefs[d.name], d.kind, d.cap, d.free)
	}
	return nil
}
