package i18n

// Messages of the reports page.
func init() {
	add(map[string]text{
		"layout.reports": {EN: "Reports", FR: "Rapports"},

		"reports.title":            {EN: "Reports", FR: "Rapports"},
		"reports.forbidden":        {EN: "Reports are for administrators and group leads. Ask an administrator to make you a lead of your group.", FR: "Les rapports sont réservés aux administrateurs et aux responsables de groupe. Demandez à un administrateur de vous nommer responsable de votre groupe."},
		"reports.from":             {EN: "From", FR: "Du"},
		"reports.to":               {EN: "To", FR: "Au"},
		"reports.by":               {EN: "Rows", FR: "Lignes"},
		"reports.by.technician":    {EN: "Technician", FR: "Technicien"},
		"reports.by.group":         {EN: "Group", FR: "Groupe"},
		"reports.by.day":           {EN: "Day", FR: "Jour"},
		"reports.by.week":          {EN: "Week (from Monday)", FR: "Semaine (du lundi)"},
		"reports.by.month":         {EN: "Month", FR: "Mois"},
		"reports.group":            {EN: "Group", FR: "Groupe"},
		"reports.technician":       {EN: "Technician", FR: "Technicien"},
		"reports.field":            {EN: "Custom field", FR: "Champ personnalisé"},
		"reports.anyField":         {EN: "— any —", FR: "— tous —"},
		"reports.value":            {EN: "Value", FR: "Valeur"},
		"reports.all":              {EN: "All", FR: "Tous"},
		"reports.show":             {EN: "Show", FR: "Afficher"},
		"reports.csv":              {EN: "Export CSV", FR: "Exporter en CSV"},
		"reports.help":             {EN: "Ended sessions created in the period. Waiting: from creation to pick-up; handling: from pick-up to the end (h:mm:ss averages). Outcomes come from the technician's survey, ratings (1 to 5) from the customer's.", FR: "Sessions terminées créées dans la période. Attente : de la création à la prise en charge ; traitement : de la prise en charge à la fin (moyennes h:mm:ss). Les résultats viennent de l'enquête du technicien, les notes (1 à 5) de celle du client."},
		"reports.none":             {EN: "No ended session matches these filters.", FR: "Aucune session terminée ne correspond à ces filtres."},
		"reports.total":            {EN: "Total", FR: "Total"},
		"reports.col.sessions":     {EN: "Sessions", FR: "Sessions"},
		"reports.col.picked_up":    {EN: "Picked up", FR: "Prises en charge"},
		"reports.col.avg_waiting":  {EN: "Average waiting", FR: "Attente moyenne"},
		"reports.col.avg_handling": {EN: "Average handling", FR: "Traitement moyen"},
		"reports.col.transfers":    {EN: "Transfers", FR: "Transferts"},
		"reports.col.resolved":     {EN: "Resolved", FR: "Résolues"},
		"reports.col.unresolved":   {EN: "Unresolved", FR: "Non résolues"},
		"reports.col.escalated":    {EN: "Escalated", FR: "Escaladées"},
		"reports.col.no_outcome":   {EN: "No outcome", FR: "Sans résultat"},
		"reports.col.ratings":      {EN: "Ratings", FR: "Notes"},
		"reports.col.avg_rating":   {EN: "Average rating", FR: "Note moyenne"},
	})
}
