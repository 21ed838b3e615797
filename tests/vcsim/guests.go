package main

import (
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// guestDescriptors is config.guestFullName per guest id, as vCenter 6.0 shows it.
var guestDescriptors = map[string]string{
	"windows8Server64Guest": "Microsoft Windows Server 2012 (64-bit)",
	"windows7Server64Guest": "Microsoft Windows Server 2008 R2 (64-bit)",
	"windows9Server64Guest": "Microsoft Windows Server 2016 (64-bit)",
	"winLonghorn64Guest":    "Microsoft Windows Server 2008 (64-bit)",
	"winNetStandardGuest":   "Microsoft Windows Server 2003 Standard (32-bit)",
	"windows7Guest":         "Microsoft Windows 7 (32-bit)",
	"windows7_64Guest":      "Microsoft Windows 7 (64-bit)",
	"windows9_64Guest":      "Microsoft Windows 10 (64-bit)",
	"rhel7_64Guest":         "Red Hat Enterprise Linux 7 (64-bit)",
	"rhel6_64Guest":         "Red Hat Enterprise Linux 6 (64-bit)",
	"rhel6Guest":            "Red Hat Enterprise Linux 6 (32-bit)",
	"rhel5_64Guest":         "Red Hat Enterprise Linux 5 (64-bit)",
	"centos64Guest":         "CentOS 4/5/6/7 (64-bit)",
	"centosGuest":           "CentOS 4/5/6/7 (32-bit)",
	"oracleLinux64Guest":    "Oracle Linux 4/5/6/7 (64-bit)",
	"sles11_64Guest":        "SUSE Linux Enterprise 11 (64-bit)",
	"sles12_64Guest":        "SUSE Linux Enterprise 12 (64-bit)",
	"ubuntu64Guest":         "Ubuntu Linux (64-bit)",
	"debian8_64Guest":       "Debian GNU/Linux 8 (64-bit)",
	"other3xLinux64Guest":   "Other 3.x Linux (64-bit)",
	"otherLinux64Guest":     "Other Linux (64-bit)",
	"otherGuest":            "Other (32-bit)",
	"otherGuest64":          "Other (64-bit)",
}

func guestDescriptorName(id string) string {
	if n, ok := guestDescriptors[id]; ok {
		return n
	}
	return id
}

// guestFamily is guest.guestFamily for a guest id.
func guestFamily(id string) string {
	switch {
	case strings.HasPrefix(id, "win"):
		return string(types.VirtualMachineGuestOsFamilyWindowsGuest)
	case strings.HasPrefix(id, "other") && !strings.Contains(id, "Linux"):
		return string(types.VirtualMachineGuestOsFamilyOtherGuestFamily)
	case strings.HasPrefix(id, "darwin"):
		return string(types.VirtualMachineGuestOsFamilyDarwinGuestFamily)
	case strings.HasPrefix(id, "solaris"):
		return string(types.VirtualMachineGuestOsFamilySolarisGuest)
	case strings.HasPrefix(id, "netware"):
		return string(types.VirtualMachineGuestOsFamilyNetwareGuest)
	}
	return string(types.VirtualMachineGuestOsFamilyLinuxGuest)
}

// OS is a guest operating system preset: config guest id and what running Tools report.
type OS struct {
	GuestID   string // config.guestId
	ToolsID   string // guest.guestId
	ToolsName string // guest.guestFullName
	Windows   bool
}

// Guest operating systems the audit rules know about.
var (
	osWin2012R2 = OS{"windows8Server64Guest", "windows8Server64Guest", "Microsoft Windows Server 2012 R2 (64-bit)", true}
	osWin2012   = OS{"windows8Server64Guest", "windows8Server64Guest", "Microsoft Windows Server 2012 (64-bit)", true}
	osWin2008R2 = OS{"windows7Server64Guest", "windows7Server64Guest", "Microsoft Windows Server 2008 R2 (64-bit)", true}
	osRHEL72    = OS{"rhel7_64Guest", "rhel7_64Guest", "Red Hat Enterprise Linux 7.2 (64-bit)", false}
	osRHEL71    = OS{"rhel7_64Guest", "rhel7_64Guest", "Red Hat Enterprise Linux 7.1 (64-bit)", false}
	osRHEL68    = OS{"rhel6_64Guest", "rhel6_64Guest", "Red Hat Enterprise Linux 6.8 (64-bit)", false}
	osCentOS67  = OS{"centos64Guest", "centos64Guest", "CentOS 6.7 (64-bit)", false}
	osCentOS72  = OS{"centos64Guest", "centos64Guest", "CentOS 7.2 (64-bit)", false}

	// Unsupported or undecidable.
	osWin7x86   = OS{"windows7Guest", "windows7Guest", "Microsoft Windows 7 (32-bit)", true}
	osWin2016   = OS{"windows9Server64Guest", "windows9Server64Guest", "Microsoft Windows Server 2016 (64-bit)", true}
	osWin2008   = OS{"winLonghorn64Guest", "winLonghorn64Guest", "Microsoft Windows Server 2008 (64-bit)", true}
	osWin2003   = OS{"winNetStandardGuest", "winNetStandardGuest", "Microsoft Windows Server 2003 Standard (32-bit)", true}
	osUbuntu    = OS{"ubuntu64Guest", "ubuntu64Guest", "Ubuntu Linux (64-bit)", false}
	osDebian8   = OS{"debian8_64Guest", "debian8_64Guest", "Debian GNU/Linux 8 (64-bit)", false}
	osRHEL59    = OS{"rhel5_64Guest", "rhel5_64Guest", "Red Hat Enterprise Linux 5.9 (64-bit)", false}
	osRHEL7     = OS{"rhel7_64Guest", "rhel7_64Guest", "Red Hat Enterprise Linux 7 (64-bit)", false}
	osOtherLnx  = OS{"other3xLinux64Guest", "", "", false}
	osRHEL7Anon = OS{"rhel7_64Guest", "", "", false}
)

// toolsOK is a guest with current Tools running.
func toolsOK(os OS, host, ip string, disks []types.GuestDiskInfo) *GuestSpec {
	return &GuestSpec{
		ToolsStatus:   types.VirtualMachineToolsStatusToolsOk,
		Running:       types.VirtualMachineToolsRunningStatusGuestToolsRunning,
		Version:       "10304",
		VersionStatus: types.VirtualMachineToolsVersionStatusGuestToolsCurrent,
		GuestID:       os.ToolsID,
		FullName:      os.ToolsName,
		HostName:      host,
		IP:            ip,
		Disks:         disks,
	}
}

// toolsNotRunning is a guest whose installed Tools are not running (guest identity still
// reported as last seen, filesystems too).
func toolsNotRunning(os OS, host string, disks []types.GuestDiskInfo) *GuestSpec {
	g := toolsOK(os, host, "", disks)
	g.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
	g.Running = types.VirtualMachineToolsRunningStatusGuestToolsNotRunning
	return g
}

// toolsNotInstalled is a guest without Tools: no filesystems, no Tools version.
func toolsNotInstalled(os OS) *GuestSpec {
	return &GuestSpec{
		ToolsStatus:   types.VirtualMachineToolsStatusToolsNotInstalled,
		Running:       types.VirtualMachineToolsRunningStatusGuestToolsNotRunning,
		Version:       "0",
		VersionStatus: types.VirtualMachineToolsVersionStatusGuestToolsNotInstalled,
		GuestID:       os.ToolsID,
		FullName:      os.ToolsName,
	}
}

func gdisk(path string, capacity, free int64) types.GuestDiskInfo {
	return types.GuestDiskInfo{DiskPath: path, Capacity: capacity, FreeSpace: free}
}

// winDisks is C:\ (and D:\ when data > 0) with the given sizes.
func winDisks(cCap, cFree, data int64) []types.GuestDiskInfo {
	d := []types.GuestDiskInfo{gdisk(`C:\`, cCap, cFree)}
	if data > 0 {
		d = append(d, gdisk(`D:\`, data, data/2))
	}
	return d
}

// linuxDisks is /, /boot and, when data > 0, /data.
func linuxDisks(rootCap, rootFree, data int64) []types.GuestDiskInfo {
	d := []types.GuestDiskInfo{gdisk("/", rootCap, rootFree), gdisk("/boot", 1014*mib, 780*mib)}
	if data > 0 {
		d = append(d, gdisk("/data", data, data/3))
	}
	return d
}
