package i18n

// Messages of the custom session fields: the invitation form, the queue's
// editor and the admin page.
func init() {
	add(map[string]text{
		"fields.required": {EN: "Fill in this field.", FR: "Remplissez ce champ."},
		"fields.tooLong":  {EN: "Use at most %d characters.", FR: "%d caractères au plus."},
		"fields.hidden":   {EN: "Remove the invisible or direction-changing characters.", FR: "Retirez les caractères invisibles ou d'inversion du sens d'écriture."},
		"fields.option":   {EN: "Choose one of the listed values.", FR: "Choisissez l'une des valeurs proposées."},
		"fields.unknown":  {EN: "This field no longer exists; reload the page.", FR: "Ce champ n'existe plus ; rechargez la page."},
		"fields.closed":   {EN: "This session has ended; its fields can no longer change.", FR: "Cette session est terminée ; ses champs ne peuvent plus changer."},
		"fields.choose":   {EN: "— choose —", FR: "— choisir —"},
		"fields.fix":      {EN: "Some fields need attention: see the messages beside them.", FR: "Certains champs sont à corriger : voir les messages à côté."},

		"admin.fields":              {EN: "Custom session fields", FR: "Champs de session personnalisés"},
		"admin.fieldsHelp":          {EN: "Technicians fill these in when they create a session; they show as queue columns, in the history and as report filters. Deleting a field keeps the values old sessions have.", FR: "Les techniciens les remplissent en créant une session ; ils apparaissent en colonnes de la file, dans l'historique et comme filtres des rapports. Supprimer un champ conserve les valeurs des anciennes sessions."},
		"admin.newField":            {EN: "New field", FR: "Nouveau champ"},
		"admin.field.name":          {EN: "Field name", FR: "Nom du champ"},
		"admin.field.kind":          {EN: "Kind", FR: "Type"},
		"admin.field.text":          {EN: "Text", FR: "Texte"},
		"admin.field.choice":        {EN: "Choice from a list", FR: "Choix dans une liste"},
		"admin.field.options.label": {EN: "Options (one a line, for a choice)", FR: "Options (une par ligne, pour un choix)"},
		"admin.field.required":      {EN: "Required when creating a session", FR: "Obligatoire à la création d'une session"},
		"admin.field.add":           {EN: "Add field", FR: "Ajouter le champ"},
		"admin.field.badOption":     {EN: "Each option: at most 200 characters, without invisible or direction-changing characters.", FR: "Chaque option : 200 caractères au plus, sans caractères invisibles ni d'inversion du sens d'écriture."},
		"admin.field.sameOption":    {EN: "An option is listed twice.", FR: "Une option apparaît deux fois."},
		"admin.field.options":       {EN: "Give 1 to %d options, one a line.", FR: "Indiquez de 1 à %d options, une par ligne."},
		"admin.field.badKind":       {EN: "Choose text or a choice from a list.", FR: "Choisissez texte ou choix dans une liste."},
		"admin.field.sameName":      {EN: "Another field has this name.", FR: "Un autre champ porte ce nom."},
		"admin.field.tooMany":       {EN: "At most %d fields: delete one first.", FR: "%d champs au plus : supprimez-en un d'abord."},
		"admin.field.gone":          {EN: "This field no longer exists.", FR: "Ce champ n'existe plus."},
		"admin.done.fields":         {EN: "Custom fields saved.", FR: "Champs personnalisés enregistrés."},
		"admin.leads":               {EN: "Leads", FR: "Responsables"},
		"admin.leadsHelp":           {EN: "Leads see this group's reports, whichever group they work in.", FR: "Les responsables voient les rapports de ce groupe, quel que soit leur propre groupe."},
		"admin.badLead":             {EN: "A lead chosen no longer exists; reload the page.", FR: "Un responsable choisi n'existe plus ; rechargez la page."},
	})
}
