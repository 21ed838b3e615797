package main

// Scenario "demo": a realistic, messy estate for vcaudit's shipped sample snapshot. -instance 1
// and -instance 2 are two different vCenters (Amsterdam and Frankfurt). Everything is drawn from
// a math/rand source seeded with the instance number, so each instance is identical run to run.
// Every rule fails somewhere; nothing is listed in "planted".

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// demoSite is one vCenter of the demo.
type demoSite struct {
	code     string // "AMS"
	vcVer    string
	vcBuild  string
	vcAPI    string
	vms      int
	ipSecond int
}

func demoSiteFor(instance int) demoSite {
	switch instance {
	case 1:
		return demoSite{"AMS", vc60, vc60Build, vc60API, 214, 10}
	case 2:
		// A vCenter already upgraded to 6.5: fails vcenter-version.
		return demoSite{"FRA", "6.5.0", "5973321", "6.5", 187, 20}
	}
	return demoSite{fmt.Sprintf("S%02d", instance), vc60, vc60Build, vc60API, 150 + (instance*37)%100, 30 + instance%200}
}

func demoAbout(o *options) types.AboutInfo {
	s := demoSiteFor(o.instance)
	return vcenterAbout(s.vcVer, s.vcBuild, s.vcAPI, instanceUUID(o.scenario, o.instance))
}

// demoCluster is a compute target: a cluster or a standalone host, with its shared datastores.
type demoCluster struct {
	dc         *DC
	hosts      []*object.HostSystem
	datastores []string
	sdrs       []string // datastores in a Storage DRS pod, used by a few VMs
	weight     int      // share of the VMs
	env        string   // prod, dev, dmz
}

// weighted picks from choices by weight.
type weighted[T any] struct {
	w int
	v T
}

func pick[T any](r *rand.Rand, choices []weighted[T]) T {
	total := 0
	for _, c := range choices {
		total += c.w
	}
	n := r.Intn(total)
	for _, c := range choices {
		if n < c.w {
			return c.v
		}
		n -= c.w
	}
	return choices[len(choices)-1].v
}

// demoRole is a kind of server: name part, OS mix, size.
type demoRole struct {
	name    string
	folder  string
	oses    []weighted[OS]
	cpus    []int32
	memGiB  []int64
	dataGiB []int64 // data disk sizes to draw from (0 = none)
}

var demoWinServer = []weighted[OS]{{50, osWin2012R2}, {22, osWin2008R2}, {10, osWin2012}, {8, osWin2016}, {3, osWin2008}, {2, osWin2003}}
var demoLinux = []weighted[OS]{{30, osRHEL72}, {12, osRHEL71}, {12, osRHEL68}, {15, osCentOS67}, {10, osCentOS72}, {8, osUbuntu}, {4, osRHEL59}, {3, osDebian8}, {3, osRHEL7}, {2, osOtherLnx}}

