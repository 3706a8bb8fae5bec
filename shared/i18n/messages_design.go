package i18n

// Messages of the technician's page frame and workspace layout: the theme
// toggle, side panels, status strip, toasts and colour swatches.
func init() {
	add(map[string]text{
		"layout.theme":            {EN: "Light or dark theme", FR: "Thème clair ou sombre"},
		"ws.sessionActions":       {EN: "Session", FR: "Session"},
		"ws.panels":               {EN: "Side panels", FR: "Panneaux latéraux"},
		"ws.panel.chat":           {EN: "Chat and session log", FR: "Discussion et journal de session"},
		"ws.panel.files":          {EN: "Files", FR: "Fichiers"},
		"ws.panel.clipboard":      {EN: "Clipboard", FR: "Presse-papiers"},
		"ws.panel.notes":          {EN: "History and notes", FR: "Historique et notes"},
		"ws.statusStrip":          {EN: "Session status", FR: "État de la session"},
		"ws.control.none":         {EN: "Not viewing", FR: "Pas d'affichage"},
		"ws.control.view":         {EN: "Viewing", FR: "Affichage"},
		"ws.control.pending":      {EN: "Control requested", FR: "Contrôle demandé"},
		"ws.control.control":      {EN: "In control", FR: "Contrôle"},
		"ws.control.ended":        {EN: "Ended", FR: "Terminée"},
		"ws.screenEnded":          {EN: "The session has ended.", FR: "La session est terminée."},
		"ws.screenWaitingAgent":   {EN: "The customer's screen appears here once they run Lifeline and allow viewing.", FR: "L'écran du client s'affiche ici dès qu'il a lancé Lifeline et autorisé l'affichage."},
		"ws.screenOnHold":         {EN: "On hold: the screen comes back when you resume.", FR: "En attente : l'écran revient à la reprise."},
		"ws.settings":             {EN: "View settings", FR: "Réglages de l'affichage"},
		"ws.toast.chat":           {EN: "Message from %s", FR: "Message de %s"},
		"ws.toast.file":           {EN: "%s sent a file", FR: "%s a envoyé un fichier"},
		"ws.toast.save":           {EN: "Save", FR: "Enregistrer"},
		"ws.toast.open":           {EN: "Show", FR: "Afficher"},
		"ws.toast.left":           {EN: "%s left the session", FR: "%s a quitté la session"},
		"ws.toast.close":          {EN: "Dismiss", FR: "Fermer"},
		"ws.tools.colour.#ff0000": {EN: "Red", FR: "Rouge"},
		"ws.tools.colour.#ffd400": {EN: "Yellow", FR: "Jaune"},
		"ws.tools.colour.#00c853": {EN: "Green", FR: "Vert"},
		"ws.tools.colour.#2979ff": {EN: "Blue", FR: "Bleu"},
		"ws.tools.colour.#ffffff": {EN: "White", FR: "Blanc"},
		"ws.tools.colour.#000000": {EN: "Black", FR: "Noir"},
		"admin.groupID":           {EN: "Group ID", FR: "Identifiant du groupe"},
		"admin.groupName":         {EN: "Group name", FR: "Nom du groupe"},
		"admin.badID":             {EN: "Use lower-case letters, digits, . _ - (at most 64).", FR: "Utilisez des minuscules, chiffres, . _ - (64 au plus)."},
		"admin.badName":           {EN: "Give a name of at most 80 characters, without invisible or direction-changing characters.", FR: "Indiquez un nom de 80 caractères au plus, sans caractères invisibles ni d'inversion du sens d'écriture."},
	})
}
