package i18n

// Messages of the technician's workspace about which console holds a
// session (another tab, another login of the same technician).
func init() {
	add(map[string]text{
		"ws.elsewhere.ask":      {EN: "This session is open in another tab — use it here?", FR: "Cette session est ouverte dans un autre onglet — l'utiliser ici ?"},
		"ws.elsewhere.taken":    {EN: "This session was opened in another tab.", FR: "Cette session a été ouverte dans un autre onglet."},
		"ws.elsewhere.use":      {EN: "Use it here", FR: "L'utiliser ici"},
		"ws.elsewhere.takeBack": {EN: "Take it back", FR: "La reprendre ici"},
		"ws.elsewhere.status":   {EN: "The session with %s is open in another tab", FR: "La session avec %s est ouverte dans un autre onglet"},
	})
}

// Messages of the workspace for a browser without the Keyboard Lock API.
func init() {
	add(map[string]text{
		"ws.keys.noLock": {
			EN: "This browser cannot capture Esc, Alt+Tab or the Windows key, even in full screen: use the Keys menu to send them.",
			FR: "Ce navigateur ne peut pas capturer Échap, Alt+Tab ni la touche Windows, même en plein écran : utilisez le menu Touches pour les envoyer.",
		},
	})
}