var demoRoles = []weighted[demoRole]{
	{14, demoRole{"web", "Production/Web", []weighted[OS]{{60, osWin2012R2}, {10, osWin2008R2}, {30, osRHEL72}}, []int32{2, 2, 4}, []int64{4, 8}, []int64{0, 0, 50, 100}}},
	{12, demoRole{"app", "Production/App", append(append([]weighted[OS]{}, demoWinServer...), demoLinux...), []int32{2, 4, 4, 8}, []int64{8, 12, 16}, []int64{0, 100, 200, 300}}},
	{9, demoRole{"sql", "Production/DB", []weighted[OS]{{55, osWin2012R2}, {35, osWin2008R2}, {10, osWin2016}}, []int32{4, 8, 8, 16}, []int64{16, 32, 64}, []int64{200, 400, 600, 900, 1200}}},
	{5, demoRole{"ora", "Production/DB", []weighted[OS]{{50, osRHEL68}, {30, osRHEL72}, {20, osRHEL59}}, []int32{8, 16}, []int64{32, 64, 96}, []int64{500, 800, 900, 1500}}},
	{4, demoRole{"dc", "Infrastructure", []weighted[OS]{{70, osWin2012R2}, {30, osWin2008R2}}, []int32{2}, []int64{4, 6}, []int64{0}}},
	{6, demoRole{"fs", "Infrastructure", demoWinServer, []int32{2, 4}, []int64{4, 8}, []int64{500, 750, 900, 2048}}},
	{3, demoRole{"exch", "Production/Mail", []weighted[OS]{{80, osWin2012R2}, {20, osWin2008R2}}, []int32{8}, []int64{32, 48}, []int64{400, 600, 800}}},
	{8, demoRole{"lnx", "Production/App", demoLinux, []int32{1, 2, 4}, []int64{2, 4, 8}, []int64{0, 0, 40, 100}}},
	{4, demoRole{"k8s", "Production/Containers", []weighted[OS]{{60, osCentOS72}, {40, osUbuntu}}, []int32{4, 8}, []int64{16, 32}, []int64{100, 200}}},
	{3, demoRole{"mq", "Production/App", []weighted[OS]{{60, osRHEL72}, {40, osCentOS67}}, []int32{2, 4}, []int64{8}, []int64{50, 100}}},
	{6, demoRole{"test", "Dev", append(append([]weighted[OS]{}, demoLinux...), append(demoWinServer, weighted[OS]{6, osWin7x86})...), []int32{1, 2}, []int64{2, 4}, []int64{0, 0, 40}}},
	{3, demoRole{"jump", "Infrastructure", []weighted[OS]{{60, osWin2012R2}, {40, osWin7x86}}, []int32{2}, []int64{4}, []int64{0}}},
	{3, demoRole{"bkp", "Infrastructure", []weighted[OS]{{100, osWin2012R2}}, []int32{4}, []int64{16}, []int64{900, 1800}}},
}

