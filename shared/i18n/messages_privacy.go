package i18n

// Messages of private windows: the "Hide windows from the technician" panel
// of the customer's page (agent.privacy.*) and the label drawn on a private
// window in what the technician sees.
func init() {
	add(map[string]text{
		"agent.privacy.title":       {EN: "Hide windows from the technician", FR: "Cacher des fenêtres au technicien"},
		"agent.privacy.intro":       {EN: "A hidden window shows as \"Private window\" to the technician, who cannot click or type in it. You can still use it.", FR: "Une fenêtre cachée apparaît comme « Fenêtre privée » au technicien, qui ne peut ni y cliquer ni y taper. Vous pouvez toujours l'utiliser."},
		"agent.privacy.preset":      {EN: "Hide my password manager and mail", FR: "Cacher mon gestionnaire de mots de passe et ma messagerie"},
		"agent.privacy.presetHelp":  {EN: "Programs: %s. For a bank's website, hide the browser window.", FR: "Programmes : %s. Pour le site d'une banque, cachez la fenêtre du navigateur."},
		"agent.privacy.hide":        {EN: "Hide", FR: "Cacher"},
		"agent.privacy.none":        {EN: "No open window found.", FR: "Aucune fenêtre ouverte trouvée."},
		"agent.privacy.untitled":    {EN: "(untitled)", FR: "(sans titre)"},
		"agent.privacy.unavailable": {EN: "The list of windows cannot be read on this computer.", FR: "La liste des fenêtres ne peut pas être lue sur cet ordinateur."},
		"agent.privacy.gone":        {EN: "That window is closed; the list is up to date again.", FR: "Cette fenêtre est fermée ; la liste est de nouveau à jour."},
		"agent.privacy.placeholder": {EN: "Private window", FR: "Fenêtre privée"},

		// The administrator's default, in the organisation's settings.
		"admin.privatePrograms":     {EN: "Programs hidden from technicians by default", FR: "Programmes cachés aux techniciens par défaut"},
		"admin.privateProgramsHelp": {EN: "Program names separated by commas (for example keepassxc, thunderbird). Their windows are hidden on every customer's computer from the start; the customer can show them.", FR: "Noms de programmes séparés par des virgules (par exemple keepassxc, thunderbird). Leurs fenêtres sont cachées sur l'ordinateur de chaque client dès le début ; le client peut les montrer."},
		"admin.badPrivatePrograms":  {EN: "Give at most 32 program names of at most 60 lower-case letters, digits, dots, dashes or underscores, separated by commas.", FR: "Indiquez au plus 32 noms de programmes de 60 lettres minuscules, chiffres, points, tirets ou soulignés au plus, séparés par des virgules."},
	})
}
