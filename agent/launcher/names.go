package launcher

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
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
	b, err := os.ReadFile(f)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var names []string
	return names, json.Unmarshal(b, &names)
}

func joinErrs(errs []error) error { return errors.Join(errs...) }
