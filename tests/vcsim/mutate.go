package main

// Changes planted between two collections, for `vcaudit diff` tests: a line "mutate" on stdin
// applies them through the vSphere API (rename, relocate, move into a folder, destroy, reconfigure
// a disk) and the simulator's model (Tools state, which no API sets), and answers with one JSON
// line saying what changed.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Mutation is one planted change: the VM (by moref), its name before, and the detail.
type Mutation struct {
	Moref string `json:"moref"`
	Name  string `json:"name"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Mutations is the answer line to "mutate".
type Mutations struct {
	Renamed  Mutation `json:"renamed"`
	Host     Mutation `json:"host"`
	Folder   Mutation `json:"folder"`
	Vanished Mutation `json:"vanished"`
	Disk     Mutation `json:"disk"`
	Tools    Mutation `json:"tools"`
}

// cleanVMs are the powered-on VMs with no planted finding, sorted by name.
func (b *Builder) cleanVMs() []*simulator.VirtualMachine {
	planted := map[string]bool{}
	for _, p := range b.planted {
		planted[p.Object] = true
	}
	var out []*simulator.VirtualMachine
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		if planted[vm.Name] || vm.Config.Template || vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			continue
		}
		out = append(out, vm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// otherHost is a host of the same compute resource as the VM's, other than its own.
func otherHost(vm *simulator.VirtualMachine) *types.ManagedObjectReference {
	cur := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
	var hosts []types.ManagedObjectReference
	switch cr := simulator.Map.Get(*cur.Parent).(type) {
	case *simulator.ClusterComputeResource:
		hosts = cr.Host
	case *mo.ComputeResource:
		hosts = cr.Host
	}
	for _, h := range hosts {
		if h != cur.Self {
			h := h
			return &h
		}
	}
	return nil
}

func (b *Builder) mutate() (*Mutations, error) {
	vms := b.cleanVMs()
	var m Mutations
	used := map[string]bool{}
	take := func(ok func(*simulator.VirtualMachine) bool) *simulator.VirtualMachine {
		for _, vm := range vms {
			if !used[vm.Self.Value] && ok(vm) {
				used[vm.Self.Value] = true
				return vm
			}
		}
		return nil
	}
	any := func(*simulator.VirtualMachine) bool { return true }
	obj := func(vm *simulator.VirtualMachine) *object.VirtualMachine {
		return object.NewVirtualMachine(b.c, vm.Self)
	}

	vm := take(any)
	if vm == nil {
		return nil, fmt.Errorf("no clean VM to rename")
	}
	m.Renamed = Mutation{Moref: vm.Self.Value, Name: vm.Name, Old: vm.Name, New: vm.Name + "-renamed"}
	if _, err := b.wait(obj(vm).Rename(b.ctx, m.Renamed.New)); err != nil {
		return nil, fmt.Errorf("rename: %v", err)
	}

	vm = take(func(v *simulator.VirtualMachine) bool { return otherHost(v) != nil })
	if vm == nil {
		return nil, fmt.Errorf("no clean VM on a host with a sibling")
	}
	to := otherHost(vm)
	m.Host = Mutation{Moref: vm.Self.Value, Name: vm.Name,
		Old: simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem).Name,
		New: simulator.Map.Get(*to).(*simulator.HostSystem).Name}
	if _, err := b.wait(obj(vm).Relocate(b.ctx, types.VirtualMachineRelocateSpec{Host: to}, types.VirtualMachineMovePriorityDefaultPriority)); err != nil {
		return nil, fmt.Errorf("relocate: %v", err)
	}

	vm = take(any)
	parent := simulator.Map.Get(*vm.Parent).(*simulator.Folder)
	folder := object.NewFolder(b.c, parent.Self)
	sub, err := folder.CreateFolder(b.ctx, "moved-here")
	if err != nil {
		return nil, fmt.Errorf("create folder: %v", err)
	}
	m.Folder = Mutation{Moref: vm.Self.Value, Name: vm.Name, Old: parent.Name, New: "moved-here"}
	if _, err := b.wait(sub.MoveInto(b.ctx, []types.ManagedObjectReference{vm.Self})); err != nil {
		return nil, fmt.Errorf("move into folder: %v", err)
	}

	vm = take(any)
	m.Vanished = Mutation{Moref: vm.Self.Value, Name: vm.Name}
	if _, err := b.wait(obj(vm).PowerOff(b.ctx)); err != nil {
		return nil, fmt.Errorf("power off: %v", err)
	}
	if _, err := b.wait(obj(vm).Destroy(b.ctx)); err != nil {
		return nil, fmt.Errorf("destroy: %v", err)
	}

	vm = take(any)
	var disk *types.VirtualDisk
	for _, d := range vm.Config.Hardware.Device {
		if vd, ok := d.(*types.VirtualDisk); ok {
			disk = vd
			break
		}
	}
	if disk == nil {
		return nil, fmt.Errorf("VM %s has no disk", vm.Name)
	}
	grown := *disk
	grown.CapacityInBytes = 5 * tib
	grown.CapacityInKB = grown.CapacityInBytes / kib
	m.Disk = Mutation{Moref: vm.Self.Value, Name: vm.Name,
		Old: fmt.Sprint(disk.CapacityInBytes), New: fmt.Sprint(grown.CapacityInBytes)}
	spec := types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{
		&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: &grown},
	}}
	if _, err := b.wait(obj(vm).Reconfigure(b.ctx, spec)); err != nil {
		// The scale scenario's disks have no backing file, which vcsim's Reconfigure looks
		// up: grow the disk in the model instead (what the API would have left).
		if !isFileNotFound(err) {
			return nil, fmt.Errorf("grow disk: %v", err)
		}
		simulator.Map.WithLock(vm, func() {
			disk.CapacityInBytes = grown.CapacityInBytes
			disk.CapacityInKB = grown.CapacityInKB
		})
	}

	vm = take(any)
	m.Tools = Mutation{Moref: vm.Self.Value, Name: vm.Name, Old: string(vm.Guest.ToolsStatus), New: string(types.VirtualMachineToolsStatusToolsNotRunning)}
	simulator.Map.WithLock(vm, func() {
		vm.Guest.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
		vm.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
		vm.Summary.Guest.ToolsStatus = vm.Guest.ToolsStatus
		vm.Summary.Guest.ToolsRunningStatus = vm.Guest.ToolsRunningStatus
	})
	return &m, nil
}

// isFileNotFound tells whether a task failed with vim's FileNotFound fault.
func isFileNotFound(err error) bool {
	return strings.Contains(err.Error(), "FileNotFound")
}
