package i18n

// Messages of the workspace's toolbar: view modes, magnifier, quality,
// monitors, special keys and keyboard mode (ws.view.*, ws.keys.*).
func init() {
	add(map[string]text{
		"ws.toolbar": {EN: "Remote control tools", FR: "Outils de contrôle à distance"},

		"ws.view.fit":            {EN: "Fit", FR: "Ajuster"},
		"ws.view.fitTitle":       {EN: "Fit the customer's screen to the window", FR: "Ajuster l'écran du client à la fenêtre"},
		"ws.view.actual":         {EN: "Actual size", FR: "Taille réelle"},
		"ws.view.actualTitle":    {EN: "One screen pixel per pixel, with scroll bars", FR: "Un pixel d'écran par pixel, avec barres de défilement"},
		"ws.view.full":           {EN: "Full screen", FR: "Plein écran"},
		"ws.view.fullTitle":      {EN: "Full screen: system keys go to the customer where the browser allows it; hold Esc to leave", FR: "Plein écran : les touches système vont au client si le navigateur le permet ; maintenez Échap pour sortir"},
		"ws.view.fullFailed":     {EN: "The browser refused full screen", FR: "Le navigateur a refusé le plein écran"},
		"ws.view.detach":         {EN: "Detach", FR: "Détacher"},
		"ws.view.detachTitle":    {EN: "Show the customer's screen in a separate window", FR: "Afficher l'écran du client dans une fenêtre séparée"},
		"ws.view.detachBlocked":  {EN: "The browser blocked the separate window: allow pop-ups for this site", FR: "Le navigateur a bloqué la fenêtre séparée : autorisez les fenêtres surgissantes pour ce site"},
		"ws.view.magnifier":      {EN: "Magnifier", FR: "Loupe"},
		"ws.view.magnifierTitle": {EN: "A box you can drag that shows the screen at full resolution", FR: "Un cadre déplaçable qui montre l'écran en pleine résolution"},
		"ws.view.quality":        {EN: "Quality", FR: "Qualité"},
		"ws.view.qualityTitle":   {EN: "Picture quality: lower it on a slow connection", FR: "Qualité de l'image : baissez-la sur une connexion lente"},
		"ws.view.q.auto":         {EN: "Auto", FR: "Auto"},
		"ws.view.q.high":         {EN: "High", FR: "Haute"},
		"ws.view.q.medium":       {EN: "Medium", FR: "Moyenne"},
		"ws.view.q.low":          {EN: "Low (gray)", FR: "Basse (gris)"},
		"ws.view.monitor":        {EN: "Monitor", FR: "Écran"},
		"ws.view.monitorTitle":   {EN: "Which of the customer's monitors you see", FR: "Quel écran du client vous voyez"},
		"ws.view.monitorItem":    {EN: "Monitor %d (%s)", FR: "Écran %d (%s)"},

		// Over the video while the agent cannot read the customer's screen.
		"ws.view.blocked.locked":     {EN: "The customer's screen is locked", FR: "L'écran du client est verrouillé"},
		"ws.view.blocked.secure":     {EN: "A Windows security prompt is open on the customer's screen", FR: "Une invite de sécurité Windows est ouverte sur l'écran du client"},
		"ws.view.blocked.unreadable": {EN: "The customer's screen cannot be read right now", FR: "L'écran du client ne peut pas être lu pour le moment"},

		"ws.keys.cad":          {EN: "Ctrl+Alt+Del", FR: "Ctrl+Alt+Suppr"},
		"ws.keys.cadTitle":     {EN: "Send Ctrl+Alt+Delete to the customer's computer", FR: "Envoyer Ctrl+Alt+Suppr à l'ordinateur du client"},
		"ws.keys.taskManager":  {EN: "Task Manager", FR: "Gestionnaire des tâches"},
		"ws.keys.cadWindows":   {EN: "Ctrl+Alt+Del cannot reach this Windows computer yet: Windows takes it only from a service, which Lifeline does not install yet. This button opens Task Manager (Ctrl+Shift+Esc) instead.", FR: "Ctrl+Alt+Suppr ne peut pas encore atteindre cet ordinateur Windows : Windows ne l'accepte que d'un service, que Lifeline n'installe pas encore. Ce bouton ouvre le Gestionnaire des tâches (Ctrl+Maj+Échap) à la place."},
		"ws.keys.menu":         {EN: "Keys", FR: "Touches"},
		"ws.keys.menuTitle":    {EN: "Keys and shortcuts the browser cannot send", FR: "Touches et raccourcis que le navigateur ne peut pas envoyer"},
		"ws.keys.altTab":       {EN: "Alt+Tab", FR: "Alt+Tab"},
		"ws.keys.altShiftTab":  {EN: "Alt+Shift+Tab", FR: "Alt+Maj+Tab"},
		"ws.keys.super":        {EN: "Windows / Super", FR: "Windows / Super"},
		"ws.keys.ctrlEsc":      {EN: "Ctrl+Esc (Start menu)", FR: "Ctrl+Échap (menu Démarrer)"},
		"ws.keys.ctrlShiftEsc": {EN: "Ctrl+Shift+Esc (Task Manager)", FR: "Ctrl+Maj+Échap (Gestionnaire des tâches)"},
		"ws.keys.altF4":        {EN: "Alt+F4", FR: "Alt+F4"},
		"ws.keys.print":        {EN: "Print Screen", FR: "Impr. écran"},
		"ws.keys.altPrint":     {EN: "Alt+Print Screen", FR: "Alt+Impr. écran"},
		"ws.keys.superL":       {EN: "Windows+L (lock)", FR: "Windows+L (verrouiller)"},
		"ws.keys.esc":          {EN: "Esc", FR: "Échap"},
		"ws.keys.sent":         {EN: "Sent %s", FR: "%s envoyé"},
		"ws.keys.mode":         {EN: "Keyboard", FR: "Clavier"},
		"ws.keys.modeTitle": {
			EN: "Remote: your keys act as the customer's keyboard layout. Local: the characters you type arrive as typed.",
			FR: "Distant : vos touches suivent la disposition du clavier du client. Local : les caractères tapés arrivent tels quels.",
		},
		"ws.keys.remote": {EN: "Remote layout", FR: "Disposition distante"},
		"ws.keys.local":  {EN: "Local characters", FR: "Caractères locaux"},
	})
}
