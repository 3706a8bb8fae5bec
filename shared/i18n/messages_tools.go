package i18n

// Messages of the workspace's tools on the customer's machine: terminals
// (ws.term.*) and system information (ws.sys.*).
func init() {
	add(map[string]map[Lang]string{
		"ws.term.title":        {EN: "Terminal", FR: "Terminal"},
		"ws.term.ask":          {EN: "Ask to run commands", FR: "Demander à exécuter des commandes"},
		"ws.term.new":          {EN: "New terminal", FR: "Nouveau terminal"},
		"ws.term.ended":        {EN: "The session has ended.", FR: "La session est terminée."},
		"ws.term.noConnection": {EN: "Not connected to the customer's computer.", FR: "Pas de connexion à l'ordinateur du client."},
		"ws.term.notGranted":   {EN: "The customer has not allowed commands.", FR: "Le client n'a pas autorisé les commandes."},
		"ws.term.tab":          {EN: "Terminal %d", FR: "Terminal %d"},
		"ws.term.close":        {EN: "Close this terminal", FR: "Fermer ce terminal"},
		"ws.term.exited":       {EN: "[the shell ended with code %d]", FR: "[le shell s'est terminé avec le code %d]"},
		"ws.term.opened":       {EN: "Terminal opened", FR: "Terminal ouvert"},

		"ws.sys.title":      {EN: "System information", FR: "Informations système"},
		"ws.sys.ask":        {EN: "Ask to see system information", FR: "Demander à voir les informations système"},
		"ws.sys.notGranted": {EN: "The customer has not allowed system information.", FR: "Le client n'a pas autorisé les informations système."},
		"ws.sys.dashboard":  {EN: "Dashboard", FR: "Tableau de bord"},
		"ws.sys.processes":  {EN: "Processes", FR: "Processus"},
		"ws.sys.filter":     {EN: "Filter by name, user or PID", FR: "Filtrer par nom, utilisateur ou PID"},
		"ws.sys.name":       {EN: "Name", FR: "Nom"},
		"ws.sys.pid":        {EN: "PID", FR: "PID"},
		"ws.sys.user":       {EN: "User", FR: "Utilisateur"},
		"ws.sys.cpu":        {EN: "CPU %", FR: "CPU %"},
		"ws.sys.mem":        {EN: "Memory", FR: "Mémoire"},
		"ws.sys.os":         {EN: "System", FR: "Système"},
		"ws.sys.host":       {EN: "Computer name", FR: "Nom de l'ordinateur"},
		"ws.sys.uptime":     {EN: "Running for", FR: "Allumé depuis"},
		"ws.sys.cpuModel":   {EN: "Processor", FR: "Processeur"},
		"ws.sys.load":       {EN: "Load (1, 5, 15 min)", FR: "Charge (1, 5, 15 min)"},
		"ws.sys.memory":     {EN: "Memory", FR: "Mémoire"},
		"ws.sys.used":       {EN: "%s used of %s", FR: "%s utilisés sur %s"},
		"ws.sys.elevated":   {EN: "administrator", FR: "administrateur"},
		"ws.sys.disk":       {EN: "Disk", FR: "Disque"},
		"ws.sys.free":       {EN: "%s free of %s", FR: "%s libres sur %s"},
		"ws.sys.network":    {EN: "Network", FR: "Réseau"},
		"ws.sys.battery":    {EN: "Battery", FR: "Batterie"},
		"ws.sys.page":       {EN: "Page %d of %d (%d processes)", FR: "Page %d sur %d (%d processus)"},
		"ws.sys.end":        {EN: "End process", FR: "Arrêter le processus"},
		"ws.sys.confirm":    {EN: "End %s (PID %d) on the customer's computer? Unsaved work in it is lost.", FR: "Arrêter %s (PID %d) sur l'ordinateur du client ? Le travail non enregistré y sera perdu."},
		"ws.sys.ended":      {EN: "Process %s (PID %d) ended", FR: "Processus %s (PID %d) arrêté"},

		"ws.log.terminal.on":  {EN: "Commands in a terminal allowed", FR: "Commandes dans un terminal autorisées"},
		"ws.log.terminal.off": {EN: "Commands in a terminal stopped", FR: "Commandes dans un terminal arrêtées"},
		"ws.log.sysinfo.on":   {EN: "System information allowed", FR: "Informations système autorisées"},
		"ws.log.sysinfo.off":  {EN: "System information stopped", FR: "Informations système arrêtées"},
	})
}
