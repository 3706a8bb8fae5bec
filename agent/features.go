package main

import (
	"log/slog"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// features builds the agent's features beyond screen and input, mounting their
// panels on the customer's page. Each feature adds its own block here.
func features(ui *consent.UI, log *slog.Logger, lang i18n.Lang) ([]session.Feature, error) {
	var fs []session.Feature
	return fs, nil
}
