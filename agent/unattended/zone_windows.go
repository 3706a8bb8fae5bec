package unattended

// LocalZone is this computer's time zone as an IANA name. Windows names
// its zones its own way ("Romance Standard Time") and the mapping to IANA
// names is not built in yet: false, so that the window stays in the zone
// the technician gave.
func LocalZone() (string, bool) { return "", false }
