package i18n

// Messages of the "Get help" launcher: the customer's question
// (agent.ask.launcher*), the launcher itself and the program's command line
// (agent.launcher.*), the technician's workspace (ws.launcher.*) and queue,
// and the channel's answers to a launcher (help.*).
func init() {
	add(map[string]text{
		"agent.ask.launcher": {
			EN: "%[1]s wants to add a “Get help from %[2]s” icon to your computer, so you can ask for help again in one click.",
			FR: "%[1]s souhaite ajouter une icône « Obtenir de l'aide de %[2]s » sur votre ordinateur, pour que vous puissiez redemander de l'aide en un clic.",
		},
		"agent.ask.launcher.detail": {
			EN: "The icon goes on your desktop and in your applications menu. Clicking it asks for help and tells the support team which computer it is; nothing runs until you click it, and nobody can connect without asking you. To remove it, choose “Remove this icon” in its menu.",
			FR: "L'icône s'ajoute sur votre bureau et dans le menu de vos applications. Un clic dessus demande de l'aide et indique à l'équipe d'assistance de quel ordinateur il s'agit ; rien ne tourne tant que vous ne cliquez pas, et personne ne peut se connecter sans vous le demander. Pour la retirer, choisissez « Retirer cette icône » dans son menu.",
		},
		"agent.ask.launcher.allow": {EN: "Allow", FR: "Autoriser"},
		"agent.ask.launcher.deny":  {EN: "No", FR: "Non"},
		"agent.launcher.name":      {EN: "Get help from %s", FR: "Obtenir de l'aide de %s"},
		"agent.launcher.comment":   {EN: "Ask %s for help in one click", FR: "Demander de l'aide à %s en un clic"},
		"agent.launcher.remove":    {EN: "Remove this icon", FR: "Retirer cette icône"},
		"agent.launcher.removeName": {
			EN: "Remove the “Get help from %s” icon",
			FR: "Retirer l'icône « Obtenir de l'aide de %s »",
		},
		"agent.launcher.installed": {EN: "The “Get help” icon is on your desktop and in your applications menu.", FR: "L'icône « Obtenir de l'aide » est sur votre bureau et dans le menu de vos applications."},
		"agent.launcher.removed":   {EN: "The “Get help” icon is removed from this computer.", FR: "L'icône « Obtenir de l'aide » est retirée de cet ordinateur."},
		"agent.launcher.none":      {EN: "No “Get help” icon is installed on this computer.", FR: "Aucune icône « Obtenir de l'aide » n'est installée sur cet ordinateur."},
		"agent.launcher.failed":    {EN: "Your request for help could not be sent: %s", FR: "Votre demande d'aide n'a pas pu être envoyée : %s"},
		"perm.launcher":            {EN: "install the “Get help” icon on the customer's computer", FR: "installer l'icône « Obtenir de l'aide » sur l'ordinateur du client"},
		"help.launcherUnknown": {
			EN: "This “Get help” icon is not known any more. Ask for help with the form on this page.",
			FR: "Cette icône « Obtenir de l'aide » n'est plus reconnue. Demandez de l'aide avec le formulaire de cette page.",
		},
		"queue.returning": {
			EN: "Returning computer: %s, last helped by %s on %s",
			FR: "Ordinateur déjà aidé : %s, la dernière fois par %s le %s",
		},
		"ws.launcher.forbidden": {EN: "Your group does not allow installing the “Get help” icon.", FR: "Votre groupe n'autorise pas l'installation de l'icône « Obtenir de l'aide »."},
		"ws.launcher.offer":     {EN: "Install “Get help” icon", FR: "Installer l'icône « Obtenir de l'aide »"},
		"ws.launcher.title":     {EN: "Offer the customer an icon that asks for help on this channel in one click", FR: "Proposer au client une icône qui demande de l'aide sur ce canal en un clic"},
		"ws.launcher.channel":   {EN: "Channel of the “Get help” icon", FR: "Canal de l'icône « Obtenir de l'aide »"},
		"ws.launcher.asked":     {EN: "“Get help” icon offered; the customer answers on their screen.", FR: "Icône « Obtenir de l'aide » proposée ; le client répond sur son écran."},
		"ws.launcher.allowed":   {EN: "The customer agreed: the “Get help” icon is installed on their computer.", FR: "Le client a accepté : l'icône « Obtenir de l'aide » est installée sur son ordinateur."},
		"ws.launcher.refused":   {EN: "The customer did not want the “Get help” icon.", FR: "Le client n'a pas voulu de l'icône « Obtenir de l'aide »."},
	})
}
