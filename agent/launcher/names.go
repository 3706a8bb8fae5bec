package launcher

import (
	"encoding/json"
	"errors"
	"os"

	"github.com/lifeline-support/lifeline/agent/unattended"
)

// keepNames records the icons' files Install wrote, for Remove.
func (p Place) keepNames(names []string) error {
	f, err := p.file("icons.json")
	if err != nil {
		return err
	}
	b, _ := json.Marshal(names)
	return os.WriteFile(f, b, 0o600)
}

// names are the icons' files keepNames recorded.
func (p Place) names() ([]string, error) {
	f, err := p.file("icons.json")
	if err != nil {
		return nil, err
	}
	var names []string
	_, err = unattended.ReadJSON(f, &names)
	return names, err
}

func joinErrs(errs []error) error { return errors.Join(errs...) }
