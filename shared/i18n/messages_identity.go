package i18n

// Messages of the identities the signaling server cannot fake (shared/identity):
// the customer's page, the console's workspace and the certify API.
func init() {
	add(map[string]text{
		// Customer's page and terminal.
		"agent.status.unverified": {
			EN: "The connection could not be verified: it may have been tampered with. Nothing was shared.",
			FR: "La connexion n'a pas pu être vérifiée : elle a peut-être été falsifiée. Rien n'a été partagé.",
		},
		"agent.code.label": {EN: "Verification code", FR: "Code de vérification"},
		"agent.code.note": {
			EN: "Your technician sees the same code. If they read you another one, end the session.",
			FR: "Votre technicien voit le même code. S'il vous en lit un autre, terminez la session.",
		},

		// Console's workspace.
		"ws.code": {EN: "Verification code: %s", FR: "Code de vérification : %s"},
		"ws.unverifiedAgent": {
			EN: "The customer's program could not be verified: the connection may have been tampered with. Nothing was shared.",
			FR: "Le programme du client n'a pas pu être vérifié : la connexion a peut-être été falsifiée. Rien n'a été partagé.",
		},
		"ws.noIdentity": {
			EN: "This browser could not get a certificate from your organisation (%s): customers' programs will refuse to connect. Reload the page, or use a current browser.",
			FR: "Ce navigateur n'a pas pu obtenir de certificat de votre organisation (%s) : les programmes des clients refuseront la connexion. Rechargez la page ou utilisez un navigateur récent.",
		},

		// Administration page.
		"admin.orgKey": {EN: "Organisation signing key", FR: "Clé de signature de l'organisation"},
		"admin.orgKeyText": {
			EN: "Every program your customers download carries this public key and accepts only technicians it certified, so a compromised server cannot sit in the middle. Keep this key and an offline copy of the key file with your records; rotate it with \"signaling rotate-org-key\".",
			FR: "Chaque programme téléchargé par vos clients porte cette clé publique et n'accepte que les techniciens qu'elle a certifiés : un serveur compromis ne peut pas s'interposer. Conservez cette clé et une copie hors ligne du fichier de clé avec vos archives ; renouvelez-la avec « signaling rotate-org-key ».",
		},
		"admin.orgKeyFingerprint": {EN: "Fingerprint:", FR: "Empreinte :"},

		// Certify API.
		"identity.badKey": {
			EN: "This browser's key could not be read. Reload the page; if it happens again, use another browser.",
			FR: "La clé de ce navigateur n'a pas pu être lue. Rechargez la page ; si cela se reproduit, utilisez un autre navigateur.",
		},
	})
}
