// Package xshape enables the X SHAPE extension on one xgb connection without
// touching xgb's process-wide tables. The overlay and the on-screen indicator
// both use it.
//
// It is X11 only: the package has no code on other systems.
package xshape
