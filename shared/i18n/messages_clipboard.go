package i18n

// Messages of clipboard sharing: the technician's workspace panel (ws.clip.*) and
// the customer's page (agent.clip.*; the question itself is agent.ask.clipboard).
func init() {
	add(map[string]text{
		// Technician's workspace.
		"ws.clip.title":     {EN: "Clipboard", FR: "Presse-papiers"},
		"ws.clip.switch":    {EN: "Share clipboard", FR: "Partager le presse-papiers"},
		"ws.clip.off":       {EN: "Clipboard sharing is off.", FR: "Le partage du presse-papiers est désactivé."},
		"ws.clip.offline":   {EN: "Clipboard sharing starts once %s's computer is connected.", FR: "Le partage du presse-papiers commencera quand l'ordinateur de %s sera connecté."},
		"ws.clip.asking":    {EN: "Waiting for %s to allow clipboard sharing…", FR: "En attente de l'accord de %s pour partager le presse-papiers…"},
		"ws.clip.on":        {EN: "Shared with %s: copy on one computer, paste on the other.", FR: "Partagé avec %s : copiez sur un ordinateur, collez sur l'autre."},
		"ws.clip.refused":   {EN: "%s declined clipboard sharing.", FR: "%s a refusé le partage du presse-papiers."},
		"ws.clip.stopped":   {EN: "%s stopped clipboard sharing.", FR: "%s a arrêté le partage du presse-papiers."},
		"ws.clip.sent":      {EN: "Clipboard sent (%d characters)", FR: "Presse-papiers envoyé (%d caractères)"},
		"ws.clip.received":  {EN: "Clipboard received (%d characters)", FR: "Presse-papiers reçu (%d caractères)"},
		"ws.clip.tooLarge":  {EN: "Clipboard text is too large to share (max 1 MiB)", FR: "Le texte du presse-papiers est trop long pour être partagé (1 Mio au maximum)"},
		"ws.clip.refusedIn": {EN: "Clipboard text from %s was too large (max 1 MiB) and was not received", FR: "Le texte du presse-papiers de %s était trop long (1 Mio au maximum) et n'a pas été reçu"},
		"ws.clip.readDenied": {
			EN: "The browser does not let this page read your clipboard. Allow clipboard access for this site, or paste (Ctrl+V) into the box below.",
			FR: "Le navigateur ne laisse pas cette page lire votre presse-papiers. Autorisez l'accès au presse-papiers pour ce site, ou collez (Ctrl+V) dans la zone ci-dessous.",
		},
		"ws.clip.writeFailed": {
			EN: "The browser did not let this page put the text on your clipboard: click Copy.",
			FR: "Le navigateur n'a pas laissé cette page mettre le texte dans votre presse-papiers : cliquez sur Copier.",
		},
		"ws.clip.paste":        {EN: "Paste here to send", FR: "Collez ici pour envoyer"},
		"ws.clip.copy":         {EN: "Copy", FR: "Copier"},
		"ws.clip.copied":       {EN: "Copied", FR: "Copié"},
		"ws.clip.last":         {EN: "Last synced", FR: "Dernier élément partagé"},
		"ws.clip.none":         {EN: "Nothing shared yet.", FR: "Rien n'a encore été partagé."},
		"ws.clip.fromYou":      {EN: "You → %s", FR: "Vous → %s"},
		"ws.clip.fromCustomer": {EN: "%s → you", FR: "%s → vous"},
		"ws.clip.chars":        {EN: "%d characters", FR: "%d caractères"},

		// Customer's page.
		"agent.clip.on":   {EN: "Your clipboard is shared with the technician.", FR: "Votre presse-papiers est partagé avec le technicien."},
		"agent.clip.stop": {EN: "Stop sharing clipboard", FR: "Arrêter le partage du presse-papiers"},
	})
}
