package runner

import (
	"syscall"
	"unsafe"
)

// waitForExit blocks until process pid has exited, without reaping it
// (waitid with WNOWAIT, as the os package itself does): until cmd.Wait,
// its ID, which is also its process group's, cannot be reused.
func waitForExit(pid int) error {
	const pPID = 1 // P_PID
	var siginfo [16]uint64
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&siginfo)), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}
