package i18n

// Messages of collaboration: colleagues invited into a session, and who has
// remote control.
func init() {
	add(map[string]map[Lang]string{
		"ws.collab.title":           {EN: "Colleagues", FR: "Collègues"},
		"ws.collab.pick":            {EN: "Colleague to invite", FR: "Collègue à inviter"},
		"ws.collab.comment":         {EN: "Comment for them", FR: "Commentaire pour ce collègue"},
		"ws.collab.invite":          {EN: "Invite", FR: "Inviter"},
		"ws.collab.none":            {EN: "No colleague is available right now", FR: "Aucun collègue n'est disponible pour le moment"},
		"ws.collab.lead":            {EN: "%s (leads the session)", FR: "%s (mène la session)"},
		"ws.collab.invited":         {EN: "%s — invited, not here yet", FR: "%s — invité, pas encore arrivé"},
		"ws.collab.withdraw":        {EN: "Withdraw", FR: "Retirer l'invitation"},
		"ws.collab.remove":          {EN: "Remove", FR: "Retirer de la session"},
		"ws.collab.giveControl":     {EN: "Give control", FR: "Donner le contrôle"},
		"ws.collab.takeControl":     {EN: "Take control back", FR: "Reprendre le contrôle"},
		"ws.collab.giveBack":        {EN: "Give control back", FR: "Rendre le contrôle"},
		"ws.collab.inControl":       {EN: "has control", FR: "a le contrôle"},
		"ws.collab.leave":           {EN: "Leave the session", FR: "Quitter la session"},
		"ws.collab.status.view":     {EN: "Helping %s with %s — view only", FR: "Vous aidez %s auprès de %s — affichage seul"},
		"ws.collab.status.control":  {EN: "Helping %s with %s — you have control", FR: "Vous aidez %s auprès de %s — vous avez le contrôle"},
		"ws.collab.status.waiting":  {EN: "Helping %s with %s — waiting for the customer to share the screen", FR: "Vous aidez %s auprès de %s — en attente du partage d'écran du client"},
		"ws.collab.status.left":     {EN: "You are no longer in the session with %s", FR: "Vous ne faites plus partie de la session avec %s"},
		"ws.collab.controlWith":     {EN: "Connected to %s — %s has control", FR: "Connecté à %s — %s a le contrôle"},
		"ws.collab.internal":        {EN: "(technicians only)", FR: "(techniciens seulement)"},
		"ws.collab.chat":            {EN: "Message to the technicians only", FR: "Message aux techniciens seulement"},
		"ws.collab.chatSend":        {EN: "Send to colleagues", FR: "Envoyer aux collègues"},
		"queue.join":                {EN: "Join", FR: "Rejoindre"},
		"queue.watch":               {EN: "Watch", FR: "Suivre"},
		"ws.collab.watching":        {EN: "watching", FR: "suit la session"},
		"ws.collab.status.watching": {EN: "Watching %s with %s — view only", FR: "Vous suivez %s auprès de %s — affichage seul"},
		"agent.ask.watch":           {EN: "Allow %s from %s to watch your screen too, with the technician already helping you?", FR: "Autoriser %s (%s) à suivre aussi votre écran, avec le technicien qui vous aide déjà ?"},
		"agent.ask.watch.detail":    {EN: "A team lead wants to follow the session: they will see your screen, but cannot click or type.", FR: "Un responsable d'équipe souhaite suivre la session : cette personne verra votre écran, sans pouvoir cliquer ni taper."},
		"agent.ask.help":            {EN: "%s from %s wants %s to help too: allow them to see your screen?", FR: "%s (%s) souhaite que %s vous aide aussi : l'autoriser à voir votre écran ?"},
		"agent.ask.help.detail":     {EN: "Another technician will see your screen. They can click or type only if you allowed control and the technician hands it to them.", FR: "Un autre technicien verra votre écran. Il ne pourra cliquer ou taper que si vous avez autorisé le contrôle et que le technicien le lui confie."},
		"queue.decline":             {EN: "Decline", FR: "Refuser"},
		"queue.collabFrom":          {EN: "collaboration offered by %s", FR: "collaboration proposée par %s"},
		"queue.helping":             {EN: "you help %s", FR: "vous aidez %s"},
	})
}
