package i18n

// Messages of help in the browser alone (console-web/instant): the
// customer's page that chats, shows the screen or the camera with nothing
// to download, and the link to it from the invitation's page.
func init() {
	add(map[string]map[Lang]string{
		"join.instant":          {EN: "Cannot or do not want to run a program? Chat with the technician and show your screen or camera from this browser.", FR: "Impossible ou pas envie de lancer un programme ? Discutez avec le technicien et montrez votre écran ou votre caméra depuis ce navigateur."},
		"join.instantLink":      {EN: "Get help in the browser", FR: "Obtenir de l'aide dans le navigateur"},
		"instant.title":         {EN: "Help in your browser", FR: "Aide dans votre navigateur"},
		"instant.heading":       {EN: "Help from %s, in your browser", FR: "Aide de %s, dans votre navigateur"},
		"instant.intro":         {EN: "Nothing to download: chat here with %s. You choose what you show, and you can stop it at any moment.", FR: "Rien à télécharger : discutez ici avec %s. Vous choisissez ce que vous montrez, et vous pouvez arrêter à tout moment."},
		"instant.connect":       {EN: "Start the chat", FR: "Commencer la discussion"},
		"instant.connecting":    {EN: "Connecting…", FR: "Connexion…"},
		"instant.waiting":       {EN: "Connected. Waiting for a technician to pick up your request…", FR: "Connecté. En attente d'un technicien pour prendre votre demande…"},
		"instant.with":          {EN: "You are chatting with %s.", FR: "Vous discutez avec %s."},
		"instant.shared.none":   {EN: "You are sharing nothing: the technician only reads the chat.", FR: "Vous ne partagez rien : le technicien lit seulement la discussion."},
		"instant.shared.screen": {EN: "The technician sees what you chose to share from your screen. They cannot control it.", FR: "Le technicien voit ce que vous avez choisi de partager de votre écran. Il ne peut pas en prendre le contrôle."},
		"instant.shared.camera": {EN: "The technician sees your camera. They may draw arrows on it to show you where to look.", FR: "Le technicien voit votre caméra. Il peut y dessiner des flèches pour vous montrer où regarder."},
		"instant.showScreen":    {EN: "Show my screen", FR: "Montrer mon écran"},
		"instant.showCamera":    {EN: "Show my camera", FR: "Montrer ma caméra"},
		"instant.stop":          {EN: "Stop sharing", FR: "Arrêter le partage"},
		"instant.noScreen":      {EN: "This browser cannot share its screen. You can keep chatting, or run the support program.", FR: "Ce navigateur ne peut pas partager son écran. Vous pouvez continuer à discuter, ou lancer le programme d'assistance."},
		"instant.noCamera":      {EN: "No camera can be used in this browser. You can keep chatting.", FR: "Aucune caméra n'est utilisable dans ce navigateur. Vous pouvez continuer à discuter."},
		"instant.refusedShare":  {EN: "Nothing is shared: you did not pick anything, or the browser refused.", FR: "Rien n'est partagé : vous n'avez rien choisi, ou le navigateur a refusé."},
		"instant.viewOnly":      {EN: "The technician can only look. Remote control needs the support program.", FR: "Le technicien peut seulement regarder. La prise de contrôle à distance nécessite le programme d'assistance."},
		"instant.askedView":     {EN: "%s asks to see your screen or camera: use the buttons below if you agree.", FR: "%s demande à voir votre écran ou votre caméra : utilisez les boutons ci-dessous si vous êtes d'accord."},
		"instant.askedControl":  {EN: "%s asked for remote control: that needs the support program, so it was refused.", FR: "%s a demandé la prise de contrôle : elle nécessite le programme d'assistance, elle a donc été refusée."},
		"instant.chat":          {EN: "Chat", FR: "Discussion"},
		"instant.message":       {EN: "Your message", FR: "Votre message"},
		"instant.send":          {EN: "Send", FR: "Envoyer"},
		"instant.you":           {EN: "You", FR: "Vous"},
		"instant.tooLong":       {EN: "This message is too long: at most %d bytes.", FR: "Ce message est trop long : %d octets au plus."},
		"instant.end":           {EN: "End the session", FR: "Terminer la session"},
		"instant.ended":         {EN: "The session has ended. Nothing is shared any more.", FR: "La session est terminée. Plus rien n'est partagé."},
		"instant.lost":          {EN: "The connection was lost. Reload the page to try again.", FR: "La connexion a été perdue. Rechargez la page pour réessayer."},
		"instant.refused":       {EN: "This link cannot be used: %s", FR: "Ce lien ne peut pas être utilisé : %s"},
		"instant.notConnected":  {EN: "The technician is not connected yet: your message was not sent.", FR: "Le technicien n'est pas encore connecté : votre message n'a pas été envoyé."},
		"instant.file":          {EN: "A file for the technician:", FR: "Un fichier pour le technicien :"},
		"instant.fileSend":      {EN: "Send the file", FR: "Envoyer le fichier"},
		"instant.fileSending":   {EN: "sending %s…", FR: "envoi de %s…"},
		"instant.fileSent":      {EN: "sent %s.", FR: "%s envoyé."},
		"instant.fileFailed":    {EN: "%s could not be sent.", FR: "%s n'a pas pu être envoyé."},
		"instant.fileBusy":      {EN: "A file is already being sent: wait until it is done.", FR: "Un fichier est déjà en cours d'envoi : attendez qu'il soit terminé."},
	})
}
