package main

// Scenario "current": a vSphere 8 estate planting each condition of today's support matrix
// (profile asr-vmware-2026) on its own VM, with the findings it gives under both built-in
// profiles listed in "planted" (field "profile"). Audit two instances together: the VM
// "dup-bios-01" has the same BIOS UUID in every instance.

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	p2017 = "asr-vmware-2017"
	p2026 = "asr-vmware-2026"
)

func currentAbout(o *options) types.AboutInfo {
	return vcenterAbout("8.0.3", "24322831", "8.0.3.0", instanceUUID(o.scenario, o.instance))
}

// both plants the same finding in both profiles.
func (b *Builder) both(objectType, obj, rule, status string) {
	b.PlantIn(p2017, objectType, obj, rule, status)
	b.PlantIn(p2026, objectType, obj, rule, status)
}

func plantCurrent(b *Builder) error {
	dc, err := b.Datacenter("DC8")
	if err != nil {
		return err
	}
	cl, err := b.Cluster(dc, "Cluster8", true, types.DrsBehaviorFullyAutomated)
	if err != nil {
		return err
	}
	esx80, err := b.ClusterHost(cl, "esx80.lab.local", "8.0.3", "24280767")
	if err != nil {
		return err
	}
	esx70, err := b.ClusterHost(cl, "esx70.lab.local", "7.0.3", "21930508")
	if err != nil {
		return err
	}
	esx60, err := b.StandaloneHost(dc, "esx60.lab.local", esxi60, esxi60U2)
	if err != nil {
		return err
	}
	b.PlantIn(p2017, "vcenter", "", "vcenter-version", statusFail)
	b.PlantIn(p2017, "host", "esx80.lab.local", "esxi-version", statusFail)
	b.PlantIn(p2017, "host", "esx70.lab.local", "esxi-version", statusFail)
	b.PlantIn(p2026, "host", "esx60.lab.local", "esxi-version", statusFail)
	ds, err := b.Datastore(dc, "ds8-01", esx80, esx70, esx60)
	if err != nil {
		return err
	}

	f := &vmFactory{b: b, domain: "lab.local", ipBase: "10.80.1"}
	type entry struct {
		spec *VMSpec
		post func(vm *VM)
	}
	var vms []entry
	put := func(s *VMSpec, post func(vm *VM)) { vms = append(vms, entry{s, post}) }

	// Clean under both profiles.
	put(f.clean("web8-01", osWin2012R2, esx80, "ds8-01", "Prod"), nil)
	put(f.clean("app8-01", osRHEL72, esx70, "ds8-01", "Prod",
		DiskSpec{Size: 40 * gib}, DiskSpec{Size: 200 * gib, Thin: true}), nil)

	// Secure Boot on (EFI): boot-firmware fails in both (2017: any EFI).
	s := f.clean("secureboot-01", osWin2012R2, esx80, "ds8-01", "Lab")
	s.Firmware = types.GuestOsDescriptorFirmwareTypeEfi
	put(s, setSecureBoot)
	b.both("vm", "secureboot-01", "boot-firmware", statusFail)

	// A multi-writer data disk.
	put(f.clean("shared-disk-01", osRHEL72, esx70, "ds8-01", "Lab",
		DiskSpec{Size: 40 * gib}, DiskSpec{Size: 100 * gib}), func(vm *VM) {
		withDisk(vm, "Hard disk 2", func(d *types.VirtualDisk) {
			d.Backing.(*types.VirtualDiskFlatVer2BackingInfo).Sharing = "sharingMultiWriter"
		})
	})
	b.PlantIn(p2026, "vm", "shared-disk-01", "shared-disk", statusFail)

	// An encrypted data disk.
	put(f.clean("encrypted-01", osRHEL72, esx70, "ds8-01", "Lab",
		DiskSpec{Size: 40 * gib}, DiskSpec{Size: 100 * gib}), func(vm *VM) {
		withDisk(vm, "Hard disk 2", func(d *types.VirtualDisk) {
			d.Backing.(*types.VirtualDiskFlatVer2BackingInfo).KeyId = &types.CryptoKeyId{
				KeyId: "8f1c-2a", ProviderId: &types.KeyProviderId{Id: "kms-lab"},
			}
		})
	})
	b.PlantIn(p2026, "vm", "encrypted-01", "encrypted-disk", statusFail)

	// A Linux VM whose data disk hangs on an NVMe controller.
	put(f.clean("nvme-lnx-01", osRHEL72, esx80, "ds8-01", "Lab",
		DiskSpec{Size: 40 * gib}, DiskSpec{Size: 100 * gib}), func(vm *VM) { moveToNVMe(vm, "Hard disk 2") })
	b.PlantIn(p2026, "vm", "nvme-lnx-01", "nvme-linux", statusFail)

	// OS disks over the limit of their firmware: 3 TiB with BIOS, 4 TiB with UEFI.
	put(f.clean("os-bios-3t-01", osRHEL72, esx70, "ds8-01", "Lab", DiskSpec{Size: 3 * tib, Thin: true}), nil)
	b.PlantDisk("os-bios-3t-01", "Hard disk 1")
	b.planted[len(b.planted)-1].Profile = p2017
	b.PlantIn(p2026, "vm", "os-bios-3t-01", "os-disk-size", statusFail)
	s = f.clean("os-uefi-4t-01", osWin2012R2, esx80, "ds8-01", "Lab", DiskSpec{Size: 4 * tib, Thin: true})
	s.Firmware = types.GuestOsDescriptorFirmwareTypeEfi
	put(s, nil)
	b.PlantIn(p2017, "vm", "os-uefi-4t-01", "boot-firmware", statusFail)
	b.PlantIn(p2017, "vm", "os-uefi-4t-01", "disk-size", statusFail)
	b.PlantIn(p2026, "vm", "os-uefi-4t-01", "os-disk-size", statusFail)

	// Data disks: 33 TiB; 512 MiB; 65 of them.
	put(f.clean("data-33t-01", osRHEL72, esx70, "ds8-01", "Lab",
		DiskSpec{Size: 40 * gib}, DiskSpec{Size: 33 * tib, Thin: true}), nil)
	b.PlantIn(p2017, "vm", "data-33t-01", "disk-size", statusFail)
	b.PlantIn(p2026, "vm", "data-33t-01", "data-disk-size", statusFail)
	put(f.clean("data-512m-01", osRHEL72, esx70, "ds8-01", "Lab",
		DiskSpec{Size: 40 * gib}, DiskSpec{Size: 512 * mib}), nil)
	b.PlantIn(p2026, "vm", "data-512m-01", "data-disk-size", statusFail)
	many := []DiskSpec{{Size: 40 * gib}}
	for i := 1; i <= 65; i++ {
		many = append(many, DiskSpec{Size: 2 * gib, Thin: true, Controller: i / 15})
	}
	put(f.clean("data-65-01", osRHEL72, esx80, "ds8-01", "Lab", many...), nil)
	b.PlantIn(p2017, "vm", "data-65-01", "disk-count", statusFail)
	b.PlantIn(p2026, "vm", "data-65-01", "data-disk-count", statusFail)

	// The same BIOS (and instance) UUID in every instance.
	put(b.Shared(f.clean("dup-bios-01", osRHEL72, esx70, "ds8-01", "Prod")), nil)
	b.PlantIn(p2017, "vm", "dup-bios-01", "cross-vcenter-vmotion", statusFail)
	b.PlantIn(p2026, "vm", "dup-bios-01", "duplicate-bios-uuid", statusFail)

	// 130 vCPUs.
	s = f.clean("cpu-130-01", osRHEL72, esx80, "ds8-01", "Lab")
	s.CPUs = 130
	put(s, nil)
	b.PlantIn(p2026, "vm", "cpu-130-01", "azure-vm-limits", statusFail)

	// A guest reporting a global IPv6 address beside its IPv4 one.
	s = f.clean("ipv6-01", osRHEL72, esx70, "ds8-01", "Lab")
	s.Guest.IPv6 = []string{"fe80::250:56ff:fe80:1", "2001:db8:80::15"}
	put(s, nil)
	b.PlantIn(p2026, "vm", "ipv6-01", "guest-ipv6", statusFail)

	// A vCLS-like agent VM: out of scope, no findings, in both profiles.
	agent := &VMSpec{Name: "vCLS-2f9b", Folder: "vCLS", Host: esx80, Datastore: "ds8-01",
		GuestID: "vmwarePhoton64Guest", CPUs: 1, MemoryMB: 128, Disks: []DiskSpec{{Size: 2 * gib}}}
	put(agent, makeAgent)

	// A name with a slash, as vCenter sends it (escaped): reported and judged as "app/01".
	s = f.clean("app%2f01", osRHEL72, esx70, "ds8-01", "Lab")
	s.CreateAs = "app-slash-01"
	put(s, nil)
	b.both("vm", "app/01", "vm-name", statusFail)

	for _, e := range vms {
		vm, err := b.CreateVM(dc, e.spec)
		if err != nil {
			return err
		}
		if e.post != nil {
			e.post(vm)
		}
	}
	b.SetDatastoreSummary(ds, "VMFS", 400*tib, 200*tib)
	return nil
}

