package consent

import "golang.org/x/sys/windows"

// openURL asks the shell to open url in the default browser (ShellExecute,
// "open"); it returns once the shell took it. failed is never called: the
// shell reports failures at once.
func openURL(url string, _ func(error)) error {
	verb, err := windows.UTF16PtrFromString("open")
	if err != nil {
		return err
	}
	file, err := windows.UTF16PtrFromString(url)
	if err != nil {
		return err
	}
	const swShowNormal = 1
	return windows.ShellExecute(0, verb, file, nil, nil, swShowNormal)
}
