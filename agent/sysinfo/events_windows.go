package sysinfo

import (
	"errors"
	"fmt"

	"github.com/lifeline-support/lifeline/agent/win32"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// readEventLogs reads the newest protocol.MaxEvents events of the Windows
// logs (eventLogs) down to level, newest first. A log that cannot be read is
// skipped; none readable is ErrNoJournal.
func readEventLogs(level string) ([]protocol.Entry, error) {
	var logs [][]protocol.Entry
	var errs []error
	for _, name := range eventLogs {
		evs, err := win32.ReadEvents(name, eventQuery(level), protocol.MaxEvents)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		l := make([]protocol.Entry, 0, len(evs))
		for _, ev := range evs {
			if e, ok := parseEventXML([]byte(ev.XML), ev.Message); ok {
				l = append(l, e)
			}
		}
		logs = append(logs, l)
	}
	if len(logs) == 0 {
		return nil, errors.Join(append([]error{ErrNoJournal}, errs...)...)
	}
	return newestFirst(protocol.MaxEvents, logs...), nil
}
