package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme choices, kept in the app's preferences (they are per user, not per project).
const (
	themeSystem = "Follow system"
	themeLight  = "Light"
	themeDark   = "Dark"
	themePref   = "theme"
)

// forcedVariant is the default theme pinned to light or dark.
type forcedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t forcedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// themeChoice is the saved theme choice.
func themeChoice(a fyne.App) string {
	return a.Preferences().StringWithFallback(themePref, themeSystem)
}

// applyTheme switches the app's theme and remembers the choice.
func applyTheme(a fyne.App, choice string) {
	switch choice {
	case themeLight:
		a.Settings().SetTheme(forcedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(forcedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantDark})
	default:
		choice = themeSystem
		a.Settings().SetTheme(theme.DefaultTheme())
	}
	a.Preferences().SetString(themePref, choice)
}
