package i18n

// Messages of private windows: the "Hide windows from the technician" panel
// of the customer's page (agent.privacy.*) and the label drawn on a private
// window in what the technician sees.
func init() {
	add(map[string]map[Lang]string{
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
	})
}
