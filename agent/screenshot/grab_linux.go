package screenshot

import "image"

// grabScreen reads the whole default X screen of $DISPLAY.
func grabScreen() (*image.RGBA, error) { return GrabX11("") }