func plantDemo(b *Builder) error {
	site := demoSiteFor(b.opts.instance)
	r := rand.New(rand.NewSource(int64(1000 + b.opts.instance)))
	lc := strings.ToLower(site.code)
	domain := lc + ".corp.example"

	hostVersion := func(i int) (string, string) {
		switch {
		case i%11 == 5:
			return esxi60, "3380124" // 6.0 U1b: older than its peers, fails esxi-build
		case i%17 == 9:
			return "5.5.0", "3568722"
		}
		return esxi60, esxi60U2
	}
	nhost := 0
	newHost := func(cl *object.ClusterComputeResource, dc *DC) (*object.HostSystem, error) {
		nhost++
		name := fmt.Sprintf("%s-esx%02d.%s", lc, nhost, domain)
		ver, build := hostVersion(nhost)
		if cl == nil {
			return b.StandaloneHost(dc, name, ver, build)
		}
		return b.ClusterHost(cl, name, ver, build)
	}

	type dsPlan struct {
		ref  types.ManagedObjectReference
		kind string
		cap  int64
	}
	var dsPlans []dsPlan
	nds := 0
	newDatastores := func(dc *DC, prefix string, n int, kind string, hosts []*object.HostSystem) ([]string, []types.ManagedObjectReference, error) {
		var names []string
		var refs []types.ManagedObjectReference
		for i := 0; i < n; i++ {
			nds++
			name := fmt.Sprintf("%s-%s-%02d", lc, prefix, i+1)
			ref, err := b.Datastore(dc, name, hosts...)
			if err != nil {
				return nil, nil, err
			}
			caps := []int64{4 * tib, 6 * tib, 8 * tib, 10 * tib, 16 * tib}
			dsPlans = append(dsPlans, dsPlan{ref, kind, caps[r.Intn(len(caps))]})
			names = append(names, name)
			refs = append(refs, ref)
		}
		return names, refs, nil
	}

	var targets []*demoCluster
	addCluster := func(dc *DC, name string, hosts int, drs bool, behavior types.DrsBehavior, env string, weight int, dsPrefix string, nDS int, kind string) (*demoCluster, error) {
		cl, err := b.Cluster(dc, name, drs, behavior)
		if err != nil {
			return nil, err
		}
		t := &demoCluster{dc: dc, weight: weight, env: env}
		for i := 0; i < hosts; i++ {
			h, err := newHost(cl, dc)
			if err != nil {
				return nil, err
			}
			t.hosts = append(t.hosts, h)
		}
		if t.datastores, _, err = newDatastores(dc, dsPrefix, nDS, kind, t.hosts); err != nil {
			return nil, err
		}
		targets = append(targets, t)
		return t, nil
	}

	// Datacenter 1: production and dev clusters, a datastore cluster with Storage DRS.
	dc1, err := b.Datacenter(site.code + "-DC1")
	if err != nil {
		return err
	}
	prod1, err := addCluster(dc1, lc+"-prod-cl01", 6, true, types.DrsBehaviorFullyAutomated, "prod", 45, "vmfs-prod", 3, "VMFS")
	if err != nil {
		return err
	}
	if _, err := addCluster(dc1, lc+"-prod-cl02", 4, true, types.DrsBehaviorPartiallyAutomated, "prod", 25, "vmfs-prod2", 2, "VMFS"); err != nil {
		return err
	}
	if _, err := addCluster(dc1, lc+"-dev-cl01", 3, false, types.DrsBehaviorFullyAutomated, "dev", 12, "nfs-dev", 2, "NFS"); err != nil {
		return err
	}
	podNames, podRefs, err := newDatastores(dc1, "vmfs-gold", 2, "VMFS", prod1.hosts)
	if err != nil {
		return err
	}
	if _, err := b.StoragePod(dc1, lc+"-pod-gold", true, podRefs...); err != nil {
		return err
	}
	// A few production VMs land on the Storage DRS datastores.
	prod1.sdrs = podNames

	// Datacenter 2 (in a folder): a DMZ cluster and a standalone management host.
	dc2, err := b.Datacenter(site.code+"-DC2", "Secondary")
	if err != nil {
		return err
	}
	dmz, err := addCluster(dc2, lc+"-dmz-cl01", 2, true, types.DrsBehaviorManual, "dmz", 10, "vmfs-dmz", 1, "VMFS")
	if err != nil {
		return err
	}
	// The newest host of the DMZ runs 6.5: fails esxi-version.
	last := dmz.hosts[len(dmz.hosts)-1]
	b.SetHostVersion(last.Reference(), esxi65, esxi65GA)
	mgmt, err := newHost(nil, dc2)
	if err != nil {
		return err
	}
	mgmtDS, _, err := newDatastores(dc2, "local-mgmt", 1, "VMFS", []*object.HostSystem{mgmt})
	if err != nil {
		return err
	}
	targets = append(targets, &demoCluster{dc: dc2, hosts: []*object.HostSystem{mgmt}, datastores: mgmtDS, weight: 8, env: "mgmt"})

	var tw []weighted[*demoCluster]
	for _, t := range targets {
		tw = append(tw, weighted[*demoCluster]{t.weight, t})
	}

	counters := map[string]int{}
	used := map[string]bool{}
	for i := 0; i < site.vms; i++ {
		role := pick(r, demoRoles)
		t := pick(r, tw)
		counters[role.name]++
		name := fmt.Sprintf("%s-%s-%02d", lc, role.name, counters[role.name])
		if role.name == "web" || role.name == "app" || role.name == "lnx" {
			name = fmt.Sprintf("%s-%s-%03d", lc, role.name, counters[role.name]*3+r.Intn(3))
		}
		// Messy names: a few copies, olds and upper-case underscores.
		switch n := r.Intn(100); {
		case n < 2:
			name = strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		case n < 4:
			name += "_old"
		case n < 5:
			name += " (copy)"
		case n < 6:
			name = strings.ToUpper(name[:1]) + name[1:] + "-restore-" + fmt.Sprint(2015+r.Intn(3))
		}
		if used[name] {
			name += "-b"
		}
		used[name] = true

		osys := pick(r, role.oses)
		folder := role.folder
		if t.env == "dev" {
			folder = "Dev"
		} else if t.env == "dmz" {
			folder = "DMZ"
		} else if t.env == "mgmt" {
			folder = "Infrastructure"
		}
		if r.Intn(40) == 0 {
			folder = "Discovered virtual machine"
		}

		// Disks: a system disk and 0-3 data disks; a few very large ones.
		sys := []int64{40, 50, 60, 60, 80, 100}[r.Intn(6)] * gib
		if !osys.Windows {
			sys = []int64{16, 20, 30, 40, 50}[r.Intn(5)] * gib
		}
		ds := t.datastores[r.Intn(len(t.datastores))]
		if len(t.sdrs) > 0 && r.Intn(10) == 0 {
			ds = t.sdrs[r.Intn(len(t.sdrs))]
		}
		disks := []DiskSpec{{Size: sys, Thin: r.Intn(3) == 0}}
		ndata := r.Intn(4)
		if role.dataGiB[0] == 0 && r.Intn(2) == 0 {
			ndata = 0
		}
		for d := 0; d < ndata; d++ {
			size := role.dataGiB[r.Intn(len(role.dataGiB))]
			if size == 0 {
				continue
			}
			if size > 1023 && r.Intn(3) != 0 {
				size = 900 // only a few disks over 1 TiB
			}
			spec := DiskSpec{Size: size * gib, Thin: r.Intn(2) == 0}
			if r.Intn(5) == 0 && len(t.datastores) > 1 {
				spec.Datastore = t.datastores[r.Intn(len(t.datastores))]
			}
			disks = append(disks, spec)
		}
		if role.name == "fs" && (counters["fs"] == 2 || r.Intn(8) == 0) {
			// A file server that grew a disk per share: fails disk-count.
			for len(disks) < 18+r.Intn(4) {
				disks = append(disks, DiskSpec{Size: 200 * gib, Thin: true, Controller: len(disks) / 14})
			}
		} else {
			for d := range disks {
				disks[d].Controller = d / 14
			}
		}

		cpus := role.cpus[r.Intn(len(role.cpus))]
		mem := role.memGiB[r.Intn(len(role.memGiB))] * 1024
		host := t.hosts[r.Intn(len(t.hosts))]
		ip := fmt.Sprintf("10.%d.%d.%d", site.ipSecond, 1+i/200, 10+i%200)
		fqdn := strings.ToLower(strings.NewReplacer(" ", "", "(", "", ")", "", "_", "-").Replace(name)) + "." + domain

		// Guest filesystems from the disks, with random use; some nearly full.
		var gd []types.GuestDiskInfo
		freeFrac := 0.2 + r.Float64()*0.6
		if r.Intn(20) == 0 {
			freeFrac = 0.01
		}
		if osys.Windows {
			gd = append(gd, gdisk(`C:\`, sys-500*mib, int64(float64(sys-500*mib)*freeFrac)))
			for d, dk := range disks[1:] {
				if d >= 3 {
					break
				}
				letter := string(rune('D' + d))
				gd = append(gd, gdisk(letter+`:\`, dk.Size-64*mib, int64(float64(dk.Size)*(0.1+r.Float64()*0.8))))
			}
		} else {
			gd = append(gd, gdisk("/", sys-1*gib, int64(float64(sys-1*gib)*freeFrac)), gdisk("/boot", 1014*mib, 700*mib))
			mounts := []string{"/data", "/var/lib/docker", "/u01", "/srv"}
			for d, dk := range disks[1:] {
				if d >= len(mounts) {
					break
				}
				gd = append(gd, gdisk(mounts[d], dk.Size-512*mib, int64(float64(dk.Size)*(0.1+r.Float64()*0.8))))
			}
			if r.Intn(6) == 0 {
				gd = append(gd, gdisk("/usr/local", 10*gib, int64(float64(10*gib)*(0.05+r.Float64()*0.9))))
			}
		}

		var guest *GuestSpec
		powerOff := r.Intn(100) < 12
		switch n := r.Intn(100); {
		case n < 4:
			guest = toolsNotInstalled(osys)
		case n < 8:
			guest = toolsNotRunning(osys, fqdn, gd)
		case n < 20:
			guest = toolsOK(osys, fqdn, ip, gd)
			guest.Version, guest.VersionStatus = "9537", types.VirtualMachineToolsVersionStatusGuestToolsSupportedOld
		default:
			guest = toolsOK(osys, fqdn, ip, gd)
		}
		if r.Intn(25) == 0 {
			guest.Disks = nil // Tools running, no filesystems reported
		}
		if powerOff && guest.Running == types.VirtualMachineToolsRunningStatusGuestToolsRunning {
			guest.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
			guest.Running = types.VirtualMachineToolsRunningStatusGuestToolsNotRunning
			guest.IP = ""
		}
		firmware := types.GuestOsDescriptorFirmwareTypeBios
		if (osys == osWin2012R2 || osys == osWin2016) && r.Intn(10) == 0 {
			firmware = types.GuestOsDescriptorFirmwareTypeEfi
		}

		s := &VMSpec{
			Name:      name,
			Folder:    folder,
			Host:      host,
			Datastore: ds,
			GuestID:   osys.GuestID,
			CPUs:      cpus,
			MemoryMB:  mem,
			Firmware:  firmware,
			Disks:     disks,
			PowerOff:  powerOff,
			Guest:     guest,
		}
		if strings.HasSuffix(name, "_old") || strings.Contains(name, "-restore-") {
			s.CreateAs = strings.Fields(strings.TrimSuffix(name, "_old"))[0] + "-tmp"
			if used[s.CreateAs] {
				s.CreateAs += "2"
			}
			used[s.CreateAs] = true
		}
		if _, err := b.CreateVM(t.dc, s); err != nil {
			return err
		}
	}

	// Templates.
	for i, osys := range []OS{osWin2012R2, osRHEL72, osWin2008R2} {
		t := targets[i%2]
		s := &VMSpec{
			Name:      fmt.Sprintf("tpl-%s", strings.ToLower(strings.NewReplacer(" ", "-", "(", "", ")", "", ".", "").Replace(strings.TrimSuffix(osys.ToolsName, " (64-bit)")))),
			Folder:    "Templates",
			Host:      t.hosts[0],
			Datastore: t.datastores[0],
			GuestID:   osys.GuestID,
			CPUs:      2,
			MemoryMB:  4096,
			Disks:     []DiskSpec{{Size: 60 * gib, Thin: true}},
			Template:  true,
			Guest:     toolsNotRunning(osys, "", nil),
		}
		if _, err := b.CreateVM(t.dc, s); err != nil {
			return err
		}
	}

	// Conditions of today's support matrix (profile asr-vmware-2026), after the random VMs so
	// they do not shift them: Secure Boot, an NVMe Linux disk, guest IPv6, a 3 TiB BIOS OS disk,
	// and a vCLS agent VM (out of scope in every profile).
	extra := func(name string, osys OS, disks []DiskSpec) *VMSpec {
		t := targets[0]
		var gd []types.GuestDiskInfo
		if osys.Windows {
			gd = winDisks(disks[0].Size-500*mib, disks[0].Size/2, 0)
		} else {
			gd = linuxDisks(disks[0].Size-2*gib, disks[0].Size/3, 0)
		}
		return &VMSpec{
			Name: name, Folder: "Production", Host: t.hosts[0], Datastore: t.datastores[0],
			GuestID: osys.GuestID, CPUs: 4, MemoryMB: 8192, Disks: disks,
			Guest: toolsOK(osys, name+"."+domain, fmt.Sprintf("10.%d.251.%d", site.ipSecond, len(name)), gd),
		}
	}
	s := extra(lc+"-sql-sb-01", osWin2016, []DiskSpec{{Size: 80 * gib}, {Size: 500 * gib, Thin: true}})
	s.Firmware = types.GuestOsDescriptorFirmwareTypeEfi
	vm, err := b.CreateVM(targets[0].dc, s)
	if err != nil {
		return err
	}
	setSecureBoot(vm)
	if vm, err = b.CreateVM(targets[0].dc, extra(lc+"-k8s-nvme-01", osRHEL72, []DiskSpec{{Size: 40 * gib}, {Size: 200 * gib, Thin: true}})); err != nil {
		return err
	}
	moveToNVMe(vm, "Hard disk 2")
	s = extra(lc+"-web-v6-01", osRHEL72, []DiskSpec{{Size: 40 * gib}})
	s.Guest.IPv6 = []string{fmt.Sprintf("2001:db8:%d::10", site.ipSecond)}
	if _, err := b.CreateVM(targets[0].dc, s); err != nil {
		return err
	}
	if _, err := b.CreateVM(targets[0].dc, extra(lc+"-archive-01", osRHEL72, []DiskSpec{{Size: 3 * tib, Thin: true}})); err != nil {
		return err
	}
	agent := &VMSpec{Name: "vCLS-" + lc + "01", Folder: "vCLS", Host: targets[0].hosts[0], Datastore: targets[0].datastores[0],
		GuestID: "vmwarePhoton64Guest", CPUs: 1, MemoryMB: 128, Disks: []DiskSpec{{Size: 2 * gib, Thin: true}}}
	if vm, err = b.CreateVM(targets[0].dc, agent); err != nil {
		return err
	}
	makeAgent(vm)

	// Cross-vCenter vMotion evidence: a VM present in both vCenters with the same UUIDs, and one
	// VM per site with a migration event (moved into Amsterdam; a failed move out of Frankfurt).
	xvc := func(name string, osys OS, t *demoCluster) *VMSpec {
		sys := int64(60) * gib
		return &VMSpec{
			Name:      name,
			Folder:    "Production",
			Host:      t.hosts[0],
			Datastore: t.datastores[0],
			GuestID:   osys.GuestID,
			CPUs:      4,
			MemoryMB:  16384,
			Disks:     []DiskSpec{{Size: sys}, {Size: 200 * gib, Thin: true}},
			Guest: toolsOK(osys, name+"."+domain, fmt.Sprintf("10.%d.250.10", site.ipSecond),
				winDisks(sys-500*mib, sys/2, 200*gib-100*mib)),
		}
	}
	if _, err := b.CreateVM(prod1.dc, b.Shared(xvc("erp-db-01", osWin2012R2, prod1))); err != nil {
		return err
	}
	movedVM, err := b.CreateVM(prod1.dc, xvc(lc+"-crm-app-01", osWin2012R2, prod1))
	if err != nil {
		return err
	}

	// Datastore sizes from what is provisioned on them.
	sort.Slice(dsPlans, func(i, j int) bool { return dsPlans[i].ref.Value < dsPlans[j].ref.Value })
	for _, p := range dsPlans {
		used := datastoreUsed(p.ref)
		capacity := p.cap
		for capacity < used*5/4 {
			capacity += 2 * tib
		}
		b.SetDatastoreSummary(p.ref, p.kind, capacity, capacity-used)
	}

	// Events last: the event ring keeps the newest 1000.
	if b.opts.instance == 1 {
		return b.PostMigrationEvent(movedVM, "com.vmware.vc.vm.DstVmMigratedEvent",
			fmt.Sprintf("Migration of virtual machine %s from the FRA vCenter completed", movedVM.Name))
	}
	return b.PostMigrationEvent(movedVM, "com.vmware.vc.vm.SrcVmMigrateFailedEvent",
		fmt.Sprintf("Migration of virtual machine %s to the AMS vCenter failed", movedVM.Name))
}

// datastoreUsed is the space VM disks take on a datastore: thick disks in full, thin ones at
// about a third.
func datastoreUsed(ref types.ManagedObjectReference) int64 {
	var used int64
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		for _, d := range vm.Config.Hardware.Device {
			disk, ok := d.(*types.VirtualDisk)
			if !ok {
				continue
			}
			b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			if !ok || b.Datastore == nil || *b.Datastore != ref {
				continue
			}
			if b.ThinProvisioned != nil && *b.ThinProvisioned {
				used += disk.CapacityInBytes / 3
			} else {
				used += disk.CapacityInBytes
			}
		}
	}
	return used
}
