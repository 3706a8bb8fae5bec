package i18n

// Messages the agent prints on its terminal when starting and stopping.
func init() {
	add(map[string]text{
		"agent.askPIN":          {EN: "Type the 6-digit code your technician gave you: ", FR: "Saisissez le code à 6 chiffres donné par votre technicien : "},
		"agent.bye":             {EN: "The support session has ended. You can close this window.", FR: "La session d'assistance est terminée. Vous pouvez fermer cette fenêtre."},
		"agent.err.noServer":    {EN: "This program does not know which support server to use. Download it again from your technician's invitation link.", FR: "Ce programme ne sait pas quel serveur d'assistance utiliser. Téléchargez-le à nouveau depuis le lien d'invitation de votre technicien."},
		"agent.err.badStamp":    {EN: "This program is damaged (its download was cut short or altered). Download it again from your technician's invitation link.", FR: "Ce programme est endommagé (son téléchargement a été interrompu ou modifié). Téléchargez-le à nouveau depuis le lien d'invitation de votre technicien."},
		"agent.err.oldWindows":  {EN: "Lifeline needs Windows 10 or later. Ask your technician for another way to get help.", FR: "Lifeline nécessite Windows 10 ou une version plus récente. Demandez à votre technicien une autre façon de vous aider."},
		"agent.err.noCode":      {EN: "No session code: download the program from your technician's invitation link, or run it in a terminal to type your 6-digit code.", FR: "Aucun code de session : téléchargez le programme depuis le lien d'invitation de votre technicien, ou lancez-le dans un terminal pour saisir votre code à 6 chiffres."},
		"agent.err.invalidCode": {EN: "That code is not valid. Ask your technician for a new invitation.", FR: "Ce code n'est pas valable. Demandez une nouvelle invitation à votre technicien."},
		"agent.err.expired":     {EN: "This invitation has expired. Ask your technician for a new one.", FR: "Cette invitation a expiré. Demandez-en une nouvelle à votre technicien."},
		"agent.err.used":        {EN: "This invitation was already used. Ask your technician for a new one.", FR: "Cette invitation a déjà été utilisée. Demandez-en une nouvelle à votre technicien."},
		"agent.err.rateLimited": {EN: "Too many wrong codes. Wait a minute and try again.", FR: "Trop de codes erronés. Patientez une minute puis réessayez."},
		"agent.err.unreachable": {EN: "Cannot reach the support server. Check your Internet connection and try again.", FR: "Impossible de joindre le serveur d'assistance. Vérifiez votre connexion Internet et réessayez."},
		"agent.crashed":         {EN: "Lifeline stopped unexpectedly. Your keyboard and mouse were released and the technician no longer sees your screen. Run Lifeline again within a few minutes to go back to your session.", FR: "Lifeline s'est arrêté de façon inattendue. Votre clavier et votre souris ont été libérés et le technicien ne voit plus votre écran. Relancez Lifeline dans les minutes qui viennent pour retrouver votre session."},
		"agent.err.lost":        {EN: "The connection to the support server was lost. The session has ended.", FR: "La connexion au serveur d'assistance a été perdue. La session est terminée."},
	})
}
