package i18n

// Messages of the customer's agent: its terminal and its local page.
func init() {
	add(map[string]map[Lang]string{
		"agent.title": {EN: "Lifeline remote support", FR: "Assistance à distance Lifeline"},
	})
}
