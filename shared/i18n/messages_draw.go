package i18n

// Messages of the in-session tools: drawing, laser pointer, screenshot and
// recording, in the technician's workspace (ws.tools.*) and the customer's page
// (agent.rec.*, and agent.chat.ev.* in the customer's log).
func init() {
	add(map[string]text{
		// Technician's workspace.
		"ws.tools.draw":        {EN: "Draw", FR: "Dessiner"},
		"ws.tools.color":       {EN: "Colour", FR: "Couleur"},
		"ws.tools.width":       {EN: "Width", FR: "Épaisseur"},
		"ws.tools.erase":       {EN: "Erase drawings", FR: "Effacer les dessins"},
		"ws.tools.laser":       {EN: "Laser pointer", FR: "Pointeur laser"},
		"ws.tools.screenshot":  {EN: "Screenshot", FR: "Capture d'écran"},
		"ws.tools.record":      {EN: "Record", FR: "Enregistrer"},
		"ws.tools.stopRecord":  {EN: "Stop recording", FR: "Arrêter l'enregistrement"},
		"ws.tools.drawing":     {EN: "Drawing mode: your mouse and keyboard do not reach %s's computer.", FR: "Mode dessin : votre souris et votre clavier n'agissent pas sur l'ordinateur de %s."},
		"ws.tools.shotTaking":  {EN: "Taking a screenshot…", FR: "Capture d'écran en cours…"},
		"ws.tools.shotSaved":   {EN: "Screenshot saved (%s)", FR: "Capture d'écran enregistrée (%s)"},
		"ws.tools.shotFailed":  {EN: "The screenshot failed: %s", FR: "La capture d'écran a échoué : %s"},
		"ws.tools.shotBusy":    {EN: "A screenshot is already on its way.", FR: "Une capture d'écran est déjà en cours."},
		"ws.tools.shotLost":    {EN: "The connection to %s closed before the screenshot arrived.", FR: "La connexion avec %s s'est fermée avant l'arrivée de la capture d'écran."},
		"ws.tools.shotDenied":  {EN: "%s does not allow viewing their screen.", FR: "%s n'autorise pas l'affichage de son écran."},
		"ws.tools.recAsking":   {EN: "Telling %s that you are recording…", FR: "Information de %s de l'enregistrement…"},
		"ws.tools.recNoNotice": {EN: "%s could not be told, so nothing is recorded.", FR: "%s n'a pas pu être informé(e) : rien n'est enregistré."},
		"ws.tools.recStarted":  {EN: "Recording started; %s was told", FR: "Enregistrement démarré ; %s en a été informé(e)"},
		"ws.tools.recStopped":  {EN: "Recording stopped and saved (%s)", FR: "Enregistrement arrêté et sauvegardé (%s)"},
		"ws.tools.recFailed":   {EN: "This browser cannot record the session: %s", FR: "Ce navigateur ne peut pas enregistrer la session : %s"},

		// Customer's page and log.
		"agent.rec.banner":            {EN: "The technician is recording this session.", FR: "Le technicien enregistre cette session."},
		"agent.chat.ev.recording.on":  {EN: "The technician started recording the session", FR: "Le technicien a commencé à enregistrer la session"},
		"agent.chat.ev.recording.off": {EN: "The technician stopped recording the session", FR: "Le technicien a arrêté d'enregistrer la session"},
		"agent.chat.ev.screenshot":    {EN: "The technician took a screenshot of your screen", FR: "Le technicien a pris une capture de votre écran"},
	})
}
