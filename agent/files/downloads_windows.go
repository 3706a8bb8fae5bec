package files

import "golang.org/x/sys/windows"

// DownloadDir returns the customer's Downloads folder, wherever they moved
// it (SHGetKnownFolderPath of FOLDERID_Downloads).
func DownloadDir() (string, error) {
	return windows.KnownFolderPath(windows.FOLDERID_Downloads, 0)
}