// withDisk changes the disk labelled label of vm in place.
func withDisk(vm *VM, label string, change func(d *types.VirtualDisk)) {
	simulator.Map.WithLock(vm.Sim, func() {
		for _, dev := range vm.Sim.Config.Hardware.Device {
			if d, ok := dev.(*types.VirtualDisk); ok && d.DeviceInfo.GetDescription().Label == label {
				change(d)
			}
		}
	})
}

// setSecureBoot turns UEFI Secure Boot on (the VM must boot with EFI).
func setSecureBoot(vm *VM) {
	simulator.Map.WithLock(vm.Sim, func() {
		vm.Sim.Config.BootOptions.EfiSecureBootEnabled = types.NewBool(true)
	})
}

// moveToNVMe adds an NVMe controller and moves the disk labelled label onto it.
func moveToNVMe(vm *VM, label string) {
	simulator.Map.WithLock(vm.Sim, func() {
		vm.Sim.Config.Hardware.Device = append(vm.Sim.Config.Hardware.Device, &types.VirtualNVMEController{
			VirtualController: types.VirtualController{
				VirtualDevice: types.VirtualDevice{Key: 31000, DeviceInfo: &types.Description{Label: "NVME controller 0", Summary: "NVME controller 0"}},
				BusNumber:     0,
			},
		})
	})
	withDisk(vm, label, func(d *types.VirtualDisk) {
		d.ControllerKey = 31000
		d.UnitNumber = types.NewInt32(0)
	})
}

// makeAgent marks the VM as managed by ESX Agent Manager, as vCLS VMs are.
func makeAgent(vm *VM) {
	simulator.Map.WithLock(vm.Sim, func() {
		vm.Sim.Config.ManagedBy = &types.ManagedByInfo{ExtensionKey: "com.vmware.vim.eam", Type: "cluster-agent"}
	})
}
