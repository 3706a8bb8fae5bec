package i18n

// Messages of reboot and reconnect: the customer's questions (agent.ask.*),
// what their page and the program say (agent.ended.*, agent.reboot.*), and
// the technician's workspace (ws.reboot.*).
func init() {
	add(map[string]text{
		"agent.ask.reboot": {
			EN: "%[1]s (%[2]s) wants to restart your computer. Save your work first.",
			FR: "%[1]s (%[2]s) souhaite redémarrer votre ordinateur. Enregistrez d'abord votre travail.",
		},
		"agent.ask.reboot.detail": {
			EN: "Your open programs will close. After you log in again, Lifeline starts by itself and asks you before reconnecting; if your computer is not back within 10 minutes, the session ends.",
			FR: "Vos programmes ouverts vont se fermer. Quand vous vous reconnecterez, Lifeline démarrera tout seul et vous demandera avant de reprendre la session ; si votre ordinateur n'est pas revenu dans les 10 minutes, la session prend fin.",
		},
		"agent.ask.reboot.allow": {EN: "Restart", FR: "Redémarrer"},
		"agent.ask.reboot.deny":  {EN: "Not now", FR: "Pas maintenant"},
		"agent.ask.reconnect": {
			EN: "Reconnect to %[1]s (%[2]s)?",
			FR: "Se reconnecter à %[1]s (%[2]s) ?",
		},
		"agent.ask.reconnect.detail": {
			EN: "Your computer restarted during a support session. Yes continues it: you will be asked again before your screen is shown. No ends it.",
			FR: "Votre ordinateur a redémarré pendant une session d'assistance. Oui la poursuit : on vous demandera de nouveau avant d'afficher votre écran. Non y met fin.",
		},
		"agent.ask.reconnect.allow": {EN: "Yes", FR: "Oui"},
		"agent.ask.reconnect.deny":  {EN: "No", FR: "Non"},
		"agent.ended.restarting": {
			EN: "Your computer is restarting. Lifeline will start again after you log in.",
			FR: "Votre ordinateur redémarre. Lifeline redémarrera quand vous vous reconnecterez.",
		},
		"agent.ended.notReconnected": {
			EN: "You chose not to reconnect: the session has ended and the technician was told.",
			FR: "Vous avez choisi de ne pas vous reconnecter : la session est terminée et le technicien en a été informé.",
		},
		"agent.reboot.restarting": {
			EN: "Your computer is restarting. Lifeline will start again after you log in, and ask you before reconnecting.",
			FR: "Votre ordinateur redémarre. Lifeline redémarrera quand vous vous reconnecterez, et vous demandera avant de reprendre la session.",
		},
		"agent.reboot.tooLate": {
			EN: "The support session waited as long as it could for this computer to restart and has ended. Ask your technician for a new invitation.",
			FR: "La session d'assistance a attendu le redémarrage de cet ordinateur aussi longtemps qu'elle le pouvait et a pris fin. Demandez une nouvelle invitation à votre technicien.",
		},
		"agent.reboot.used": {
			EN: "This reconnection was used already, or the session has ended. Ask your technician for a new invitation.",
			FR: "Cette reconnexion a déjà été utilisée, ou la session est terminée. Demandez une nouvelle invitation à votre technicien.",
		},
		"agent.reboot.declined": {
			EN: "You chose not to reconnect: the session has ended and the technician was told.",
			FR: "Vous avez choisi de ne pas vous reconnecter : la session est terminée et le technicien en a été informé.",
		},
		"perm.reboot": {EN: "restart the customer's computer and reconnect", FR: "redémarrer l'ordinateur du client et se reconnecter"},

		"ws.reboot":            {EN: "Reboot", FR: "Redémarrer"},
		"ws.reboot.title":      {EN: "Restart the customer's computer; the session reconnects after they log in", FR: "Redémarrer l'ordinateur du client ; la session reprend quand il se reconnecte"},
		"ws.reboot.unattended": {EN: "Restart needs the person at the computer: not available in unattended sessions", FR: "Le redémarrage demande la présence de la personne devant l'ordinateur : indisponible dans les sessions sans surveillance"},
		"ws.reboot.asked":      {EN: "Restart asked; the customer confirms on their screen.", FR: "Redémarrage demandé ; le client confirme sur son écran."},
		"ws.reboot.started":    {EN: "The customer's computer is restarting.", FR: "L'ordinateur du client redémarre."},
		"ws.reboot.back":       {EN: "The customer's computer is back after the restart; the customer is asked again to share the screen.", FR: "L'ordinateur du client est revenu après le redémarrage ; le client doit de nouveau autoriser l'affichage de l'écran."},
		"ws.reboot.declined":   {EN: "After the restart, %s chose not to reconnect.", FR: "Après le redémarrage, %s a choisi de ne pas se reconnecter."},
		"ws.reboot.expired":    {EN: "The customer's computer did not come back within %s", FR: "L'ordinateur du client n'est pas revenu dans les %s"},
		"ws.reboot.minutes":    {EN: "%d minutes", FR: "%d minutes"},
		"ws.reboot.seconds":    {EN: "%d seconds", FR: "%d secondes"},
		"ws.rebooting":         {EN: "%s's computer is restarting — waiting for it to come back", FR: "L'ordinateur de %s redémarre — en attente de son retour"},
		"ws.refused.reboot":    {EN: "%s did not agree to restart now", FR: "%s n'a pas accepté de redémarrer maintenant"},
	})
}
