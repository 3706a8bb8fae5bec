package i18n

// Messages of the customer's page as a second peer: the technician's screen
// shown to the customer, and voice.
func init() {
	add(map[string]map[Lang]string{
		"perm.show_screen": {EN: "show my screen to customers", FR: "montrer mon écran aux clients"},
		"perm.voice":       {EN: "talk with customers (voice)", FR: "parler avec les clients (voix)"},
	})
}
