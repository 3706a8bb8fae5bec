package i18n

// Messages of the customer's agent: its terminal and its local page.
func init() {
	add(map[string]text{
		"agent.title": {EN: "Lifeline remote support", FR: "Assistance à distance Lifeline"},

		// Customer page and terminal: who is connecting.
		"agent.page_url":         {EN: "Customer page: %s", FR: "Page client : %s"},
		"agent.who.org":          {EN: "Organisation", FR: "Organisation"},
		"agent.who.tech":         {EN: "Technician", FR: "Technicien"},
		"agent.who.customer":     {EN: "Session for", FR: "Session pour"},
		"agent.who.server":       {EN: "Support server", FR: "Serveur d'assistance"},
		"agent.who.helpers":      {EN: "Colleagues helping too", FR: "Collègues qui aident aussi"},
		"agent.who.control":      {EN: "In control of your computer", FR: "Contrôle votre ordinateur"},
		"agent.helpers.remove":   {EN: "Ask them to leave", FR: "Leur demander de partir"},
		"agent.helpers.external": {EN: "%s (external)", FR: "%s (externe)"},
		"agent.server.note": {
			EN: "This connection goes through %s. Check that this is the address of the company you contacted.",
			FR: "Cette connexion passe par %s. Vérifiez qu'il s'agit bien de l'adresse de l'entreprise que vous avez contactée.",
		},
		"agent.who.duration": {EN: "Session length", FR: "Durée de la session"},
		"agent.indicator.viewed": {EN: "%s (via %s) is viewing your screen — click to stop sharing it",
			FR: "%s (via %s) voit votre écran — cliquez pour arrêter le partage"},
		"agent.indicator.controlled": {EN: "%s (via %s) is controlling your screen — click to stop control",
			FR: "%s (via %s) contrôle votre écran — cliquez pour arrêter le contrôle"},
		"agent.indicator.lost": {EN: "The technician's connection was lost — waiting for them to come back. Click to stop sharing your screen",
			FR: "La connexion du technicien a été perdue — en attente de son retour. Cliquez pour arrêter le partage de votre écran"},
		"agent.indicator.held": {EN: "On hold — %s does not see your screen for now. Click to stop sharing it",
			FR: "En attente — %s ne voit pas votre écran pour l'instant. Cliquez pour arrêter le partage"},
		"agent.indicator.end":         {EN: "End session", FR: "Terminer la session"},
		"agent.indicator.end.confirm": {EN: "Click again to end the session", FR: "Cliquez à nouveau pour terminer la session"},
		"agent.indicator.hide":        {EN: "Hide a window", FR: "Masquer une fenêtre"},
		"agent.indicator.pick": {EN: "Click the window to hide from the technician (right click: cancel)",
			FR: "Cliquez sur la fenêtre à masquer au technicien (clic droit : annuler)"},
		"agent.who.unknown":   {EN: "(not known yet)", FR: "(pas encore connu)"},
		"agent.page.language": {EN: "Language", FR: "Langue"},
		"agent.page.footer": {
			EN: "Nobody can see or control this computer without your permission, and you can stop at any time.",
			FR: "Personne ne peut voir ni contrôler cet ordinateur sans votre accord, et vous pouvez arrêter à tout moment.",
		},
		"agent.page.offline": {
			EN: "Lost contact with Lifeline on this computer. If the program was closed, the session is over.",
			FR: "Le contact avec Lifeline sur cet ordinateur est perdu. Si le programme a été fermé, la session est terminée.",
		},
		"agent.page.stale": {
			EN: "This request is no longer waiting for an answer.",
			FR: "Cette demande n'attend plus de réponse.",
		},
		"agent.page.failed": {
			EN: "Your answer could not be sent. Please try again.",
			FR: "Votre réponse n'a pas pu être envoyée. Veuillez réessayer.",
		},

		// Session status, shown on the page and printed on the terminal.
		"agent.status.label":      {EN: "Status", FR: "État"},
		"agent.status.waiting":    {EN: "Waiting in the queue — a technician will pick up your session shortly", FR: "En file d'attente — un technicien va prendre en charge votre session dans un instant"},
		"agent.status.connected":  {EN: "A technician picked up your session — your screen is not shared", FR: "Un technicien a pris en charge votre session — votre écran n'est pas partagé"},
		"agent.status.viewed":     {EN: "Your screen is being viewed", FR: "Votre écran est visible par le technicien"},
		"agent.status.controlled": {EN: "Your computer is being controlled", FR: "Votre ordinateur est contrôlé à distance"},
		"agent.status.ended":      {EN: "The session has ended", FR: "La session est terminée"},

		// Requests.
		"agent.ask.view": {
			EN: "Allow %s from %s to view your screen?",
			FR: "Autoriser %s (%s) à voir votre écran ?",
		},
		"agent.ask.view.detail": {
			EN: "They will see everything on your screen, but cannot click or type.",
			FR: "Cette personne verra tout ce qui s'affiche sur votre écran, sans pouvoir cliquer ni taper.",
		},
		"agent.ask.control": {
			EN: "Allow %s from %s to control your mouse and keyboard?",
			FR: "Autoriser %s (%s) à contrôler votre souris et votre clavier ?",
		},
		"agent.ask.control.detail": {
			EN: "They will be able to move your mouse, click and type. You can stop control at any time.",
			FR: "Cette personne pourra déplacer votre souris, cliquer et taper. Vous pouvez arrêter le contrôle à tout moment.",
		},
		"agent.ask.clipboard": {
			EN: "Allow %s from %s to share the clipboard with you?",
			FR: "Autoriser %s (%s) à partager le presse-papiers avec vous ?",
		},
		"agent.ask.clipboard.detail": {
			EN: "Text you copy on this computer will be sent to them, and text they copy will be pasted here. You can stop sharing at any time.",
			FR: "Le texte que vous copiez sur cet ordinateur lui sera envoyé, et le texte qu'il copie pourra être collé ici. Vous pouvez arrêter le partage à tout moment.",
		},
		"agent.ask.sysinfo": {
			EN: "Allow %s from %s to see system information (this computer's programs, disks and network) and end programs?",
			FR: "Autoriser %s (%s) à voir les informations système (programmes, disques et réseau de cet ordinateur) et à arrêter des programmes ?",
		},
		"agent.ask.sysinfo.detail": {
			EN: "They will see the programs running on this computer and may end one. You can stop this at any time.",
			FR: "Cette personne verra les programmes qui tournent sur cet ordinateur et pourra en arrêter un. Vous pouvez l'arrêter à tout moment.",
		},
		"agent.ask.terminal": {
			EN: "Allow %s from %s to run commands on this computer, in a terminal or as scripts?",
			FR: "Autoriser %s (%s) à exécuter des commandes sur cet ordinateur, dans un terminal ou en scripts ?",
		},
		"agent.ask.terminal.detail": {
			EN: "A terminal can run any program, including ones that capture the screen. Private windows are not hidden from what it runs. Commands run with your user's rights: they can read and change your files. Everything typed and shown is kept in the session's log. You can close the terminals at any time.",
			FR: "Un terminal peut lancer n'importe quel programme, y compris un programme qui peut capturer l'écran. Les fenêtres privées ne sont pas cachées à ce qu'il lance. Les commandes s'exécutent avec les droits de votre utilisateur : elles peuvent lire et modifier vos fichiers. Tout ce qui est tapé et affiché est gardé dans le journal de la session. Vous pouvez fermer les terminaux à tout moment.",
		},
		"agent.term.open.one": {
			EN: "The technician has %d terminal open on this computer. A program run there can capture your whole screen, private windows too.",
			FR: "Le technicien a %d terminal ouvert sur cet ordinateur. Un programme lancé là peut capturer tout votre écran, fenêtres privées comprises.",
		},
		"agent.term.open.other": {
			EN: "The technician has %d terminals open on this computer. A program run there can capture your whole screen, private windows too.",
			FR: "Le technicien a %d terminaux ouverts sur cet ordinateur. Un programme lancé là peut capturer tout votre écran, fenêtres privées comprises.",
		},
		"agent.term.cut": {
			EN: "The terminal transcript reached %d KiB: the terminals are closed and no more open in this session; what they show after this line is not kept.",
			FR: "La transcription des terminaux a atteint %d Kio : les terminaux sont fermés et aucun autre ne s'ouvre dans cette session ; ce qu'ils affichent après cette ligne n'est pas gardé.",
		},
		"agent.term.full": {
			EN: "The terminal transcript reached %d KiB: the terminals were closed and no more can be opened in this session.",
			FR: "La transcription des terminaux a atteint %d Kio : les terminaux ont été fermés et aucun autre ne peut être ouvert dans cette session.",
		},
		"agent.term.typed":       {EN: "⌨ typed: %s", FR: "⌨ tapé : %s"},
		"agent.term.typedSecret": {EN: "⌨ typed unseen (a password?): %d characters, not kept", FR: "⌨ tapé sans affichage (un mot de passe ?) : %d caractères, non conservés"},
		"agent.term.close":       {EN: "Close terminals", FR: "Fermer les terminaux"},
		"agent.script.output":    {EN: "Script %q: %s", FR: "Script %q : %s"},
		"agent.script.exit":      {EN: "Script %q ended with exit code %d.", FR: "Le script %q s'est terminé avec le code de sortie %d."},
		"agent.script.stopped":   {EN: "Script %q ended: %s.", FR: "Le script %q s'est terminé : %s."},
		"agent.script.cut": {
			EN: "The scripts' output reached %d KiB, the bound of a session: the script was stopped and no more scripts run in this session.",
			FR: "La sortie des scripts a atteint %d Kio, la limite d'une session : le script a été arrêté et aucun autre script ne s'exécute dans cette session.",
		},
		"agent.sysinfo.on":    {EN: "The technician may see system information and end programs.", FR: "Le technicien peut voir les informations système et arrêter des programmes."},
		"agent.sysinfo.stop":  {EN: "Stop system information", FR: "Arrêter les informations système"},
		"agent.warning.title": {EN: "Be careful", FR: "Attention"},
		"agent.warning": {
			EN: "Only continue if you contacted %s yourself. Nobody legitimate calls you unasked to fix your computer: if that is what happened, deny and end the session.",
			FR: "Ne continuez que si c'est vous qui avez contacté %s. Aucun professionnel honnête ne vous appelle de lui-même pour réparer votre ordinateur : si c'est ce qui s'est passé, refusez et mettez fin à la session.",
		},
		"agent.allow":        {EN: "Allow", FR: "Autoriser"},
		"agent.deny":         {EN: "Deny", FR: "Refuser"},
		"agent.stop_control": {EN: "Stop control", FR: "Arrêter le contrôle"},
		"agent.end_session":  {EN: "End session", FR: "Mettre fin à la session"},

		// End of session reasons (keys passed to consent.UI.Ended).
		"agent.ended.customer":   {EN: "You ended the session.", FR: "Vous avez mis fin à la session."},
		"agent.ended.technician": {EN: "The technician ended the session.", FR: "Le technicien a mis fin à la session."},
		"agent.ended.lost":       {EN: "The connection to the technician was lost.", FR: "La connexion avec le technicien a été perdue."},
		"agent.ended.close_page": {EN: "You can close this page.", FR: "Vous pouvez fermer cette page."},
		"agent.ended.callback":   {EN: "Message received: a technician will call you back.", FR: "Message reçu : un technicien vous rappellera."},

		// The channel's waiting limit (consent.UI.SetWaitLimit).
		"agent.wait.long":    {EN: "Nobody has picked up your request yet, and we are sorry for the wait. You can keep waiting, or leave a message and a technician will call you back.", FR: "Personne n'a encore pris votre demande, désolés pour l'attente. Vous pouvez continuer à attendre, ou laisser un message et un technicien vous rappellera."},
		"agent.wait.keep":    {EN: "Keep waiting", FR: "Continuer à attendre"},
		"agent.wait.message": {EN: "Your message (optional): when and how to reach you", FR: "Votre message (facultatif) : quand et comment vous joindre"},
		"agent.wait.leave":   {EN: "Leave a message and stop waiting", FR: "Laisser un message et arrêter d'attendre"},
		"agent.wait.bad":     {EN: "This message cannot be sent: at most %d characters, without invisible characters.", FR: "Ce message ne peut pas être envoyé : %d caractères au plus, sans caractères invisibles."},
		"agent.wait.failed":  {EN: "Your message could not be left. Try again in a moment, or keep waiting.", FR: "Votre message n'a pas pu être laissé. Réessayez dans un instant, ou continuez à attendre."},

		// Terminal fallback.
		"agent.term.yes_no":  {EN: "[y/N]", FR: "[o/N]"},
		"agent.term.allowed": {EN: "Allowed.", FR: "Autorisé."},
		"agent.term.denied":  {EN: "Denied.", FR: "Refusé."},
		"agent.term.page_allowed": {
			EN: "Answered on the page: allowed.",
			FR: "Réponse donnée sur la page : autorisé.",
		},
		"agent.term.page_denied": {
			EN: "Answered on the page: denied.",
			FR: "Réponse donnée sur la page : refusé.",
		},
		"agent.term.withdrawn": {EN: "The request was withdrawn.", FR: "La demande a été retirée."},
		"agent.term.help": {
			EN: `No question is waiting for an answer. Type "stop" to stop control, or "end" to end the session.`,
			FR: "Aucune question n'attend de réponse. Tapez « stop » pour arrêter le contrôle, ou « fin » pour mettre fin à la session.",
		},
		"agent.term.status":   {EN: "Status: %s", FR: "État : %s"},
		"agent.term.stopping": {EN: "Stopping control.", FR: "Arrêt du contrôle."},
		"agent.term.ending":   {EN: "Ending the session.", FR: "Fin de la session."},
	})
}
