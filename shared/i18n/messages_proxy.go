package i18n

// Messages of the agent about the customer's network proxy: its local page,
// its terminal.
func init() {
	add(map[string]text{
		"agent.proxy.ask": {
			EN: "Your network's proxy (%s) asks for a user name and password to reach the support server.",
			FR: "Le proxy de votre réseau (%s) demande un nom d'utilisateur et un mot de passe pour joindre le serveur d'assistance.",
		},
		"agent.proxy.again": {
			EN: "The proxy refused that user name or password. Try again.",
			FR: "Le proxy a refusé ce nom d'utilisateur ou ce mot de passe. Réessayez.",
		},
		"agent.proxy.note": {
			EN: "They go to your proxy only: neither the technician nor the support server sees them.",
			FR: "Ils ne vont qu'à votre proxy : ni le technicien ni le serveur d'assistance ne les voient.",
		},
		"agent.proxy.user":     {EN: "User name", FR: "Nom d'utilisateur"},
		"agent.proxy.password": {EN: "Password", FR: "Mot de passe"},
		"agent.proxy.send":     {EN: "Connect", FR: "Se connecter"},
		"agent.proxy.noUser":   {EN: "Type the proxy's user name.", FR: "Saisissez le nom d'utilisateur du proxy."},
		"agent.proxy.refused": {
			EN: "Your network's proxy (%s) refused the connection to the support server. Ask your IT department to allow it; Lifeline keeps trying.",
			FR: "Le proxy de votre réseau (%s) a refusé la connexion au serveur d'assistance. Demandez à votre service informatique de l'autoriser ; Lifeline continue d'essayer.",
		},
		"agent.proxy.unreachable": {
			EN: "Cannot reach your network's proxy (%s). Check the proxy setting with your IT department; Lifeline keeps trying.",
			FR: "Impossible de joindre le proxy de votre réseau (%s). Vérifiez le réglage du proxy avec votre service informatique ; Lifeline continue d'essayer.",
		},
		"agent.err.badProxy": {
			EN: "The proxy setting is not an address this program can use: give --proxy http://host:port (or --proxy direct).",
			FR: "Le réglage du proxy n'est pas une adresse utilisable par ce programme : indiquez --proxy http://hôte:port (ou --proxy direct).",
		},
		"agent.err.proxy": {
			EN: "Your network's proxy did not let the program reach the support server. Ask your IT department, or start the program with --proxy.",
			FR: "Le proxy de votre réseau n'a pas laissé le programme joindre le serveur d'assistance. Demandez à votre service informatique, ou lancez le programme avec --proxy.",
		},
	})
}
