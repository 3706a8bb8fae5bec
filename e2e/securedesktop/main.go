// Command securedesktop makes the Windows agent, run under Wine, meet what
// a user's process meets while the lock screen or a UAC prompt holds the
// secure desktop: the desktop that receives input cannot be opened
// (OpenInputDesktop fails with "access denied", as Winlogon's desktop does on
// Windows), while GDI still reads the screen. It is a Windows program for the
// e2e tests; nothing of it is shipped.
//
// Wine 8 cannot switch desktops (SwitchDesktop is a stub and OpenInputDesktop
// always opens "Default"), so instead of switching to a desktop named
// Winlogon it takes every right to open the "Default" desktop away (an empty
// DACL), and gives them back. Handles already open keep working: the agent's
// windows and GDI capture go on.
//
// Usage, under Wine in the agent's prefix: it denies, prints DENIED, and
// on a line or the end of its standard input gives the rights back, prints
// ALLOWED and exits. It stays running in between: a program started while
// the desktop is denied could not even open its own desktop.
//
//	securedesktop
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "securedesktop:", err)
		os.Exit(1)
	}
}

func run() error {
	d, err := openDefault()
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.setAccess(false); err != nil {
		return err
	}
	fmt.Println("DENIED")
	bufio.NewReader(os.Stdin).ReadString('\n')
	if err := d.setAccess(true); err != nil {
		return err
	}
	fmt.Println("ALLOWED")
	return nil
}
