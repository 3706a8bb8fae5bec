package i18n

// Messages of the surveys: the technician's workspace (ws.survey.*), the
// server's refusals (survey.err.*), the customer's page (agent.survey.*) and
// the administration centre (admin.survey*).
func init() {
	add(map[string]text{
		// Technician's workspace.
		"ws.survey.send":         {EN: "Send survey", FR: "Envoyer l'enquête"},
		"ws.survey.sendTip":      {EN: "Show the customer's survey on %s's page now", FR: "Afficher maintenant l'enquête client sur la page de %s"},
		"ws.survey.sent":         {EN: "The survey is shown on %s's page.", FR: "L'enquête est affichée sur la page de %s."},
		"ws.survey.title":        {EN: "Your survey of this session", FR: "Votre bilan de cette session"},
		"ws.survey.intro":        {EN: "How did the session with %s go?", FR: "Comment s'est passée la session avec %s ?"},
		"ws.survey.resolution":   {EN: "Outcome", FR: "Résultat"},
		"ws.survey.resolved":     {EN: "Resolved", FR: "Résolu"},
		"ws.survey.unresolved":   {EN: "Not resolved", FR: "Non résolu"},
		"ws.survey.escalated":    {EN: "Escalated", FR: "Escaladé"},
		"ws.survey.category":     {EN: "Category", FR: "Catégorie"},
		"ws.survey.categoryNone": {EN: "(none)", FR: "(aucune)"},
		"ws.survey.notes":        {EN: "Notes", FR: "Notes"},
		"ws.survey.submit":       {EN: "Save survey", FR: "Enregistrer le bilan"},
		"ws.survey.skip":         {EN: "Skip", FR: "Passer"},
		"ws.survey.required":     {EN: "Your administrator asks for this survey: it cannot be skipped.", FR: "Votre administrateur demande ce bilan : il ne peut pas être passé."},
		"ws.survey.saved":        {EN: "Survey saved.", FR: "Bilan enregistré."},
		"ws.survey.pick":         {EN: "Pick an outcome.", FR: "Choisissez un résultat."},
		"ws.survey.failed":       {EN: "Not saved: %s", FR: "Non enregistré : %s"},
		"ws.survey.history":      {EN: "Surveys of this session", FR: "Enquêtes de cette session"},
		"ws.survey.customer":     {EN: "Customer's survey", FR: "Enquête client"},
		"ws.survey.technician":   {EN: "Technician's survey", FR: "Bilan du technicien"},
		"ws.survey.notAnswered":  {EN: "Not answered", FR: "Sans réponse"},
		"ws.survey.yes":          {EN: "Yes", FR: "Oui"},
		"ws.survey.no":           {EN: "No", FR: "Non"},
		"ws.survey.rating":       {EN: "%d / 5", FR: "%d / 5"},

		// The server's refusals, as the technician reads them.
		"survey.err.notFound":     {EN: "No such session.", FR: "Session introuvable."},
		"survey.err.answered":     {EN: "This survey was already answered; the first answers are kept.", FR: "Cette enquête a déjà reçu une réponse ; les premières réponses sont conservées."},
		"survey.err.bad":          {EN: "These answers cannot be kept.", FR: "Ces réponses ne peuvent pas être conservées."},
		"survey.err.notEnded":     {EN: "End the session first.", FR: "Terminez d'abord la session."},
		"survey.err.none":         {EN: "This session asks no customer survey: an administrator turns it on for the technician's group.", FR: "Cette session ne comporte pas d'enquête client : un administrateur l'active pour le groupe du technicien."},
		"survey.err.closed":       {EN: "The session has ended.", FR: "La session est terminée."},
		"survey.err.notConnected": {EN: "The customer's program is not connected.", FR: "Le programme du client n'est pas connecté."},

		// The customer's page.
		"agent.survey.term":        {EN: "A few questions about the session wait on your page. This program closes once you answer them or say No thanks.", FR: "Quelques questions sur la session vous attendent sur votre page. Ce programme se ferme dès que vous y répondez ou choisissez Non merci."},
		"agent.survey.title":       {EN: "A few questions about this session", FR: "Quelques questions sur cette session"},
		"agent.survey.intro":       {EN: "Your answers go to %s and help them improve their support.", FR: "Vos réponses sont transmises à %s et l'aident à améliorer son assistance."},
		"agent.survey.yes":         {EN: "Yes", FR: "Oui"},
		"agent.survey.no":          {EN: "No", FR: "Non"},
		"agent.survey.rate":        {EN: "%d out of 5", FR: "%d sur 5"},
		"agent.survey.low":         {EN: "1 = poor, 5 = excellent", FR: "1 = mauvais, 5 = excellent"},
		"agent.survey.send":        {EN: "Send my answers", FR: "Envoyer mes réponses"},
		"agent.survey.skip":        {EN: "No thanks", FR: "Non merci"},
		"agent.survey.thanks":      {EN: "Thank you: your answers were sent.", FR: "Merci : vos réponses ont été envoyées."},
		"agent.survey.skipped":     {EN: "No answers sent.", FR: "Aucune réponse envoyée."},
		"agent.survey.missing":     {EN: "Please answer every rating and yes/no question.", FR: "Merci de répondre à chaque note et à chaque question oui/non."},
		"agent.survey.failed":      {EN: "Your answers could not be sent. Try again.", FR: "Vos réponses n'ont pas pu être envoyées. Réessayez."},
		"agent.survey.err.used":    {EN: "You already answered this survey; your first answers are kept.", FR: "Vous avez déjà répondu à cette enquête ; vos premières réponses sont conservées."},
		"agent.survey.err.bad":     {EN: "These answers cannot be kept (%s).", FR: "Ces réponses ne peuvent pas être conservées (%s)."},
		"agent.survey.err.none":    {EN: "This session has no survey to answer.", FR: "Cette session ne comporte pas d'enquête."},
		"agent.survey.err.offline": {EN: "The support server cannot be reached now; try again in a moment.", FR: "Le serveur d'assistance est injoignable pour le moment ; réessayez dans un instant."},

		// Administration centre.
		"admin.surveys":            {EN: "Surveys", FR: "Enquêtes"},
		"admin.surveys.intro":      {EN: "For each technician group: the questions customers answer on their page when a session ends (off until you turn it on), and the survey technicians fill in when they end a session.", FR: "Pour chaque groupe de techniciens : les questions auxquelles les clients répondent sur leur page à la fin d'une session (désactivé tant que vous ne l'activez pas), et le bilan que les techniciens remplissent en terminant une session."},
		"admin.survey.customer":    {EN: "Ask customers the survey", FR: "Proposer l'enquête aux clients"},
		"admin.survey.question":    {EN: "Question %d", FR: "Question %d"},
		"admin.survey.kind":        {EN: "Answer", FR: "Réponse"},
		"admin.survey.kind.rating": {EN: "Rating 1 to 5", FR: "Note de 1 à 5"},
		"admin.survey.kind.yesno":  {EN: "Yes or no", FR: "Oui ou non"},
		"admin.survey.kind.text":   {EN: "Free text", FR: "Texte libre"},
		"admin.survey.required":    {EN: "Technicians must fill in their survey (no Skip)", FR: "Les techniciens doivent remplir leur bilan (pas de « Passer »)"},
		"admin.survey.categories":  {EN: "Categories technicians pick from, one a line (none: they type one)", FR: "Catégories proposées aux techniciens, une par ligne (aucune : ils la saisissent)"},
		"admin.survey.save":        {EN: "Save surveys", FR: "Enregistrer les enquêtes"},
		"admin.done.survey":        {EN: "Surveys saved.", FR: "Enquêtes enregistrées."},
		"admin.badSurvey":          {EN: "Not saved: a question is too long or hides characters, a category too, or the customer's survey is on without a question.", FR: "Non enregistré : une question est trop longue ou contient des caractères invisibles, une catégorie aussi, ou l'enquête client est activée sans question."},
	})
}
