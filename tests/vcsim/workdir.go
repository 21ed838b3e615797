package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const workPrefix = "vcsim-scenario-"

// workDir is a per-process directory under the system temp dir holding the CA file and, through
// TMPDIR, every datastore directory vcsim creates. The tests kill the simulator (SIGKILL), so a
// later run removes the directories of processes that no longer exist.
type workDir struct {
	dir string
}

func newWorkDir() (*workDir, error) {
	base := os.TempDir()
	sweepStaleWorkDirs(base)
	dir, err := os.MkdirTemp(base, fmt.Sprintf("%s%d-", workPrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("create the work dir: %v", err)
	}
	// vcsim's model makes its datastore dirs with ioutil.TempDir("", ...), which honours TMPDIR.
	if err := os.Setenv("TMPDIR", dir); err != nil {
		return nil, err
	}
	return &workDir{dir: dir}, nil
}

func (w *workDir) remove() {
	if err := os.RemoveAll(w.dir); err != nil {
		log.Printf("remove %s: %v", w.dir, err)
	}
}

// sweepStaleWorkDirs removes vcsim-scenario-<pid>-* dirs whose process is gone and that are at
// least a minute old.
func sweepStaleWorkDirs(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, workPrefix) {
			continue
		}
		rest := strings.TrimPrefix(name, workPrefix)
		i := strings.IndexByte(rest, '-')
		if i <= 0 {
			continue
		}
		pid, err := strconv.Atoi(rest[:i])
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < time.Minute {
			continue
		}
		_ = os.RemoveAll(filepath.Join(base, name))
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
